"""Launching a round of 5,000 cases x 12 agencies from a 200,000-case register.

Figure: seconds and assignments/s of `launch_round` (plan, selection, every write), against
raw `sqlite3.executemany` of the same round_case and assignment rows into tables with the
same keys; the best of three runs of each, taking turns. Also: Prefect's overhead for a
50-case and a 5,000-case launch through the flow (flow time minus the plain function's time,
after a warm-up run that starts Prefect's temporary server), which must not grow with the cases.
BENCH_REGISTER_ROWS and BENCH_LAUNCH_CASES change the sizes.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench import Goal, Result

REGISTER = int(os.environ.get("BENCH_REGISTER_ROWS", "200000"))
CASES = int(os.environ.get("BENCH_LAUNCH_CASES", "5000"))
AGENCIES = [
    "police",
    "csc",
    "icb",
    "nhs-trust",
    "education",
    "probation",
    "camhs",
    "idva",
    "housing",
    "adult-mh",
    "youth-justice",
    "early-help",
]


def _setup(workdir: Path) -> None:
    os.environ["JOINTAUDIT_DATA_DIR"] = str(workdir / "var")
    os.environ["JOINTAUDIT_IDENTITY_KEY"] = "YmVuY2htYXJrLW9ubHkta2V5LTMyLWJ5dGVzLW9rISE="
    os.environ.pop("JOINTAUDIT_DATABASE_URL", None)
    import yaml

    from agencies.registry import load_registry_file
    from flows.cli.demo.data import synthetic_rows, write_register_csv
    from flows.register.importer import import_case_file
    from models.db import get_engine, session_scope, upgrade_database
    from models.settings import get_settings
    from models.types import utcnow

    upgrade_database(get_engine())
    registry = workdir / "agencies.yaml"
    registry.write_text(
        yaml.safe_dump(
            {
                "agencies": [
                    {
                        "code": code,
                        "name": code,
                        "lead": {"name": f"{code} lead", "email": f"lead@{code}.example.org"},
                        "deputy": {"name": f"{code} deputy", "email": f"deputy@{code}.example.org"},
                    }
                    for code in AGENCIES
                ]
            }
        )
    )
    rows = synthetic_rows(count=REGISTER, seed=3, agencies=AGENCIES, today=datetime.now(UTC).date())
    for row in rows:
        for column in ("child_name", "nhs_number", "date_of_birth", "ref_police"):
            row[column] = ""
    path = write_register_csv(workdir / "register.csv", rows)
    with session_scope() as session:
        load_registry_file(session=session, path=registry, actor="bench", now=utcnow())
        import_case_file(
            session=session, path=path, settings=get_settings(), actor="bench", now=utcnow()
        )


def _params(cases: int, due: date):  # type: ignore[no-untyped-def]
    from models.round_parameters import LaunchParameters, SelectionCriteria

    return LaunchParameters(
        title=f"bench {cases}",
        tool="domestic-abuse",
        agencies=AGENCIES,
        criteria=SelectionCriteria(flags=["domestic_abuse"]),
        sample_size=cases,
        stratify_by="category",
        seed=11,
        due_date=due,
    )


def _direct(cases: int, key: str, due: date) -> float:
    from flows.rounds.launch import launch_round
    from models.db import session_scope
    from models.settings import get_settings
    from models.types import utcnow

    started = time.perf_counter()
    with session_scope() as session:
        launch_round(
            session=session,
            params=_params(cases, due),
            seed=11,
            idempotency_key=key,
            now=utcnow(),
            actor="bench",
            settings=get_settings(),
        )
    return time.perf_counter() - started


def _through_prefect(cases: int, key: str, due: date) -> float:
    from flows.orchestration import run_flow
    from flows.rounds.flow import launch_round_flow

    params = _params(cases, due).model_copy(update={"idempotency_key": key})
    started = time.perf_counter()
    run_flow(launch_round_flow(params=params))
    return time.perf_counter() - started


def _raw(workdir: Path, cases: int, round_id: int) -> float:
    connection = sqlite3.connect(workdir / "raw.db")
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute(
        "CREATE TABLE IF NOT EXISTS round_case (id INTEGER PRIMARY KEY, round_id INT, "
        "case_id INT, stratum TEXT, rank TEXT, status TEXT, added_at TEXT, "
        "UNIQUE (round_id, case_id))"
    )
    connection.execute(
        "CREATE TABLE IF NOT EXISTS assignment (id INTEGER PRIMARY KEY, round_id INT, "
        "agency_id INT, case_id INT, status TEXT, created_at TEXT, "
        "updated_at TEXT, UNIQUE (round_id, agency_id, case_id))"
    )
    now = "2026-11-25 10:00:00.000000"
    case_rows = [(round_id, n, "CP", f"{n:064x}", "active", now) for n in range(cases)]
    assignment_rows = [
        (round_id, a, n, "not_started", now, now)
        for a in range(len(AGENCIES))
        for n in range(cases)
    ]
    started = time.perf_counter()
    with connection:
        connection.executemany(
            "INSERT INTO round_case (round_id, case_id, stratum, rank, "
            "status, added_at) VALUES (?, ?, ?, ?, ?, ?)",
            case_rows,
        )
        connection.executemany(
            "INSERT INTO assignment (round_id, agency_id, case_id, status, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
            assignment_rows,
        )
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


def run() -> list[Result]:
    """Launch once directly (timed), then twice through Prefect to measure its overhead."""
    from models.calendar import WorkingDayCalendar

    with tempfile.TemporaryDirectory() as name:
        workdir = Path(name)
        _setup(workdir)
        due = WorkingDayCalendar().next_working_day(date.today() + timedelta(days=30))
        # The best of three for both, taking turns (the machine's speed drifts), as each launch
        # adds a round to a growing database.
        ours_runs: list[float] = []
        raw_runs: list[float] = []
        for n in range(3):
            ours_runs.append(_direct(CASES, f"direct-{n}", due))
            raw_runs.append(_raw(workdir, CASES, round_id=n + 1))
        ours, raw = min(ours_runs), min(raw_runs)
        small_direct = _direct(50, "small-direct", due)
        _through_prefect(50, "warm-up", due)  # starts Prefect's temporary server
        small_flow = _through_prefect(50, "small-flow", due)
        big_direct = _direct(CASES, "big-direct", due)
        big_flow = _through_prefect(CASES, "big-flow", due)
    assignments = CASES * len(AGENCIES)
    ours_rate, raw_rate = assignments / ours, assignments / raw
    overhead_small, overhead_big = small_flow - small_direct, big_flow - big_direct
    print(
        f"launch: {CASES} cases x {len(AGENCIES)} agencies from {REGISTER} cases in {ours:.2f} s"
        f" ({ours_rate:,.0f} assignments/s); raw executemany of the same rows {raw:.2f} s "
        f"({raw_rate:,.0f}/s); ratio {ours_rate / raw_rate:.2f}. Prefect overhead: "
        f"{overhead_small:.2f} s at 50 cases, {overhead_big:.2f} s at {CASES}",
        file=sys.stderr,
    )
    return [
        Result(
            name=f"launch {CASES:,} x {len(AGENCIES)} (raw)",
            database="sqlite",
            figure=f"{ours_rate:,.0f}/s",
            baseline=f"{raw_rate:,.0f}/s",
            ratio=ours_rate / raw_rate,
            goal=Goal(">=", 0.33),
            detail="assignments/s of launch_round against raw executemany of the same rows",
            figures={"assignments": assignments, "seconds": ours, "baseline_seconds": raw},
        ),
        Result(
            name="Prefect overhead/launch",
            database="sqlite",
            figure=f"{overhead_big:.2f} s",
            baseline=f"{overhead_small:.2f} s",
            ratio=overhead_big / max(overhead_small, 1e-9),
            detail=f"flow minus plain function at {CASES} cases, against the same at 50 cases",
            figures={"seconds": overhead_big, "baseline_seconds": overhead_small},
        ),
    ]
