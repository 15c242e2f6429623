"""What chasing will send: the chase policy run forward day by day, if nothing more is answered.

Pure, like the policy it replays: each coming day's `plan_chase` with what earlier days would
have queued, so the dates and recipients are exactly the chaser's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flows.chase.policy import ChaseKind, RoundFacts, plan_chase
from models.calendar import WorkingDayCalendar, london_date

LONDON = ZoneInfo("Europe/London")
HORIZON_DAYS = 120


@dataclass(frozen=True)
class Upcoming:
    """A chase step still to come: the day it goes, its step and who receives it."""

    day: date
    step: str
    person_ids: tuple[int, ...]


@dataclass
class AgencySchedule:
    """The next reminder, overdue notice and escalation of one agency (None: none to come)."""

    agency_id: int
    reminder: Upcoming | None = None
    overdue: Upcoming | None = None
    escalation: Upcoming | None = None
    later_overdue: list[date] = field(default_factory=list)

    def upcoming(self, kind: ChaseKind) -> Upcoming | None:
        """The next step of this kind."""
        found: Upcoming | None = getattr(self, kind)
        return found


def _noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=LONDON)


def chase_schedule(
    *, facts: RoundFacts, sent: frozenset[str], calendar: WorkingDayCalendar, now: datetime
) -> dict[int, AgencySchedule]:
    """Each agency's coming chase steps, from today (what today's sweep has yet to queue) on."""
    schedules = {a.agency_id: AgencySchedule(a.agency_id) for a in facts.agencies}
    queued = set(sent)
    day = london_date(now)
    for _ in range(HORIZON_DAYS):
        messages = plan_chase(
            facts=facts, sent=frozenset(queued), calendar=calendar, now=_noon(day)
        )
        by_step: dict[tuple[int, str], list[int]] = {}
        for message in messages:
            queued.add(message.dedupe_key)
            if message.agency_id is not None:
                by_step.setdefault((message.agency_id, message.step), []).append(message.person_id)
        for (agency_id, step), people in by_step.items():
            schedule = schedules[agency_id]
            kind = "reminder" if step == "reminder" else step.split("-")[0]
            if kind == "overdue" and schedule.overdue is not None:
                schedule.later_overdue.append(day)
            elif schedule.upcoming(kind) is None:  # type: ignore[arg-type]
                setattr(schedule, kind, Upcoming(day, step, tuple(people)))
        if all(s.escalation is not None for s in schedules.values()):
            break
        day += timedelta(days=1)
    return schedules
