"""`jointaudit demo`: the story of a joint audit on the embedded SQLite default, step by step."""

from __future__ import annotations

import time
from collections import Counter
from datetime import date
from pathlib import Path

import typer

from agencies.registry import list_agencies, load_registry_file
from flows.cli_common import console, done
from flows.cli_setup import init
from flows.demo_data import synthetic_rows, write_register_csv
from models.case_query import list_cases, parse_where
from models.db import session_scope
from models.register_import import import_case_file
from models.settings import get_settings
from models.types import utcnow

EXAMPLE_REGISTRY = Path(__file__).parents[1] / "agencies" / "example" / "agencies.yaml"
DEMO_ACTOR = "demo:coordinator"


def _step(number: int, title: str) -> None:
    console.rule(f"[bold]{number}. {title}", align="left")


def demo(
    cases: int = typer.Option(240, "--cases", min=20, help="Size of the synthetic register."),
    seed: int = typer.Option(2026, "--seed", help="Seed of the synthetic register."),
    skip_prefect: bool = typer.Option(
        False, "--skip-prefect", help="Do not run the Prefect flow step (faster)."
    ),
) -> None:
    """Run the demo: set up, load the example partnership, import a synthetic register."""
    started = time.monotonic()
    settings = get_settings()
    _step(1, "Set up the database and the key for identifying details")
    init()
    _step(2, "Load the example partnership's agencies")
    with session_scope() as session:
        summary = load_registry_file(
            session=session, path=EXAMPLE_REGISTRY, actor=DEMO_ACTOR, now=utcnow()
        )
        agencies = list_agencies(session=session)
    done(
        f"{len(agencies)} agencies: "
        + ", ".join(a.code for a in agencies)
        + ("" if summary.changed else " (already loaded)")
    )
    _step(3, f"Import a synthetic case register of {cases} fictional children")
    today = utcnow().date()
    register = write_register_csv(
        settings.data_dir / "demo" / "register.csv",
        synthetic_rows(count=cases, seed=seed, agencies=[a.code for a in agencies], today=today),
    )
    with session_scope() as session:
        imported = import_case_file(
            session=session, path=register, settings=settings, actor=DEMO_ACTOR, now=utcnow()
        )
        active = list_cases(session=session, where=parse_where([]))
    done(
        f"{register}: {imported.created} new, {imported.updated} updated, "
        f"{imported.unchanged} unchanged, {imported.deactivated} marked inactive"
    )
    _summarise_register(active, today)
    if not skip_prefect:
        _step(4, "Run the same import as a Prefect flow (a re-run changes nothing)")
        from flows.register_import_flow import import_case_register

        counts = import_case_register(path=str(register))
        done(
            f"Prefect flow import-case-register: {counts['unchanged']} unchanged, "
            f"{counts['created']} new: imports are idempotent"
        )
    console.print(
        f"\nDemo finished in {time.monotonic() - started:.1f} s. Try "
        "`jointaudit cases list --where flag=domestic_abuse --where category=CP` or "
        "`jointaudit agencies list`."
    )


def _summarise_register(active: list, today: date) -> None:  # type: ignore[type-arg]
    categories = Counter(c.category for c in active)
    flags = Counter(flag for c in active for flag in c.flags)
    console.print(
        f"  Register on {today:%d %B %Y}: {len(active)} active cases; "
        + ", ".join(f"{k} {v}" for k, v in sorted(categories.items()))
    )
    console.print("  Most common flags: " + ", ".join(f"{k} {v}" for k, v in flags.most_common(4)))
