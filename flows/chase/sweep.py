"""The chase sweep: load the outstanding assignments, ask the policy, queue through the outbox."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from flows.chase.policy import (
    CHASE_TEMPLATES,
    AgencyOutstanding,
    ChaseMessage,
    RoundFacts,
    overdue_at,
    plan_chase,
    round_chase_rules,
)
from flows.rounds.messages import partnership_name
from models.agency import Agency, AgencyContact, ContactRole
from models.calendar import WorkingDayCalendar
from models.outbox import OutboxMessage
from models.partnership import PartnershipRole, PersonRole
from models.round import (
    AccessGrant,
    Assignment,
    AssignmentStatus,
    AuditRound,
    GrantRole,
    MemberStatus,
    RoundAgency,
    RoundStatus,
)
from models.settings import Settings
from notifications.contexts import (
    DigestContext,
    EscalationContext,
    MessageContext,
    OverdueContext,
    ReminderContext,
)
from notifications.outbox import cancel_pending, queue_message

OUTSTANDING = (AssignmentStatus.not_started, AssignmentStatus.in_progress)


@dataclass
class ChaseSummary:
    """What one sweep found and queued (counts and ids only)."""

    rounds: int = 0
    due: int = 0
    queued: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    messages: list[dict[str, Any]] = field(default_factory=list)


def outstanding_counts(*, session: Session) -> dict[int, dict[int, int]]:
    """Unanswered assignments of collecting rounds, by round and agency (uses the status index)."""
    query = (
        select(Assignment.round_id, Assignment.agency_id, func.count())
        .join(AuditRound, col(AuditRound.id) == col(Assignment.round_id))
        .where(
            col(Assignment.status).in_(OUTSTANDING),
            col(AuditRound.status) == RoundStatus.collecting,
            col(AuditRound.collection_closed_at).is_(None),
        )
        .group_by(col(Assignment.round_id), col(Assignment.agency_id))
    )
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    for round_id, agency_id, count in session.exec(query):
        counts[round_id][agency_id] = int(count)
    return counts


def _recipients(session: Session, round_id: int) -> dict[int, list[int]]:
    rows = session.exec(
        select(AccessGrant.agency_id, AccessGrant.person_id)
        .where(
            col(AccessGrant.round_id) == round_id,
            col(AccessGrant.role).in_((GrantRole.lead, GrantRole.deputy)),
            col(AccessGrant.revoked_at).is_(None),
        )
        .order_by(col(AccessGrant.person_id))
    )
    found: dict[int, list[int]] = defaultdict(list)
    for agency_id, person_id in rows:
        if person_id not in found[agency_id]:
            found[agency_id].append(person_id)
    return found


def round_facts(
    *, session: Session, round_: AuditRound, counts: dict[int, int], settings: Settings
) -> RoundFacts:
    """The policy's view of one round: active agencies with something outstanding."""
    assert round_.id is not None
    recipients = _recipients(session, round_.id)
    rows = session.exec(
        select(RoundAgency, Agency)
        .join(Agency, col(Agency.id) == col(RoundAgency.agency_id))
        .where(
            col(RoundAgency.round_id) == round_.id,
            col(RoundAgency.status) == MemberStatus.active,
            col(RoundAgency.agency_id).in_(list(counts)),
        )
        .order_by(col(Agency.code))
    ).all()
    escalation = dict(
        session.exec(
            select(AgencyContact.agency_id, AgencyContact.person_id).where(
                col(AgencyContact.role) == ContactRole.escalation,
                col(AgencyContact.agency_id).in_(list(counts)),
            )
        ).all()
    )
    coordinators = tuple(
        session.exec(
            select(PersonRole.person_id)
            .where(col(PersonRole.role) == PartnershipRole.coordinator)
            .order_by(col(PersonRole.person_id))
        ).all()
    )
    agencies = tuple(
        AgencyOutstanding(
            agency_id=ra.agency_id,
            agency_name=agency.name,
            due_date=ra.effective_due_date(round_),
            outstanding=counts[ra.agency_id],
            recipients=tuple(recipients.get(ra.agency_id, ())),
            escalation_contacts=((escalation[ra.agency_id],) if ra.agency_id in escalation else ()),
        )
        for ra, agency in rows
    )
    return RoundFacts(
        round_id=round_.id,
        rules=round_chase_rules(round_, settings),
        agencies=agencies,
        coordinators=coordinators,
    )


