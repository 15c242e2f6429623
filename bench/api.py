"""Answer submission through the agency API, against a trivial FastAPI endpoint served the same way.

`jointaudit serve` runs as its own uvicorn process on a loopback port, on a SQLite file holding a
round of BENCH_API_ASSIGNMENTS assignments (default 200: police and csc, 100 cases each).
BENCH_API_CLIENTS concurrent httpx clients (default 8) each take assignments from a shared queue
and, with their agency's API key, save a draft (PUT /answers) and submit (POST /submit): one
answer is those two requests, each checked, written and audited. The baseline is a FastAPI app
whose one endpoint returns {"ok": true}, run by uvicorn with the same options, receiving the
same requests (same bodies, same concurrency) in the same run. Figures: answers/s and the
p50/p95 latency of single requests; ratio = API answers/s / trivial answers/s. Both servers stay
up while the runs take turns, ROUNDS times (each API run on its own share of the assignments,
the round holding ROUNDS x BENCH_API_ASSIGNMENTS), and the best run of each counts: the machine
is shared. With
BENCH_POSTGRES_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/postgres) the same runs on
a fresh PostgreSQL database beside that one too.
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from bench import Goal, Result

ASSIGNMENTS = int(os.environ.get("BENCH_API_ASSIGNMENTS", "200"))
CLIENTS = int(os.environ.get("BENCH_API_CLIENTS", "8"))
ROUNDS = 3
AGENCIES = ("police", "csc")
ROOT = Path(__file__).parents[1]

TRIVIAL_APP = """
import sys
import uvicorn
from fastapi import FastAPI

app = FastAPI()


@app.api_route("/api/v1/assignments/{assignment_id}/{action}", methods=["PUT", "POST"])
def ok(assignment_id: int, action: str) -> dict[str, bool]:
    return {"ok": True}


@app.get("/api/v1/openapi.json")
def ready() -> dict[str, bool]:
    return {"ok": True}


uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), proxy_headers=True, log_level="info")
"""


@dataclass
class Work:
    """What the clients send: an agency key and answers for each assignment."""

    jobs: list[tuple[int, str]]
    keys: dict[str, str]
    draft: dict[str, Any]
    complete: dict[str, dict[str, Any]]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _environment(workdir: Path, database_url: str | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        JOINTAUDIT_DATA_DIR=str(workdir / "var"),
        JOINTAUDIT_ENV="development",
        JOINTAUDIT_IDENTITY_KEY="YmVuY2htYXJrLW9ubHkta2V5LTMyLWJ5dGVzLW9rISE=",
    )
    env.pop("JOINTAUDIT_DATABASE_URL", None)
    if database_url:
        env["JOINTAUDIT_DATABASE_URL"] = database_url
    return env


@contextmanager
def _postgres_database() -> Iterator[str | None]:
    """A fresh database beside BENCH_POSTGRES_URL's (dropped afterwards); None without it."""
    base = os.environ.get("BENCH_POSTGRES_URL")
    if not base:
        yield None
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"ja_bench_api_{os.getpid()}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        from models.db import dispose_engines

        dispose_engines()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _answers(tool: Any, agency: str) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for question in tool.questions_for(agency):
        value = "Recorded well." if question.type == "text" else question.choices()[0][0]
        answers[question.id] = int(value) if question.type == "scale_0_10" else value
    return answers


def _prepare(workdir: Path, database_url: str | None = None) -> Work:
    """A round of ASSIGNMENTS assignments and a key per agency, in a fresh database."""
    environment = _environment(workdir, database_url)
    os.environ.clear()
    os.environ.update(environment)
    from sqlmodel import col, select

    from flows.rounds.launch import launch_round
    from models.agency import Agency
    from models.api_key import issue_api_key
    from models.db import dispose_engines, get_engine, session_scope, upgrade_database
    from models.round import Assignment, AuditRound
    from models.settings import get_settings
    from models.tool_version import ToolVersion, load_frozen_tool
    from tests.builders import NOW, import_register, launch_parameters, load_agencies, register_of

    get_settings.cache_clear()
    dispose_engines()
    upgrade_database(get_engine())
    cases = ASSIGNMENTS * ROUNDS // len(AGENCIES)
    with session_scope() as session:
        load_agencies(session=session, tmp_path=workdir, codes=AGENCIES)
        rows = register_of(counts={"CIN": cases}, agencies="police;csc")
        import_register(session=session, tmp_path=workdir, rows=rows)
        params = launch_parameters(agencies=list(AGENCIES), sample_size=cases)
        result = launch_round(
            session=session,
            params=params,
            seed=1,
            idempotency_key="bench",
            now=NOW,
            actor="bench",
            settings=get_settings(),
        )
        keys = {
            code: issue_api_key(
                session=session, agency_code=code, name="bench", actor="bench", now=NOW
            ).secret
            for code in AGENCIES
        }
        round_ = session.get(AuditRound, result.round_id)
        assert round_ is not None
        version = session.get(ToolVersion, round_.tool_version_id)
        assert version is not None
        tool = load_frozen_tool(session=session, name=version.name, version=version.version)
        jobs = [
            (assignment_id or 0, code)
            for assignment_id, code in session.exec(
                select(Assignment.id, Agency.code)
                .join(Agency, col(Agency.id) == col(Assignment.agency_id))
                .where(col(Assignment.round_id) == result.round_id)
                .order_by(col(Assignment.id))
            )
        ]
    dispose_engines()
    complete = {code: _answers(tool, code) for code in AGENCIES}
    draft = {"known_to_agency": "yes"}
    return Work(jobs=jobs, keys=keys, draft=draft, complete=complete)


