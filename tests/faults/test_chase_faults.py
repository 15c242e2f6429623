"""A chase whose database connection is cut fails retryably, queues nothing, and re-runs once."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, select

from flows.chase.flow import sweep
from flows.chase.policy import CHASE_TEMPLATES
from flows.chase.sweep import chase_sweep
from models.db import get_engine
from models.errors import is_retryable
from models.outbox import OutboxMessage
from models.round import AccessGrant, GrantRole
from models.settings import Settings
from tests.builders import at_nine, launch_chase_round
from tests.faults.helpers import COMMIT, count, cut_at
from tests.faults.tcp_proxy import TcpProxy

pytestmark = pytest.mark.postgres
DUE = date(2026, 12, 24)
CHASE_DAY = at_nine(date(2027, 1, 7))  # overdue notices, escalations and the digest are due


def _chase_keys(engine: Engine) -> Counter[str]:
    with Session(engine) as session:
        keys = session.exec(
            select(OutboxMessage.dedupe_key).where(col(OutboxMessage.template).in_(CHASE_TEMPLATES))
        )
        return Counter(keys)


@pytest.mark.parametrize(
    ("sql", "nth"),
    [("INSERT INTO access_grant", 1), ("INSERT INTO outbox_message", 3), (COMMIT, 1)],
    ids=["escalation-grant", "third-message", "commit"],
)
def test_a_chase_cut_from_its_database_queues_nothing_and_its_rerun_queues_each_message_once(
    engine: Engine,
    postgres_engine: Engine,
    session: Session,
    settings: Settings,
    tmp_path: Path,
    db_proxy: TcpProxy,
    sql: str,
    nth: int,
) -> None:
    launch_chase_round(session=session, settings=settings, tmp_path=tmp_path, due=DUE, key="c")
    due = chase_sweep(session=session, now=CHASE_DAY, settings=settings, dry_run=True)
    session.rollback()
    assert {"overdue", "escalation", "digest"} <= {m["kind"] for m in due.messages}
    before = _chase_keys(postgres_engine)

    with cut_at(get_engine(), db_proxy, sql=sql, nth=nth), pytest.raises(OperationalError) as cut:
        sweep.fn(CHASE_DAY.isoformat())
    assert is_retryable(cut.value)  # so the task's retry condition retries it
    assert _chase_keys(postgres_engine) == before  # the whole sweep rolled back
    assert count(postgres_engine, AccessGrant, col(AccessGrant.role) == GrantRole.escalation) == 0
    db_proxy.restore()

    assert sweep.fn(CHASE_DAY.isoformat())["queued"] == due.queued
    assert sweep.fn(CHASE_DAY.isoformat())["queued"] == 0  # the scheduled run after, or a twin
    keys = _chase_keys(postgres_engine)
    assert sum(keys.values()) - sum(before.values()) == due.queued
    assert set(keys.values()) == {1}
