"""Dispatching the outbox: claim due messages in batches, render, send, record.

`dispatch_due` is what the scheduled flow, the CLI and urgent sends (`send_now`) call. A run
opens each channel once (one SMTP connection, one HTTP client, reconnecting on failure) and
renders each distinct context once. Each batch is three short steps with a commit between
them: claim (under a lease), render (minting every sign-in token in one statement, committed
before anything is sent so every link works), then send and record message by message, each
outcome committed at once on one connection held for the batch. A dispatcher that dies
mid-batch loses nothing: its messages stay `sending` until the lease ends and are then
recovered (Notify: looked up by reference first; other channels: sent again, at-least-once).
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine

from models.db import get_engine, session_scope
from models.errors import ConfigurationError, JointauditError
from models.faults import fault_point
from models.settings import Settings, get_settings
from models.types import utcnow
from notifications.channels import MessageChannel
from notifications.claim import (
    ClaimedMessage,
    backoff_delay,
    claim_due,
    record_failure,
    record_sent,
    record_sent_many,
    release,
)
from notifications.dispatch_run import DispatchReport, Run, group_for, in_lanes, lanes_for
from notifications.errors import DeliveryError, RetryableDeliveryError, TemplateError
from notifications.render import MessageRenderer, RenderedMessage
from notifications.render_batch import BatchRenderer, PreparedTemplate
from notifications.tokens import mint_sign_in_tokens

logger = logging.getLogger(__name__)
DEFAULT_MAX_BATCHES = 1000
__all__ = ["DispatchReport", "dispatch_due", "new_claimer_id", "send_now"]


def new_claimer_id() -> str:
    """A name for this dispatcher's leases, unique across processes and machines."""
    return f"{os.getpid()}-{secrets.token_hex(8)}"


@dataclass
class _Batch:
    """One claimed batch on its way through its channels."""

    run: Run
    now: datetime

    def fail(self, message: ClaimedMessage, error: DeliveryError, *, uncertain: bool) -> None:
        settings = self.run.settings
        backoff = backoff_delay(
            attempts=message.attempts,
            base_seconds=settings.outbox_backoff_base_seconds,
            max_seconds=settings.outbox_backoff_max_seconds,
        )
        with session_scope(self.run.engine) as session:
            status = record_failure(
                session=session,
                message=message,
                claimer=self.run.claimer,
                now=self.now,
                error=error,
                max_attempts=settings.outbox_max_attempts,
                backoff=backoff,
                uncertain=uncertain,
            )
        self.run.count("failed" if status == "failed" else "retrying")
        logger.warning(
            "message %s attempt %s: %s (%s)",
            message.id,
            message.attempts,
            type(error).__name__,
            status,
        )

    def recover(self, channel: MessageChannel, messages: list[ClaimedMessage]) -> None:
        """Drop from `messages` those the provider already has, recording them as sent."""
        for message in [m for m in messages if m.recovered and channel.can_look_up]:
            messages.remove(message)
            try:
                found = channel.find_sent(message_id=message.id, queued_at=message.created_at)
            except DeliveryError as error:
                self.fail(message, error, uncertain=True)
                continue
            if found is None:
                messages.append(message)
                continue
            with session_scope(self.run.engine) as session:
                record_sent(
                    session=session,
                    message_id=message.id,
                    claimer=self.run.claimer,
                    now=self.now,
                    provider_message_id=found.provider_message_id,
                    delivery_status=found.delivery_status,
                )
            self.run.count("found_sent")

    def render(
        self, messages: list[ClaimedMessage], *, with_html: bool
    ) -> list[tuple[ClaimedMessage, RenderedMessage]]:
        """Render every message, minting all their sign-in tokens in one statement."""
        renderer = self.run.renderer
        prepared: list[tuple[ClaimedMessage, Any, PreparedTemplate]] = []
        failed: list[tuple[ClaimedMessage, TemplateError]] = []
        for message in messages:
            try:
                context, template = renderer.prepare(
                    message.template, message.context, with_html=with_html
                )
            except TemplateError as error:
                failed.append((message, error))
                continue
            prepared.append((message, context, template))
        holders = [
            (m.person_id, m.round_id, m.id, context.landing())
            for m, context, t in prepared
            if t.with_link and m.person_id is not None
        ]
        with session_scope(self.run.engine) as session:  # committed before anything is sent
            tokens = iter(
                mint_sign_in_tokens(
                    session=session,
                    holders=holders,
                    now=self.now,
                    ttl=self.run.settings.sign_in_token_ttl,
                )
            )
        ready: list[tuple[ClaimedMessage, RenderedMessage]] = []
        for message, context, template in prepared:
            token = next(tokens) if template.with_link and message.person_id is not None else None
            try:
                rendered = template.message(
                    renderer=renderer.renderer,
                    context=context,
                    message_id=message.id,
                    address=message.address,
                    token=token,
                )
            except TemplateError as error:
                failed.append((message, error))
                continue
            ready.append((message, rendered))
        for message, template_error in failed:
            self.fail(message, template_error, uncertain=False)
        return ready

    def send(
        self,
        channel: MessageChannel,
        message: ClaimedMessage,
        rendered: RenderedMessage,
    ) -> tuple[int, str | None, str | None] | None:
        """Send one message; its outcome to record, or None when it failed (recorded then)."""
        try:
            result = channel.send(rendered)
        except DeliveryError as error:
            ambiguous = isinstance(error, RetryableDeliveryError) and error.ambiguous
            self.fail(message, error, uncertain=ambiguous and channel.can_look_up)
            return None
        except JointauditError:
            raise
        except Exception as error:  # a bug must not strand the rest of the batch
            logger.exception(
                "message %s: unexpected error from the %s channel", message.id, channel.name
            )
            unexpected = RetryableDeliveryError(f"unexpected {type(error).__name__}: {error}")
            self.fail(message, unexpected, uncertain=channel.can_look_up)
            return None
        fault_point("dispatch:after-send")
        return message.id, result.provider_message_id, result.delivery_status

    def record(
        self, outcomes: list[tuple[int, str | None, str | None]], connection: Connection
    ) -> None:
        """Commit sent messages in one statement."""
        with connection.begin():
            record_sent_many(
                session=connection, claimer=self.run.claimer, now=self.now, outcomes=outcomes
            )
        self.run.count("sent", len(outcomes))

    def deliver(self, channel_name: str, messages: list[ClaimedMessage]) -> None:
        """Recover, render and send one channel's share of the batch."""
        open_ids = {message.id for message in messages}
        try:
            channel = self.run.channel(channel_name)
            remaining = list(messages)
            self.recover(channel, remaining)
            ready = self.render(remaining, with_html=channel.wants_html)

            def send(
                item: tuple[ClaimedMessage, RenderedMessage],
            ) -> tuple[int, str | None, str | None] | None:
                outcome = self.send(channel, *item)
                with self.run.lock:
                    open_ids.discard(item[0].id)
                return outcome

            # A small batch (urgent, retries) records each outcome at once; a large one in
            # groups: a crash then resends up to a group on SMTP (Notify looks them up).
            lanes = lanes_for(len(ready), channel.concurrency) if channel.can_look_up else 1
            in_lanes(
                engine=self.run.engine,
                items=ready,
                lanes=lanes,
                work=send,
                record=self.record,
                group=group_for(len(ready)),
            )
        except ConfigurationError:
            # A setting is wrong for every message alike: give them back untried and stop.
            self.run.drop(channel_name)
            with session_scope(self.run.engine) as session:
                release(
                    session=session,
                    message_ids=sorted(open_ids),
                    claimer=self.run.claimer,
                    now=self.now,
                )
            raise


