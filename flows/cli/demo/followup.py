"""Between the baseline and the re-audit: the front sheet the board expects, and the owners'
dated updates on the joint action plan, so the re-audit's report can say what was done."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import col, select

from flows.action_plan.manage import LIVE, list_actions, update_action
from flows.cli.common import done
from flows.report.settings import set_report_texts
from models.action import ActionStatus, ActionUpdate
from models.db import session_scope

ACTOR = "demo:coordinator"
FRONT_SHEET = {
    "authorised_by": "Independent Scrutineer, Northbridge Safeguarding Children Partnership",
    "lead_officer": "Quality Assurance Officer, Northbridge Safeguarding Children Partnership",
}
PROGRESS = (
    (ActionStatus.done, "The change is in the agencies' procedures and was briefed to staff."),
    (ActionStatus.on_track, "Training is booked for every team; half have attended."),
    (ActionStatus.at_risk, "Waiting for the case recording system to be changed."),
)


def set_front_sheet(*, now: datetime) -> None:
    """The partnership's front-sheet defaults for every board report."""
    with session_scope() as session:
        set_report_texts(session=session, round_id=None, values=FRONT_SHEET, now=now, actor=ACTOR)


def progress_the_actions(round_id: int, *, now: datetime) -> int:
    """Each approved action gets one dated update from its owner (once, however often the
    demo runs): some done, some on track, some at risk."""
    updated = 0
    with session_scope() as session:
        for n, action in enumerate(list_actions(session=session, round_id=round_id)):
            already = session.exec(
                select(ActionUpdate.id).where(col(ActionUpdate.action_id) == action.id)
            ).first()
            if already is not None or action.status not in LIVE:
                continue
            status, note = PROGRESS[n % len(PROGRESS)]
            update_action(
                session=session,
                action_id=action.id,
                status=status,
                note=note,
                now=now + timedelta(days=n % 30),
                actor=ACTOR,
            )
            updated += 1
    done(f"{updated} actions updated by their owners before the re-audit")
    return updated
