"""Run every benchmark and print one table of figures and ratios."""

from __future__ import annotations

import argparse
import importlib

from rich.console import Console
from rich.table import Table

BENCHMARKS = (
    "bench.case_import",
    "bench.launch",
    "bench.dispatch",
    "bench.agreement",
    "bench.reconcile",
    "bench.chase",
    "bench.api",
)


def main() -> None:
    """Run the benchmarks named on the command line (all by default)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("names", nargs="*", help="benchmark modules, e.g. bench.case_import")
    args = parser.parse_args()
    table = Table(title="jointaudit benchmarks", title_justify="left")
    for column in ("benchmark", "database", "figure", "baseline", "ratio"):
        table.add_column(column)
    for name in args.names or BENCHMARKS:
        for row in importlib.import_module(name).run():
            table.add_row(*row)
    Console().print(table)


if __name__ == "__main__":
    main()
