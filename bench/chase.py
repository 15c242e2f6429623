"""The chase sweep follows the outstanding assignments, not the total.

Two databases hold one collecting round with the same 10,000 outstanding assignments
(1,000 cases x 10 agencies) among 1,000,000 and among 100,000 assignments (the rest
submitted). Figure: the sweep over 1,000,000; baseline: the sweep over 100,000; a ratio near
1 means the time follows the outstanding ones. Rows are built with `models.bulk.bulk_insert`.
BENCH_CHASE_OUTSTANDING_CASES changes the outstanding cases (times 10 agencies).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from bench import Result

OUTSTANDING_CASES = int(os.environ.get("BENCH_CHASE_OUTSTANDING_CASES", "1000"))
AGENCIES = ("police", "csc", "health", "education", "probation", "a6", "a7", "a8", "a9", "a10")
DUE = date(2026, 12, 16)
SWEEP_AT = datetime(2026, 12, 18, 9, tzinfo=UTC)


def _configure(workdir: Path) -> None:
    from models.db import dispose_engines
    from models.settings import get_settings

    os.environ["JOINTAUDIT_DATA_DIR"] = str(workdir / "var")
    os.environ["JOINTAUDIT_IDENTITY_KEY"] = "YmVuY2htYXJrLW9ubHkta2V5LTMyLWJ5dGVzLW9rISE="
    os.environ.pop("JOINTAUDIT_DATABASE_URL", None)
    get_settings.cache_clear()
    dispose_engines()


def _build(workdir: Path, cases: int) -> None:
    """A launched round, then `cases` more cases assigned to every agency, mostly submitted."""
    from sqlmodel import col, select, update

    from flows.rounds.launch import launch_round
    from models.bulk import bulk_insert
    from models.case import Case
    from models.db import get_engine, session_scope, upgrade_database
    from models.round import Assignment, AssignmentStatus, RoundCase
    from models.settings import get_settings
    from tests.builders import (
        NOW,
        import_register,
        launch_parameters,
        load_agencies,
        register_of,
    )

    upgrade_database(get_engine())
    with session_scope() as session:
        load_agencies(session=session, tmp_path=workdir, codes=AGENCIES)
        import_register(session=session, tmp_path=workdir, rows=register_of(counts={"CIN": 4}))
        round_id = launch_round(
            session=session,
            params=launch_parameters(agencies=list(AGENCIES), sample_size=4, due_date=DUE),
            seed=1,
            idempotency_key="bench",
            now=NOW,
            actor="bench",
            settings=get_settings(),
        ).round_id
        session.exec(update(Assignment).values(status=AssignmentStatus.submitted))
        agency_ids = sorted({a.agency_id for a in session.exec(select(Assignment))})
        refs = [(f"BENCH-{n:07d}", "CIN", True, NOW) for n in range(cases)]
        bulk_insert(
            session=session,
            table=Case.__table__,  # type: ignore[attr-defined]
            columns=("case_ref", "category", "active", "updated_at"),
            rows=refs,
        )
        ids = session.exec(
            select(Case.id).where(col(Case.case_ref).like("BENCH-%")).order_by(col(Case.id))
        ).all()
        bulk_insert(
            session=session,
            table=RoundCase.__table__,  # type: ignore[attr-defined]
            columns=("round_id", "case_id", "stratum", "rank", "status", "added_at"),
            rows=[(round_id, i, "CIN", f"{i:064x}", "active", NOW) for i in ids],
        )
        rows = [
            (round_id, agency, case_id, status, NOW, NOW)
            for n, case_id in enumerate(ids)
            for status in ("not_started" if n < OUTSTANDING_CASES else "submitted",)
            for agency in agency_ids
        ]
        bulk_insert(
            session=session,
            table=Assignment.__table__,  # type: ignore[attr-defined]
            columns=("round_id", "agency_id", "case_id", "status", "created_at", "updated_at"),
            rows=rows,
        )


def _sweep() -> float:
    """The best of three dry-run sweeps (the query, the people and the policy; no writes)."""
    from flows.chase.sweep import chase_sweep
    from models.db import session_scope
    from models.settings import get_settings

    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        with session_scope() as session:
            summary = chase_sweep(
                session=session, now=SWEEP_AT, settings=get_settings(), dry_run=True
            )
            session.rollback()
        best = min(best, time.perf_counter() - started)
        assert summary.due > 0
    return best


def _measure(total_cases: int) -> float:
    with tempfile.TemporaryDirectory() as name:
        workdir = Path(name)
        _configure(workdir)
        _build(workdir, total_cases)
        return _sweep()


def run() -> list[Result]:
    """Sweep 1,000,000 and 100,000 assignments with the same outstanding ones."""
    outstanding = OUTSTANDING_CASES * len(AGENCIES)
    big = _measure(100 * OUTSTANDING_CASES)
    small = _measure(10 * OUTSTANDING_CASES)
    print(
        f"chase sweep: {outstanding:,} outstanding among {100 * outstanding:,} assignments "
        f"{big * 1000:.1f} ms; among {10 * outstanding:,} {small * 1000:.1f} ms; "
        f"ratio {big / small:.2f}",
        file=sys.stderr,
    )
    return [
        Result(
            name=f"chase sweep, {outstanding:,} due",
            database="sqlite",
            figure=f"{big * 1000:.1f} ms",
            baseline=f"{small * 1000:.1f} ms",
            ratio=big / small,
            detail=f"sweep over {100 * outstanding:,} assignments against {10 * outstanding:,}",
            figures={"seconds": big, "baseline_seconds": small},
        )
    ]
