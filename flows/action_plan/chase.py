"""Chasing the action plan with the same machinery as responses: working days, dedupe keys."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from flows.action_plan.manage import LIVE, mark_overdue_actions
from flows.rounds.messages import partnership_name
from models.action import Action, ActionStatus
from models.agency import AgencyContact, ContactRole
from models.calendar import WorkingDayCalendar, london_date
from models.round import AuditRound
from models.settings import Settings
from notifications.contexts import ActionDueContext
from notifications.outbox import queue_message

REMINDER_DAYS = 5


def chase_actions(*, session: Session, now: datetime, settings: Settings) -> int:
    """Mark late actions overdue, then tell each owner agency's lead once a reminder is due
    (five working days ahead: amber) and once the action is overdue (red); returns how many."""
    calendar = WorkingDayCalendar.with_closures(settings.closure_days)
    today = london_date(now)
    if not calendar.is_working_day(today):
        return 0
    mark_overdue_actions(session=session, now=now)
    leads = {
        c.agency_id: c.person_id
        for c in session.exec(
            select(AgencyContact).where(col(AgencyContact.role) == ContactRole.lead)
        )
    }
    queued = 0
    for action, title in session.exec(
        select(Action, AuditRound.title)
        .join(AuditRound, col(AuditRound.id) == col(Action.round_id))
        .where(col(Action.status).in_(LIVE), col(Action.due_date).is_not(None))
    ).all():
        lead = leads.get(action.owner_agency_id or -1)
        if lead is None or action.due_date is None:
            continue
        if action.status == ActionStatus.overdue:
            step, rag = "overdue", "red"
        elif calendar.add_working_days(today, REMINDER_DAYS) >= action.due_date:
            step, rag = "reminder", "amber"
        else:
            continue
        context = ActionDueContext(
            partnership_name=partnership_name(session=session),
            round_title=title,
            action_number=action.id or 0,
            due_date=action.due_date,
            rag_status=rag,
        )
        message = queue_message(
            session=session,
            context=context,
            now=now,
            person_id=lead,
            round_id=action.round_id,
            agency_id=action.owner_agency_id,
            dedupe_key=f"action:{action.id}:{action.due_date:%Y%m%d}:{step}",
        )
        queued += message is not None
    return queued