def dispatch_due(
    *,
    engine: Engine | None = None,
    now: datetime | None = None,
    batch_size: int | None = None,
    only_ids: Sequence[int] | None = None,
    settings: Settings | None = None,
    max_batches: int = DEFAULT_MAX_BATCHES,
) -> DispatchReport:
    """Send every due message (or only `only_ids`), batch after batch, until none is left.

    `now` fixes the clock (tests); by default each batch reads the real time.
    """
    settings = settings or get_settings()
    engine = engine or get_engine()
    report = DispatchReport()
    run = Run(
        engine=engine,
        settings=settings,
        claimer=new_claimer_id(),
        report=report,
        renderer=BatchRenderer(
            MessageRenderer(
                override_dir=settings.templates_dir,
                timezone=settings.timezone,
                portal_base_url=settings.portal_base_url,
            )
        ),
    )
    try:
        for _ in range(max_batches):
            current = now or utcnow()
            with session_scope(engine) as session:
                claim = claim_due(
                    session=session,
                    now=current,
                    limit=batch_size or settings.outbox_batch_size,
                    claimer=run.claimer,
                    lease=timedelta(seconds=settings.outbox_lease_seconds),
                    notify_limit_per_minute=settings.notify_rate_limit_per_minute,
                    only_ids=only_ids,
                )
            report.rate_limited = claim.rate_limited
            if not claim.messages:
                break
            report.claimed += len(claim.messages)
            batch = _Batch(run=run, now=current)
            misconfigured: ConfigurationError | None = None
            for name in sorted({message.channel for message in claim.messages}):
                try:
                    batch.deliver(name, [m for m in claim.messages if m.channel == name])
                except ConfigurationError as error:  # the other channels still send
                    misconfigured = misconfigured or error
            if misconfigured is not None:
                raise misconfigured
    finally:
        run.close()
    if report.claimed:
        logger.info("dispatch: %s", report.as_dict())
    return report


def send_now(
    *,
    message_ids: Sequence[int],
    engine: Engine | None = None,
    now: datetime | None = None,
    settings: Settings | None = None,
) -> DispatchReport:
    """Send these messages at once (an immediate concern never waits for the schedule)."""
    return dispatch_due(engine=engine, now=now, only_ids=message_ids, settings=settings)
