from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import DBAPIError, StatementError
from sqlmodel import Session, select

from models.audit_log import AuditEvent, list_events, record_event
from models.db import alembic_config, create_db_engine, current_revision, upgrade_database
from models.tables import metadata
from tests.conftest import POSTGRES_URL


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A database with nothing in it, on each backend."""
    if request.param == "sqlite":
        engine = create_db_engine(f"sqlite:///{tmp_path / 'empty.db'}")
        yield engine
        engine.dispose()
        return
    request.getfixturevalue("postgres_engine")  # skips or fails like every PostgreSQL test
    assert POSTGRES_URL is not None
    name = f"ja_empty_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine = create_db_engine(POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}")
    yield engine
    engine.dispose()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def test_migrations_from_empty_build_exactly_the_schema_the_models_describe(
    empty_engine: Engine,
) -> None:
    assert current_revision(empty_engine) is None
    upgrade_database(empty_engine)
    assert current_revision(empty_engine) is not None
    with empty_engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert differences == []


def test_migrations_downgrade_to_empty_and_upgrade_again(empty_engine: Engine) -> None:
    upgrade_database(empty_engine)
    command.downgrade(alembic_config(empty_engine), "base")
    with empty_engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 0
    upgrade_database(empty_engine)
    upgrade_database(empty_engine)  # a second upgrade is a no-op


def test_timestamps_round_trip_as_timezone_aware_utc(session: Session) -> None:
    london_summer = datetime(2026, 7, 1, 9, 30, 15, 123456, tzinfo=timezone(timedelta(hours=1)))
    record_event(session=session, actor="t", action="tz.test", entity_type="x", now=london_summer)
    session.commit()
    session.expire_all()
    [event] = list_events(session=session, action="tz.test")
    assert event.at == london_summer
    assert event.at.tzinfo is not None
    assert event.at.utcoffset() == timedelta(0)
    assert event.at.hour == 8


def test_a_naive_timestamp_is_refused(session: Session) -> None:
    with pytest.raises(StatementError, match="naive datetime"):
        record_event(
            session=session,
            actor="t",
            action="tz.test",
            entity_type="x",
            now=datetime(2026, 7, 1, 9, 30),
        )


def test_the_audit_log_refuses_updates_and_deletes(session: Session) -> None:
    record_event(
        session=session,
        actor="t",
        action="x.done",
        entity_type="x",
        details={"n": 1},
        now=datetime(2026, 1, 1, tzinfo=UTC),
    )
    session.commit()
    for statement in ("UPDATE audit_event SET actor = 'someone else'", "DELETE FROM audit_event"):
        with pytest.raises(DBAPIError, match="append-only"):
            session.execute(text(statement))
        session.rollback()
    assert len(session.exec(select(AuditEvent)).all()) == 1
