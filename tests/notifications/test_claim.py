from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from models.db import session_scope
from models.outbox import MessageStatus, OutboxMessage
from notifications.claim import Claim, backoff_delay, claim_due, record_sent
from tests.builders import NOW
from tests.notifications.messages import queue, queue_many

LEASE = timedelta(minutes=5)
LEAD = "lead@police.example.org"


def claim(
    engine: Engine,
    *,
    now=NOW,
    claimer: str = "a",
    limit: int = 10,
    notify_limit: int = 3000,
    only_ids: list[int] | None = None,
) -> Claim:
    with session_scope(engine) as session:
        return claim_due(
            session=session,
            now=now,
            limit=limit,
            claimer=claimer,
            lease=LEASE,
            notify_limit_per_minute=notify_limit,
            only_ids=only_ids,
        )


def test_a_claim_takes_due_messages_under_a_lease_and_counts_the_attempt(
    engine: Engine, session: Session, people: dict[str, int]
) -> None:
    due = queue_many(session=session, person_id=people[LEAD], count=3)
    queue(session=session, person_id=people[LEAD], key="later", now=NOW + timedelta(hours=1))
    claimed = claim(engine).messages
    assert [m.id for m in claimed] == due
    assert all(m.attempts == 1 and not m.recovered for m in claimed)
    session.expire_all()
    row = session.get(OutboxMessage, due[0])
    assert row is not None and row.status == MessageStatus.sending
    assert row.claimed_until == NOW + LEASE and row.claimed_by == "a"


def test_a_message_being_sent_is_not_claimed_again_while_its_lease_lasts(
    engine: Engine, session: Session, people: dict[str, int]
) -> None:
    queue_many(session=session, person_id=people[LEAD], count=2)
    assert len(claim(engine, claimer="a").messages) == 2
    assert claim(engine, claimer="b", now=NOW + LEASE).messages == []


def test_a_message_whose_lease_expired_is_recovered_by_another_dispatcher(
    engine: Engine, session: Session, people: dict[str, int]
) -> None:
    [message_id] = queue_many(session=session, person_id=people[LEAD], count=1)
    claim(engine, claimer="a")
    [recovered] = claim(engine, claimer="b", now=NOW + LEASE + timedelta(seconds=1)).messages
    assert recovered.id == message_id and recovered.recovered and recovered.attempts == 2
    with session_scope(engine) as s:  # the first dispatcher's late record no longer counts
        assert not record_sent(
            session=s,
            message_id=message_id,
            claimer="a",
            now=NOW,
            provider_message_id="x",
            delivery_status=None,
        )
        assert record_sent(
            session=s,
            message_id=message_id,
            claimer="b",
            now=NOW,
            provider_message_id="y",
            delivery_status=None,
        )


def test_only_ids_limits_a_claim_to_those_messages(
    engine: Engine, session: Session, people: dict[str, int]
) -> None:
    ids = queue_many(session=session, person_id=people[LEAD], count=4)
    assert [m.id for m in claim(engine, only_ids=ids[2:3]).messages] == ids[2:3]


def test_notify_messages_wait_for_the_shared_rate_window_while_others_go_through(
    engine: Engine, session: Session, people: dict[str, int]
) -> None:
    for n in range(5):
        queue(session=session, person_id=people[LEAD], key=f"n{n}", channel_override="notify")
    queue(session=session, person_id=people[LEAD], key="file")
    first = claim(engine, notify_limit=3)
    assert sorted(m.channel for m in first.messages) == ["file", "notify", "notify", "notify"]
    assert first.rate_limited == 2
    assert claim(engine, notify_limit=3, now=NOW + timedelta(seconds=30)).messages == []
    later = claim(engine, notify_limit=3, now=NOW + timedelta(seconds=61))
    assert len(later.messages) == 2


def test_backoff_doubles_from_the_base_and_stops_at_the_cap() -> None:
    delays = [
        backoff_delay(attempts=n, base_seconds=60, max_seconds=600).total_seconds()
        for n in range(1, 7)
    ]
    assert delays == [60, 120, 240, 480, 600, 600]
