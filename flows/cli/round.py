"""`jointaudit round`: launch, list, show and re-audit rounds."""

from __future__ import annotations

import secrets
from datetime import date
from pathlib import Path
from typing import Any

import typer

from flows.cli.common import (
    JSON_HELP,
    console,
    done,
    print_json,
    print_table,
    use_tool_folders,
)
from flows.cli.named import MIXED, launch_here, located, named_due_date, read_named_cases
from flows.rounds.launch import plan_launch
from flows.rounds.views import get_round, list_rounds, round_detail
from models.case_query import parse_where
from models.db import session_scope
from models.errors import ImportFileError, InputError
from models.round_parameters import (
    ChaseOverrides,
    LaunchParameters,
    SelectionCriteria,
    parse_quota,
)
from models.settings import get_settings
from models.types import parse_now, utcnow

round_app = typer.Typer(
    help="Joint audit rounds: launch, follow, change, re-audit.", no_args_is_help=True
)

NOW_HELP = "Pretend it is this moment (ISO 8601), for what-ifs and tests."


def _print_selection(explanation: dict[str, Any]) -> None:
    print_table(
        "How the cases were chosen",
        ("Criterion", "Cases left"),
        [(step["criterion"], step["remaining"]) for step in explanation["funnel"]],
    )
    print_table(
        f"Strata ({explanation['balanced_by'] or 'no balancing'})",
        ("Stratum", "Eligible", "Wanted", "Picked"),
        [(s["stratum"], s["eligible"], s["wanted"], s["picked"]) for s in explanation["strata"]],
    )


