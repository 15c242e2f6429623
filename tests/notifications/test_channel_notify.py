from __future__ import annotations

import time
from datetime import timedelta

import pytest
from notifications_python_client.errors import HTTPError
from notifications_python_client.notifications import NotificationsAPIClient
from sqlalchemy import Engine, update
from sqlmodel import Session

from models.db import session_scope
from models.outbox import MessageStatus, OutboxMessage
from models.settings import Settings
from notifications.channels.notify import NotifyChannel, parse_api_key
from notifications.delivery import poll_delivery_statuses
from notifications.dispatcher import dispatch_due
from notifications.errors import PermanentDeliveryError
from notifications.outbox import list_messages
from notifications.render import RenderedMessage
from tests.builders import NOW
from tests.notifications.conftest import Configure
from tests.notifications.fake_notify import SECRET, SERVICE_ID, TEMPLATE_ID, FakeNotify
from tests.notifications.messages import queue_many

LEAD = "lead@police.example.org"
BASE = timedelta(seconds=60)  # the default backoff base


def _row(session: Session, message_id: int) -> OutboxMessage:
    session.expire_all()
    row = session.get(OutboxMessage, message_id)
    assert row is not None
    session.commit()
    return row


def test_the_fake_server_speaks_notifys_protocol_to_the_official_client(
    fake_notify: FakeNotify,
) -> None:
    client = NotificationsAPIClient(fake_notify.api_key, base_url=fake_notify.url)
    created = client.send_email_notification(
        email_address="lead@police.example.org",
        template_id=TEMPLATE_ID,
        personalisation={"subject": "S", "body": "B"},
        reference="42",
    )
    assert created["reference"] == "42" and created["content"]["subject"] == "S"
    [found] = client.get_all_notifications(reference="42")["notifications"]
    assert found["id"] == created["id"]
    assert client.get_notification_by_id(created["id"])["status"] == "delivered"
    impostor = NotificationsAPIClient(
        f"x-{SERVICE_ID}-{'0' * 8}-0000-4000-8000-{'0' * 12}", base_url=fake_notify.url
    )
    with pytest.raises(HTTPError) as refused:
        impostor.send_email_notification(email_address="a@example.org", template_id=TEMPLATE_ID)
    assert refused.value.status_code == 403


def test_our_tokens_are_accepted_and_a_skewed_clock_is_refused_like_notify_does(
    fake_notify: FakeNotify,
) -> None:
    message = RenderedMessage(
        message_id=7,
        template="invitation",
        address="a@example.org",
        subject="S",
        text="T",
        html=None,
    )
    with NotifyChannel(
        api_key=fake_notify.api_key, template_id=TEMPLATE_ID, base_url=fake_notify.url
    ) as channel:
        assert channel.send(message).provider_message_id == fake_notify.notifications[0]["id"]
    late = NotifyChannel(
        api_key=fake_notify.api_key,
        template_id=TEMPLATE_ID,
        base_url=fake_notify.url,
        clock=lambda: time.time() - 60,
    )
    with late, pytest.raises(PermanentDeliveryError, match=r"403.*clock"):
        late.send(message)


def test_an_api_key_splits_into_service_id_and_secret() -> None:
    assert parse_api_key(f"my_key-{SERVICE_ID}-{SECRET}") == (SERVICE_ID, SECRET)


def test_a_message_goes_to_notify_with_subject_body_and_the_outbox_id_as_reference(
    engine: Engine,
    session: Session,
    people: dict[str, int],
    fake_notify: FakeNotify,
    notify_settings: Settings,
) -> None:
    [message_id] = queue_many(session=session, person_id=people[LEAD], count=1)
    assert dispatch_due(engine=engine, now=NOW).sent == 1
    [notification] = fake_notify.notifications
    assert notification["reference"] == str(message_id)
    assert notification["email_address"] == LEAD
    assert notification["subject"].startswith("Joint case audit")
    assert "/sign-in/" in notification["body"]
    row = _row(session, message_id)
    assert row.provider_message_id == notification["id"] and row.delivery_status == "created"


def test_a_500_is_retried_after_a_backoff_and_the_message_is_sent_once(
    engine: Engine,
    session: Session,
    people: dict[str, int],
    fake_notify: FakeNotify,
    notify_settings: Settings,
) -> None:
    fake_notify.script.append(500)
    [message_id] = queue_many(session=session, person_id=people[LEAD], count=1)
    assert dispatch_due(engine=engine, now=NOW).retrying == 1
    row = _row(session, message_id)
    assert (row.status, row.next_attempt_at) == (MessageStatus.pending, NOW + BASE)
    assert "500" in (row.last_error or "")
    assert dispatch_due(engine=engine, now=NOW + BASE / 2).claimed == 0  # not before its time
    assert dispatch_due(engine=engine, now=NOW + BASE).sent == 1
    assert fake_notify.sent_references() == [str(message_id)]
    assert _row(session, message_id).status == MessageStatus.sent