@contextmanager
def _server(argv: list[str], env: dict[str, str], port: int) -> Iterator[str]:
    """Start a uvicorn process on a loopback port; yield its URL once it answers."""
    import httpx

    process = subprocess.Popen(
        argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/api/v1/openapi.json", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{argv[0]} did not start on port {port}")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=15)


async def _client(url: str, work: Work, queue: asyncio.Queue[tuple[int, str]]) -> list[float]:
    """One client: save a draft and submit each assignment it takes; every latency."""
    import httpx

    latencies: list[float] = []
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        while not queue.empty():
            assignment_id, agency = queue.get_nowait()
            headers = {"Authorization": f"Bearer {work.keys[agency]}"}
            path = f"/api/v1/assignments/{assignment_id}"
            for method, action, answers in (
                ("PUT", "answers", work.draft),
                ("POST", "submit", work.complete[agency]),
            ):
                started = time.perf_counter()
                response = await client.request(
                    method, f"{path}/{action}", headers=headers, json={"answers": answers}
                )
                latencies.append(time.perf_counter() - started)
                assert response.status_code == 200, response.text
    return latencies


async def _load(url: str, work: Work) -> tuple[float, list[float]]:
    queue: asyncio.Queue[tuple[int, str]] = asyncio.Queue()
    for job in work.jobs:
        queue.put_nowait(job)
    started = time.perf_counter()
    results = await asyncio.gather(*(_client(url, work, queue) for _ in range(CLIENTS)))
    return time.perf_counter() - started, [x for latencies in results for x in latencies]


@dataclass(frozen=True)
class Figures:
    """Answers per second and request latencies (ms)."""

    rate: float
    p50: float
    p95: float

    def __str__(self) -> str:
        return f"{self.rate:,.0f} answers/s (p50 {self.p50:.1f} ms, p95 {self.p95:.1f} ms)"


def _figures(elapsed: float, latencies: list[float]) -> Figures:
    cuts = statistics.quantiles([x * 1000 for x in latencies], n=100)
    return Figures(len(latencies) / 2 / elapsed, cuts[49], cuts[94])


def _best(runs: list[Figures]) -> Figures:
    return max(runs, key=lambda figures: figures.rate)


def _measure(workdir: Path, database_url: str | None) -> tuple[int, Figures, Figures]:
    """Submit assignments through `jointaudit serve` and to the trivial app, taking turns; the
    best of ROUNDS runs of each."""
    work = _prepare(workdir, database_url)
    env = _environment(workdir, database_url)
    jointaudit = str(Path(sys.executable).parent / "jointaudit")
    ours_port, trivial_port = _free_port(), _free_port()
    ours: list[Figures] = []
    trivial: list[Figures] = []
    with (
        _server([jointaudit, "serve", "--port", str(ours_port)], env, ours_port) as ours_url,
        _server([sys.executable, "-c", TRIVIAL_APP, str(trivial_port)], env, trivial_port) as url,
    ):
        share = len(work.jobs) // ROUNDS
        for turn in range(ROUNDS):
            part = replace(work, jobs=work.jobs[turn * share : (turn + 1) * share])
            ours.append(_figures(*asyncio.run(_load(ours_url, part))))
            trivial.append(_figures(*asyncio.run(_load(url, part))))
    return share, _best(ours), _best(trivial)


def _forget_database() -> None:
    """Drop the settings and engines made for this benchmark's databases."""
    from models.db import dispose_engines
    from models.settings import get_settings

    dispose_engines()
    get_settings.cache_clear()


def run() -> list[Result]:
    """On SQLite, and on PostgreSQL too when BENCH_POSTGRES_URL names a server."""
    rows: list[Result] = []
    saved = dict(os.environ)
    with _postgres_database() as postgres_url:
        for database, url in (("sqlite", None), ("postgresql", postgres_url)):
            if database == "postgresql" and url is None:
                continue
            with tempfile.TemporaryDirectory() as name:
                jobs, ours, trivial = _measure(Path(name), url)
            os.environ.clear()
            os.environ.update(saved)
            _forget_database()  # a benchmark run after this one finds its own
            ratio = ours.rate / trivial.rate
            print(
                f"agency API ({database}), best of {ROUNDS}: {ours}; trivial FastAPI: {trivial}; "
                f"ratio {ratio:.2f}",
                file=sys.stderr,
            )
            rows.append(
                Result(
                    name=f"agency API, {CLIENTS} clients",
                    database=database,
                    figure=f"{ours.rate:,.0f}/s p95 {ours.p95:.0f}ms",
                    baseline=f"{trivial.rate:,.0f}/s",
                    ratio=ratio,
                    goal=Goal(">=", 0.30),
                    also=("p95≤100ms", ours.p95 <= 100),
                    detail=(
                        f"{jobs} x (save + submit), best of {ROUNDS}: {ours}; "
                        f"trivial FastAPI: {trivial}"
                    ),
                    figures={"rate": ours.rate, "p50_ms": ours.p50, "p95_ms": ours.p95},
                )
            )
    return rows
