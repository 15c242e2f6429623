"""Queueing messages in the caller's transaction, and the coordinator's view of the outbox."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from pydantic import BaseModel, ConfigDict
from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, or_, select

from models.agency import AgencyContact, Channel
from models.audit_log import record_event
from models.errors import ConflictError, InputError, NotFoundError
from models.outbox import MessageStatus, OutboxMessage
from models.partnership import Person
from models.settings import Settings, get_settings
from notifications.contexts import MessageContext

MAX_DEDUPE_KEY = 200


class MessagePublic(BaseModel):
    """An outbox message as `notify list` shows it (no context, no sign-in link)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    dedupe_key: str
    template: str
    channel: str
    status: MessageStatus
    address: str
    person_id: int | None
    round_id: int | None
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    provider_message_id: str | None
    sent_at: datetime | None
    delivery_status: str | None
    created_at: datetime


def _contact(*, session: Session, person_id: int, agency_id: int | None) -> AgencyContact | None:
    query = select(AgencyContact).where(AgencyContact.person_id == person_id)
    if agency_id is not None:
        query = query.where(AgencyContact.agency_id == agency_id)
    return session.exec(query.order_by(col(AgencyContact.id))).first()


def resolve_recipient(
    *,
    session: Session,
    person_id: int | None,
    address: str | None,
    settings: Settings,
    agency_id: int | None = None,
    channel_override: Channel | None = None,
) -> tuple[str, str]:
    """The channel (never `email`: that means the configured one) and the address to use."""
    contact = None
    if person_id is not None:
        person = session.get(Person, person_id)
        if person is None:
            raise NotFoundError(f"no person with id {person_id}")
        contact = _contact(session=session, person_id=person_id, agency_id=agency_id)
        address = address or person.email
    if address is None:
        raise InputError("a message needs a person or an address")
    channel = Channel(channel_override or (contact.channel if contact else Channel.email))
    if channel == Channel.email:
        return settings.email_channel, address
    if channel == Channel.webhook:
        url = contact.webhook_url if contact else None
        if channel_override and address.startswith(("https://", "http://")):
            url = address
        if not url:
            raise InputError(f"person {person_id} has the webhook channel but no webhook_url")
        return channel.value, url
    return channel.value, address


def queue_message(
    *,
    session: Session,
    dedupe_key: str,
    context: MessageContext,
    now: datetime,
    person_id: int | None = None,
    address: str | None = None,
    round_id: int | None = None,
    agency_id: int | None = None,
    channel_override: Channel | None = None,
    settings: Settings | None = None,
) -> OutboxMessage | None:
    """Add a message to the outbox in the caller's transaction; None if the key was queued before.

    The recipient is a person (their agency contact decides the channel; `agency_id` picks
    the contact when a person serves several agencies) or a bare address such as the
    partnership's front door. The dedupe key names the reason for the message, e.g.
    `reminder:{round}:{person}:{n}`: ids only, never anything identifying.
    """
    if not dedupe_key or len(dedupe_key) > MAX_DEDUPE_KEY:
        raise InputError(f"a dedupe key has 1 to {MAX_DEDUPE_KEY} characters")
    channel, resolved = resolve_recipient(
        session=session,
        person_id=person_id,
        address=address,
        settings=settings or get_settings(),
        agency_id=agency_id,
        channel_override=channel_override,
    )
    values = {
        "dedupe_key": dedupe_key,
        "template": context.template,
        "channel": channel,
        "person_id": person_id,
        "round_id": round_id,
        "address": resolved,
        "context": context.model_dump(mode="json"),
        "status": MessageStatus.pending.value,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
        "updated_at": now,
    }
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(OutboxMessage)
        .values(values)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(OutboxMessage)
    )
    return session.scalars(statement).one_or_none()


def cancel_pending(
    *,
    session: Session,
    round_id: int,
    now: datetime,
    person_id: int | None = None,
    templates: Iterable[str] | None = None,
) -> int:
    """Cancel a round's pending messages (e.g. chasers once an agency has submitted)."""
    statement = (
        update(OutboxMessage)
        .where(
            col(OutboxMessage.round_id) == round_id,
            col(OutboxMessage.status) == MessageStatus.pending.value,
        )
        .values(status=MessageStatus.cancelled.value, updated_at=now)
    )
    if person_id is not None:
        statement = statement.where(col(OutboxMessage.person_id) == person_id)
    if templates is not None:
        statement = statement.where(col(OutboxMessage.template).in_(list(templates)))
    return int(session.execute(statement).rowcount)  # type: ignore[attr-defined]


def _message(*, session: Session, message_id: int) -> OutboxMessage:
    message = session.get(OutboxMessage, message_id, with_for_update=True)
    if message is None:
        raise NotFoundError(f"no message with id {message_id}")
    return message


def cancel_message(*, session: Session, message_id: int, actor: str, now: datetime) -> None:
    """Cancel one pending or failed message."""
    message = _message(session=session, message_id=message_id)
    if message.status not in (MessageStatus.pending, MessageStatus.failed):
        raise ConflictError(f"message {message_id} is {message.status}: it cannot be cancelled")
    message.status = MessageStatus.cancelled
    message.updated_at = now
    record_event(
        session=session,
        actor=actor,
        action="message.cancelled",
        entity_type="outbox_message",
        entity_id=message_id,
        now=now,
    )


def retry_message(*, session: Session, message_id: int, actor: str, now: datetime) -> None:
    """Send a failed or cancelled message again, with a fresh count of attempts."""
    message = _message(session=session, message_id=message_id)
    if message.status not in (MessageStatus.failed, MessageStatus.cancelled):
        raise ConflictError(
            f"message {message_id} is {message.status}: only failed or "
            "cancelled messages can be retried"
        )
    message.status = MessageStatus.pending
    message.attempts = 0
    message.next_attempt_at = now
    message.claimed_until = None
    message.updated_at = now
    record_event(
        session=session,
        actor=actor,
        action="message.retried",
        entity_type="outbox_message",
        entity_id=message_id,
        now=now,
    )


def list_messages(
    *,
    session: Session,
    status: MessageStatus | None = None,
    round_id: int | None = None,
    failures_only: bool = False,
    limit: int | None = 200,
) -> list[MessagePublic]:
    """The most recent messages, newest first: optionally of one status or round, or only those
    that failed or that Notify reported not delivered."""
    from notifications.delivery import NOT_DELIVERED

    query = select(OutboxMessage).order_by(col(OutboxMessage.id).desc()).limit(limit)
    if status is not None:
        query = query.where(OutboxMessage.status == status)
    if round_id is not None:
        query = query.where(col(OutboxMessage.round_id) == round_id)
    if failures_only:
        query = query.where(
            or_(
                col(OutboxMessage.status) == MessageStatus.failed,
                (col(OutboxMessage.status) == MessageStatus.sent)
                & col(OutboxMessage.delivery_status).in_(sorted(NOT_DELIVERED)),
            )
        )
    return [MessagePublic.model_validate(message) for message in session.exec(query)]
