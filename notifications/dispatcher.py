"""Dispatching the outbox: claim due messages in batches, render, send, record.

`dispatch_due` is what the scheduled flow, the CLI and urgent sends (`send_now`) call. Each
batch is three short steps with a commit between them: claim (under a lease), render (minting
sign-in tokens, committed before anything is sent so every link works), then send and record
message by message. A dispatcher that dies mid-batch loses nothing: its messages stay
`sending` until the lease ends and are then recovered (Notify: looked up by reference first;
other channels: sent again, at-least-once).
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine

from models.db import get_engine, session_scope
from models.errors import ConfigurationError, JointauditError
from models.faults import fault_point
from models.settings import Settings, get_settings
from models.types import utcnow
from notifications.channels import MessageChannel, open_channel
from notifications.claim import (
    ClaimedMessage,
    backoff_delay,
    claim_due,
    record_failure,
    record_sent,
    release,
)
from notifications.contexts import context_from_stored
from notifications.errors import DeliveryError, RetryableDeliveryError, TemplateError
from notifications.render import MessageRenderer, RenderedMessage
from notifications.tokens import mint_sign_in_token, sign_in_url

logger = logging.getLogger(__name__)
DEFAULT_MAX_BATCHES = 1000


@dataclass
class DispatchReport:
    """What one dispatch did, in counts (never recipients or content)."""

    claimed: int = 0
    sent: int = 0
    found_sent: int = 0
    retrying: int = 0
    failed: int = 0
    rate_limited: int = 0

    def as_dict(self) -> dict[str, int]:
        """The counts as a plain dict (for Prefect and `--json`)."""
        return asdict(self)


def new_claimer_id() -> str:
    """A name for this dispatcher's leases, unique across processes and machines."""
    return f"{os.getpid()}-{secrets.token_hex(8)}"


@dataclass
class _Batch:
    """One claimed batch on its way through one channel."""

    engine: Engine
    settings: Settings
    claimer: str
    now: datetime
    report: DispatchReport

    def fail(self, message: ClaimedMessage, error: DeliveryError, *, uncertain: bool) -> None:
        backoff = backoff_delay(
            attempts=message.attempts,
            base_seconds=self.settings.outbox_backoff_base_seconds,
            max_seconds=self.settings.outbox_backoff_max_seconds,
        )
        with session_scope(self.engine) as session:
            status = record_failure(
                session=session,
                message=message,
                claimer=self.claimer,
                now=self.now,
                error=error,
                max_attempts=self.settings.outbox_max_attempts,
                backoff=backoff,
                uncertain=uncertain,
            )
        if status == "failed":
            self.report.failed += 1
        else:
            self.report.retrying += 1
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
            with session_scope(self.engine) as session:
                record_sent(
                    session=session,
                    message_id=message.id,
                    claimer=self.claimer,
                    now=self.now,
                    provider_message_id=found.provider_message_id,
                    delivery_status=found.delivery_status,
                )
            self.report.found_sent += 1

    def render(
        self, messages: list[ClaimedMessage], *, with_html: bool
    ) -> list[tuple[ClaimedMessage, RenderedMessage]]:
        """Render every message, minting its sign-in token, in one transaction."""
        renderer = MessageRenderer(
            override_dir=self.settings.templates_dir,
            timezone=self.settings.timezone,
            portal_base_url=self.settings.portal_base_url,
        )
        ready: list[tuple[ClaimedMessage, RenderedMessage]] = []
        failed: list[tuple[ClaimedMessage, TemplateError]] = []
        with session_scope(self.engine) as session:
            for message in messages:
                try:
                    context = context_from_stored(message.template, message.context)
                    link = None
                    if context.sign_in_link and message.person_id is not None:
                        token = mint_sign_in_token(
                            session=session,
                            person_id=message.person_id,
                            round_id=message.round_id,
                            now=self.now,
                            ttl=self.settings.sign_in_token_ttl,
                            message_id=message.id,
                            landing=context.landing(),
                        )
                        link = sign_in_url(self.settings.portal_base_url, token)
                    subject, text, html = renderer.render(
                        context, sign_in_url=link, with_html=with_html
                    )
                except TemplateError as error:
                    failed.append((message, error))
                    continue
                ready.append(
                    (
                        message,
                        RenderedMessage(
                            message_id=message.id,
                            template=message.template,
                            address=message.address,
                            subject=subject,
                            text=text,
                            html=html,
                        ),
                    )
                )
        for message, template_error in failed:
            self.fail(message, template_error, uncertain=False)
        return ready

    def send(
        self, channel: MessageChannel, message: ClaimedMessage, rendered: RenderedMessage
    ) -> None:
        """Send one message and record the outcome in its own transaction."""
        try:
            result = channel.send(rendered)
        except DeliveryError as error:
            ambiguous = isinstance(error, RetryableDeliveryError) and error.ambiguous
            self.fail(message, error, uncertain=ambiguous and channel.can_look_up)
            return
        except JointauditError:
            raise
        except Exception as error:  # a bug must not strand the rest of the batch
            logger.exception(
                "message %s: unexpected error from the %s channel", message.id, channel.name
            )
            unexpected = RetryableDeliveryError(f"unexpected {type(error).__name__}: {error}")
            self.fail(message, unexpected, uncertain=channel.can_look_up)
            return
        fault_point("dispatch:after-send")
        with self.engine.begin() as connection:
            record_sent(
                session=connection,
                message_id=message.id,
                claimer=self.claimer,
                now=self.now,
                provider_message_id=result.provider_message_id,
                delivery_status=result.delivery_status,
            )
        self.report.sent += 1

    def run(self, channel_name: str, messages: list[ClaimedMessage]) -> None:
        """Recover, render and send one channel's share of the batch."""
        open_ids = {message.id for message in messages}
        try:
            with open_channel(channel_name, self.settings) as channel:
                remaining = list(messages)
                self.recover(channel, remaining)
                for message, rendered in self.render(remaining, with_html=channel.wants_html):
                    self.send(channel, message, rendered)
                    open_ids.discard(message.id)
        except ConfigurationError:
            # A setting is wrong for every message alike: give them back untried and stop.
            with session_scope(self.engine) as session:
                release(
                    session=session,
                    message_ids=sorted(open_ids),
                    claimer=self.claimer,
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
    claimer = new_claimer_id()
    report = DispatchReport()
    for _ in range(max_batches):
        current = now or utcnow()
        with session_scope(engine) as session:
            claim = claim_due(
                session=session,
                now=current,
                limit=batch_size or settings.outbox_batch_size,
                claimer=claimer,
                lease=timedelta(seconds=settings.outbox_lease_seconds),
                notify_limit_per_minute=settings.notify_rate_limit_per_minute,
                only_ids=only_ids,
            )
        report.rate_limited = claim.rate_limited
        if not claim.messages:
            break
        report.claimed += len(claim.messages)
        batch = _Batch(
            engine=engine, settings=settings, claimer=claimer, now=current, report=report
        )
        misconfigured: ConfigurationError | None = None
        for channel_name in sorted({message.channel for message in claim.messages}):
            try:
                batch.run(channel_name, [m for m in claim.messages if m.channel == channel_name])
            except ConfigurationError as error:  # the other channels still send
                misconfigured = misconfigured or error
        if misconfigured is not None:
            raise misconfigured
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
