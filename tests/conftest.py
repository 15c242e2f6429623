"""Shared fixtures: settings in a temporary data directory, and databases on SQLite and PostgreSQL.

Every test that takes `engine` or `session` runs twice: on a SQLite file and, when
JOINTAUDIT_TEST_POSTGRES_URL is set, on PostgreSQL (with CI=true a missing URL fails the run).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path


def _isolate_prefect() -> None:
    """Give the test session its own Prefect home, seeded from the one `make` prepared."""
    prepared = Path(os.environ.get("PREFECT_HOME", "var/prefect")) / "prefect.db"
    home = Path(tempfile.mkdtemp(prefix="jointaudit-test-prefect-"))
    if prepared.exists():
        shutil.copyfile(prepared, home / "prefect.db")
    os.environ["PREFECT_HOME"] = str(home)
    os.environ.pop("PREFECT_API_URL", None)
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    os.environ["DO_NOT_TRACK"] = "1"
    os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] = "120"


_isolate_prefect()  # before anything imports prefect

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from models.db import create_db_engine, dispose_engines, upgrade_database
from models.settings import Settings, get_settings
from models.tables import metadata
from tests.cli import partnership, run  # noqa: F401  (fixtures for every test)

# A busy 2-core CI machine makes data generation slow now and then: that is not a failure.
hypothesis_settings.register_profile(
    "jointaudit", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("jointaudit")


def _postgres_url_of_this_worker() -> str | None:
    """The PostgreSQL test database; each pytest-xdist worker gets its own beside it (created
    here, dropped when its session ends), as every session empties its database's schema."""
    url = os.environ.get("JOINTAUDIT_TEST_POSTGRES_URL")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    name = f"{make_url(url).database}_{worker}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(url).set(database=name).render_as_string(hide_password=False)


POSTGRES_URL = _postgres_url_of_this_worker()
TEST_IDENTITY_KEY = "dGVzdC1vbmx5LWlkZW50aXR5LWtleS0zMi1ieXRlcyE="  # 32 bytes, tests only


@pytest.fixture(autouse=True)
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Settings pointing at a fresh data directory; no real user data is ever touched."""
    data_dir = tmp_path / "var"
    monkeypatch.setenv("JOINTAUDIT_ENV", "test")
    monkeypatch.setenv("JOINTAUDIT_DATA_DIR", str(data_dir))
    monkeypatch.setenv("JOINTAUDIT_IDENTITY_KEY", TEST_IDENTITY_KEY)
    monkeypatch.delenv("JOINTAUDIT_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    dispose_engines()
    yield get_settings()
    get_settings.cache_clear()
    dispose_engines()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database, copied for each test (faster than migrating each time)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = create_db_engine(f"sqlite:///{path}")
    upgrade_database(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_engine() -> Iterator[Engine]:
    """One migrated PostgreSQL database for the whole session."""
    if not POSTGRES_URL:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but JOINTAUDIT_TEST_POSTGRES_URL is not set")
        pytest.skip("JOINTAUDIT_TEST_POSTGRES_URL is not set")
    engine = create_db_engine(POSTGRES_URL)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    upgrade_database(engine)
    yield engine
    engine.dispose()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        dispose_engines()
        admin = create_engine(
            os.environ["JOINTAUDIT_TEST_POSTGRES_URL"], isolation_level="AUTOCOMMIT"
        )
        with admin.connect() as connection:
            name = make_url(POSTGRES_URL).database
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _truncate_all(engine: Engine) -> None:
    names = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    sqlite_template: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Engine]:
    """A migrated, empty domain database; also the configured one for code under test."""
    if request.param == "sqlite":
        path = tmp_path / "jointaudit.db"
        shutil.copyfile(sqlite_template, path)
        url = f"sqlite:///{path}"
        engine = create_db_engine(url)
    else:
        engine = request.getfixturevalue("postgres_engine")
        _truncate_all(engine)
        url = engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("JOINTAUDIT_DATABASE_URL", url)
    get_settings.cache_clear()
    dispose_engines()
    yield engine
    if request.param == "sqlite":
        engine.dispose()
    dispose_engines()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on the test database; the test commits what it wants to keep."""
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture(scope="session", autouse=True)
def _prefect_without_its_result_storage_probe() -> None:
    """Prefect 3.9 opens a sync API client to look for a server default result storage and
    never closes it (a ResourceWarning in async flows); our test server has none anyway."""
    import prefect.results

    prefect.results._read_server_default_result_storage_block_id = lambda: None


@pytest.fixture(scope="session", autouse=True)
def _stop_prefect_servers_while_output_is_still_captured() -> Iterator[None]:
    """Stop Prefect's temporary server in teardown, not at exit when logging is closed."""
    yield
    import sys

    if "prefect.server.api.server" in sys.modules:
        from prefect.logging.handlers import APILogWorker
        from prefect.server.api.server import SubprocessASGIServer

        APILogWorker.drain_all(timeout=10)
        for server in list(SubprocessASGIServer._instances.values()):
            server.stop()
