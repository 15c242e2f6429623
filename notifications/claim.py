"""Claiming due messages under a lease, and recording what became of each send.

PostgreSQL: the candidates are locked `FOR UPDATE SKIP LOCKED`, so concurrent dispatchers
take disjoint batches without waiting. SQLite ignores `skip_locked`; there every jointaudit
transaction starts with `BEGIN IMMEDIATE`, which serialises claimers, and the claim itself is
an `UPDATE ... WHERE status = 'pending' ... RETURNING` guarded by the same conditions as the
candidate query. A claimed message is `sending` until `claimed_until`; only after that may
crash recovery take it again, so a slow send in progress is never stolen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Connection, Table, and_, bindparam, or_, update
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from models.outbox import MessageStatus, OutboxMessage
from notifications.errors import DeliveryError
from notifications.rate_limit import NOTIFY_LIMITER, acquire_permits, used_in_window

NOTIFY_CHANNEL = "notify"


@dataclass(frozen=True)
class ClaimedMessage:
    """A message this dispatcher holds the lease on."""

    id: int
    template: str
    channel: str
    address: str
    person_id: int | None
    round_id: int | None
    context: dict[str, Any]
    attempts: int
    created_at: datetime
    recovered: bool
    """Its previous lease expired while sending: it may already have gone out."""


@dataclass
class Claim:
    """One batch claimed, and how many Notify messages the shared limiter held back."""

    messages: list[ClaimedMessage] = field(default_factory=list)
    rate_limited: int = 0


def _arms(now: datetime) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """Due: pending and due, or sending with its lease ended (crash recovery)."""
    return (
        and_(
            col(OutboxMessage.status) == MessageStatus.pending.value,
            col(OutboxMessage.next_attempt_at) <= now,
        ),
        and_(
            col(OutboxMessage.status) == MessageStatus.sending.value,
            col(OutboxMessage.claimed_until) < now,
        ),
    )


def _due(now: datetime) -> ColumnElement[bool]:
    return or_(*_arms(now))


def _candidates(
    *,
    session: Session,
    now: datetime,
    limit: int,
    notify_waits: bool,
    only_ids: Sequence[int] | None,
) -> list[Any]:
    """The first `limit` due messages by (next attempt, id).

    Each arm of `_due` is its own query, so the pending one walks the index in order and stops
    at `limit`; as one OR query, SQLite sorted every due message for every batch.
    """
    rows: list[Any] = []
    for arm in _arms(now):
        query = (
            select(
                OutboxMessage.id,
                OutboxMessage.status,
                OutboxMessage.channel,
                OutboxMessage.next_attempt_at,
            )
            .where(arm)
            .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id))
            .limit(limit)
        )
        if notify_waits:  # let other channels through while Notify waits for its window
            query = query.where(col(OutboxMessage.channel) != NOTIFY_CHANNEL)
        if only_ids is not None:
            query = query.where(col(OutboxMessage.id).in_(list(only_ids)))
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        rows.extend(session.execute(query).all())
    rows.sort(key=lambda row: (row.next_attempt_at, row.id))
    return rows[:limit]


def claim_due(
    *,
    session: Session,
    now: datetime,
    limit: int,
    claimer: str,
    lease: timedelta,
    notify_limit_per_minute: int,
    only_ids: Sequence[int] | None = None,
) -> Claim:
    """Lease up to `limit` due messages to `claimer`, within the shared Notify send rate."""
    notify_room = notify_limit_per_minute - used_in_window(
        session=session, name=NOTIFY_LIMITER, now=now
    )
    candidates = _candidates(
        session=session, now=now, limit=limit, notify_waits=notify_room <= 0, only_ids=only_ids
    )
    notify_ids = [row.id for row in candidates if row.channel == NOTIFY_CHANNEL]
    granted = acquire_permits(
        session=session,
        name=NOTIFY_LIMITER,
        wanted=len(notify_ids),
        limit_per_minute=notify_limit_per_minute,
        now=now,
    )
    held_back = set(notify_ids[granted:])
    claim = Claim(rate_limited=len(held_back))
    if notify_room <= 0:
        claim.rate_limited = max(claim.rate_limited, 1)
    recovering = {row.id for row in candidates if row.status == MessageStatus.sending.value}
    ids = [row.id for row in candidates if row.id not in held_back]
    if not ids:
        return claim
    claimed = session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id).in_(ids), _due(now))
        .values(
            status=MessageStatus.sending.value,
            claimed_until=now + lease,
            claimed_by=claimer,
            attempts=col(OutboxMessage.attempts) + 1,
            updated_at=now,
        )
        .returning(
            col(OutboxMessage.id),
            col(OutboxMessage.template),
            col(OutboxMessage.channel),
            col(OutboxMessage.address),
            col(OutboxMessage.person_id),
            col(OutboxMessage.round_id),
            col(OutboxMessage.context),
            col(OutboxMessage.attempts),
            col(OutboxMessage.created_at),
        )
    ).all()
    # Unpacked by position: Row._asdict builds its keys anew for every row.
    for id_, template, channel, address, person_id, round_id, context, attempts, created in claimed:
        claim.messages.append(
            ClaimedMessage(
                id=id_,
                template=template,
                channel=channel,
                address=address,
                person_id=person_id,
                round_id=round_id,
                context=context,
                attempts=attempts,
                created_at=created,
                recovered=id_ in recovering,
            )
        )
    claim.messages.sort(key=lambda message: message.id)
    return claim


OUTBOX = cast(Table, OutboxMessage.__table__)  # type: ignore[attr-defined]
# Built once: recording runs once per message, and a prepared statement costs a tenth as much.
_HELD = and_(
    OUTBOX.c.id == bindparam("b_id"),
    OUTBOX.c.status == MessageStatus.sending.value,
    OUTBOX.c.claimed_by == bindparam("b_claimer"),
)
_RECORD_SENT = (
    update(OUTBOX)
    .where(_HELD)
    .values(
        status=MessageStatus.sent.value,
        sent_at=bindparam("b_now"),
        provider_message_id=bindparam("b_provider_id"),
        delivery_status=bindparam("b_delivery"),
        claimed_until=None,
        last_error=None,
        updated_at=bindparam("b_now"),
    )
)


def _held_by(message_id: int, claimer: str) -> list[ColumnElement[bool]]:
    return [
        col(OutboxMessage.id) == message_id,
        col(OutboxMessage.status) == MessageStatus.sending.value,
        col(OutboxMessage.claimed_by) == claimer,
    ]


def record_sent(
    *,
    session: Session | Connection,
    message_id: int,
    claimer: str,
    now: datetime,
    provider_message_id: str | None,
    delivery_status: str | None,
) -> bool:
    """Mark a message sent; False if this claimer no longer held it."""
    result = session.execute(
        _RECORD_SENT,
        {
            "b_id": message_id,
            "b_claimer": claimer,
            "b_now": now,
            "b_provider_id": provider_message_id,
            "b_delivery": delivery_status,
        },
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def record_sent_many(
    *,
    session: Session | Connection,
    claimer: str,
    now: datetime,
    outcomes: Sequence[tuple[int, str | None, str | None]],
) -> None:
    """Mark messages sent in one statement: (message id, provider id, delivery status) each."""
    if outcomes:
        session.execute(
            _RECORD_SENT,
            [
                {
                    "b_id": message_id,
                    "b_claimer": claimer,
                    "b_now": now,
                    "b_provider_id": provider_id,
                    "b_delivery": delivery,
                }
                for message_id, provider_id, delivery in outcomes
            ],
        )


def backoff_delay(*, attempts: int, base_seconds: int, max_seconds: int) -> timedelta:
    """Exponential backoff: base, 2 x base, 4 x base ... after the 1st, 2nd, 3rd attempt; capped."""
    exponent = min(max(attempts - 1, 0), 30)
    return timedelta(seconds=min(base_seconds * 2**exponent, max_seconds))


def record_failure(
    *,
    session: Session,
    message: ClaimedMessage,
    claimer: str,
    now: datetime,
    error: DeliveryError,
    max_attempts: int,
    backoff: timedelta,
    uncertain: bool = False,
) -> MessageStatus:
    """Schedule a retry for a retryable failure with attempts left; otherwise mark it failed.

    An `uncertain` message (the provider may have it) stays `sending` with its lease ending
    after the backoff, so that it comes back as a recovered message and is looked up first.
    """
    retry = error.retryable and message.attempts < max_attempts
    status = MessageStatus.pending if retry else MessageStatus.failed
    values: dict[str, Any] = {
        "status": status.value,
        "next_attempt_at": now + backoff if retry else now,
        "claimed_until": None,
        "last_error": str(error)[:1000],
        "updated_at": now,
    }
    if retry and uncertain:
        status = MessageStatus.sending
        values.update(status=status.value, claimed_until=now + backoff, claimed_by=None)
    session.execute(update(OutboxMessage).where(*_held_by(message.id, claimer)).values(values))
    return status


def release(*, session: Session, message_ids: Sequence[int], claimer: str, now: datetime) -> None:
    """Give claimed messages back untried (their attempt is not counted)."""
    session.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.id).in_(list(message_ids)),
            col(OutboxMessage.status) == MessageStatus.sending.value,
            col(OutboxMessage.claimed_by) == claimer,
        )
        .values(
            status=MessageStatus.pending.value,
            claimed_until=None,
            attempts=col(OutboxMessage.attempts) - 1,
            updated_at=now,
        )
    )
