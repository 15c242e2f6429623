"""`jointaudit round draft-actions | actions | approve-plan` and `jointaudit action ...`."""

from __future__ import annotations

from datetime import date

import typer

from flows.action_plan.draft import draft_action_plan
from flows.action_plan.manage import (
    add_action,
    approve_plan,
    edit_action,
    list_actions,
    merge_actions,
    update_action,
)
from flows.cli.common import JSON_HELP, cli_actor, done, print_json, print_table
from models.action import ActionStatus
from models.db import session_scope
from models.types import utcnow

action_app = typer.Typer(help="Actions of a round's joint action plan.", no_args_is_help=True)
ROUND = typer.Argument(..., help="Round number.")
ACTION = typer.Argument(..., help="Action number.")


def draft_command(round_id: int = ROUND) -> None:
    """Draft candidate actions from the findings (safe to repeat: nothing is added twice)."""
    with session_scope() as session:
        added = draft_action_plan(
            session=session, round_id=round_id, now=utcnow(), actor=cli_actor()
        )
    done(
        f"Round {round_id}: {added} candidate actions drafted; see `jointaudit round actions "
        f"{round_id}`"
    )


def actions_command(
    round_id: int = ROUND,
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """List the round's actions with what each still lacks."""
    with session_scope() as session:
        actions = list_actions(session=session, round_id=round_id)
    if as_json:
        print_json([a.model_dump(mode="json") | {"missing": a.missing()} for a in actions])
        return
    print_table(
        f"Round {round_id}: {len(actions)} actions",
        ("#", "Status", "What", "Owner", "By", "Success measure", "Lacks"),
        [
            (a.id, a.status, a.what, a.owner, a.due_date, a.success_measure, ", ".join(a.missing()))
            for a in actions
        ],
    )


def approve_command(round_id: int = ROUND) -> None:
    """Approve the plan (every action needs what, how, owner, date and a success measure)."""
    with session_scope() as session:
        count = approve_plan(session=session, round_id=round_id, now=utcnow(), actor=cli_actor())
    done(f"Round {round_id}: action plan approved ({count} actions)")


@action_app.command("edit")
def edit_command(
    action_id: int = ACTION,
    what: str | None = typer.Option(None, help="What will be done."),
    how: str | None = typer.Option(None, help="How."),
    owner: str | None = typer.Option(None, help="Code of the agency that leads it."),
    due: date | None = typer.Option(None, formats=["%Y-%m-%d"], help="By when."),
    measure: str | None = typer.Option(None, help="How success will be measured."),
    no_owner: bool = typer.Option(False, "--no-owner", help="Empty the lead agency."),
    no_due: bool = typer.Option(False, "--no-due", help="Empty the date by when."),
) -> None:
    """Edit an action (an option left out leaves its field as it is)."""
    if (no_owner and owner) or (no_due and due):
        raise typer.BadParameter("give a value or empty it, not both")
    with session_scope() as session:
        edit_action(
            session=session,
            action_id=action_id,
            now=utcnow(),
            actor=cli_actor(),
            what=what,
            how=how,
            owner=owner,
            due_date=due,
            success_measure=measure,
            clear_owner=no_owner,
            clear_due_date=no_due,
        )
    done(f"Action {action_id} updated")


@action_app.command("add")
def add_command(
    round_id: int = ROUND, what: str = typer.Option(..., help="What will be done.")
) -> None:
    """Add a coordinator's own action to a round's plan."""
    with session_scope() as session:
        action_id = add_action(
            session=session, round_id=round_id, what=what, now=utcnow(), actor=cli_actor()
        )
    done(f"Action {action_id} added to round {round_id}")


@action_app.command("merge")
def merge_command(
    keep: int = typer.Argument(..., help="The action to keep."),
    others: list[int] = typer.Argument(..., help="Actions folded into it."),
) -> None:
    """Merge draft actions into one."""
    with session_scope() as session:
        merge_actions(
            session=session, keep_id=keep, merge_ids=others, now=utcnow(), actor=cli_actor()
        )
    done(f"Actions {', '.join(map(str, others))} merged into {keep}")


@action_app.command("update")
def update_command(
    action_id: int = ACTION,
    status: ActionStatus = typer.Option(..., help="on_track, at_risk or done."),
    note: str = typer.Option("", help="What happened."),
) -> None:
    """Record a dated progress update."""
    with session_scope() as session:
        update_action(
            session=session,
            action_id=action_id,
            status=status,
            note=note,
            now=utcnow(),
            actor=cli_actor(),
        )
    done(f"Action {action_id}: {status.value}")


def register_action_commands(round_app: typer.Typer) -> None:
    """Add the plan commands to `jointaudit round`."""
    round_app.command("draft-actions")(draft_command)
    round_app.command("actions")(actions_command)
    round_app.command("approve-plan")(approve_command)
