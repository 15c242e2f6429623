from __future__ import annotations

import json
import threading
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, func, select

from flows.chase.policy import CHASE_TEMPLATES
from flows.chase.sweep import ChaseSummary, chase_sweep
from flows.cli import main
from flows.rounds.changes import cancel_round, extend_due_date
from models.db import create_db_engine
from models.outbox import OutboxMessage
from models.round import AccessGrant, GrantRole
from models.settings import Settings
from tests.builders import NOW, at_nine, launch_chase_round

DUE = date(2026, 12, 24)


@pytest.fixture
def launched(session: Session, settings: Settings, tmp_path: Path) -> int:
    return launch_chase_round(
        session=session, settings=settings, tmp_path=tmp_path, due=DUE, key="chase-runs"
    )


def steps(session: Session, settings: Settings, day: date) -> list[str]:
    summary = chase_sweep(session=session, now=at_nine(day), settings=settings)
    session.commit()
    return sorted({m["step"] for m in summary.messages if m["kind"] != "digest"})


def chase_count(session: Session) -> int:
    query = select(func.count()).where(col(OutboxMessage.template).in_(CHASE_TEMPLATES))
    count = int(session.exec(query).one())
    session.rollback()  # release SQLite's lock for the command under test
    return count


def test_an_extended_deadline_reschedules_the_chasing(
    session: Session, settings: Settings, launched: int
) -> None:
    assert steps(session, settings, date(2026, 12, 30)) == ["overdue-1"]
    extend_due_date(
        session=session,
        round_id=launched,
        due=date(2027, 1, 15),
        now=at_nine(date(2026, 12, 30)),
        actor="c",
        settings=settings,
    )
    session.commit()
    assert steps(session, settings, date(2026, 12, 31)) == []
    assert steps(session, settings, date(2027, 1, 12)) == ["reminder"]
    assert steps(session, settings, date(2027, 1, 18)) == ["overdue-1"]


def test_cancelling_the_round_stops_the_chasing(
    session: Session, settings: Settings, launched: int
) -> None:
    cancel_round(session=session, round_id=launched, reason="test", now=NOW, actor="c")
    session.commit()
    assert steps(session, settings, date(2026, 12, 30)) == []


def test_escalation_goes_to_the_escalation_contact_with_access_and_a_copy_to_the_coordinator(
    session: Session, settings: Settings, launched: int
) -> None:
    chase_sweep(session=session, now=at_nine(date(2027, 1, 7)), settings=settings)
    session.commit()
    escalations = session.exec(
        select(OutboxMessage).where(OutboxMessage.template == "escalation")
    ).all()
    assert len(escalations) == 4  # two agencies: escalation contact + coordinator each
    grants = session.exec(select(AccessGrant).where(AccessGrant.role == GrantRole.escalation))
    assert len(list(grants)) == 2


def test_two_chasers_in_parallel_send_each_message_once(
    engine: Engine, session: Session, settings: Settings, launched: int
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("concurrency is a PostgreSQL matter")
    url = engine.url.render_as_string(hide_password=False)
    barrier, results = threading.Barrier(2), list[ChaseSummary]()

    def chase() -> None:
        own = create_db_engine(url)
        with Session(own) as own_session:
            barrier.wait()
            results.append(
                chase_sweep(session=own_session, now=at_nine(date(2027, 1, 7)), settings=settings)
            )
            own_session.commit()
        own.dispose()

    threads = [threading.Thread(target=chase) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 2
    assert sum(r.queued for r in results) == chase_count(session) > 0


def test_the_chase_command_dry_runs_queues_and_shows_the_history(
    session: Session, launched: int, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["chase", "--now", "2026-12-30T09:00:00+00:00", "--dry-run", "--json"]) == 0
    dry = json.loads(capsys.readouterr().out)
    assert dry["dry_run"] and dry["queued"] > 0 and chase_count(session) == 0
    assert main(["chase", "--now", "2026-12-30T09:00:00+00:00", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["queued"] == dry["queued"] == chase_count(session)
    assert main(["round", "show", str(launched), "--json"]) == 0
    history = json.loads(capsys.readouterr().out)["chase_history"]
    assert {entry["step"] for entry in history} == {"overdue-1", "digest"}
    assert main(["round", "show", str(launched)]) == 0
    assert "Chase history" in capsys.readouterr().out


@pytest.mark.prefect
def test_the_chase_flow_queues_once_however_often_it_runs(session: Session, launched: int) -> None:
    from flows.chase.flow import chase_overdue
    from flows.orchestration import run_flow

    first = run_flow(chase_overdue(now="2026-12-21T09:00:00+00:00"))
    again = run_flow(chase_overdue(now="2026-12-21T09:00:00+00:00"))
    assert first["queued"] == chase_count(session) > 0
    assert again["queued"] == 0