def test_429_backs_off_exponentially_and_later_succeeds(
    engine: Engine,
    session: Session,
    people: dict[str, int],
    fake_notify: FakeNotify,
    notify_settings: Settings,
) -> None:
    fake_notify.script.extend([429, 429])
    [message_id] = queue_many(session=session, person_id=people[LEAD], count=1)
    dispatch_due(engine=engine, now=NOW)
    assert _row(session, message_id).next_attempt_at == NOW + BASE
    dispatch_due(engine=engine, now=NOW + BASE)
    assert _row(session, message_id).next_attempt_at == NOW + BASE + 2 * BASE
    assert dispatch_due(engine=engine, now=NOW + 3 * BASE).sent == 1
    assert _row(session, message_id).attempts == 3


@pytest.mark.parametrize("status", [400, 403])
def test_a_400_or_403_fails_at_once_with_notifys_reason(
    status: int,
    engine: Engine,
    session: Session,
    people: dict[str, int],
    fake_notify: FakeNotify,
    notify_settings: Settings,
) -> None:
    fake_notify.script.append(status)
    queue_many(session=session, person_id=people[LEAD], count=1)
    assert dispatch_due(engine=engine, now=NOW).failed == 1
    [failed] = list_messages(session=session, status=MessageStatus.failed)
    session.commit()
    assert failed.attempts == 1 and str(status) in (failed.last_error or "")
    assert ("team-only API key" if status == 400 else "API key not found") in (
        failed.last_error or ""
    )


def test_a_message_whose_dispatcher_died_is_looked_up_by_reference_before_any_resend(
    engine: Engine,
    session: Session,
    people: dict[str, int],
    fake_notify: FakeNotify,
    notify_settings: Settings,
) -> None:
    already, never = queue_many(session=session, person_id=people[LEAD], count=2)
    dispatch_due(engine=engine, now=NOW, only_ids=[already])
    with session_scope(engine) as s:  # as if the dispatcher died before recording either
        s.execute(
            update(OutboxMessage).values(
                status="sending", claimed_until=NOW + timedelta(minutes=5), claimed_by="dead"
            )
        )
    later = NOW + timedelta(minutes=6)
    report = dispatch_due(engine=engine, now=later)
    assert (report.found_sent, report.sent) == (1, 1)
    assert sorted(fake_notify.sent_references()) == sorted([str(already), str(never)])
    assert _row(session, already).provider_message_id == fake_notify.notifications[0]["id"]


def test_delivery_status_is_read_back_so_the_coordinator_sees_not_delivered(
    engine: Engine,
    session: Session,
    people: dict[str, int],
    fake_notify: FakeNotify,
    notify_settings: Settings,
) -> None:
    [message_id] = queue_many(session=session, person_id=people[LEAD], count=1)
    dispatch_due(engine=engine, now=NOW)
    fake_notify.delivery_status = "permanent-failure"
    assert poll_delivery_statuses(engine=engine, now=NOW + timedelta(minutes=2)) == 1
    assert _row(session, message_id).delivery_status == "permanent-failure"
    assert poll_delivery_statuses(engine=engine, now=NOW + timedelta(minutes=4)) == 0


def test_a_send_that_timed_out_is_looked_up_before_it_is_sent_again(
    engine: Engine,
    session: Session,
    people: dict[str, int],
    fake_notify: FakeNotify,
    notify_settings: Settings,
    configure: Configure,
) -> None:
    configure(http_timeout_seconds=0.2)
    fake_notify.slow_answers, fake_notify.delay = 1, 0.6
    [message_id] = queue_many(session=session, person_id=people[LEAD], count=1)
    assert dispatch_due(engine=engine, now=NOW).retrying == 1
    row = _row(session, message_id)
    assert (row.status, row.claimed_until) == (MessageStatus.sending, NOW + BASE)
    assert "timed out" in (row.last_error or "")
    report = dispatch_due(engine=engine, now=NOW + BASE + timedelta(seconds=1))
    assert (report.found_sent, report.sent) == (1, 0)
    assert fake_notify.sent_references() == [str(message_id)]
    assert _row(session, message_id).status == MessageStatus.sent
