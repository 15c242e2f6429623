from __future__ import annotations

import pytest
from sqlmodel import Session, select

from models.agency import AgencyContact, Channel
from models.audit_log import list_events
from models.errors import ConflictError, InputError, NotFoundError
from models.outbox import MessageStatus, OutboxMessage
from notifications.contexts import ReminderContext
from notifications.outbox import (
    cancel_message,
    cancel_pending,
    list_messages,
    queue_message,
    retry_message,
)
from tests.builders import NOW
from tests.notifications.conftest import Configure
from tests.notifications.messages import PARTNERSHIP, invitation, queue

LEAD = "lead@police.example.org"


def reminder(n: int) -> ReminderContext:
    return ReminderContext(
        partnership_name=PARTNERSHIP,
        round_title="R",
        agency_name="Police",
        due_date=NOW.date(),
        outstanding_count=3,
        reminder_number=n,
    )


def test_a_dedupe_key_queues_a_message_once_however_often_it_is_queued(
    session: Session, people: dict[str, int]
) -> None:
    first = queue(session=session, person_id=people[LEAD], key="invitation:1:7")
    again = queue_message(
        session=session,
        dedupe_key="invitation:1:7",
        context=invitation(),
        person_id=people[LEAD],
        now=NOW,
    )
    session.commit()
    assert first.id is not None and again is None
    assert len(session.exec(select(OutboxMessage)).all()) == 1


def test_a_queued_message_is_pending_now_with_its_context_and_resolved_address(
    session: Session, people: dict[str, int]
) -> None:
    message = queue(session=session, person_id=people[LEAD], key="k", round_id=4)
    assert message.status == MessageStatus.pending and message.next_attempt_at == NOW
    assert message.template == "invitation" and message.channel == "file"
    assert message.address == LEAD and message.round_id == 4
    assert message.context["case_count"] == 8 and message.context["due_date"] == "2026-12-18"


def test_the_email_channel_resolves_to_the_configured_one(
    session: Session, people: dict[str, int], configure: Configure
) -> None:
    configure(email_channel="smtp")
    assert queue(session=session, person_id=people[LEAD], key="k").channel == "smtp"


def test_a_webhook_contact_gets_messages_at_its_webhook_url(
    session: Session, people: dict[str, int]
) -> None:
    contact = session.exec(
        select(AgencyContact).where(AgencyContact.person_id == people[LEAD])
    ).one()
    contact.channel, contact.webhook_url = Channel.webhook, "https://hooks.example.org/abc"
    session.commit()
    message = queue(session=session, person_id=people[LEAD], key="k")
    assert (message.channel, message.address) == ("webhook", "https://hooks.example.org/abc")


def test_a_webhook_contact_without_a_url_is_refused(
    session: Session, people: dict[str, int]
) -> None:
    contact = session.exec(
        select(AgencyContact).where(AgencyContact.person_id == people[LEAD])
    ).one()
    contact.channel = Channel.webhook
    session.commit()
    with pytest.raises(InputError, match="no webhook_url"):
        queue(session=session, person_id=people[LEAD], key="k")


def test_a_message_can_go_to_a_bare_address_such_as_the_front_door(
    session: Session, people: dict[str, int]
) -> None:
    message = queue(
        session=session,
        person_id=None,
        key="k",
        address="mash@example.org",
        channel_override=Channel.console,
    )
    assert (message.channel, message.address, message.person_id) == (
        "console",
        "mash@example.org",
        None,
    )


def test_an_unknown_person_is_refused(session: Session, people: dict[str, int]) -> None:
    with pytest.raises(NotFoundError):
        queue(session=session, person_id=999_999, key="k")


def test_cancel_pending_cancels_only_the_rounds_pending_messages_of_the_given_templates(
    session: Session, people: dict[str, int]
) -> None:
    lead, other = people[LEAD], people["lead@csc.example.org"]
    queue(session=session, person_id=lead, key="i", round_id=1)
    for n in (1, 2):
        queue(session=session, person_id=lead, key=f"r{n}", round_id=1, context=reminder(n))
    queue(session=session, person_id=other, key="r-other", round_id=1, context=reminder(1))
    queue(session=session, person_id=lead, key="r-round2", round_id=2, context=reminder(1))
    cancelled = cancel_pending(
        session=session, round_id=1, person_id=lead, templates=["reminder"], now=NOW
    )
    session.commit()
    assert cancelled == 2
    statuses = {m.dedupe_key: m.status for m in session.exec(select(OutboxMessage))}
    assert statuses == {
        "i": "pending",
        "r1": "cancelled",
        "r2": "cancelled",
        "r-other": "pending",
        "r-round2": "pending",
    }


def test_a_failed_message_can_be_retried_and_a_pending_one_cancelled_with_an_audit_trail(
    session: Session, people: dict[str, int]
) -> None:
    message = queue(session=session, person_id=people[LEAD], key="k")
    assert message.id is not None
    with pytest.raises(ConflictError, match="only failed or cancelled"):
        retry_message(session=session, message_id=message.id, actor="t", now=NOW)
    cancel_message(session=session, message_id=message.id, actor="t", now=NOW)
    session.commit()
    [listed] = list_messages(session=session, status=MessageStatus.cancelled)
    assert listed.id == message.id
    retry_message(session=session, message_id=message.id, actor="t", now=NOW)
    session.commit()
    assert list_messages(session=session)[0].status == MessageStatus.pending
    actions = [e.action for e in list_events(session=session)]
    assert actions[:2] == ["message.retried", "message.cancelled"]
