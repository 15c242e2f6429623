"""`jointaudit agencies`: load the agency registry, list agencies."""

from __future__ import annotations

from pathlib import Path

import typer

from agencies.registry import list_agencies, load_registry_file
from flows.cli.common import JSON_HELP, cli_actor, console, done, print_json, print_table
from models.db import session_scope
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
