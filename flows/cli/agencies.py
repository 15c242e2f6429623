"""`jointaudit agencies`: load, list and export the agency registry; deactivate an agency."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from agencies.registry import list_agencies, load_registry_file
from agencies.registry_edit import deactivate_agency
from agencies.registry_export import export_registry
from flows.cli.common import JSON_HELP, cli_actor, console, done, print_json, print_table
from models.db import session_scope
from models.errors import NotFoundError
from models.types import utcnow

agencies_app = typer.Typer(
    help="The partnership's agencies and their contacts.", no_args_is_help=True
)


@agencies_app.command("load")
def load(
    file: Path = typer.Argument(..., help="Agency registry YAML file (see README)."),
) -> None:
    """Validate a registry file and upsert the partnership, agencies and contacts."""
    with session_scope() as session:
        summary = load_registry_file(session=session, path=file, actor=cli_actor(), now=utcnow())
    if not summary.changed:
        done(f"{file}: no changes (the registry was already loaded)")
        return
    done(
        f"{file}: {summary.agencies_created} agencies created, {summary.agencies_updated} "
        f"updated, {summary.agencies_deactivated} deactivated, {summary.people_created} "
        "people added"
    )


@agencies_app.command("list")
def list_(
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
    all_: bool = typer.Option(False, "--all", help="Include inactive agencies."),
) -> None:
    """List agencies with their lead, deputy and escalation contacts."""
    with session_scope() as session:
        agencies = list_agencies(session=session, include_inactive=all_)
    if as_json:
        print_json([a.model_dump(mode="json") for a in agencies])
        return
    if not agencies:
        console.print("No agencies yet: run `jointaudit agencies load FILE`.")
        return
    rows = []
    for agency in agencies:
        by_role = {c.role.value: c.name for c in agency.contacts}
        rows.append(
            (
                agency.code,
                agency.name,
                by_role.get("lead"),
                by_role.get("deputy"),
                by_role.get("escalation"),
                "" if agency.active else "inactive",
            )
        )
    print_table(
        f"{len(agencies)} agencies", ("Code", "Name", "Lead", "Deputy", "Escalation", ""), rows
    )


@agencies_app.command("export")
def export(
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write the file here instead of on standard output."
    ),
) -> None:
    """Write the current registry as a file that `agencies load` takes back unchanged."""
    with session_scope() as session:
        text = export_registry(session=session, actor=cli_actor(), now=utcnow())
    if text is None:
        raise NotFoundError("no active agency yet: run `jointaudit agencies load FILE`")
    if output is None:
        sys.stdout.write(text)
        return
    output.write_text(text, encoding="utf-8")
    done(f"{output}: the registry was written")


@agencies_app.command("deactivate")
def deactivate(code: str = typer.Argument(..., help="The agency's code.")) -> None:
    """Deactivate an agency: its contacts lose their access to its cases in every round."""
    with session_scope() as session:
        name = deactivate_agency(session=session, code=code, actor=cli_actor(), now=utcnow()).name
    done(f"{name} was deactivated: its contacts no longer have access")
