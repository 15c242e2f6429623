"""`jointaudit round` commands that change a running round (each audited, each one transaction)."""

from __future__ import annotations

from datetime import date

import typer

from flows.cli.common import cli_actor, done
from flows.rounds.changes import cancel_round, extend_due_date, replace_case
from flows.rounds.membership import add_agency, change_lead, withdraw_agency
from models.db import session_scope
from models.settings import get_settings
from models.types import utcnow

ROUND = typer.Argument(..., help="Round number.")


def replace_case_command(
    round_id: int = ROUND,
    case_ref: str = typer.Argument(..., help="The case to replace."),
    reason: str = typer.Option(..., "--reason", help="Why (kept in the audit log)."),
) -> None:
    """Replace an ineligible case for every agency at once (the next case in rank)."""
    with session_scope() as session:
        new_ref = replace_case(
            session=session,
            round_id=round_id,
            case_ref=case_ref,
            reason=reason,
            now=utcnow(),
            actor=cli_actor(),
        )
    done(f"Round {round_id}: {case_ref} replaced by {new_ref} for every agency")


def add_agency_command(
    round_id: int = ROUND,
    code: str = typer.Argument(..., help="Agency code."),
) -> None:
    """Bring an agency into the round: the same cases, and invitations to its people."""
    with session_scope() as session:
        sent = add_agency(
            session=session, round_id=round_id, code=code, now=utcnow(), actor=cli_actor()
        )
    done(f"Round {round_id}: {code} added; {sent} invitations queued")


def withdraw_agency_command(
    round_id: int = ROUND,
    code: str = typer.Argument(..., help="Agency code."),
    reason: str = typer.Option(..., "--reason", help="Why (kept in the audit log)."),
) -> None:
    """Take an agency out of the round; its answers are kept, chasing stops."""
    with session_scope() as session:
        withdraw_agency(
            session=session,
            round_id=round_id,
            code=code,
            reason=reason,
            now=utcnow(),
            actor=cli_actor(),
        )
    done(f"Round {round_id}: {code} withdrawn")


def change_lead_command(
    round_id: int = ROUND,
    code: str = typer.Argument(..., help="Agency code."),
    name: str = typer.Option(..., "--name", help="The new lead's name."),
    email: str = typer.Option(..., "--email", help="The new lead's email address."),
) -> None:
    """Give an agency a new lead for this round (the old lead loses access)."""
    with session_scope() as session:
        change_lead(
            session=session,
            round_id=round_id,
            code=code,
            name=name,
            email=email,
            now=utcnow(),
            actor=cli_actor(),
        )
    done(f"Round {round_id}: {name} now leads for {code}; an invitation is queued")


def extend_command(
    round_id: int = ROUND,
    due: date = typer.Option(..., "--due", formats=["%Y-%m-%d"], help="New due date."),
    agency: str | None = typer.Option(None, "--agency", help="Only this agency."),
) -> None:
    """Extend the due date for everyone, or for one agency."""
    with session_scope() as session:
        extend_due_date(
            session=session,
            round_id=round_id,
            due=due,
            code=agency,
            now=utcnow(),
            actor=cli_actor(),
            settings=get_settings(),
        )
    done(f"Round {round_id}: due {due:%A %d %B %Y}" + (f" for {agency}" if agency else ""))


def cancel_command(
    round_id: int = ROUND,
    reason: str = typer.Option(..., "--reason", help="Why (kept in the audit log)."),
) -> None:
    """Cancel the round: nothing more is sent; answers are kept."""
    with session_scope() as session:
        cancel_round(
            session=session, round_id=round_id, reason=reason, now=utcnow(), actor=cli_actor()
        )
    done(f"Round {round_id} cancelled")


def register_change_commands(app: typer.Typer) -> None:
    """Add the change commands to `jointaudit round`."""
    app.command("replace-case")(replace_case_command)
    app.command("add-agency")(add_agency_command)
    app.command("withdraw-agency")(withdraw_agency_command)
    app.command("change-lead")(change_lead_command)
    app.command("extend")(extend_command)
    app.command("cancel")(cancel_command)
