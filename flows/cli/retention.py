"""`jointaudit purge`, `jointaudit round close` and `jointaudit keys status | rotate`."""

from __future__ import annotations

from dataclasses import asdict

import typer

from flows.cli.common import JSON_HELP, cli_actor, console, done, print_json, print_table
from flows.retention.keys import identities_by_key, rotate_identities
from flows.retention.purge import close_round, parse_period, purge
from models.crypto import load_cipher, retire_development_key
from models.db import get_engine, session_scope
from models.settings import get_settings
from models.types import utcnow

keys_app = typer.Typer(help="The key that encrypts identifying details.", no_args_is_help=True)


def purge_command(
    older_than: str | None = typer.Option(
        None, "--older-than", help="e.g. 7y, 18m, 90d (default: the retention setting)."
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Count what would go; change nothing."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Remove identities and answers of rounds closed longer ago than the retention period."""
    period = parse_period(older_than or f"{get_settings().retention_days}d")
    with session_scope() as session:
        report = purge(
            session=session, older_than=period, now=utcnow(), actor=cli_actor(), dry_run=dry_run
        )
    if as_json:
        print_json(asdict(report) | {"dry_run": dry_run})
        return
    verb = "Would purge" if dry_run else "Purged"
    done(
        f"{verb} {len(report.rounds)} rounds ({', '.join(map(str, report.rounds)) or 'none'}): "
        f"{report.answer_sets} answer sets, {report.identities} identities; aggregates kept"
    )


def close_command(round_id: int = typer.Argument(..., help="Round number.")) -> None:
    """Close a round whose plan is agreed (its retention period starts now)."""
    with session_scope() as session:
        close_round(session=session, round_id=round_id, now=utcnow(), actor=cli_actor())
    done(f"Round {round_id} closed")


@keys_app.command("status")
def status_command(as_json: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    """How many identities each key encrypts, and which key is current."""
    cipher = load_cipher(get_settings())
    with session_scope() as session:
        counts = identities_by_key(session=session)
    if as_json:
        print_json({"current": cipher.current_key_id, "identities_by_key": counts})
        return
    print_table(
        f"Current key {cipher.current_key_id}",
        ("Key", "Identities", ""),
        [
            (key, n, "current" if key == cipher.current_key_id else "to rotate")
            for key, n in sorted(counts.items())
        ],
    )


@keys_app.command("rotate")
def rotate_command(
    new_development_key: bool = typer.Option(
        False,
        "--new-development-key",
        help="Development only: make a new key file first (the old one is kept as retired).",
    ),
) -> None:
    """Re-encrypt every identity under the current key, in batches; safe to run again."""
    settings = get_settings()
    if new_development_key:
        key_id = retire_development_key(settings)
        console.print(f"New development key {key_id}; back it up apart from the database.")
    cipher = load_cipher(settings)
    rotated = rotate_identities(
        engine=get_engine(),
        cipher=cipher,
        actor=cli_actor(),
        progress=lambda n: console.print(f"  {n} re-encrypted"),
    )
    done(f"{rotated} identities re-encrypted; all are now under key {cipher.current_key_id}")


def register_retention_commands(app: typer.Typer, round_app: typer.Typer) -> None:
    """Add purge, keys and round close."""
    app.command("purge")(purge_command)
    app.add_typer(keys_app, name="keys")
    round_app.command("close")(close_command)
