from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy import Engine, event, text
from sqlalchemy.exc import OperationalError

from models.db import NO_WAIT, create_db_engine
from models.errors import WriterBusyError, is_retryable
from models.settings import get_settings


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Iterator[tuple[Engine, Engine]]:
    """Two engines on one SQLite file, as a portal process and its background work have."""
    url = f"sqlite:///{tmp_path / 'writer.db'}"
    first, second = create_db_engine(url), create_db_engine(url)
    with first.begin() as connection:
        connection.execute(text("CREATE TABLE t (n INTEGER, entered REAL, left REAL)"))
    yield first, second
    first.dispose()
    second.dispose()


def _write(engine: Engine, n: int, hold: float) -> None:
    with engine.begin() as connection:
        entered = time.monotonic()
        time.sleep(hold)
        connection.execute(
            text("INSERT INTO t VALUES (:n, :entered, :left)"),
            {"n": n, "entered": entered, "left": time.monotonic()},
        )


def test_concurrent_writers_in_one_process_take_turns_and_none_is_refused(
    sqlite_file: tuple[Engine, Engine],
) -> None:
    engines = sqlite_file
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            _write(engines[n % 2], n, hold=0.02)
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with engines[0].connect() as connection:
        spans = connection.execute(text("SELECT entered, left FROM t ORDER BY entered")).all()
    assert len(spans) == 12
    assert all(after[0] >= before[1] for before, after in pairwise(spans))


def test_a_second_writer_queues_in_this_process_and_begins_once_the_first_commits(
    sqlite_file: tuple[Engine, Engine],
) -> None:
    # Waiting in SQLite's busy handler would mean polling with sleeps of up to 100 ms: the
    # second writer must not even send BEGIN while the first holds the database.
    first, second = sqlite_file
    sent: list[str] = []
    event.listen(second, "before_cursor_execute", lambda *args: sent.append(args[2]))
    with first.begin() as connection:
        connection.execute(text("INSERT INTO t VALUES (1, 0, 0)"))
        waiting = threading.Thread(target=_write, args=(second, 2, 0))
        waiting.start()
        time.sleep(0.3)
        assert waiting.is_alive() and "BEGIN IMMEDIATE" not in sent
    waiting.join(timeout=5)
    assert not waiting.is_alive() and sent[0] == "BEGIN IMMEDIATE"
    with first.connect() as connection:
        assert connection.execute(text("SELECT n FROM t ORDER BY n")).scalars().all() == [1, 2]


@pytest.mark.parametrize("ending", ["rollback", "error", "close", "invalidate"])
def test_every_way_a_transaction_ends_lets_the_next_writer_in(
    sqlite_file: tuple[Engine, Engine], ending: str
) -> None:
    first, second = sqlite_file
    connection = first.connect()
    connection.execute(text("INSERT INTO t VALUES (1, 0, 0)"))
    if ending == "rollback":
        connection.rollback()
    elif ending == "error":
        with pytest.raises(OperationalError):
            connection.execute(text("INSERT INTO missing VALUES (1)"))
        connection.rollback()
    elif ending == "close":
        connection.close()
    else:
        connection.invalidate()
    started = time.monotonic()
    _write(second, 2, hold=0)
    assert time.monotonic() - started < 1
    connection.close()


def test_a_writer_waiting_longer_than_the_busy_timeout_is_told_the_database_is_locked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JOINTAUDIT_SQLITE_BUSY_TIMEOUT_MS", "200")
    get_settings.cache_clear()
    url = f"sqlite:///{tmp_path / 'busy.db'}"
    holder, waiter = create_db_engine(url), create_db_engine(url)
    with holder.begin() as connection:
        connection.execute(text("CREATE TABLE t (n INTEGER, entered REAL, left REAL)"))
    with holder.begin() as connection:
        connection.execute(text("INSERT INTO t VALUES (1, 0, 0)"))
        started = time.monotonic()
        with pytest.raises(OperationalError, match="database is locked") as refused:
            _write(waiter, 2, hold=0)
        assert 0.15 < time.monotonic() - started < 2
        assert is_retryable(refused.value)
    _write(waiter, 3, hold=0)  # the holder is done: the waiter writes at once
    holder.dispose()
    waiter.dispose()


def test_a_write_that_may_not_wait_is_refused_at_once_while_another_writer_holds_the_file(
    sqlite_file: tuple[Engine, Engine], tmp_path: Path
) -> None:
    first, _ = sqlite_file
    at_once = first.execution_options(**{NO_WAIT: True})
    with first.connect() as holder:
        holder.begin()  # this process's writer
        started = time.monotonic()
        with pytest.raises(WriterBusyError), at_once.connect() as connection:
            connection.begin()
        assert time.monotonic() - started < 0.5
    other = sqlite3.connect(tmp_path / "writer.db", isolation_level=None)  # another process's
    other.execute("BEGIN IMMEDIATE")
    started = time.monotonic()
    with pytest.raises(WriterBusyError), at_once.connect() as connection:
        connection.begin()
    assert time.monotonic() - started < 0.5
    other.execute("COMMIT")
    other.close()
    with at_once.begin() as connection:  # free: it writes, and waits as before next time
        connection.execute(text("INSERT INTO t (n) VALUES (1)"))
        timeout = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
    assert timeout == get_settings().sqlite_busy_timeout_ms
