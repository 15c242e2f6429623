"""Crash and concurrency tests: dispatchers that die mid-batch, dispatchers that race."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections import Counter
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, select

from models.db import create_db_engine
from models.faults import FAULT_ENV, FAULT_EXIT_CODE
from models.outbox import OutboxMessage
from models.settings import Settings
from models.types import utcnow
from notifications.dispatch_run import RECORD_GROUP
from notifications.dispatcher import DispatchReport, dispatch_due
from tests.notifications.fake_notify import FakeNotify
from tests.notifications.loopback import SmtpSink
from tests.notifications.messages import queue_many

LEAD = "lead@police.example.org"
ROOT = Path(__file__).parents[2]
DISPATCH = "from notifications.dispatcher import dispatch_due; dispatch_due(batch_size={})"


def _dispatcher_dies_after_its_first_send(
    fault: str = "dispatch:after-send", batch_size: int = 2
) -> None:
    env = {**os.environ, FAULT_ENV: fault}
    result = subprocess.run(
        [sys.executable, "-c", DISPATCH.format(batch_size)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == FAULT_EXIT_CODE, result.stderr


def _received(sink: SmtpSink) -> Counter[int]:
    return Counter(int(m["X-Jointaudit-Message"]) for m in sink.messages)


def _statuses(session: Session) -> Counter[str]:
    session.expire_all()
    statuses = Counter(str(m.status) for m in session.exec(select(OutboxMessage)))
    session.commit()
    return statuses


def _after_the_lease(engine: Engine, settings: Settings) -> DispatchReport:
    later = utcnow() + timedelta(seconds=settings.outbox_lease_seconds + 1)
    return dispatch_due(engine=engine, now=later)


def test_a_notify_dispatcher_that_dies_between_send_and_commit_loses_nothing_and_duplicates_nothing(
    engine: Engine,
    session: Session,
    people: dict[str, int],
    fake_notify: FakeNotify,
    notify_settings: Settings,
) -> None:
    ids = queue_many(session=session, person_id=people[LEAD], count=4, now=utcnow())
    _dispatcher_dies_after_its_first_send()
    assert fake_notify.sent_references() == [str(ids[0])]
    assert _statuses(session) == {"sending": 2, "pending": 2}
    # The dead dispatcher's lease still holds the batch it died in; the rest go now.
    assert dispatch_due(engine=engine).claimed == 2
    report = _after_the_lease(engine, notify_settings)
    assert (report.found_sent, report.sent) == (1, 1)
    assert sorted(fake_notify.sent_references()) == sorted(str(i) for i in ids)
    assert _statuses(session) == {"sent": 4}


def test_an_smtp_dispatcher_that_dies_between_send_and_commit_resends_that_message_once(
    engine: Engine,
    session: Session,
    people: dict[str, int],
    smtp_sink: SmtpSink,
    smtp_settings: Settings,
) -> None:
    ids = queue_many(session=session, person_id=people[LEAD], count=3, now=utcnow())
    _dispatcher_dies_after_its_first_send()
    dispatch_due(engine=engine)
    _after_the_lease(engine, smtp_settings)
    received = _received(smtp_sink)
    assert received == {ids[0]: 2, ids[1]: 1, ids[2]: 1}  # at-least-once, documented
    assert _statuses(session) == {"sent": 3}


def test_two_dispatchers_at_once_send_every_message_exactly_once(
    engine: Engine,
    session: Session,
    people: dict[str, int],
    fake_notify: FakeNotify,
    notify_settings: Settings,
) -> None:
    ids = queue_many(session=session, person_id=people[LEAD], count=120, now=utcnow())
    url = engine.url.render_as_string(hide_password=False)
    reports: list[DispatchReport] = []
    start = threading.Barrier(2)

    def dispatcher() -> None:
        own_engine = create_db_engine(url)
        start.wait()
        try:
            reports.append(dispatch_due(engine=own_engine, batch_size=5))
        finally:
            own_engine.dispose()

    threads = [threading.Thread(target=dispatcher) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(reports) == 2
    assert Counter(fake_notify.sent_references()) == Counter(str(i) for i in ids)
    assert sum(r.sent for r in reports) == 120
    assert _statuses(session) == {"sent": 120}
    assert all(r.claimed > 0 for r in reports), reports


def test_a_large_notify_batch_sent_in_lanes_and_killed_mid_batch_still_sends_each_message_once(
    engine: Engine,
    session: Session,
    people: dict[str, int],
    fake_notify: FakeNotify,
    notify_settings: Settings,
) -> None:
    ids = queue_many(session=session, person_id=people[LEAD], count=64, now=utcnow())
    _dispatcher_dies_after_its_first_send("dispatch:after-send@20", 64)  # 4 lanes by default
    taken = fake_notify.sent_references()
    assert len(taken) >= 20 and len(set(taken)) == len(taken)
    recorded = _statuses(session)["sent"]
    assert recorded < len(taken)  # the lanes' messages in flight: Notify has them, we do not
    report = _after_the_lease(engine, notify_settings)
    assert report.found_sent == len(taken) - recorded  # every one looked up, none resent
    assert Counter(fake_notify.sent_references()) == Counter(str(i) for i in ids)
    assert _statuses(session) == {"sent": 64}


def test_an_smtp_dispatcher_killed_mid_way_through_a_large_batch_resends_at_most_one_group(
    engine: Engine,
    session: Session,
    people: dict[str, int],
    smtp_sink: SmtpSink,
    smtp_settings: Settings,
) -> None:
    ids = queue_many(session=session, person_id=people[LEAD], count=40, now=utcnow())
    _dispatcher_dies_after_its_first_send("dispatch:after-send@20", 40)
    assert len(smtp_sink.messages) == 20
    recorded = _statuses(session)["sent"]
    _after_the_lease(engine, smtp_settings)
    received = _received(smtp_sink)
    assert set(received) == set(ids) and set(received.values()) <= {1, 2}
    twice = [message_id for message_id, count in received.items() if count == 2]
    assert len(twice) == 20 - recorded <= RECORD_GROUP  # at-least-once, within one group
    assert _statuses(session) == {"sent": 40}
