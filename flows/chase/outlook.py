"""A round's chase outlook for its coordinator: per agency, what chasing will send and has sent."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session, col, select

from flows.chase.policy import CHASE_TEMPLATES
from flows.chase.schedule import Upcoming, chase_schedule
from flows.chase.sweep import outstanding_counts, round_facts, sent_keys
from flows.rounds.views import active_members, get_round
from models.calendar import WorkingDayCalendar
from models.outbox import OutboxMessage
from models.partnership import Person
from models.settings import Settings

KIND_LABELS = {"reminder": "Reminder", "overdue": "Overdue notice", "escalation": "Escalation"}


@dataclass(frozen=True)
class Step:
    """One coming step as shown: its kind, day and the people it goes to."""

    kind: str
    day: date
    recipients: list[str]


@dataclass(frozen=True)
class SentStep:
    """One chase message already queued for the agency."""

    kind: str
    step: str
    recipient: str
    status: str
    queued_at: datetime


@dataclass
class AgencyOutlook:
    """One agency of the round: its due date, what is outstanding, what is to come and sent."""

    name: str
    due_date: date
    outstanding: int
    coming: list[Step] = field(default_factory=list)
    sent: list[SentStep] = field(default_factory=list)


def _names(session: Session, ids: set[int]) -> dict[int, str]:
    rows = session.exec(select(Person.id, Person.name, Person.email).where(col(Person.id).in_(ids)))
    return {pid or 0: f"{name} ({email})" for pid, name, email in rows}


def _sent_by_agency(session: Session, round_id: int) -> dict[int, list[tuple[OutboxMessage, str]]]:
    rows = session.exec(
        select(OutboxMessage)
        .where(
            col(OutboxMessage.round_id) == round_id,
            col(OutboxMessage.template).in_(CHASE_TEMPLATES),
            col(OutboxMessage.dedupe_key).startswith("chase:"),
        )
        .order_by(col(OutboxMessage.created_at), col(OutboxMessage.id))
    )
    found: dict[int, list[tuple[OutboxMessage, str]]] = {}
    for row in rows:
        # chase:{round}:{agency}:{person}:{due}:{step} (flows.chase.policy.step_key)
        parts = row.dedupe_key.split(":")
        found.setdefault(int(parts[2]), []).append((row, parts[-1]))
    return found


def chase_outlook(
    *, session: Session, round_id: int, now: datetime, settings: Settings
) -> list[AgencyOutlook]:
    """Every active agency of the round: the next reminder, overdue notice and escalation
    (dates and recipients, if nothing more is answered) and the chase messages queued so far."""
    round_ = get_round(session=session, round_id=round_id)
    counts = outstanding_counts(session=session).get(round_id, {})
    facts = round_facts(session=session, round_=round_, counts=counts, settings=settings)
    calendar = WorkingDayCalendar.with_closures(settings.closure_days)
    schedules = chase_schedule(
        facts=facts, sent=sent_keys(session=session, round_id=round_id), calendar=calendar, now=now
    )
    sent = _sent_by_agency(session, round_id)
    upcoming = [u for s in schedules.values() for u in (s.reminder, s.overdue, s.escalation) if u]
    people = {p for u in upcoming for p in u.person_ids}
    people |= {row.person_id or 0 for rows in sent.values() for row, _ in rows}
    names = _names(session, people)
    members = active_members(session=session, round_id=round_id)
    outlooks = []
    for member, agency in members:
        outlook = AgencyOutlook(
            agency.name, member.effective_due_date(round_), counts.get(member.agency_id, 0)
        )
        schedule = schedules.get(member.agency_id)
        if schedule is not None:
            for kind in ("reminder", "overdue", "escalation"):
                step: Upcoming | None = getattr(schedule, kind)
                if step is not None:
                    who = [names.get(p, f"person {p}") for p in step.person_ids]
                    outlook.coming.append(Step(KIND_LABELS[kind], step.day, who))
        for row, step_name in sent.get(member.agency_id, []):
            outlook.sent.append(
                SentStep(
                    KIND_LABELS.get(row.template, row.template.capitalize()),
                    step_name,
                    names.get(row.person_id or 0, "nobody"),
                    str(row.status),
                    row.created_at,
                )
            )
        outlooks.append(outlook)
    return outlooks
