"""The chase policy: from a round's facts, what was already sent, a calendar and now, what is due.

Pure: no database, no clock. Steps per (agency, person): a reminder before the due date,
overdue notice 1 on the first working day after it, repeats every N working days, and one
escalation (to the agency's escalation contact, copied to the coordinators). When several
steps are due at once only the latest is sent; an overtaken step never is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from models.calendar import WorkingDayCalendar, end_of_day, london_date
from models.round import AuditRound
from models.round_parameters import ChaseOverrides
from models.settings import Settings

ChaseKind = Literal["reminder", "overdue", "escalation", "digest"]
CHASE_TEMPLATES = ("reminder", "overdue", "escalation", "digest")


@dataclass(frozen=True)
class ChaseRules:
    """The chase policy of one round (working days)."""

    reminder_days_before_due: int = 3
    overdue_repeat_every: int = 3
    escalate_after_days_overdue: int = 5
    digest: bool = True
    reconcile_grace_days: int = 5


def chase_rules(overrides: ChaseOverrides, settings: Settings) -> ChaseRules:
    """The partnership's defaults with a round's launch overrides: the one place they meet."""

    def pick(value: int | None, default: int) -> int:
        return default if value is None else value

    return ChaseRules(
        reminder_days_before_due=pick(
            overrides.reminder_days_before_due, settings.chase_reminder_days_before_due
        ),
        overdue_repeat_every=pick(
            overrides.overdue_repeat_every, settings.chase_overdue_repeat_every
        ),
        escalate_after_days_overdue=pick(
            overrides.escalate_after_days_overdue, settings.chase_escalate_after_days_overdue
        ),
        digest=settings.chase_digest_enabled,
        reconcile_grace_days=pick(overrides.reconcile_grace_days, settings.reconcile_grace_days),
    )


def round_chase_rules(round_: AuditRound, settings: Settings) -> ChaseRules:
    """A launched round's chase rules, from the parameters it was launched with."""
    overrides = ChaseOverrides.model_validate((round_.parameters or {}).get("chase") or {})
    return chase_rules(overrides, settings)


@dataclass(frozen=True)
class AgencyOutstanding:
    """One agency's unanswered assignments in a round, and who hears about them."""

    agency_id: int
    agency_name: str
    due_date: date
    outstanding: int
    recipients: tuple[int, ...]
    escalation_contacts: tuple[int, ...] = ()


@dataclass(frozen=True)
class RoundFacts:
    """What the policy needs to know about one collecting round."""

    round_id: int
    rules: ChaseRules
    agencies: tuple[AgencyOutstanding, ...]
    coordinators: tuple[int, ...] = ()


@dataclass(frozen=True)
class ChaseMessage:
    """One message due now: counts and dates only."""

    kind: ChaseKind
    round_id: int
    person_id: int
    agency_id: int | None
    step: str
    step_number: int
    due_date: date | None
    outstanding: int
    days_overdue: int
    dedupe_key: str


def step_key(*, round_id: int, agency_id: int, person_id: int, due: date, step: str) -> str:
    """The dedupe key of one chase step; the due date in it lets an extension reschedule."""
    return f"chase:{round_id}:{agency_id}:{person_id}:{due:%Y%m%d}:{step}"


def digest_key(*, round_id: int, day: date, person_id: int) -> str:
    """The dedupe key of one day's digest to one coordinator."""
    return f"digest:{round_id}:{day:%Y%m%d}:{person_id}"


def latest_step(
    *, due: date, rules: ChaseRules, calendar: WorkingDayCalendar, today: date
) -> tuple[str, int] | None:
    """The latest lead/deputy step due by `today`: ("reminder", 0) or ("overdue-n", n)."""
    if today <= due:
        if rules.reminder_days_before_due <= 0:
            return None
        reminder_on = calendar.add_working_days(due, -rules.reminder_days_before_due)
        return ("reminder", 0) if today >= reminder_on else None
    first = calendar.add_working_days(due, 1)
    if today < first:
        return None
    since_first = calendar.working_days_between(first, today)
    number = 1 + since_first // rules.overdue_repeat_every
    return f"overdue-{number}", number


def _overtaken(sent: frozenset[str], prefix: str, number: int) -> bool:
    """Whether this step or a later one was already queued for this recipient."""
    return any(key.startswith(prefix) and _number(key[len(prefix) :]) >= number for key in sent)


def _number(step: str) -> int:
    if step == "reminder":
        return 0
    return int(step.removeprefix("overdue-")) if step.startswith("overdue-") else -1


def _agency_messages(
    facts: RoundFacts,
    agency: AgencyOutstanding,
    sent: frozenset[str],
    today: date,
    calendar: WorkingDayCalendar,
) -> list[ChaseMessage]:
    rules, due, messages = facts.rules, agency.due_date, []
    days_overdue = max((today - due).days, 0)
    step = latest_step(due=due, rules=rules, calendar=calendar, today=today)
    if step is not None:
        name, number = step
        for person in agency.recipients:
            key = step_key(
                round_id=facts.round_id,
                agency_id=agency.agency_id,
                person_id=person,
                due=due,
                step=name,
            )
            if _overtaken(sent, key.rsplit(":", 1)[0] + ":", number):
                continue
            kind: ChaseKind = "reminder" if number == 0 else "overdue"
            messages.append(
                ChaseMessage(
                    kind,
                    facts.round_id,
                    person,
                    agency.agency_id,
                    name,
                    number,
                    due,
                    agency.outstanding,
                    days_overdue,
                    key,
                )
            )
    escalate_on = calendar.add_working_days(due, rules.escalate_after_days_overdue)
    if today >= escalate_on:
        for person in (*agency.escalation_contacts, *facts.coordinators):
            key = step_key(
                round_id=facts.round_id,
                agency_id=agency.agency_id,
                person_id=person,
                due=due,
                step="escalation",
            )
            if key not in sent:
                messages.append(
                    ChaseMessage(
                        "escalation",
                        facts.round_id,
                        person,
                        agency.agency_id,
                        "escalation",
                        1,
                        due,
                        agency.outstanding,
                        days_overdue,
                        key,
                    )
                )
    return messages


def overdue_at(due: date, now: datetime) -> bool:
    """Whether a due date has ended (23:59 Europe/London)."""
    return now > end_of_day(due)


def plan_chase(
    *, facts: RoundFacts, sent: frozenset[str], calendar: WorkingDayCalendar, now: datetime
) -> list[ChaseMessage]:
    """The chase messages due now for one round; nothing on a non-working day."""
    today = london_date(now)
    if not calendar.is_working_day(today):
        return []
    live = [a for a in facts.agencies if a.outstanding > 0]
    messages = [m for a in live for m in _agency_messages(facts, a, sent, today, calendar)]
    if facts.rules.digest and live:
        total = sum(a.outstanding for a in live)
        for person in facts.coordinators:
            key = digest_key(round_id=facts.round_id, day=today, person_id=person)
            if key not in sent:
                messages.append(
                    ChaseMessage(
                        "digest",
                        facts.round_id,
                        person,
                        None,
                        "digest",
                        0,
                        None,
                        total,
                        0,
                        key,
                    )
                )
    return messages
