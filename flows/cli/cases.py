"""`jointaudit cases`: import the case register, list cases, reveal an identity (audited)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from flows.cli.common import JSON_HELP, cli_actor, console, done, print_json, print_table
from flows.register.importer import import_case_file
from flows.register.store import reveal_identity
from models.case_query import FILTER_KEYS, count_cases, list_cases, parse_where
from models.crypto import load_cipher
from models.db import session_scope
from models.errors import ImportFileError
from models.settings import get_settings
from models.types import utcnow

cases_app = typer.Typer(
    help="The case register: pseudonymised cases used for sampling.", no_args_is_help=True
)

WHERE_HELP = (
    f"Filter KEY=VALUE[,VALUE] (repeatable; keys: {', '.join(FILTER_KEYS)}), "
    "e.g. --where flag=domestic_abuse --where category=CP,CIN"
)


@cases_app.command("import")
def import_(
    file: Path = typer.Argument(
        ..., help="Register extract: CSV (UTF-8) or XLSX, header row first."
    ),
    as_json: bool = typer.Option(
        False, "--json", help="Print the import summary, or the file's problems, as JSON."
    ),
) -> None:
    """Import a full register extract: all rows or none; cases missing from it become inactive."""
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True, disable=as_json) as bar:
        tasks: dict[str, TaskID] = {}

        def report(phase: str, done_: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(phase, total=total)
            bar.update(tasks[phase], completed=done_, total=total)

        try:
            with session_scope() as session:
                summary = import_case_file(
                    session=session,
                    path=file,
                    settings=get_settings(),
                    actor=cli_actor(),
                    now=utcnow(),
                    progress=report,
                )
        except ImportFileError as error:
            if not as_json:
                raise
            errors = [{"where": p.where, "message": p.message} for p in error.problems]
            count = len(errors) + error.omitted
            print_json({"imported": False, "file": str(file), "problems": count, "errors": errors})
            raise typer.Exit(1) from None
    if as_json:
        print_json(summary.__dict__)
        return
    done(
        f"{file}: {summary.rows} rows; {summary.created} new, {summary.updated} updated, "
        f"{summary.unchanged} unchanged, {summary.deactivated} marked inactive "
        f"(import batch {summary.batch_id})"
    )


@cases_app.command("list")
def list_(
    where: list[str] = typer.Option([], "--where", help=WHERE_HELP),
    limit: int = typer.Option(200, "--limit", help="Show at most this many (0: all)."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """List cases by their sampling attributes; identifying details are never shown."""
    criteria = parse_where(where)
    with session_scope() as session:
        cases = list_cases(session=session, where=criteria, limit=limit or None)
        total = count_cases(session=session, where=criteria)
    if as_json:
        print_json([c.model_dump(mode="json") for c in cases])
        return
    rows = [
        (
            c.case_ref,
            c.category,
            c.age_band,
            c.gender,
            c.ethnicity,
            c.referral_date,
            ", ".join(c.flags),
            ", ".join(c.agencies),
            "" if c.active else "inactive",
        )
        for c in cases
    ]
    title = f"{total} cases" + (f" (first {len(cases)})" if len(cases) < total else "")
    print_table(
        title,
        ("Case", "Category", "Age", "Gender", "Ethnicity", "Referred", "Flags", "Agencies", ""),
        rows,
    )


@cases_app.command("identity")
def identity(
    case_ref: str = typer.Argument(..., help="The case reference."),
    reason: str = typer.Option(..., "--reason", help="Why you need it (kept in the audit log)."),
) -> None:
    """Show a case's identifying details to the coordinator; recorded in the audit log."""
    settings = get_settings()
    with session_scope() as session:
        details = reveal_identity(
            session=session,
            case_ref=case_ref,
            cipher=load_cipher(settings),
            actor=cli_actor(),
            reason=reason,
            now=utcnow(),
        )
    rows = [
        ("Name", details.child_name),
        ("Date of birth", details.date_of_birth),
        ("NHS number", details.nhs_number),
    ]
    rows += [(f"Reference ({code})", ref) for code, ref in sorted(details.references.items())]
    print_table(
        f"Identifying details for {case_ref} (this view is in the audit log)", ("", ""), rows
    )
