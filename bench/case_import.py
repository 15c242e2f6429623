"""Case register import: our CSV import (validate, encrypt, bulk write) against raw sqlite3.

The baseline writes the same rows (cases, flags, agency links, identity blobs) with
`sqlite3.executemany` and nothing else: no parsing, validation or encryption.
BENCH_CASE_ROWS sets the register size (default 100,000).
"""

from __future__ import annotations

import os
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import Goal, Result

ROWS = int(os.environ.get("BENCH_CASE_ROWS", "100000"))


def _prepare(workdir: Path) -> Path:
    os.environ["JOINTAUDIT_DATA_DIR"] = str(workdir / "var")
    os.environ["JOINTAUDIT_IDENTITY_KEY"] = "YmVuY2htYXJrLW9ubHkta2V5LTMyLWJ5dGVzLW9rISE="
    os.environ.pop("JOINTAUDIT_DATABASE_URL", None)
    from flows.cli.demo.data import synthetic_rows, write_register_csv

    agencies = ["police", "csc", "icb", "nhs-trust", "education", "probation", "camhs", "idva"]
    rows = synthetic_rows(count=ROWS, seed=7, agencies=agencies, today=datetime.now(UTC).date())
    return write_register_csv(workdir / "register.csv", rows)


def _ours(path: Path) -> float:
    from agencies.registry import load_registry_file
    from flows.register.importer import import_case_file
    from models.db import get_engine, session_scope, upgrade_database
    from models.settings import get_settings
    from models.types import utcnow

    upgrade_database(get_engine())
    example = Path(__file__).parents[1] / "agencies" / "example" / "agencies.yaml"
    with session_scope() as session:
        load_registry_file(session=session, path=example, actor="bench", now=utcnow())
    started = time.perf_counter()
    with session_scope() as session:
        summary = import_case_file(
            session=session, path=path, settings=get_settings(), actor="bench", now=utcnow()
        )
    elapsed = time.perf_counter() - started
    assert summary.created == ROWS
    return elapsed


def _raw_sqlite(path: Path, workdir: Path) -> float:
    """The same rows (cases, flags, agency links, identity blobs) by raw executemany."""
    import csv
    import json

    with path.open(newline="", encoding="utf-8") as handle:
        records = list(csv.DictReader(handle))
    codes = {
        code: n
        for n, code in enumerate(
            sorted({a for r in records for a in r["agencies"].split(";") if a})
        )
    }
    cases = [
        (n, r["case_ref"], r["category"], r["gender"], r["ethnicity"], r["referral_date"], 1)
        for n, r in enumerate(records, start=1)
    ]
    flags = [(n, f) for n, r in enumerate(records, start=1) for f in r["flags"].split(";") if f]
    links = [
        (n, codes[a]) for n, r in enumerate(records, start=1) for a in r["agencies"].split(";") if a
    ]
    identities = [
        (n, json.dumps({"child_name": r["child_name"], "nhs": r["nhs_number"]}).encode())
        for n, r in enumerate(records, start=1)
    ]
    connection = sqlite3.connect(workdir / "raw.db")
    connection.execute("PRAGMA journal_mode=WAL")
    for ddl in (
        "CREATE TABLE case_record (id INTEGER PRIMARY KEY, case_ref TEXT NOT NULL, category TEXT, "
        "gender TEXT, ethnicity TEXT, referral_date TEXT, active INTEGER NOT NULL)",
        "CREATE UNIQUE INDEX ix_ref ON case_record (case_ref)",
        "CREATE TABLE case_flag (case_id INTEGER, flag TEXT, PRIMARY KEY (case_id, flag))",
        "CREATE TABLE case_agency (case_id INTEGER, agency_id INTEGER, "
        "PRIMARY KEY (case_id, agency_id))",
        "CREATE TABLE case_identity (case_id INTEGER PRIMARY KEY, ciphertext BLOB)",
    ):
        connection.execute(ddl)
    started = time.perf_counter()
    with connection:
        connection.executemany("INSERT INTO case_record VALUES (?, ?, ?, ?, ?, ?, ?)", cases)
        connection.executemany("INSERT INTO case_flag VALUES (?, ?)", flags)
        connection.executemany("INSERT INTO case_agency VALUES (?, ?)", links)
        connection.executemany("INSERT INTO case_identity VALUES (?, ?)", identities)
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


def run() -> list[Result]:
    """Import ROWS synthetic cases both ways; the ratio is our rate over the raw rate."""
    with tempfile.TemporaryDirectory() as name:
        workdir = Path(name)
        path = _prepare(workdir)
        ours = _ours(path)
        raw = _raw_sqlite(path, workdir)
    ours_rate, raw_rate = ROWS / ours, ROWS / raw
    print(
        f"case import: {ROWS} rows in {ours:.2f} s ({ours_rate:,.0f} rows/s, validated, "
        f"encrypted); raw executemany of the same rows: {raw:.2f} s ({raw_rate:,.0f} rows/s);"
        f" ratio {ours_rate / raw_rate:.2f}",
        file=sys.stderr,
    )
    return [
        Result(
            name=f"case import {ROWS:,} (raw)",
            database="sqlite",
            figure=f"{ours_rate:,.0f} rows/s",
            baseline=f"{raw_rate:,.0f} rows/s",
            ratio=ours_rate / raw_rate,
            goal=Goal(">=", 0.30),
            detail="our CSV import against raw sqlite3.executemany of the same rows",
            figures={"rows": ROWS, "seconds": ours, "baseline_seconds": raw},
        )
    ]
