"""`jointaudit init` and `jointaudit status`: create or upgrade the database, show its state."""

from __future__ import annotations

import typer
from sqlalchemy import func, select
from sqlmodel import Session, col

from flows.cli.common import JSON_HELP, console, done, print_json, print_table
from models.agency import Agency
from models.case import Case, CaseIdentity, ImportBatch
from models.crypto import write_new_key_file
from models.db import current_revision, get_engine, upgrade_database
from models.errors import ConfigurationError
from models.settings import get_settings


def init() -> None:
    """Create or upgrade the database, and the development key for identifying details."""
    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if settings.identity_key is None:
        if settings.env == "production":
            raise ConfigurationError("JOINTAUDIT_IDENTITY_KEY is required in production")
        if not settings.identity_key_file.exists():
            write_new_key_file(settings.identity_key_file)
            done(f"Created the key for identifying details: {settings.identity_key_file}")
            console.print("  Back it up apart from the database: without it, identities are lost.")
    engine = get_engine()
    before = current_revision(engine)
    upgrade_database(engine)
    after = current_revision(engine)
    where = engine.url.render_as_string(hide_password=True)
    if before == after:
        done(f"Database is up to date (revision {after}): {where}")
    else:
        done(f"Database {'created' if before is None else 'upgraded'} to revision {after}: {where}")


def status(as_json: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    """Show the database, its schema revision and what it holds."""
    engine = get_engine()
    revision = current_revision(engine)
    facts: dict[str, object] = {
        "database": engine.url.render_as_string(hide_password=True),
        "revision": revision,
        "data_dir": str(get_settings().data_dir.resolve()),
    }
    if revision is not None:
        with Session(engine) as session:
            for name, column in (
                ("agencies", col(Agency.id)),
                ("cases", col(Case.id)),
                ("identities", col(CaseIdentity.case_id)),
                ("imports", col(ImportBatch.id)),
            ):
                facts[name] = session.execute(select(func.count(column))).scalar_one()
            facts["active_cases"] = session.execute(
                select(func.count(col(Case.id))).where(col(Case.active))
            ).scalar_one()
    if as_json:
        print_json(facts)
        return
    if revision is None:
        console.print("The database is empty: run `jointaudit init`.")
    print_table(None, ("", ""), [(key, value) for key, value in facts.items()])


def register_setup_commands(app: typer.Typer) -> None:
    """Add the set-up commands to the top level of the CLI."""
    app.command()(init)
    app.command()(status)