@round_app.command("launch")
def launch(
    tool: str = typer.Option(..., "--tool", help="Audit tool, e.g. domestic-abuse."),
    agencies: str = typer.Option(..., "--agencies", help="Agency codes, comma-separated."),
    sample: int | None = typer.Option(None, "--sample", help="How many cases (required)."),
    due: date | None = typer.Option(
        None,
        "--due",
        formats=["%Y-%m-%d"],
        help="Due date, a working day (required; named cases: 5 working days by default).",
    ),
    named_cases: Path | None = typer.Option(
        None,
        "--named-cases",
        help="Inspection mode: a file of case references, one per line, audited instead of a "
        "sample (no --where, --sample or balancing).",
        exists=True,
        dir_okay=False,
    ),
    where: list[str] = typer.Option([], "--where", help="Criteria KEY=VALUE[,VALUE], repeatable."),
    tools_dir: list[Path] = typer.Option(
        [],
        "--tools-dir",
        help="A folder of the partnership's own tools (besides JOINTAUDIT_TOOL_DIRS).",
        exists=True,
        file_okay=False,
    ),
    referred_from: date | None = typer.Option(
        None, formats=["%Y-%m-%d"], help="Referred on or after."
    ),
    referred_to: date | None = typer.Option(None, formats=["%Y-%m-%d"], help="Referred by."),
    min_agencies: int = typer.Option(0, help="At least K participating agencies involved."),
    exclude_audited_months: int = typer.Option(0, help="Skip cases audited in N months."),
    stratify_by: str | None = typer.Option(None, help="Balance on category, age_band, ..."),
    quota: str | None = typer.Option(None, help="Explicit quotas, e.g. category=CP:4,CIN:8,EH:6"),
    seed: int | None = typer.Option(None, help="Selection seed (generated and printed if absent)."),
    title: str | None = typer.Option(None, help="Round title."),
    allow_fewer: bool = typer.Option(False, "--allow-fewer", help="Proceed with fewer cases."),
    reminder_days: int | None = typer.Option(None, help="Reminder N working days before due."),
    escalate_after: int | None = typer.Option(None, help="Escalate N working days overdue."),
    idempotency_key: str | None = typer.Option(None, help="Re-running with it launches once."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show the selection; create nothing."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Select the cases and launch a round: every agency audits the same cases."""
    if tools_dir:
        use_tool_folders(tools_dir)
    case_list, extra = "", {}
    if named_cases is not None:
        chosen = (where, sample, stratify_by, quota, referred_from, referred_to, min_agencies)
        if any(chosen) or exclude_audited_months:
            raise InputError(MIXED)
        case_list, sample = read_named_cases(named_cases)
        due = due or named_due_date()
        extra = {"named_cases": True}
    if sample is None or due is None:
        raise InputError("give --sample and --due (or --named-cases FILE)")
    quota_by, quotas = parse_quota(quota) if quota else (None, {})
    criteria = SelectionCriteria.from_filter(
        parse_where(where),
        referral_from=referred_from,
        referral_to=referred_to,
        min_agencies_involved=min_agencies,
        exclude_audited_within_months=exclude_audited_months,
    )
    seed = seed if seed is not None else secrets.randbelow(10**9)
    try:
        params = LaunchParameters(
            title=title or f"{tool} joint audit, {utcnow():%B %Y}",
            tool=tool,
            sample_size=sample,
            agencies=[a.strip() for a in agencies.split(",") if a.strip()],
            criteria=criteria,
            stratify_by=stratify_by,
            quota_by=quota_by,
            quotas=quotas,
            seed=seed,
            due_date=due,
            allow_fewer=allow_fewer,
            idempotency_key=idempotency_key,
            chase=ChaseOverrides(
                reminder_days_before_due=reminder_days, escalate_after_days_overdue=escalate_after
            ),
            **extra,
        )
    except ValueError as error:
        raise InputError(str(error).replace("\n", " ")) from None
    try:
        launch_parameters(params, seed=seed, dry_run=dry_run, as_json=as_json, case_list=case_list)
    except ImportFileError as error:
        raise located(error, named_cases) if named_cases else error from None


def launch_parameters(
    params: LaunchParameters, *, seed: int, dry_run: bool, as_json: bool, case_list: str = ""
) -> None:
    """Dry-run in-process, or launch through the Prefect flow (named cases: in-process); print
    the outcome.

    A launch plans once, inside the flow, with these checked parameters and seed: the flow's
    errors are the dry run's errors.
    """
    if dry_run:
        with session_scope() as session:
            plan = plan_launch(
                session=session,
                params=params,
                seed=seed,
                now=utcnow(),
                settings=get_settings(),
                case_list=case_list,
            )
            refs = sorted(p.case_ref for p in plan.selection.picks)
            explanation = plan.explanation()
        if as_json:
            print_json({"seed": seed, "case_refs": refs, "selection": explanation})
            return
        _print_selection(explanation)
        done(f"Dry run: {len(refs)} cases would be selected with seed {seed}; nothing created")
        return
    if case_list:
        round_id, created, invitations = launch_here(params, seed=seed, case_list=case_list)
    else:
        from flows.orchestration import run_flow
        from flows.rounds.flow import launch_round_flow  # imports Prefect: only when launching

        summary = run_flow(launch_round_flow(params=params))
        round_id = int(str(summary["round_id"]))
        created, invitations = bool(summary["created"]), int(str(summary["invitations"]))
    with session_scope() as session:
        round_ = get_round(session=session, round_id=round_id)
        detail = round_detail(session=session, round_id=round_.id or 0, now=utcnow())
    refs = sorted({a.case_ref for a in detail.assignments})
    if as_json:
        print_json(
            {
                "round_id": round_.id,
                "seed": round_.seed,
                "case_refs": refs,
                "created": created,
                "selection": round_.selection,
            }
        )
        return
    _print_selection(round_.selection)
    verb = "Launched" if created else "Already launched (same idempotency key):"
    done(
        f'{verb} round {round_.id} "{round_.title}": {len(refs)} cases x '
        f"{detail.agencies} agencies, due {round_.due_date:%d %B %Y}, seed {round_.seed}; "
        f"{invitations} invitations queued"
    )


@round_app.command("list")
def list_(as_json: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    """List rounds, newest first."""
    with session_scope() as session:
        rounds = list_rounds(session=session)
    if as_json:
        print_json([r.model_dump(mode="json") for r in rounds])
        return
    print_table(
        f"{len(rounds)} rounds",
        ("Round", "Title", "Status", "Tool", "Due", "Cases", "Agencies", "Answered"),
        [
            (
                r.round_id,
                r.title,
                r.status,
                r.tool,
                r.due_date,
                r.cases,
                r.agencies,
                f"{r.answered} of {r.assignment_count}",
            )
            for r in rounds
        ],
    )


@round_app.command("show")
def show(
    round_id: int = typer.Argument(..., help="Round number."),
    now: str | None = typer.Option(None, "--now", help=NOW_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Show a round: progress per agency (submitted, in progress, not started, overdue)."""
    with session_scope() as session:
        detail = round_detail(session=session, round_id=round_id, now=parse_now(now))
    if as_json:
        print_json(detail.model_dump(mode="json"))
        return
    console.print(
        f"[bold]Round {detail.round_id}: {detail.title}[/bold] ({detail.status}); "
        f"tool {detail.tool}@{detail.tool_version}; due {detail.due_date:%d %B %Y}; "
        f"seed {detail.seed}; {detail.cases} cases"
    )
    print_table(
        "Progress",
        ("Agency", "Due", "Submitted", "In progress", "Not started", "Not known", "Overdue", ""),
        [
            (
                p.agency,
                p.due_date,
                p.submitted,
                p.in_progress,
                p.not_started,
                p.not_known,
                p.overdue,
                "" if p.status == "active" else p.status,
            )
            for p in detail.progress
        ],
    )
    if detail.chase_history:
        print_table(
            "Chase history",
            ("Message", "Step", "Person", "Status", "Queued", "Sent"),
            [
                (c.template, c.step, c.person_id or "", c.status, c.created_at, c.sent_at or "")
                for c in detail.chase_history
            ],
        )


@round_app.command("reaudit")
def reaudit(
    round_id: int = typer.Argument(..., help="The baseline round."),
    due: date = typer.Option(..., "--due", formats=["%Y-%m-%d"], help="Due date."),
    same_cases: bool = typer.Option(False, "--same-cases", help="Audit the very same cases."),
    same_tool_version: bool = typer.Option(
        False, "--same-tool-version", help="Keep the baseline's tool version."
    ),
    seed: int | None = typer.Option(None, help="Selection seed (fresh by default)."),
    title: str | None = typer.Option(None, help="Title (default: the baseline's + re-audit)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show the selection; create nothing."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Launch a re-audit "using the same parameters" as an earlier round, linked to it."""
    from flows.rounds.reaudit import reaudit_parameters

    seed = seed if seed is not None else secrets.randbelow(10**9)
    with session_scope() as session:
        params = reaudit_parameters(
            session=session,
            baseline_id=round_id,
            due=due,
            seed=seed,
            same_cases=same_cases,
            same_tool_version=same_tool_version,
            title=title,
        )
    launch_parameters(params, seed=seed, dry_run=dry_run, as_json=as_json)
