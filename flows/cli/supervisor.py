"""`jointaudit up`: a Prefect server, the deployments with their schedules, a worker and the
portal on one machine, as one supervised group with combined, prefixed logs.

Ctrl-C (or SIGTERM) stops them all: the worker needs SIGINT twice (it ignores one SIGTERM).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

from models.errors import ConfigurationError
from models.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
POOL = "jointaudit"
HEALTH_TIMEOUT = 180.0
STOP_TIMEOUT = 20.0


@dataclass
class Child:
    """One supervised process and how to stop it."""

    name: str
    process: subprocess.Popen[str]
    stop_signals: tuple[signal.Signals, ...] = (signal.SIGTERM,)
    pump: threading.Thread | None = field(default=None, repr=False)


def prefect_env(*, settings: Settings, port: int) -> dict[str, str]:
    """The environment of every child: Prefect on SQLite in the data directory, no analytics."""
    data_dir = settings.data_dir.resolve()
    home = data_dir / "prefect"
    env = dict(os.environ)
    env.update(
        JOINTAUDIT_DATA_DIR=str(data_dir),
        PREFECT_HOME=str(home),
        PREFECT_API_URL=f"http://127.0.0.1:{port}/api",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        DO_NOT_TRACK="1",
        PREFECT_WORKER_QUERY_SECONDS="2",
        PREFECT_UI_API_URL=f"http://127.0.0.1:{port}/api",
    )
    env.setdefault(
        "PREFECT_API_DATABASE_CONNECTION_URL", f"sqlite+aiosqlite:///{home / 'prefect.db'}"
    )
    return env


def _prefect() -> str:
    return str(Path(sys.executable).parent / "prefect")


def _jointaudit() -> list[str]:
    return [sys.executable, "-m", "flows.cli"]


def _pump(name: str, stream: IO[str], out: IO[str], lock: threading.Lock) -> None:
    for line in stream:
        with lock:
            out.write(f"{name:>8} | {line.rstrip()}\n")
            out.flush()


class Supervisor:
    """Starts children, prefixes their output, stops them all in reverse order."""

    def __init__(self, env: dict[str, str], out: IO[str] = sys.stdout) -> None:
        self.env, self.out, self.lock = env, out, threading.Lock()
        self.children: list[Child] = []
        self.stopping = threading.Event()

    def log(self, message: str) -> None:
        """A line of the supervisor's own."""
        with self.lock:
            self.out.write(f"{'up':>8} | {message}\n")
            self.out.flush()

    def run(self, name: str, argv: Sequence[str]) -> int:
        """Run a short command to completion, its output prefixed."""
        child = self.start(name, argv, keep=False)
        code = child.process.wait()
        if child.pump:
            child.pump.join()
        return code

    def start(
        self,
        name: str,
        argv: Sequence[str],
        stop_signals: tuple[signal.Signals, ...] = (signal.SIGTERM,),
        keep: bool = True,
    ) -> Child:
        """Start a child in its own session (so Ctrl-C reaches only the supervisor)."""
        process = subprocess.Popen(
            list(argv),
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            start_new_session=True,
        )
        assert process.stdout is not None
        pump = threading.Thread(
            target=_pump, args=(name, process.stdout, self.out, self.lock), daemon=True
        )
        pump.start()
        child = Child(name, process, stop_signals, pump)
        if keep:
            self.children.append(child)
        return child

    def stop(self) -> None:
        """Stop every child, newest first; kill what does not stop in time."""
        self.stopping.set()
        for child in reversed(self.children):
            for number, sig in enumerate(child.stop_signals):
                if child.process.poll() is not None:
                    break
                if number:
                    time.sleep(1)
                child.process.send_signal(sig)
            try:
                child.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.log(f"{child.name} did not stop in {STOP_TIMEOUT:.0f} s: killed")
                child.process.kill()
                child.process.wait()
            if child.pump:
                child.pump.join(timeout=5)
        self.log("all stopped")

    def failed(self) -> Child | None:
        """A child that exited on its own."""
        return next((c for c in self.children if c.process.poll() is not None), None)


def wait_for_health(*, url: str, supervisor: Supervisor, timeout: float = HEALTH_TIMEOUT) -> None:
    """Poll the server's /health until it answers (≈ 30 s on a fresh SQLite database)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not supervisor.stopping.is_set():
        if supervisor.failed():
            raise ConfigurationError("the Prefect server exited while starting")
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    if not supervisor.stopping.is_set():
        raise ConfigurationError(f"the Prefect server did not answer in {timeout:.0f} s")


def start_all(
    *,
    supervisor: Supervisor,
    port: int,
    portal_port: int | None,
    serve_portal: bool,
    workers: int = 1,
) -> None:
    """Server, deployments, worker and portal, in that order."""
    prefect = _prefect()
    supervisor.log("upgrading Prefect's database")
    supervisor.run("prefect", [prefect, "server", "database", "upgrade", "-y"])
    server_argv = [prefect, "server", "start", "--host", "127.0.0.1", "--port", str(port)]
    supervisor.start("server", [*server_argv, "--analytics-off"])
    wait_for_health(url=f"http://127.0.0.1:{port}/api", supervisor=supervisor)
    if supervisor.stopping.is_set():
        return
    supervisor.log(f"Prefect server ready: http://127.0.0.1:{port}")
    supervisor.run("pool", [prefect, "work-pool", "create", POOL, "--type", "process"])
    if supervisor.run("deploy", [prefect, "--no-prompt", "deploy", "--all"]) != 0:
        raise ConfigurationError("`prefect deploy --all` failed: see the deploy lines above")
    for number in range(1, workers + 1):
        supervisor.start(
            "worker" if workers == 1 else f"worker-{number}",
            [prefect, "worker", "start", "--pool", POOL],
            stop_signals=(signal.SIGINT, signal.SIGINT),
        )
    if serve_portal and portal_port is not None:
        supervisor.start("portal", [*_jointaudit(), "serve", "--port", str(portal_port)])
    supervisor.log("everything is running; Ctrl-C stops it all")


def run_up(
    *, settings: Settings, port: int, portal_port: int | None, serve_portal: bool, workers: int = 1
) -> int:
    """Start everything, wait for a signal or a child's exit, stop everything; the exit code."""
    supervisor = Supervisor(prefect_env(settings=settings, port=port))
    stop_requested = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        stop_requested.set()
        supervisor.stopping.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    code = 0
    try:
        start_all(
            supervisor=supervisor,
            port=port,
            portal_port=portal_port,
            serve_portal=serve_portal,
            workers=workers,
        )
        while not stop_requested.wait(1):
            failed = supervisor.failed()
            if failed is not None:
                supervisor.log(f"{failed.name} exited with {failed.process.returncode}")
                code = 1
                break
    except ConfigurationError as error:
        supervisor.log(f"error: {error}")
        code = 1
    finally:
        supervisor.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return code
