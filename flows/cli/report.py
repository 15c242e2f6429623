"""`jointaudit round report | export`: the board report and the pseudonymised answers;
`jointaudit report front-sheet | commentary`: the report's front sheet and narrative."""

from __future__ import annotations

from pathlib import Path

import typer

from flows.answers.export import export_answers
from flows.cli.common import cli_actor, done, print_json, print_table
from flows.report.data import build_report
from flows.report.settings import set_report_texts
from flows.report.write import parse_formats, write_report
from flows.retention.archive import export_round_zip
from flows.rounds.views import get_round
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
                    _short(r.finding or r.text),
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


def _short(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


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


report_app = typer.Typer(
    help="The board report's front sheet and commentary.", no_args_is_help=True
)
TEXT_HELP = "Markdown-lite: paragraphs, - lists, *emphasis*, **strong**; '' clears it."


def _store(round_id: int | None, values: dict[str, str | None]) -> None:
    given = {k.replace("-", "_"): v for k, v in values.items() if v is not None}
    if not given:
        raise InputError("nothing to change: give at least one option (see --help)")
    with session_scope() as session:
        if round_id is not None:
            get_round(session=session, round_id=round_id)
        changed = set_report_texts(
            session=session, round_id=round_id, values=given, now=utcnow(), actor=cli_actor()
        )
    where = f"Round {round_id}" if round_id is not None else "Partnership defaults"
    done(f"{where}: " + (", ".join(changed) + " changed" if changed else "nothing changed"))


@report_app.command("front-sheet")
def front_sheet_command(
    round_id: int | None = typer.Argument(
        None, help="Round number; leave out with --defaults for every round."
    ),
    defaults: bool = typer.Option(False, "--defaults", help="Set the partnership's defaults."),
    meeting: str | None = typer.Option(None, "--meeting", help="The meeting the report is for."),
    meeting_date: str | None = typer.Option(None, "--date", help="Meeting date, YYYY-MM-DD."),
    item_number: str | None = typer.Option(None, "--item", help="Item number on the agenda."),
    title: str | None = typer.Option(None, "--title", help="The report's title."),
    authorised_by: str | None = typer.Option(None, "--authorised-by", help="Name, role."),
    lead_officer: str | None = typer.Option(None, "--lead-officer", help="Name, role."),
    wards: str | None = typer.Option(None, "--wards", help="Ward(s) affected."),
    decision_type: str | None = typer.Option(None, "--decision", help="e.g. Non-key decision."),
) -> None:
    """Set the front sheet of a round's board report (or the partnership's defaults)."""
    if (round_id is None) != defaults:
        raise InputError("give a round number, or --defaults for the partnership's defaults")
    _store(
        round_id,
        {
            "meeting": meeting,
            "meeting_date": meeting_date,
            "item_number": item_number,
            "title": title,
            "authorised_by": authorised_by,
            "lead_officer": lead_officer,
            "wards": wards,
            "decision_type": decision_type,
        },
    )


@report_app.command("commentary")
def commentary_command(
    round_id: int = ROUND,
    section: str = typer.Argument(
        ..., help="issue, findings, actions, impact, or highlight:QUESTION to annotate one."
    ),
    text: str = typer.Argument(..., help=TEXT_HELP),
) -> None:
    """Write the coordinator's narrative for a section, or a note on a highlight."""
    _store(round_id, {section: text})


def register_report_commands(app: typer.Typer) -> None:
    """Add the report and export commands to `jointaudit round`."""
    app.command("report")(report_command)
    app.command("export")(export_command)
