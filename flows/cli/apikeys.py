"""`jointaudit apikey`: issue, list and revoke the API keys of agency systems."""

from __future__ import annotations

from datetime import datetime

import typer

from flows.cli.common import JSON_HELP, cli_actor, console, done, print_json, print_table
from models.api_key import issue_api_key, list_api_keys, revoke_api_key
from models.db import session_scope
from models.types import utcnow

apikey_app = typer.Typer(
    help="API keys for agency systems (the JSON API under /api/v1).", no_args_is_help=True
)


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else ""


@apikey_app.command("issue")
def issue(
    agency: str = typer.Option(..., "--agency", help="The agency's code (see `agencies list`)."),
    name: str = typer.Option(..., "--name", help="What the key is for, e.g. 'case system'."),
) -> None:
    """Issue a key for an agency's system; the key is printed this once and never stored."""
    with session_scope() as session:
        issued = issue_api_key(
            session=session, agency_code=agency, name=name, actor=cli_actor(), now=utcnow()
        )
        key_id = issued.key.id
    done(f"API key {key_id} issued to {issued.agency_code} ({issued.key.name})")
    console.print("Give this key to the agency now: it is shown only once and cannot be recovered.")
    console.print(issued.secret, markup=False, highlight=False, soft_wrap=True)
    console.print(
        "The agency's system sends it as `Authorization: Bearer <key>` (docs/api.md).",
        markup=False,
    )


@apikey_app.command("list")
def list_(
    agency: str | None = typer.Option(None, "--agency", help="Only this agency's keys."),
    active: bool = typer.Option(False, "--active", help="Leave out revoked keys."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """List keys by agency: prefix, name, issue, last use, revocation (never the secrets)."""
    with session_scope() as session:
        keys = list_api_keys(session=session, agency_code=agency, include_revoked=not active)
    if as_json:
        print_json(
            [
                {
                    "id": k.id,
                    "agency": k.agency_code,
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
            "No API keys. Issue one with `jointaudit apikey issue --agency CODE --name LABEL`."
        )
        return
    rows = [
        (
            k.id,
            k.agency_code,
            k.name,
            f"{k.prefix}…",
            _when(k.created_at),
            _when(k.last_used_at) or "never",
            "active" if k.active else f"revoked {_when(k.revoked_at)}",
        )
        for k in keys
    ]
    columns = ("ID", "Agency", "Name", "Key", "Issued", "Last used", "Status")
    print_table(f"{len(keys)} API key{'' if len(keys) == 1 else 's'}", columns, rows)


@apikey_app.command("revoke")
def revoke(key_id: int = typer.Argument(..., help="The key's ID (see `apikey list`).")) -> None:
    """Revoke a key: the agency's system is refused from its next request."""
    with session_scope() as session:
        key = revoke_api_key(session=session, key_id=key_id, actor=cli_actor(), now=utcnow())
        prefix = key.prefix
    done(f"API key {key_id} ({prefix}…) revoked")
