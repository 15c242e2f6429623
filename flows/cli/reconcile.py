"""`jointaudit round reconcile | findings | moderate | moderate-answer`."""

from __future__ import annotations

from datetime import date

import typer

from flows.cli.common import JSON_HELP, cli_actor, console, done, print_json, print_table
from flows.reconcile.findings import Findings
from flows.reconcile.run import latest_findings, moderate_answer, reconcile_round, record_meeting
from flows.report.words import concern_states
from models.db import session_scope
from models.types import utcnow

ROUND = typer.Argument(..., help="Round number.")


def reconcile_command(round_id: int = ROUND) -> None:
    """Compute the round's findings now (also done by the daily reconcile-due-rounds flow)."""
    with session_scope() as session:
        findings = reconcile_round(
            session=session, round_id=round_id, now=utcnow(), actor=cli_actor()
        )
    done(
        f"Round {round_id} reconciled: {len(findings.discrepancies)} discrepancies for the "
        f"moderation meeting; see `jointaudit round findings {round_id}`"
    )


def _print_findings(findings: Findings) -> None:
    state = "PROVISIONAL until moderation is recorded" if findings.provisional else "moderated"
    console.print(f"[bold]Round {findings.round_id} findings[/bold] ({state})")
    console.print(
        f"Immediate concerns: {findings.concerns.get('total', 0)}"
        + (f" ({concern_states(findings.concerns)})" if findings.concerns.get("total") else "")
        + ". Not known to the agency: "
        + ", ".join(f"{a} {n}" for a, n in findings.not_known.items())
    )
    agencies = sorted(findings.responses)
    rows = []
    for q in findings.questions:
        case = q.case_level.label if q.case_level else ""
        if q.case_level and q.case_level_provisional:
            case += " (provisional)"
        rows.append(
            (
                q.id,
                "shared" if q.shared else "own",
                case,
                *(q.by_agency[a].label if a in q.by_agency else "" for a in agencies),
            )
        )
    print_table(
        "Compliance: x% (n:d), N/A and not known excluded",
        ("Question", "", "Case level", *agencies),
        rows,
    )
    print_table(
        "Agreement on shared questions (ordered scales: AC2 with ordinal weights, ordinal alpha)",
        ("Question", "Agreement", "Gwet AC1/AC2", "Alpha", "n"),
        [
            (
                q.id,
                *(f"{f.value:.2f}" if f.value is not None else "-" for f in q.agreement.values()),
                q.agreement["percent_agreement"].n_units,
            )
            for q in findings.questions
            if q.agreement
        ],
    )
    print_table(
        f"Discrepancies ({len(findings.discrepancies)}), the meeting's agenda",
        ("Case", "Question", "Answers", "Resolved"),
        [
            (
                d.case_ref,
                d.question_id,
                ", ".join(f"{a}: {v}" for a, v in d.answers.items()),
                "yes" if d.resolved else "",
            )
            for d in findings.discrepancies[:50]
        ],
    )


def findings_command(
    round_id: int = ROUND,
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Print the latest findings: concerns, compliance, agreement, discrepancies."""
    with session_scope() as session:
        findings = latest_findings(session=session, round_id=round_id)
    if as_json:
        print_json(findings.model_dump(mode="json"))
        return
    _print_findings(findings)


def moderate_command(
    round_id: int = ROUND,
    held_on: date = typer.Option(..., "--held-on", formats=["%Y-%m-%d"], help="Meeting date."),
    attendee: list[str] = typer.Option(..., "--attendee", help="Agency present (repeatable)."),
    notes: str = typer.Option("", "--notes", help="Meeting notes."),
) -> None:
    """Record the moderation meeting (date, agencies present, notes)."""
    with session_scope() as session:
        record_meeting(
            session=session,
            round_id=round_id,
            held_on=held_on,
            attendees=attendee,
            notes=notes,
            now=utcnow(),
            actor=cli_actor(),
        )
    done(
        f"Round {round_id}: moderation meeting of {held_on:%d %B %Y} recorded; reconcile again "
        "to see moderated figures"
    )


def moderate_answer_command(
    round_id: int = ROUND,
    case_ref: str = typer.Argument(..., help="The case."),
    question_id: str = typer.Argument(..., help="A shared question's id."),
    value: str = typer.Argument(..., help="The agreed answer, e.g. yes, partly, good, 7."),
    resolution: str | None = typer.Option(None, "--resolution", help="How it was resolved."),
) -> None:
    """Record the agreed case-level answer to a shared question."""
    with session_scope() as session:
        moderate_answer(
            session=session,
            round_id=round_id,
            case_ref=case_ref,
            question_id=question_id,
            value=value,
            resolution=resolution,
            now=utcnow(),
            actor=cli_actor(),
        )
    done(f"Round {round_id}: {case_ref} {question_id} agreed as {value}")


def register_reconcile_commands(app: typer.Typer) -> None:
    """Add reconciliation and moderation commands to `jointaudit round`."""
    app.command("reconcile")(reconcile_command)
    app.command("findings")(findings_command)
    app.command("moderate")(moderate_command)
    app.command("moderate-answer")(moderate_answer_command)
