"""Dispatchers killed mid-batch, mail servers down or cut mid-message, Notify answering 429 and 500:
every message is sent, none is lost, and none twice beyond what docs/notifications.md promises."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session

from models.faults import FAULT_EXIT_CODE
from models.outbox import OutboxMessage
from models.settings import Settings
from models.types import utcnow
from notifications.dispatcher import dispatch_due
from tests.faults.helpers import run_python, statuses
from tests.faults.tcp_proxy import TcpProxy
from tests.notifications.fake_notify import FakeNotify
from tests.notifications.loopback import SmtpSink
from tests.notifications.messages import queue_many

pytestmark = pytest.mark.postgres
LEAD = "lead@police.example.org"
DISPATCHER = "from notifications.dispatcher import dispatch_due; dispatch_due(batch_size=5)"
BACKOFF = timedelta(seconds=60)  # JOINTAUDIT_OUTBOX_BACKOFF_BASE_SECONDS, doubling per attempt


def _smtp_received(sink: SmtpSink) -> Counter[int]:
    return Counter(int(m["X-Jointaudit-Message"]) for m in sink.messages)


def _rows(engine: Engine) -> dict[int, OutboxMessage]:
    with Session(engine) as session:
        return {m.id or 0: m for m in session.execute(select(OutboxMessage)).scalars()}


def _queue(session: Session, people: dict[str, int], count: int) -> list[int]:
    return queue_many(session=session, person_id=people[LEAD], count=count, now=utcnow())


@pytest.mark.parametrize("channel", ["notify", "smtp"])
def test_a_dispatcher_killed_mid_batch_loses_nothing_and_resends_at_most_the_message_in_flight(
    request: pytest.FixtureRequest,
    engine: Engine,
    session: Session,
    people: dict[str, int],
    settings: Settings,
    channel: str,
) -> None:
    settings = request.getfixturevalue(f"{channel}_settings")
    ids = _queue(session, people, 8)
    killed = run_python(DISPATCHER, fault="dispatch:after-send@3")
    assert killed.returncode == FAULT_EXIT_CODE, killed.stderr
    # Two sends recorded; the third taken by the provider, unrecorded; two more held by the lease.
    assert statuses(engine) == {"sent": 2, "sending": 3, "pending": 3}

    assert dispatch_due(engine=engine).sent == 3  # the rest; the dead lease is left alone
    later = utcnow() + timedelta(seconds=settings.outbox_lease_seconds + 1)
    recovered = dispatch_due(engine=engine, now=later)
    assert statuses(engine) == {"sent": 8}
    if channel == "notify":
        fake: FakeNotify = request.getfixturevalue("fake_notify")
        assert (recovered.found_sent, recovered.sent) == (1, 2)  # looked up by reference
        assert Counter(fake.sent_references()) == Counter(str(i) for i in ids)
    else:
        sink: SmtpSink = request.getfixturevalue("smtp_sink")
        assert recovered.sent == 3
        assert _smtp_received(sink) == Counter(ids) + Counter([ids[2]])  # at-least-once


def test_while_the_smtp_server_is_down_messages_wait_with_backoff_and_each_goes_once_after(
    engine: Engine,
    session: Session,
    people: dict[str, int],
    smtp_via_proxy: Settings,
    smtp_proxy: TcpProxy,
    smtp_sink: SmtpSink,
) -> None:
    ids = _queue(session, people, 4)
    start = utcnow()
    smtp_proxy.cut()
    first = dispatch_due(engine=engine, now=start)
    assert (first.sent, first.retrying) == (0, 4)
    assert dispatch_due(engine=engine, now=start + BACKOFF / 2).claimed == 0  # not yet due
    second = dispatch_due(engine=engine, now=start + BACKOFF)
    assert (second.sent, second.retrying) == (0, 4)  # still down: the wait doubles
    rows = _rows(engine)
    assert {m.next_attempt_at for m in rows.values()} == {start + 3 * BACKOFF}
    assert all("SMTP" in (m.last_error or "") for m in rows.values())
    assert statuses(engine) == {"pending": 4}

    smtp_proxy.restore()
    assert dispatch_due(engine=engine, now=start + 3 * BACKOFF).sent == 4
    assert dispatch_due(engine=engine, now=start + 9 * BACKOFF).claimed == 0
    assert _smtp_received(smtp_sink) == Counter(ids)
    assert statuses(engine) == {"sent": 4}
    assert {m.attempts for m in _rows(engine).values()} == {3}


class _CutsLink:
    """A test server whose link (through `proxy`) drops once it has taken message `cut_at`."""

    proxy: TcpProxy | None = None
    cut_at = 2

    def _taken(self, count: int) -> None:
        if count == self.cut_at and self.proxy is not None:
            self.proxy.cut()


def _cut_through(server: object, cut: type[_CutsLink], proxy: TcpProxy) -> None:
    """Turn a running fixture server into one that cuts `proxy` mid-batch."""
    server.__class__ = cut
    assert isinstance(server, _CutsLink)
    server.proxy = proxy


class _CutAfterAccepting(_CutsLink, SmtpSink):
    """An SMTP server whose link drops after it accepts message number `cut_at`, before its 250."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        answer = await super().handle_DATA(server, session, envelope)
        self._taken(self.count)
        return answer