def sent_keys(*, session: Session, round_id: int) -> frozenset[str]:
    """Chase steps already queued for a round (whatever became of them)."""
    rows = session.exec(
        select(OutboxMessage.dedupe_key).where(
            col(OutboxMessage.round_id) == round_id,
            col(OutboxMessage.template).in_(CHASE_TEMPLATES),
        )
    )
    return frozenset(rows)


def _context(
    message: ChaseMessage, facts: RoundFacts, title: str, partnership: str, now: datetime
) -> MessageContext:
    if message.kind == "digest":
        live = [a for a in facts.agencies if a.outstanding > 0]
        late = [a for a in live if overdue_at(a.due_date, now)]
        return DigestContext(
            partnership_name=partnership,
            round_title=title,
            agency_count=len(live),
            outstanding_count=sum(a.outstanding for a in live),
            overdue_agency_count=len(late),
            overdue_count=sum(a.outstanding for a in late),
        )
    agency = next(a for a in facts.agencies if a.agency_id == message.agency_id)
    assert message.due_date is not None
    common: dict[str, Any] = {
        "partnership_name": partnership,
        "round_title": title,
        "agency_name": agency.agency_name,
        "due_date": message.due_date,
        "outstanding_count": message.outstanding,
    }
    if message.kind == "reminder":
        return ReminderContext(**common, reminder_number=1)
    if message.kind == "overdue":
        return OverdueContext(**common, days_overdue=max(message.days_overdue, 1))
    return EscalationContext(**common, days_overdue=max(message.days_overdue, 1))


def grant_escalation(
    *, session: Session, round_id: int, agency_id: int, person_id: int, now: datetime
) -> None:
    """Give the escalation contact access (an upsert: two chasers at once never collide)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    values = {
        "round_id": round_id,
        "agency_id": agency_id,
        "person_id": person_id,
        "role": GrantRole.escalation.value,
        "created_at": now,
    }
    statement = (
        dialect.insert(AccessGrant)
        .values(values)
        .on_conflict_do_update(
            index_elements=["round_id", "agency_id", "person_id", "role"],
            set_={"revoked_at": None},
        )
    )
    session.execute(statement)


def _queue(
    *, session: Session, round_: AuditRound, facts: RoundFacts, message: ChaseMessage, now: datetime
) -> bool:
    assert round_.id is not None
    if message.kind == "escalation" and message.person_id not in facts.coordinators:
        assert message.agency_id is not None
        grant_escalation(
            session=session,
            round_id=round_.id,
            agency_id=message.agency_id,
            person_id=message.person_id,
            now=now,
        )
    context = _context(message, facts, round_.title, partnership_name(session=session), now)
    queued = queue_message(
        session=session,
        dedupe_key=message.dedupe_key,
        context=context,
        now=now,
        person_id=message.person_id,
        round_id=round_.id,
        agency_id=message.agency_id,
    )
    return queued is not None


def chase_sweep(
    *, session: Session, now: datetime, settings: Settings, dry_run: bool = False
) -> ChaseSummary:
    """Queue every chase message due now across collecting rounds; safe to run again."""
    calendar = WorkingDayCalendar.with_closures(settings.closure_days)
    summary = ChaseSummary()
    for round_id, counts in sorted(outstanding_counts(session=session).items()):
        round_ = session.get(AuditRound, round_id)
        assert round_ is not None
        facts = round_facts(session=session, round_=round_, counts=counts, settings=settings)
        sent = sent_keys(session=session, round_id=round_id)
        due = plan_chase(facts=facts, sent=sent, calendar=calendar, now=now)
        summary.rounds += 1
        summary.due += len(due)
        for message in due:
            queued = dry_run or _queue(
                session=session, round_=round_, facts=facts, message=message, now=now
            )
            if queued:
                summary.queued += 1
                summary.by_kind[message.kind] = summary.by_kind.get(message.kind, 0) + 1
                summary.messages.append(
                    {
                        "round_id": round_id,
                        "agency_id": message.agency_id,
                        "person_id": message.person_id,
                        "kind": message.kind,
                        "step": message.step,
                        "outstanding": message.outstanding,
                    }
                )
    return summary


def cancel_chasers(*, session: Session, round_id: int, person_ids: list[int], now: datetime) -> int:
    """Cancel pending chase messages to these people (they have submitted)."""
    return sum(
        cancel_pending(
            session=session,
            round_id=round_id,
            now=now,
            person_id=person_id,
            templates=("reminder", "overdue", "escalation"),
        )
        for person_id in person_ids
    )
