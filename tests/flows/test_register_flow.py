from __future__ import annotations

import os
import sqlite3
import time
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from models.settings import Settings
from tests.builders import identified_rows, load_agencies, with_unbalanced_quote, write_csv


def prefect_database() -> dict[str, str]:
    """Every table of the test session's Prefect database, as text."""
    database = Path(os.environ["PREFECT_HOME"]) / "prefect.db"
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as connection:
        tables = [
            name
            for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        ]
        return {
            table: str(connection.execute(f'SELECT * FROM "{table}"').fetchall())
            for table in tables
        }


def prefect_database_once_recorded(*expected: tuple[str, str]) -> dict[str, str]:
    """Prefect writes states and logs in the background: wait until `expected` (table, text)
    are there, then give every table."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    APILogWorker.drain_all(timeout=10)
    EventsWorker.drain_all(timeout=10)
    deadline = time.monotonic() + 30
    while True:
        tables = prefect_database()
        if all(text in tables[table] for table, text in expected):
            return tables
        assert time.monotonic() < deadline, f"Prefect never recorded {expected}"
        time.sleep(0.5)


@pytest.mark.prefect
def test_a_refused_register_leaves_no_name_or_nhs_number_in_prefects_database(
    session: Session, settings: Settings, tmp_path: Path, engine: Engine
) -> None:
    from flows.orchestration import run_flow
    from flows.register.flow import import_case_register

    load_agencies(session=session, tmp_path=tmp_path)
    rows = identified_rows(count=60)
    path = with_unbalanced_quote(write_csv(tmp_path / "register.csv", rows), line=11)
    state = run_flow(import_case_register(str(path), return_state=True))
    assert state.is_failed()
    assert state.result(raise_on_failure=False) == {
        "imported": False,
        "problems": 2,
        "locations": ["line 11, column category", "line 11"],
    }
    tables = prefect_database_once_recorded(
        ("flow_run_state", "Register refused, nothing imported: 2 problems"),
        ("task_run_state", "COMPLETED"),
        ("log", "line 11, column category: unknown category"),
    )
    stored = "\n".join(tables.values())
    stored += "\n".join(
        p.read_bytes().decode("utf-8", "replace")
        for p in Path(os.environ["PREFECT_HOME"]).rglob("*")
        if p.is_file()
    )
    leaked = [r["child_name"] for r in rows if r["child_name"] in stored]
    leaked += [r["nhs_number"] for r in rows if r["nhs_number"] in stored]
    assert leaked == []


def test_an_unexpected_error_reaches_prefect_without_its_message_and_keeps_its_retry() -> None:
    from sqlalchemy.exc import IntegrityError, OperationalError

    from flows.register.flow import withheld
    from models.errors import TransientError, is_retryable

    params = {"child_name": "Ysolde Quillfeather-1", "case_ref": "DA-1"}
    locked = withheld(OperationalError("INSERT INTO case_record", params, Exception("locked")))
    duplicate = withheld(IntegrityError("INSERT INTO case_record", params, Exception("UNIQUE")))
    assert isinstance(locked, TransientError) and is_retryable(locked)
    assert not is_retryable(duplicate)
    assert str(duplicate) == (
        "register import failed with IntegrityError; its message is withheld (it may quote "
        "the file)"
    )
    assert not [e for e in (locked, duplicate) if "Ysolde" in str(e) or "DA-1" in str(e)]
