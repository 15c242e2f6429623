"""`jointaudit round report | export`: the board report and the pseudonymised answers."""

from __future__ import annotations

from pathlib import Path

import typer

from flows.answers.export import export_answers
from flows.cli.common import cli_actor, done, print_json, print_table
from flows.report.data import build_report
from flows.report.write import parse_formats, write_report
from flows.retention.archive import export_round_zip
from models.db import session_scope
from models.errors import InputError
from models.types import utcnow

ROUND = typer.Argument(..., help="Round number.")
OUT = typer.Option(Path("."), "--out", help="Directory to write into.")


def report_command(
    round_id: int = ROUND,
    out: Path = OUT,
    formats: str = typer.Option("html,md", "--format", help="Any of html,md,docx,pdf."),
    as_json: bool = typer.Option(False, "--json", help="Print the report's data as JSON."),
    free_text: bool = typer.Option(
        True, "--free-text/--no-free-text", help="Include auditors' free-text comments."
    ),
) -> None:
    """Write the board report (figures, highlights, re-audit comparison, action plan)."""
    wanted = [] if as_json else parse_formats(formats)
    with session_scope() as session:
        report = build_report(
            session=session,
            round_id=round_id,
            today=utcnow().date(),
            charts=not as_json,
            free_text=free_text,
        )
    if as_json:
        print_json(report.model_dump(mode="json"))
        return
    written = write_report(report, out, wanted)
    if report.comparison and report.comparison.rows:
        print_table(
            f"Against baseline round {report.comparison.baseline_round_id}",
            ("Question", "Baseline", "Re-audit", "Change", "", "Caution"),
            [
                (
                    r.id,
                    r.baseline.label,
                    r.current.label,
                    f"{r.change_points:+d}",
                    r.direction,
                    r.caution or "",
                )
                for r in report.comparison.rows
            ],
        )
    done(f"Round {round_id} board report: " + ", ".join(str(p) for p in written))


def export_command(
    round_id: int = ROUND,
    out: Path = OUT,
    formats: str = typer.Option(
        "csv,xlsx", "--format", help="Any of csv,xlsx (answers) and zip (everything)."
    ),
) -> None:
    """Export a round, pseudonymised: its answers (csv, xlsx), or everything about it (zip)."""
    wanted = [f.strip().lower() for f in formats.split(",") if f.strip()]
    unknown = sorted(set(wanted) - {"csv", "xlsx", "zip"})
    if unknown or not wanted:
        raise InputError(f"unknown export format {', '.join(unknown) or '(none)'}: csv, xlsx, zip")
    with session_scope() as session:
        written = export_answers(
            session=session,
            round_id=round_id,
            out_dir=out,
            formats=[f for f in wanted if f != "zip"],
        )
        if "zip" in wanted:
            written.append(
                export_round_zip(
                    session=session, round_id=round_id, out_dir=out, now=utcnow(), actor=cli_actor()
                )
            )
    done(f"Round {round_id}: " + ", ".join(str(p) for p in written))


def register_report_commands(app: typer.Typer) -> None:
    """Add the report and export commands to `jointaudit round`."""
    app.command("report")(report_command)
    app.command("export")(export_command)
