from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from models.errors import ConfigurationError
from models.outbox import MessageStatus, OutboxMessage, SignInToken
from models.settings import Settings
from notifications.dispatcher import dispatch_due, send_now
from notifications.tokens import consume_sign_in_token, hash_token
from tests.builders import NOW
from tests.notifications.conftest import Configure
from tests.notifications.messages import queue, queue_many

LEAD = "lead@police.example.org"


def _files(settings: Settings) -> list[dict[str, object]]:
    folder = settings.data_dir / "messages"
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]


def _row(session: Session, message_id: int) -> OutboxMessage:
    session.expire_all()
    row = session.get(OutboxMessage, message_id)
    assert row is not None
    session.commit()  # SQLite: a transaction left open would hold the write lock
    return row


def test_dispatch_sends_every_due_message_through_the_file_channel_and_records_it(
    engine: Engine, session: Session, people: dict[str, int], settings: Settings
) -> None:
    ids = queue_many(session=session, person_id=people[LEAD], count=5)
    report = dispatch_due(engine=engine, now=NOW, batch_size=2)
    assert (report.claimed, report.sent, report.failed) == (5, 5, 0)
    files = _files(settings)
    assert [f["message_id"] for f in files] == ids
    assert files[0]["to"] == LEAD and "Domestic abuse joint audit 2026" in str(files[0]["subject"])
    row = _row(session, ids[0])
    assert row.status == MessageStatus.sent and row.sent_at == NOW and row.attempts == 1
    assert row.provider_message_id == f"{ids[0]:08d}-invitation.json"
    assert dispatch_due(engine=engine, now=NOW).claimed == 0


def test_every_message_carries_a_fresh_single_use_link_that_is_never_stored_raw(
    engine: Engine, session: Session, people: dict[str, int], settings: Settings
) -> None:
    queue_many(session=session, person_id=people[LEAD], count=2)
    dispatch_due(engine=engine, now=NOW)
    links = [str(f["text"]).split("/sign-in/")[1].split()[0] for f in _files(settings)]
    assert len(set(links)) == 2
    tokens = session.exec(select(SignInToken)).all()
    assert {t.token_hash for t in tokens} == {hash_token(raw) for raw in links}
    assert all(t.person_id == people[LEAD] and t.message_id is not None for t in tokens)
    for row in session.exec(select(OutboxMessage)):
        assert not any(raw in json.dumps(row.context) for raw in links)
    token = consume_sign_in_token(session=session, raw_token=links[0], now=NOW)
    assert token.expires_at == NOW + settings.sign_in_token_ttl


def test_a_message_that_cannot_render_fails_with_the_reason_and_others_still_go(
    engine: Engine, session: Session, people: dict[str, int], configure: Configure, tmp_path: Path
) -> None:
    override = tmp_path / "templates"
    override.mkdir()
    (override / "invitation.txt.j2").write_text("{% set subject %}S{% endset %}{{ nope }}\n")
    configure(templates_dir=override)
    [broken] = queue_many(session=session, person_id=people[LEAD], count=1)
    fine = queue(
        session=session,
        person_id=None,
        key="check",
        address="x@example.org",
        context=__import__("tests.notifications.test_render", fromlist=["EXAMPLES"]).EXAMPLES[-1],
    )
    report = dispatch_due(engine=engine, now=NOW)
    assert (report.sent, report.failed) == (1, 1)
    row = _row(session, broken)
    assert row.status == MessageStatus.failed and "'nope' is undefined" in (row.last_error or "")
    assert _row(session, fine.id or 0).status == MessageStatus.sent


def test_a_misconfigured_channel_gives_its_messages_back_untried_and_says_why(
    engine: Engine, session: Session, people: dict[str, int], configure: Configure
) -> None:
    configure(email_channel="notify")  # no key
    [waiting] = queue_many(session=session, person_id=people[LEAD], count=1)
    elsewhere = queue(
        session=session, person_id=None, key="c", address="x@example.org", channel_override="file"
    )
    with pytest.raises(ConfigurationError, match="JOINTAUDIT_NOTIFY_API_KEY"):
        dispatch_due(engine=engine, now=NOW)
    row = _row(session, waiting)
    assert (row.status, row.attempts, row.claimed_until) == (MessageStatus.pending, 0, None)
    assert _row(session, elsewhere.id or 0).status == MessageStatus.sent


def test_send_now_sends_only_the_named_messages(
    engine: Engine, session: Session, people: dict[str, int]
) -> None:
    ids = queue_many(session=session, person_id=people[LEAD], count=3)
    report = send_now(engine=engine, message_ids=[ids[1]], now=NOW)
    assert report.sent == 1
    assert [_row(session, i).status for i in ids] == ["pending", "sent", "pending"]


def test_a_cancelled_message_is_never_sent(
    engine: Engine, session: Session, people: dict[str, int]
) -> None:
    [message_id] = queue_many(session=session, person_id=people[LEAD], count=1)
    row = _row(session, message_id)
    row.status = MessageStatus.cancelled
    session.add(row)
    session.commit()
    assert dispatch_due(engine=engine, now=NOW + timedelta(days=1)).claimed == 0
