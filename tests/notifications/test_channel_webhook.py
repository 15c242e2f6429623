from __future__ import annotations

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session

from models.agency import AgencyContact, Channel
from models.outbox import MessageStatus, OutboxMessage
from notifications.channels.webhook import WebhookChannel
from notifications.dispatcher import dispatch_due
from notifications.errors import PermanentDeliveryError
from notifications.render import RenderedMessage
from tests.builders import NOW
from tests.notifications.loopback import WebhookInbox
from tests.notifications.messages import queue_many

LEAD = "lead@police.example.org"


def _use_webhook(session: Session, person_id: int, url: str) -> None:
    contact = session.exec(
        select(AgencyContact).where(AgencyContact.person_id == person_id)
    ).scalar_one()
    contact.channel, contact.webhook_url = Channel.webhook, url
    session.add(contact)
    session.commit()


def test_a_webhook_inbox_receives_signed_json_it_can_verify(
    engine: Engine, session: Session, people: dict[str, int], webhook_inbox: WebhookInbox
) -> None:
    _use_webhook(session, people[LEAD], webhook_inbox.url)
    ids = queue_many(session=session, person_id=people[LEAD], count=2)
    assert dispatch_due(engine=engine, now=NOW).sent == 2
    assert webhook_inbox.refused == 0
    assert [m["message_id"] for m in webhook_inbox.received] == ids
    first = webhook_inbox.received[0]
    assert first["template"] == "invitation" and first["subject"] in first["text"]
    assert "/sign-in/" in first["body"]


def test_a_wrong_secret_is_refused_by_the_receiver_and_fails_permanently(
    webhook_inbox: WebhookInbox,
) -> None:
    message = RenderedMessage(
        message_id=1, template="t", address=webhook_inbox.url, subject="S", text="T", html=None
    )
    channel = WebhookChannel(secret="not-the-secret")
    with channel, pytest.raises(PermanentDeliveryError, match="401"):
        channel.send(message)
    assert webhook_inbox.refused == 1 and webhook_inbox.received == []


def test_a_webhook_500_is_retried_and_a_404_is_not(
    engine: Engine, session: Session, people: dict[str, int], webhook_inbox: WebhookInbox
) -> None:
    _use_webhook(session, people[LEAD], webhook_inbox.url)
    webhook_inbox.script.extend([503, 404])
    retried, failed = queue_many(session=session, person_id=people[LEAD], count=2)
    report = dispatch_due(engine=engine, now=NOW)
    assert (report.retrying, report.failed) == (1, 1)
    session.expire_all()
    assert session.get(OutboxMessage, retried).status == MessageStatus.pending  # type: ignore
    assert session.get(OutboxMessage, failed).status == MessageStatus.failed  # type: ignore
