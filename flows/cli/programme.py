"""`jointaudit programme load | show | launch-due`."""

from __future__ import annotations

from pathlib import Path

import typer

from flows.cli.common import JSON_HELP, cli_actor, done, print_json, print_table
from flows.cli.round import NOW_HELP
from flows.programme.store import launch_due_rounds, load_programme, programme_status
from models.db import session_scope
from models.errors import InputError
from models.settings import get_settings
from models.types import parse_now, utcnow

programme_app = typer.Typer(help="The year's audit programme.", no_args_is_help=True)


@programme_app.command("load")
def load(file: Path = typer.Argument(..., help="Programme YAML file (see README).")) -> None:
    """Validate a programme file and replace the rounds not yet launched (all or nothing)."""
    with session_scope() as session:
        count = load_programme(
            session=session, path=file, settings=get_settings(), now=utcnow(), actor=cli_actor()
        )
    done(f"{file}: {count} planned rounds loaded")


@programme_app.command("show")
def show(
    now: str | None = typer.Option(None, "--now", help=NOW_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Planned, launched, late to launch and completed rounds, with response rates."""
    with session_scope() as session:
        rows = programme_status(session=session, now=parse_now(now))
    if as_json:
        print_json([row.model_dump(mode="json") for row in rows])
        return
    print_table(
        "Audit programme",
        ("Key", "Theme", "Launch", "Status", "Round", "Responses", "Headline"),
        [
            (r.key, r.theme, r.launch_date, r.status, r.round_id, r.response_rate, r.headline)
            for r in rows
        ],
    )


@programme_app.command("launch-due")
def launch_due(now: str | None = typer.Option(None, "--now", help=NOW_HELP)) -> None:
    """Launch the planned rounds due now (the scheduled flow does this every working day)."""
    with session_scope() as session:
        launched = launch_due_rounds(
            session=session, now=parse_now(now), settings=get_settings(), actor=cli_actor()
        )
    done(
        f"{len(launched)} planned rounds launched"
        + "".join(f"; {key} as round {rid}" for key, rid in launched)
    )


@programme_app.command("review")
def review(
    quarter: str | None = typer.Option(None, "--quarter", help="e.g. 2026Q3 (default: last)."),
    out: Path = typer.Option(Path("reviews"), "--out", help="Folder for the files."),
    formats: str = typer.Option("html,md,docx", "--format", help="html, md and/or docx."),
) -> None:
    """Write the quarterly review for the quality-assurance subgroup."""
    from flows.programme.review import previous_quarter, quarterly_review
    from flows.programme.review_files import FORMATS, write_review

    kinds = [k.strip() for k in formats.split(",") if k.strip()]
    unknown = [k for k in kinds if k not in FORMATS]
    if unknown:
        raise InputError(f"--format {', '.join(unknown)}: use {', '.join(FORMATS)}")
    with session_scope() as session:
        built = quarterly_review(
            session=session, quarter=quarter or previous_quarter(utcnow().date())
        )
    for path in write_review(built, out, kinds):
        done(str(path))
