"""An agency lead's submission while the database connection is cut: never reported as saved
unless it is, never half-written, and kept once it is; earlier answers are untouched."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlmodel import Session, col

from agencies.app import create_app
from flows.rounds.launch import launch_round
from models.answers import Answer, AnswerSet
from models.round import Assignment
from models.settings import Settings
from tests.agencies.portal.conftest import Portal, complete_answers
from tests.builders import NOW, import_register, launch_parameters, load_agencies, register_of
from tests.faults.helpers import COMMIT, count, cut_at
from tests.faults.tcp_proxy import TcpProxy

pytestmark = pytest.mark.postgres
LEAD = "lead@police.example.org"


@pytest.fixture
def portal(
    engine: Engine, session: Session, settings: Settings, tmp_path: Path
) -> Iterator[Portal]:
    """A launched round and a portal whose database connection goes through the proxy."""
    load_agencies(session=session, tmp_path=tmp_path)
    import_register(session=session, tmp_path=tmp_path, rows=register_of(counts={"CIN": 4}))
    launched = launch_round(
        session=session,
        params=launch_parameters(sample_size=4),
        seed=42,
        idempotency_key="answers",
        now=NOW,
        actor="coordinator",
        settings=settings,
    )
    session.commit()
    app = create_app(settings, engine=engine, clock=lambda: NOW)
    with TestClient(app, base_url="http://testserver", raise_server_exceptions=False) as client:
        yield Portal(client=client, engine=engine, round_id=launched.round_id)


def _submitted(engine: Engine, assignment_id: int) -> list[tuple[int, str, int]]:
    """(version, status, answer rows) of each answer set of an assignment."""
    with Session(engine) as session:
        sets = session.execute(
            select(AnswerSet).where(col(AnswerSet.assignment_id) == assignment_id)
        ).scalars()
        return [
            (s.version, str(s.status), count(engine, Answer, col(Answer.answer_set_id) == s.id))
            for s in sets
        ]


# Mid-write: the statement writing the answer rows, after the answer set's own row; on
# PostgreSQL the submission's other writes run in it too (models.statements).
ANSWER_ROWS = "WITH step_0 AS (INSERT INTO answer "


@pytest.mark.parametrize("sql", [ANSWER_ROWS, COMMIT], ids=["mid-write", "commit"])
def test_a_submission_cut_from_the_database_is_refused_whole_and_the_resubmission_keeps_it_once(
    portal: Portal, postgres_engine: Engine, db_proxy: TcpProxy, sql: str
) -> None:
    portal.sign_in(LEAD)
    done, cut_case = portal.assignments("police")[:2]
    answers = {"action": "submit", **complete_answers(portal, "police")}
    assert portal.post(f"/cases/{done}", answers).status_code == 303  # type: ignore[attr-defined]
    kept = _submitted(postgres_engine, done)
    assert [(v, s) for v, s, _ in kept] == [(1, "submitted")] and kept[0][2] > 1
    body = {"csrf_token": portal.csrf(), **answers}

    with cut_at(portal.engine, db_proxy, sql=sql):
        response = portal.client.post(f"/cases/{cut_case}", data=body, follow_redirects=False)
    assert response.status_code == 500  # the lead is told it failed, never "submitted"
    assert _submitted(postgres_engine, cut_case) == []  # nothing half-written
    with Session(postgres_engine) as session:
        assert str(session.get(Assignment, cut_case).status) == "not_started"  # type: ignore[union-attr]
    db_proxy.restore()

    retried = portal.client.post(f"/cases/{cut_case}", data=body, follow_redirects=False)
    assert retried.status_code == 303 and "submitted=1" in retried.headers["location"]
    assert _submitted(postgres_engine, cut_case) == kept  # the same answers, once
    assert _submitted(postgres_engine, done) == kept  # the earlier answers are untouched


def _queue_reminder(engine: Engine, round_id: int) -> int:
    from models.outbox import OutboxMessage
    from notifications.contexts import ReminderContext
    from notifications.outbox import queue_message

    with Session(engine) as session:
        lead = session.execute(
            select(OutboxMessage.person_id).where(col(OutboxMessage.address) == LEAD)
        ).scalar()
        context = ReminderContext(
            partnership_name="P",
            round_title="R",
            agency_name="A",
            due_date=NOW.date(),
            outstanding_count=1,
            reminder_number=1,
        )
        reminder = queue_message(
            session=session,
            dedupe_key="reminder:fault",
            now=NOW,
            person_id=lead,
            round_id=round_id,
            context=context,
        )
        session.commit()
        assert reminder is not None and reminder.id is not None
        return reminder.id


def test_a_last_submission_cut_at_commit_leaves_its_reminder_and_the_resubmission_stops_it(
    portal: Portal, postgres_engine: Engine, db_proxy: TcpProxy
) -> None:
    from models.outbox import OutboxMessage

    reminder = _queue_reminder(postgres_engine, portal.round_id)
    portal.sign_in(LEAD)
    *first, last = portal.assignments("police")
    answers = {"action": "submit", "q__known_to_agency": "no"}
    for case in first:
        assert portal.post(f"/cases/{case}", answers).status_code == 303  # type: ignore[attr-defined]
    body = {"csrf_token": portal.csrf(), **answers}

    def status() -> str:
        with Session(postgres_engine) as session:
            return str(session.get(OutboxMessage, reminder).status)  # type: ignore[union-attr]

    with cut_at(portal.engine, db_proxy, sql=COMMIT):
        response = portal.client.post(f"/cases/{last}", data=body, follow_redirects=False)
    assert response.status_code == 500
    assert status() == "pending"  # neither the submission nor the cancellation stands
    db_proxy.restore()
    retried = portal.client.post(f"/cases/{last}", data=body, follow_redirects=False)
    assert retried.status_code == 303
    assert status() == "cancelled"  # both, in one transaction
