"""`python -m bench`: one table row per benchmark within 100 columns, the same as JSON, --only."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench import Goal, Result
from bench.__main__ import main, table

ROOT = Path(__file__).parents[2]


def test_the_table_fits_100_columns_and_says_which_goals_are_met_and_which_fall_short() -> None:
    results = [
        Result(
            "dispatch 10,000, Notify",
            "sqlite",
            "1,234 msg/s",
            "1,004 msg/s",
            1.229,
            Goal(">=", 0.8),
        ),
        Result(
            "a benchmark with a very long name indeed",
            "postgresql",
            "123/s p95 330ms",
            "512/s",
            0.31,
            Goal(">=", 0.3),
            also=("p95≤100ms", False),
        ),
        Result("reconcile", "none (in memory)", "2.58 s", "0.04 s", 64.5, Goal("<=", 5.0)),
        Result("chase sweep", "sqlite", "2.4 ms", "2.2 ms", 1.1),
    ]
    lines = table(results).splitlines()
    assert len(lines) == 2 + len(results)
    assert max(len(line) for line in lines) <= 100
    assert lines[2].split()[-4:] == ["1.23", "≥", "0.80", "met"]
    assert lines[3].endswith("short") and "postgres" in lines[3]  # p95 missed, ratio met
    assert lines[4].endswith("short") and " 64.5 " in lines[4]
    assert lines[5].endswith("-")


def test_an_unknown_benchmark_name_is_refused_with_the_names_to_choose_from() -> None:
    with pytest.raises(SystemExit, match="choose from case_import, launch, dispatch"):
        main(["--only", "dispatcher"])


def test_only_runs_the_one_benchmark_and_writes_what_the_table_shows_to_json(
    tmp_path: Path,
) -> None:
    output = tmp_path / "bench.json"
    env = {**os.environ, "BENCH_RECONCILE_CASES": "20"}
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--only", "reconcile", "--json", str(output)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    statistics, whole = json.loads(output.read_text())["results"]
    assert statistics["name"].endswith("statistics") and statistics["goal"] == "≤ 1.00"
    assert whole["name"].startswith("reconcile") and whole["goal"] == "≤ 5.00"
    assert whole["met"] is (whole["ratio"] <= 5.0)
    assert len(done.stdout.splitlines()) == 4  # headings, rule, the reconcile bench's two rows
