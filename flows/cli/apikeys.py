"""`jointaudit apikey`: issue, list and revoke the API keys of agency systems and coordinators."""

from __future__ import annotations

from datetime import datetime

import typer
from sqlmodel import Session

from flows.cli.common import JSON_HELP, cli_actor, console, done, print_json, print_table
from models.api_key import (
    IssuedKey,
    KeyKind,
    issue_api_key,
    issue_coordinator_key,
    list_api_keys,
    revoke_api_key,
)
from models.db import session_scope
from models.errors import InputError
from models.types import utcnow

apikey_app = typer.Typer(
    help="API keys for agency systems and coordinators (the JSON API under /api/v1).",
    no_args_is_help=True,
)


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else ""


def _issue(session: Session, agency: str | None, coordinator: str | None, name: str) -> IssuedKey:
    if (agency is None) == (coordinator is None):
        raise InputError("give either --agency CODE or --coordinator EMAIL (one of them)")
    if agency is not None:
        return issue_api_key(
            session=session, agency_code=agency, name=name, actor=cli_actor(), now=utcnow()
        )
    assert coordinator is not None
    return issue_coordinator_key(
        session=session, email=coordinator, name=name, actor=cli_actor(), now=utcnow()
    )


@apikey_app.command("issue")
def issue(
    agency: str | None = typer.Option(
        None, "--agency", help="The agency's code (see `agencies list`)."
    ),
    coordinator: str | None = typer.Option(
        None,
        "--coordinator",
        help="A current coordinator's email address (a key to script rounds).",
    ),
    name: str = typer.Option(..., "--name", help="What the key is for, e.g. 'case system'."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Issue a key for an agency's system or a coordinator; the key is printed this once."""
    with session_scope() as session:
        issued = _issue(session, agency, coordinator, name)
        key = issued.key
    holder = issued.agency_code or issued.coordinator_email
    if as_json:
        print_json(
            {
                "id": key.id,
                "kind": key.kind,
                "agency": issued.agency_code,
                "coordinator": issued.coordinator_email,
                "name": key.name,
                "prefix": key.prefix,
                "created_at": key.created_at,
                "key": issued.secret,
            }
        )
        return
    done(f"API key {key.id} issued to {holder} ({key.name})")
    console.print("Hand this key over now: it is shown only once and cannot be recovered.")
    console.print(issued.secret, markup=False, highlight=False, soft_wrap=True)
    console.print(
        "It is sent as `Authorization: Bearer <key>` (docs/api.md).",
        markup=False,
    )


@apikey_app.command("list")
def list_(
    agency: str | None = typer.Option(None, "--agency", help="Only this agency's keys."),
    coordinators: bool = typer.Option(False, "--coordinators", help="Only coordinators' keys."),
    active: bool = typer.Option(False, "--active", help="Leave out revoked keys."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """List keys by agency: prefix, name, issue, last use, revocation (never the secrets)."""
    with session_scope() as session:
        keys = list_api_keys(
            session=session,
            agency_code=agency,
            include_revoked=not active,
            kind=KeyKind.coordinator if coordinators else None,
        )
    if as_json:
        print_json(
            [
                {
                    "id": k.id,
                    "kind": k.kind,
                    "agency": k.agency_code,
                    "coordinator": k.coordinator_email,
                    "name": k.name,
                    "prefix": k.prefix,
                    "created_at": k.created_at,
                    "created_by": k.created_by,
                    "last_used_at": k.last_used_at,
                    "revoked_at": k.revoked_at,
                    "active": k.active,
                }
                for k in keys
            ]
        )
        return
    if not keys:
        console.print(
            "No API keys. Issue one with `jointaudit apikey issue --agency CODE --name LABEL`"
            " (or --coordinator EMAIL)."
        )
        return
    rows = [
        (
            k.id,
            k.agency_code or f"coordinator {k.coordinator_email}",
            k.name,
            f"{k.prefix}…",
            _when(k.created_at),
            _when(k.last_used_at) or "never",
            "active" if k.active else f"revoked {_when(k.revoked_at)}",
        )
        for k in keys
    ]
    columns = ("ID", "Holder", "Name", "Key", "Issued", "Last used", "Status")
    print_table(f"{len(keys)} API key{'' if len(keys) == 1 else 's'}", columns, rows)


@apikey_app.command("revoke")
def revoke(key_id: int = typer.Argument(..., help="The key's ID (see `apikey list`).")) -> None:
    """Revoke a key: its holder is refused from the next request."""
    with session_scope() as session:
        key = revoke_api_key(session=session, key_id=key_id, actor=cli_actor(), now=utcnow())
        prefix = key.prefix
    done(f"API key {key_id} ({prefix}…) revoked")
