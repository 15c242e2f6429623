from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from flows.rounds.launch import launch_round
from models.db import get_engine, session_scope, upgrade_database
from models.settings import Settings
from tests.builders import import_register, launch_parameters, load_agencies, register_of

ROOT = Path(__file__).parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(path: Path, text: str, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in path.read_text(errors="replace"):
            return
        assert process.poll() is None, path.read_text(errors="replace")[-3000:]
        time.sleep(1)
    pytest.fail(f"no {text!r} in {timeout} s:\n" + path.read_text(errors="replace")[-3000:])


@pytest.mark.prefect
def test_up_serves_the_chase_deployment_until_ctrl_c_stops_everything(
    settings: Settings, tmp_path: Path
) -> None:
    upgrade_database(get_engine())
    with session_scope() as session:
        load_agencies(session=session, tmp_path=tmp_path, codes=("police", "csc", "health"))
        import_register(session=session, tmp_path=tmp_path, rows=register_of(counts={"CIN": 6}))
        launch_round(
            session=session,
            params=launch_parameters(
                agencies=["police"], sample_size=2, due_date=date(2026, 11, 16)
            ),
            seed=1,
            idempotency_key="up",
            now=datetime(2026, 11, 2, 9, tzinfo=UTC),
            actor="c",
            settings=settings,
        )
    get_engine().dispose()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["JOINTAUDIT_DATA_DIR"] = str(settings.data_dir.resolve())
    log = tmp_path / "up.log"
    with log.open("wb") as out:
        up = subprocess.Popen(
            [sys.executable, "-m", "flows.cli", "up", "--port", str(port), "--no-portal"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(log, "everything is running", up, timeout=240)
        prefect = [str(Path(sys.executable).parent / "prefect"), "deployment", "run"]
        client_env = {**env, "PREFECT_API_URL": f"http://127.0.0.1:{port}/api"}
        for name, params in (
            ("chase-overdue/chase-overdue", ["--param", "now=2026-11-17T09:00:00+00:00"]),
            ("dispatch-notifications/dispatch-notifications", []),
        ):
            run = subprocess.run(
                [*prefect, name, *params, "--watch", "--watch-timeout", "120"],
                env=client_env,
                capture_output=True,
                text=True,
                timeout=180,
            )
            assert run.returncode == 0, run.stdout + run.stderr
        sent = [p.read_text() for p in (settings.data_dir / "messages").glob("*.json")]
        assert sum("Overdue" in text for text in sent) == 2  # the police lead and deputy
    finally:
        up.send_signal(signal.SIGINT)
        code = up.wait(timeout=90)
    assert code == 0, log.read_text()[-3000:]
    assert "all stopped" in log.read_text()
