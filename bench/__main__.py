"""Run the benchmarks (all, or `--only NAME`), print one table and write var/bench.json."""

from __future__ import annotations

import argparse
import importlib
import json
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

from bench import Result

BENCHMARKS = ("case_import", "launch", "dispatch", "agreement", "reconcile", "chase", "api")
OUTPUT = Path(__file__).parents[1] / "var" / "bench.json"
# benchmark, database, figure, baseline, ratio, goal, met: 100 columns with the gaps.
WIDTHS = (25, 8, 15, 13, 5, 17, 5)
DATABASES = {"postgresql": "postgres", "none (in memory)": "memory"}
HEADINGS = ("benchmark", "db", "figure", "baseline", "ratio", "goal", "met")


def _cell(value: str, width: int) -> str:
    return value if len(value) <= width else value[: width - 1] + "…"


def _line(cells: tuple[str, ...]) -> str:
    return "  ".join(
        _cell(cell, width).rjust(width) if 2 <= n <= 4 else _cell(cell, width).ljust(width)
        for n, (cell, width) in enumerate(zip(cells, WIDTHS, strict=True))
    ).rstrip()


def table(results: list[Result]) -> str:
    """The results as a plain-text table no wider than 100 columns."""
    rows = [_line(HEADINGS), _line(tuple("-" * width for width in WIDTHS))]
    for result in results:
        met = {True: "met", False: "short", None: "-"}[result.met]
        ratio = f"{result.ratio:.{2 if result.ratio < 10 else 1 if result.ratio < 100 else 0}f}"
        rows.append(
            _line(
                (
                    result.name,
                    DATABASES.get(result.database, result.database),
                    result.figure,
                    result.baseline,
                    ratio,
                    result.goal_text,
                    met,
                )
            )
        )
    return "\n".join(rows)


def _module(name: str) -> str:
    short = name.removeprefix("bench.")
    if short not in BENCHMARKS:
        raise SystemExit(f"unknown benchmark {name!r}: choose from {', '.join(BENCHMARKS)}")
    return f"bench.{short}"


def main(argv: list[str] | None = None) -> None:
    """Run the benchmarks asked for and report them."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help=f"run only this benchmark (repeatable): {', '.join(BENCHMARKS)}",
    )
    parser.add_argument("names", nargs="*", help="the same as --only (e.g. bench.dispatch)")
    parser.add_argument("--json", type=Path, default=OUTPUT, help="where to write the results")
    args = parser.parse_args(argv)
    results: list[Result] = []
    for name in [_module(n) for n in (args.only or []) + args.names or BENCHMARKS]:
        results.extend(importlib.import_module(name).run())
    print(table(results))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "results": [result.as_json() for result in results],
    }
    args.json.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    print(f"written to {args.json}", file=sys.stderr)


if __name__ == "__main__":
    main()