def test_an_smtp_link_cut_mid_batch_resends_only_the_message_in_flight(
    engine: Engine,
    session: Session,
    people: dict[str, int],
    smtp_via_proxy: Settings,
    smtp_proxy: TcpProxy,
    smtp_sink: SmtpSink,
) -> None:
    _cut_through(smtp_sink, _CutAfterAccepting, smtp_proxy)
    ids = _queue(session, people, 5)
    start = utcnow()
    first = dispatch_due(engine=engine, now=start)
    assert (first.sent, first.retrying) == (1, 4)  # the server took the 2nd; we never heard
    smtp_proxy.restore()
    assert dispatch_due(engine=engine, now=start + BACKOFF).sent == 4
    assert _smtp_received(smtp_sink) == Counter(ids) + Counter([ids[1]])  # at-least-once
    assert statuses(engine) == {"sent": 5}


def test_notify_answering_429_then_500_is_retried_with_backoff_and_sends_each_message_once(
    engine: Engine,
    session: Session,
    people: dict[str, int],
    notify_settings: Settings,
    fake_notify: FakeNotify,
) -> None:
    ids = _queue(session, people, 3)
    start = utcnow()
    fake_notify.script.extend([429, 500])
    first = dispatch_due(engine=engine, now=start)
    assert (first.sent, first.retrying, first.failed) == (1, 2, 0)
    rows = _rows(engine)
    assert [rows[i].status for i in ids] == ["pending", "pending", "sent"]
    assert (rows[ids[0]].last_error or "").startswith("429")
    assert (rows[ids[1]].last_error or "").startswith("500")
    assert dispatch_due(engine=engine, now=start + BACKOFF / 2).claimed == 0

    fake_notify.script.append(500)
    second = dispatch_due(engine=engine, now=start + BACKOFF)
    assert (second.sent, second.retrying) == (1, 1)
    assert _rows(engine)[ids[0]].next_attempt_at == start + 3 * BACKOFF
    third = dispatch_due(engine=engine, now=start + 3 * BACKOFF)
    assert third.sent == 1

    posts = [status for method, _, status in fake_notify.requests if method == "POST"]
    assert posts == [429, 500, 201, 500, 201, 201]
    assert Counter(fake_notify.sent_references()) == Counter(str(i) for i in ids)
    assert statuses(engine) == {"sent": 3}
    assert [_rows(engine)[i].attempts for i in ids] == [3, 2, 1]


class _CutBeforeAnswering(_CutsLink, FakeNotify):
    """A Notify whose link drops after it creates notification number `cut_at`, before answering."""

    def create(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        answer = super().create(body)
        self._taken(len(self.notifications))
        return answer


def test_a_notify_link_cut_before_the_answer_is_looked_up_and_never_sent_twice(
    engine: Engine,
    session: Session,
    people: dict[str, int],
    notify_settings: Settings,
    fake_notify: FakeNotify,
    configure: Any,
) -> None:
    port = int(fake_notify.url.rsplit(":", 1)[1])
    with TcpProxy(target_port=port) as proxy:
        _cut_through(fake_notify, _CutBeforeAnswering, proxy)
        configure(notify_base_url=f"http://127.0.0.1:{proxy.port}")
        ids = _queue(session, people, 4)
        start = utcnow()
        first = dispatch_due(engine=engine, now=start)
        assert (first.sent, first.retrying) == (1, 3)
        # Notify may hold the 2nd (and, for all we can tell, the others): they wait, still
        # `sending`, to be looked up by reference before any resend.
        assert statuses(engine) == {"sent": 1, "sending": 3}
        proxy.restore()
        assert dispatch_due(engine=engine, now=start + BACKOFF).claimed == 0  # lease still held
        later = dispatch_due(engine=engine, now=start + BACKOFF + timedelta(seconds=1))
        assert (later.found_sent, later.sent) == (1, 2)
    assert Counter(fake_notify.sent_references()) == Counter(str(i) for i in ids)
    assert statuses(engine) == {"sent": 4}
