"""A launch that dies or loses its database mid-way creates nothing; its re-run creates it once."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, select

from flows.rounds.flow import create_round
from models.audit_log import AuditEvent
from models.calendar import WorkingDayCalendar
from models.errors import is_retryable
from models.faults import FAULT_EXIT_CODE
from models.outbox import OutboxMessage
from models.round import AccessGrant, Assignment, AuditRound, RoundCase
from models.round_parameters import LaunchParameters
from tests.builders import import_register, launch_parameters, load_agencies, register_of
from tests.faults.helpers import count, cut_at, run_python
from tests.faults.tcp_proxy import TcpProxy

pytestmark = pytest.mark.postgres
KEY = "programme:2026-q4-domestic-abuse"
AGENCIES = ["police", "csc", "health"]
CASES = 6
# The body of a worker's `create-round` task (flows/rounds/flow.py), without importing Prefect.
WORKER = """
import sys
from flows.rounds.launch import launch_round
from models.db import session_scope
from models.round_parameters import LaunchParameters
from models.settings import get_settings
from models.types import utcnow

with session_scope() as session:
    launch_round(
        session=session,
        params=LaunchParameters.model_validate_json(sys.argv[1]),
        seed=42,
        idempotency_key=sys.argv[2],
        now=utcnow(),
        actor="prefect:launch-round",
        settings=get_settings(),
    )
"""


@pytest.fixture
def params(session: Session, tmp_path: Path) -> LaunchParameters:
    """Three agencies and a register to launch a six-case round from."""
    load_agencies(session=session, tmp_path=tmp_path, codes=AGENCIES)
    import_register(
        session=session, tmp_path=tmp_path, rows=register_of(counts={"CP": 3, "CIN": 6})
    )
    due = WorkingDayCalendar().next_working_day(date.today() + timedelta(days=21))
    parameters: LaunchParameters = launch_parameters(
        agencies=AGENCIES, sample_size=CASES, due_date=due
    )
    return parameters


def _nothing_launched(engine: Engine) -> None:
    for model in (AuditRound, RoundCase, Assignment, AccessGrant, OutboxMessage):
        assert count(engine, model) == 0, model.__name__
    assert count(engine, AuditEvent, col(AuditEvent.action) == "round.launched") == 0


def _launched_once(engine: Engine) -> None:
    assert count(engine, AuditRound) == 1
    assert count(engine, RoundCase) == CASES
    with Session(engine) as session:
        pairs = session.exec(
            select(Assignment.agency_id, Assignment.case_id, func.count()).group_by(
                col(Assignment.agency_id), col(Assignment.case_id)
            )
        ).all()
        invited = Counter(
            session.exec(
                select(OutboxMessage.person_id).where(col(OutboxMessage.template) == "invitation")
            )
        )
        granted = set(session.exec(select(AccessGrant.person_id)))
    assert len(pairs) == len(AGENCIES) * CASES and {n for *_, n in pairs} == {1}
    assert set(invited) == granted and len(granted) == 2 * len(AGENCIES)  # leads and deputies
    assert set(invited.values()) == {1}
    assert count(engine, AuditEvent, col(AuditEvent.action) == "round.launched") == 1


def test_a_worker_killed_mid_launch_leaves_no_round_and_the_rerun_launches_it_once(
    engine: Engine, postgres_engine: Engine, params: LaunchParameters
) -> None:
    killed = run_python(WORKER, params.model_dump_json(), KEY, fault="launch:before-commit")
    assert killed.returncode == FAULT_EXIT_CODE, killed.stderr
    _nothing_launched(postgres_engine)

    first = create_round.fn(params, 42, KEY)  # Prefect's retry, or the next scheduled run
    again = create_round.fn(params, 42, KEY)
    assert first["created"] and first["invitations"] == 2 * len(AGENCIES)
    assert not again["created"] and again["round_id"] == first["round_id"]
    assert again["invitations"] == 0
    _launched_once(postgres_engine)


@pytest.mark.parametrize("sql", ["INSERT INTO outbox_message", "COMMIT"])
def test_a_launch_whose_database_connection_is_cut_fails_retryably_and_its_rerun_launches_once(
    engine: Engine, postgres_engine: Engine, db_proxy: TcpProxy, params: LaunchParameters, sql: str
) -> None:
    from models.db import get_engine

    with cut_at(get_engine(), db_proxy, sql=sql), pytest.raises(OperationalError) as failure:
        create_round.fn(params, 42, KEY)
    assert is_retryable(failure.value), repr(failure.value)
    _nothing_launched(postgres_engine)
    db_proxy.restore()

    assert create_round.fn(params, 42, KEY)["created"]
    _launched_once(postgres_engine)
