"""A production-shaped run: Prefect's server and the domain database both on PostgreSQL, two
workers, the launch, chase and dispatch deployments run through them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, func, select, text
from sqlmodel import Session

from models.calendar import WorkingDayCalendar
from models.db import create_db_engine, dispose_engines, upgrade_database
from models.outbox import OutboxMessage
from models.round import Assignment, AuditRound
from models.settings import Settings, get_settings
from tests.builders import import_register, load_agencies, register_of
from tests.conftest import POSTGRES_URL
from tests.flows.test_up import ROOT, free_port, wait_for


@pytest.fixture
def databases(postgres_engine: Engine) -> Iterator[tuple[str, str]]:
    """A fresh domain database and a fresh Prefect database on the PostgreSQL server."""
    assert POSTGRES_URL is not None
    suffix = uuid.uuid4().hex[:8]
    names = [f"ja_prod_{suffix}", f"ja_prefect_{suffix}"]
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for name in names:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    server = POSTGRES_URL.rsplit("/", 1)[0].split("://", 1)[1]
    yield (f"postgresql+psycopg://{server}/{names[0]}", f"postgresql+asyncpg://{server}/{names[1]}")
    dispose_engines()
    with admin.connect() as connection:
        for name in names:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def count(engine: Engine, model: type, *where: object) -> int:
    with Session(engine) as session:
        return int(
            session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()
        )


@pytest.mark.prefect
def test_two_workers_on_postgresql_run_launch_chase_and_dispatch_without_duplicates(
    databases: tuple[str, str],
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    domain_url, prefect_url = databases
    monkeypatch.setenv("JOINTAUDIT_DATABASE_URL", domain_url)
    get_settings.cache_clear()
    domain = create_db_engine(domain_url)
    upgrade_database(domain)
    with Session(domain) as session:
        load_agencies(session=session, tmp_path=tmp_path, codes=("police", "csc", "health"))
        import_register(
            session=session, tmp_path=tmp_path, rows=register_of(counts={"CP": 3, "CIN": 5})
        )
    due = WorkingDayCalendar().next_working_day(date.today() + timedelta(days=21))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(
        JOINTAUDIT_DATA_DIR=str(settings.data_dir.resolve()),
        JOINTAUDIT_DATABASE_URL=domain_url,
        PREFECT_API_DATABASE_CONNECTION_URL=prefect_url,
    )
    log = tmp_path / "up.log"
    with log.open("wb") as out:
        up = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "flows.cli",
                "up",
                "--port",
                str(port),
                "--no-portal",
                "--workers",
                "2",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(log, "everything is running", up, timeout=240)
        launch = {
            "params": {
                "title": "Production check",
                "tool": "domestic-abuse",
                "agencies": ["police", "csc", "health"],
                "criteria": {"flags": ["domestic_abuse"]},
                "sample_size": 4,
                "quota_by": "category",
                "quotas": {"CP": 2, "CIN": 2},
                "seed": 9,
                "due_date": due.isoformat(),
                "idempotency_key": "production",
            }
        }
        after_due = (due + timedelta(days=7)).isoformat() + "T09:30:00+00:00"
        client = {**env, "PREFECT_API_URL": f"http://127.0.0.1:{port}/api"}
        prefect = str(Path(sys.executable).parent / "prefect")
        for name, params in (
            ("launch-round/launch-round", ["--params", json.dumps(launch)]),
            ("launch-round/launch-round", ["--params", json.dumps(launch)]),  # a re-run
            ("dispatch-notifications/dispatch-notifications", []),
            ("chase-overdue/chase-overdue", ["--param", f"now={after_due}"]),
            ("chase-overdue/chase-overdue", ["--param", f"now={after_due}"]),  # a re-run
            ("dispatch-notifications/dispatch-notifications", ["--param", f"now={after_due}"]),
        ):
            run = subprocess.run(
                [prefect, "deployment", "run", name, *params, "--watch", "--watch-timeout", "150"],
                env=client,
                capture_output=True,
                text=True,
                timeout=200,
            )
            assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
        assert count(domain, AuditRound) == 1
        assert count(domain, Assignment) == 4 * 3
        invitations = count(domain, OutboxMessage, OutboxMessage.template == "invitation")
        assert invitations == 6  # lead and deputy of three agencies, once despite the re-run
        assert count(domain, OutboxMessage, OutboxMessage.status != "sent") == 0
        messages = list((settings.data_dir / "messages").glob("*.json"))
        assert len(messages) == count(domain, OutboxMessage)  # each sent exactly once
        assert any("overdue" in m.name for m in messages)
        text_log = log.read_text()
        assert "worker-1" in text_log and "worker-2" in text_log
    finally:
        up.send_signal(signal.SIGINT)
        code = up.wait(timeout=120)
        domain.dispose()
    assert code == 0, log.read_text()[-3000:]
