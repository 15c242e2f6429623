"""Engines, sessions and migrations for the domain database (SQLite or PostgreSQL)."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlmodel import Session

from models.errors import ConfigurationError, WriterBusyError
from models.settings import get_settings

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
NO_WAIT = "sqlite_no_wait"
"""An execution option: a SQLite write transaction that finds another writer raises
WriterBusyError at once instead of waiting (for work run where waiting would block others)."""
IDLE_PING_S = 10.0
"""A pooled PostgreSQL connection idle this long is pinged before use (a restart, a timeout)."""


def normalise_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever driver the URL names."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() != "psycopg":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


class _Writer:
    """This process's one write transaction on a SQLite file. Writers queue here and the next
    starts the moment one ends, where SQLite's own busy handler sleeps up to 100 ms between
    tries: a long tail when a portal's requests write at once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holder: Any = None

    def acquire(self, dbapi_connection: Any, timeout_s: float) -> None:
        if not self._lock.acquire(timeout=timeout_s):
            # As SQLite's own busy timeout would say it, so the error hierarchy retries it.
            locked = sqlite3.OperationalError("database is locked")
            raise OperationalError("BEGIN IMMEDIATE", None, locked)
        self._holder = dbapi_connection

    def release(self, connection: Any) -> None:
        # The dialect is handed the pool's proxy, pool events the driver's own connection.
        dbapi_connection = getattr(connection, "dbapi_connection", connection)
        if self._holder is not None and self._holder is dbapi_connection:
            self._holder = None
            self._lock.release()


_writers: dict[str, _Writer] = {}
_writers_lock = threading.Lock()


def _writer_for(database: str) -> _Writer:
    with _writers_lock:
        return _writers.setdefault(str(Path(database).resolve()), _Writer())


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    database = engine.url.database
    writer = _writer_for(database) if database and database != ":memory:" else _Writer()

    def releasing(end: Callable[[Any], None]) -> Callable[[Any], None]:
        def ended(dbapi_connection: Any) -> None:
            try:
                end(dbapi_connection)
            finally:
                writer.release(dbapi_connection)

        return ended

    # Every way a transaction ends (commit, rollback, the pool's reset, a closed or invalidated
    # connection) lets the next writer in.
    dialect = engine.dialect
    dialect.do_commit = releasing(dialect.do_commit)  # type: ignore[method-assign,assignment]
    dialect.do_rollback = releasing(dialect.do_rollback)  # type: ignore[method-assign,assignment]
    for name in ("close", "close_detached", "invalidate", "soft_invalidate"):
        event.listen(engine, name, lambda dbapi_connection, *_: writer.release(dbapi_connection))

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # We emit BEGIN ourselves (below) so that SQLite write transactions take their lock
        # up front instead of failing with SQLITE_BUSY when a reader upgrades.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        if mode != "IMMEDIATE":
            connection.exec_driver_sql(f"BEGIN {mode}")
            return
        wait = not connection.get_execution_options().get(NO_WAIT)
        _begin_immediate(connection, writer, busy_timeout_ms, wait=wait)


def _begin_immediate(connection: Any, writer: _Writer, busy_timeout_ms: int, *, wait: bool) -> None:
    """BEGIN IMMEDIATE, this process's writers queued first; without `wait`, WriterBusyError at
    once when another writer (of this process or another) holds the file."""
    dbapi_connection = connection.connection.dbapi_connection
    try:
        writer.acquire(dbapi_connection, busy_timeout_ms / 1000 if wait else 0)
        try:
            with _busy_timeout(dbapi_connection, None if wait else 0, busy_timeout_ms):
                connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            writer.release(dbapi_connection)
            raise
    except OperationalError:
        if wait:
            raise
        raise WriterBusyError("another writer holds the database") from None


@contextmanager
def _busy_timeout(dbapi_connection: Any, timeout_ms: int | None, usual_ms: int) -> Iterator[None]:
    """SQLite's busy timeout set to `timeout_ms` for the block (None: left as it is)."""
    if timeout_ms is None:
        yield
        return
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout={int(timeout_ms)}")
        yield
    finally:
        cursor.execute(f"PRAGMA busy_timeout={int(usual_ms)}")
        cursor.close()


def create_db_engine(url: str, *, echo: bool = False) -> Engine:
    """A new engine for the URL, with SQLite set up for concurrent use (WAL, busy timeout)."""
    url = normalise_url(url)
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, echo=echo, connect_args={"check_same_thread": False})
        _configure_sqlite(engine, get_settings().sqlite_busy_timeout_ms)
        return engine
    if backend == "postgresql":
        engine = create_engine(url, echo=echo)
        _ping_when_idle(engine)
        return engine
    raise ConfigurationError(
        f"unsupported database {backend!r} in JOINTAUDIT_DATABASE_URL: use sqlite or postgresql"
    )


def _ping(dbapi_connection: Any) -> None:
    """One round trip that fails on a connection the server has closed."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("SELECT 1")
    finally:
        cursor.close()


def _ping_when_idle(engine: Engine) -> None:
    """Ping a pooled connection before use only when it has been idle IDLE_PING_S or longer:
    a connection in steady use is known to be alive (the pool's pre-ping would cost a round
    trip on every checkout), and a failure in use still invalidates the pool."""

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < IDLE_PING_S:
            return
        try:
            _ping(dbapi_connection)
        except Exception as error:  # any failure: the pool replaces the connection and retries
            raise DisconnectionError("an idle connection was closed by the server") from error


_engines: dict[str, Engine] = {}


def get_engine(url: str | None = None) -> Engine:
    """The shared engine for a URL (the configured database by default)."""
    url = url or get_settings().resolved_database_url
    if url not in _engines:
        _engines[url] = create_db_engine(url)
    return _engines[url]


def dispose_engines() -> None:
    """Close every shared engine's connections (settings changed, tests, shutdown)."""
    while _engines:
        _engines.popitem()[1].dispose()


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A session whose transaction commits on success and rolls back on error."""
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def alembic_config(engine: Engine) -> Config:
    """An Alembic configuration bound to the engine (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def upgrade_database(engine: Engine, revision: str = "head") -> None:
    """Create or upgrade the schema to the revision."""
    command.upgrade(alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    """The schema revision the database is at, or None when it is empty."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        row = connection.exec_driver_sql("SELECT version_num FROM alembic_version").first()
        return None if row is None else str(row[0])
