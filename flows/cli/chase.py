"""`jointaudit chase [--now ISO] [--dry-run] [--json]`."""

from __future__ import annotations

import typer

from flows.chase.run import chase_everything
from flows.cli.common import JSON_HELP, done, print_json, print_table
from flows.cli.round import NOW_HELP
from models.db import session_scope
from models.settings import get_settings
from models.types import parse_now


def chase(
    now: str | None = typer.Option(None, "--now", help=NOW_HELP),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what is due; queue nothing."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Queue the reminders, overdue notices, escalations, digests and action reminders due now
    (once each): exactly what the scheduled `chase-overdue` flow queues."""
    with session_scope() as session:
        run = chase_everything(
            session=session, now=parse_now(now), settings=get_settings(), dry_run=dry_run
        )
    summary = run.responses
    if as_json:
        print_json(
            {
                "dry_run": dry_run,
                "rounds": summary.rounds,
                "queued": summary.queued,
                "by_kind": summary.by_kind,
                "messages": summary.messages,
                "action_messages": run.action_messages,
            }
        )
        return
    rows = [
        (
            m["round_id"],
            m["agency_id"] or "",
            m["person_id"],
            m["kind"],
            m["step"],
            m["outstanding"],
        )
        for m in summary.messages
    ]
    if rows:
        print_table(None, ("round", "agency", "person", "kind", "step", "outstanding"), rows)
    verb = "due (dry run, nothing queued)" if dry_run else "queued"
    done(
        f"{summary.rounds} rounds chased; {summary.queued} messages {verb}; "
        f"{run.action_messages} action reminders {'due' if dry_run else 'queued'}"
    )
