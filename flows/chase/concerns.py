"""Chasing unacknowledged immediate concerns: the escalation contact after a working hour, then
the coordinators; each step once (outbox dedupe keys), in working hours only, audited.

`concern_steps_due` is pure (the concern's raising time, now, a calendar and the hours);
`chase_concerns` loads the unacknowledged concerns and queues what is due.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from flows.answers.concern_access import coordinator_ids
from flows.answers.concerns import concern_state_wording
from flows.rounds.messages import partnership_name
from models.agency import Agency
from models.answers import Concern, ConcernGrant, ConcernGrantRole
from models.audit_log import record_event
from models.calendar import WorkingDayCalendar
from models.round import Assignment, AuditRound, RoundStatus
from models.settings import Settings
from notifications.contexts import ChaseStep, ImmediateConcernContext
from notifications.outbox import queue_message

MAX_DAYS = 400  # a year of closures cannot hide every working hour


@dataclass(frozen=True)
class WorkingHours:
    """The partnership's working day: from `start` to `end` o'clock on working days."""

    start: int
    end: int
    timezone: str
    calendar: WorkingDayCalendar

    def _day(self, day: datetime) -> tuple[datetime, datetime]:
        midnight = datetime.combine(day.date(), time(0), tzinfo=ZoneInfo(self.timezone))
        return midnight + timedelta(hours=self.start), midnight + timedelta(hours=self.end)

    def contains(self, moment: datetime) -> bool:
        """Whether the moment falls in working hours on a working day."""
        local = moment.astimezone(ZoneInfo(self.timezone))
        opens, closes = self._day(local)
        return self.calendar.is_working_day(local.date()) and opens <= local < closes

    def add(self, start: datetime, hours: float) -> datetime:
        """The moment `hours` working hours after `start` (nights, weekends, holidays skipped)."""
        remaining = timedelta(hours=hours)
        local = start.astimezone(ZoneInfo(self.timezone))
        for _ in range(MAX_DAYS):
            opens, closes = self._day(local)
            if self.calendar.is_working_day(local.date()) and local < closes:
                local = max(local, opens)
                if local + remaining <= closes:
                    return (local + remaining).astimezone(UTC)
                remaining -= closes - local
            midnight = datetime.combine(local.date(), time(0), tzinfo=ZoneInfo(self.timezone))
            local = midnight + timedelta(days=1)
        raise ValueError(f"no working hours within {MAX_DAYS} days of {start.isoformat()}")


def working_hours(settings: Settings) -> WorkingHours:
    """The working hours the settings describe."""
    return WorkingHours(
        start=settings.working_hours_start,
        end=settings.working_hours_end,
        timezone=settings.timezone,
        calendar=WorkingDayCalendar.with_closures(settings.closure_days),
    )


def concern_steps_due(
    *, raised_at: datetime, now: datetime, hours: WorkingHours, settings: Settings
) -> list[ChaseStep]:
    """The chase steps of an unacknowledged concern due by now (none outside working hours)."""
    if not hours.contains(now):
        return []
    steps: list[tuple[ChaseStep, float]] = [
        ("escalation", settings.concern_escalation_after_hours),
        ("coordinator", settings.concern_coordinator_after_hours),
    ]
    return [step for step, after in steps if hours.add(raised_at, after) <= now]


def concern_chase_key(*, concern_id: int, step: ChaseStep, person_id: int) -> str:
    """The dedupe key of one chase step to one person."""
    return f"concern-chase:{concern_id}:{step}:{person_id}"


def _recipients(session: Session, concern_id: int, step: ChaseStep) -> list[int]:
    if step == "coordinator":
        return coordinator_ids(session=session)
    return sorted(
        session.exec(
            select(ConcernGrant.person_id).where(
                col(ConcernGrant.concern_id) == concern_id,
                col(ConcernGrant.role) == ConcernGrantRole.escalation,
            )
        )
    )


def chase_concerns(*, session: Session, now: datetime, settings: Settings) -> int:
    """Queue every chase of unacknowledged concerns due now; returns how many were queued."""
    hours = working_hours(settings)
    rows = session.exec(
        select(Concern, AuditRound.title, Agency.name, Assignment.agency_id)
        .join(AuditRound, col(AuditRound.id) == col(Concern.round_id))
        .join(Assignment, col(Assignment.id) == col(Concern.assignment_id))
        .join(Agency, col(Agency.id) == col(Assignment.agency_id))
        .where(
            col(Concern.acknowledged_at).is_(None),
            col(AuditRound.status) != RoundStatus.cancelled,
        )
        .order_by(col(Concern.id))
    ).all()
    queued = 0
    for concern, title, agency_name, agency_id in rows:
        assert concern.id is not None
        for step in concern_steps_due(
            raised_at=concern.raised_at, now=now, hours=hours, settings=settings
        ):
            context = ImmediateConcernContext(
                partnership_name=partnership_name(session=session),
                round_title=title,
                agency_name=agency_name,
                concern_id=concern.id,
                raised_at=concern.raised_at,
                immediate_risk=bool(concern.immediate_risk),
                state=concern_state_wording(concern.state),
                step=step,
            )
            sent = [
                person
                for person in _recipients(session, concern.id, step)
                if queue_message(
                    session=session,
                    dedupe_key=concern_chase_key(
                        concern_id=concern.id, step=step, person_id=person
                    ),
                    context=context,
                    now=now,
                    person_id=person,
                    round_id=concern.round_id,
                    agency_id=agency_id if step == "escalation" else None,
                    settings=settings,
                )
                is not None
            ]
            if sent:
                queued += len(sent)
                record_event(
                    session=session,
                    actor="chase",
                    action="concern.chased",
                    entity_type="concern",
                    entity_id=concern.id,
                    now=now,
                    details={"step": step, "messages": len(sent)},
                )
    return queued
