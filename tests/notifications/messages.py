"""Keyword-only builders of message contexts and queued messages for notification tests."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session

from models.outbox import OutboxMessage
from notifications.contexts import InvitationContext, MessageContext
from notifications.outbox import queue_message
from tests.builders import NOW

PARTNERSHIP = "Testshire Safeguarding Children Partnership"


def invitation(**overrides: Any) -> InvitationContext:
    """An invitation context with plausible values."""
    values: dict[str, Any] = {
        "partnership_name": PARTNERSHIP,
        "round_title": "Domestic abuse joint audit 2026",
        "agency_name": "Police agency",
        "case_count": 8,
        "due_date": date(2026, 12, 18),
    }
    return InvitationContext(**(values | overrides))


def queue(
    *,
    session: Session,
    person_id: int | None,
    key: str,
    context: MessageContext | None = None,
    now: datetime = NOW,
    commit: bool = True,
    **kwargs: Any,
) -> OutboxMessage:
    """Queue one message (an invitation by default) and commit."""
    message = queue_message(
        session=session,
        dedupe_key=key,
        context=context or invitation(),
        person_id=person_id,
        now=now,
        **kwargs,
    )
    assert message is not None
    if commit:
        session.commit()
    return message


def queue_many(
    *, session: Session, person_id: int, count: int, prefix: str = "m", now: datetime = NOW
) -> list[int]:
    """Queue `count` invitations to one person; their ids."""
    ids = []
    for n in range(count):
        message = queue(
            session=session, person_id=person_id, key=f"{prefix}:{n}", now=now, commit=False
        )
        assert message.id is not None
        ids.append(message.id)
    session.commit()
    return ids


LATER = NOW + timedelta(hours=1)
