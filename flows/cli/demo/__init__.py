"""`jointaudit demo`: the story of a joint audit on the embedded SQLite default, step by step.

The story (story.py), its partnership and register (data.py) and simulated answers
(answers.py). May import the rest of flows/cli/, agencies/, flows/, notifications/ and
models/, as any command may; nothing outside flows/cli/ imports it.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import typer

from agencies.registry import list_agencies, load_registry_file
from flows.cli.common import console, done
from flows.cli.demo.data import synthetic_rows, write_register_csv
from flows.cli.demo.followup import progress_the_actions, set_front_sheet
from flows.cli.demo.story import (
    answer_round,
    board_report,
    headline,
    moderate,
    plan_actions,
    plan_the_year,
    reaudit_later,
)
from flows.cli.setup import init
from flows.reconcile.run import latest_findings
from flows.register.importer import import_case_file
from models.calendar import WorkingDayCalendar, london_date
from models.case import CasePublic
from models.case_query import list_cases, parse_where
from models.db import session_scope
from models.round_parameters import LaunchParameters, SelectionCriteria
from models.settings import get_settings
from models.types import utcnow

EXAMPLE_REGISTRY = Path(__file__).parents[3] / "agencies" / "example" / "agencies.yaml"
DEMO_ACTOR = "demo:coordinator"
DEMO_AGENCIES = ["police", "csc", "nhs-trust", "education", "probation"]


def _step(number: int, title: str) -> None:
    console.rule(f"[bold]{number}. {title}", align="left")


def demo(
    cases: int = typer.Option(240, "--cases", min=60, help="Size of the synthetic register."),
    seed: int = typer.Option(2026, "--seed", help="Seed of the register and the selection."),
) -> None:
    """Run a whole joint audit round by time travel, from launch to board report and re-audit."""
    from flows.dispatch.flow import dispatch_notifications
    from flows.orchestration import run_flow
    from flows.reconcile.flow import reconcile_round_flow
    from flows.rounds.flow import launch_round_flow

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
    today = london_date(utcnow())
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
    _step(4, "Launch a domestic abuse joint audit through Prefect: 18 cases, 5 agencies")
    due = WorkingDayCalendar.with_closures(settings.closure_days).add_working_days(today, 15)
    params = LaunchParameters(
        title="Domestic abuse joint audit",
        tool="domestic-abuse",
        agencies=DEMO_AGENCIES,
        criteria=SelectionCriteria(flags=["domestic_abuse"]),
        sample_size=18,
        quota_by="category",
        quotas={"CP": 4, "CIN": 8, "EH": 6},
        seed=seed,
        due_date=due,
        idempotency_key=f"demo:domestic-abuse:{seed}",
    )
    launched = run_flow(launch_round_flow(params=params))
    round_id = int(str(launched["round_id"]))
    done(
        f"Round {round_id} {'launched' if launched['created'] else 'already launched'}: "
        f"{launched['cases']} cases for each of {len(DEMO_AGENCIES)} agencies, due "
        f"{due:%A %d %B %Y}, seed {seed}"
    )
    _step(5, "Send the invitations (one per lead and deputy, never per case)")
    counts = run_flow(dispatch_notifications())
    outbox = settings.data_dir / "messages"
    done(f"{counts['sent']} messages sent through the `file` channel into {outbox}/")
    _step(6, "Agencies review their cases, each blind to the others (simulated)")
    answer_round(round_id, seed=seed, quality=0.72)
    _step(7, "Reconcile the perspectives (Prefect flow reconcile-round)")
    run_flow(reconcile_round_flow(round_id=round_id))
    with session_scope() as session:
        headline(latest_findings(session=session, round_id=round_id))
    _step(8, "Moderation meeting: agree the case-level answers where agencies differed")
    resolved = moderate(round_id)
    run_flow(reconcile_round_flow(round_id=round_id))
    with session_scope() as session:
        headline(latest_findings(session=session, round_id=round_id))
    done(f"{resolved} discrepancies resolved at the meeting")
    _step(9, "Draft, complete and approve the joint action plan")
    plan_actions(round_id)
    _step(10, "Plan the year: the audit programme launches rounds by itself")
    plan_the_year(settings.data_dir, today)
    _step(11, "Three months later: the owners report progress on the actions")
    progress_the_actions(round_id, now=utcnow() + timedelta(days=90))
    _step(12, "Six months later: re-audit using the same parameters")
    reaudit_id = reaudit_later(round_id, seed=seed)
    _step(13, "The board report, with the change since the baseline")
    set_front_sheet(now=utcnow())
    board_report(reaudit_id, settings.data_dir / "reports")
    console.print(
        f"\nDemo finished in {time.monotonic() - started:.1f} s. Try `jointaudit round "
        f"show {round_id}`, `jointaudit round findings {round_id}`, `jointaudit round "
        f"actions {round_id}` or `jointaudit notify list`."
    )


def _summarise_register(active: list[CasePublic], today: date) -> None:
    categories = Counter(c.category for c in active)
    flags = Counter(flag for c in active for flag in c.flags)
    console.print(
        f"  Register on {today:%d %B %Y}: {len(active)} active cases; "
        + ", ".join(f"{k} {v}" for k, v in sorted(categories.items()))
    )
    console.print("  Most common flags: " + ", ".join(f"{k} {v}" for k, v in flags.most_common(4)))
