"""PostgreSQL's pooled connections: pinged only after they have been idle a while."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

import models.db
from models.db import create_db_engine
from tests.conftest import POSTGRES_URL

pytestmark = pytest.mark.postgres


@pytest.fixture
def pooled(postgres_engine: Engine) -> Iterator[Engine]:
    """An engine of its own on the test database, its one connection already in the pool."""
    assert POSTGRES_URL is not None
    engine = create_db_engine(POSTGRES_URL)
    yield engine
    engine.dispose()


def _backend(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _terminate(admin: Engine, pid: int) -> None:
    """Close the backend from the server's side, as a restart or an idle timeout would."""
    with admin.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        connection.commit()
        for _ in range(100):
            gone = connection.execute(
                text("SELECT count(*) = 0 FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}
            ).scalar_one()
            # pg_stat_activity is a snapshot held until the transaction ends: end it to look again.
            connection.rollback()
            if gone:
                return
            time.sleep(0.05)
    raise AssertionError("the backend did not end")


def test_a_connection_idle_for_a_while_is_pinged_and_replaced_when_the_server_closed_it(
    pooled: Engine, postgres_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _backend(pooled)
    _terminate(postgres_engine, first)
    monkeypatch.setattr(models.db, "IDLE_PING_S", 0.0)
    assert _backend(pooled) != first


def test_a_connection_in_steady_use_costs_no_ping_and_a_closed_one_fails_once(
    pooled: Engine, postgres_engine: Engine
) -> None:
    first = _backend(pooled)
    _terminate(postgres_engine, first)
    with pytest.raises(OperationalError):
        _backend(pooled)  # used within IDLE_PING_S: no ping, so the statement finds it closed
    assert _backend(pooled) != first  # and the pool started afresh
