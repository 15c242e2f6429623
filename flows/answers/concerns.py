"""Immediate safeguarding concerns: raising one (and its alerts), acknowledging, the decision
on a referral, and the plain-English state every page and message uses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from flows.answers.access import AssignmentView
from flows.answers.concern_access import (
    ConcernNotes,
    coordinator_ids,
    front_door,
    open_notes,
    seal_notes,
)
from models.agency import Agency, AgencyContact, ContactRole
from models.answers import Concern, ConcernGrant, ConcernGrantRole, ConcernState
from models.audit_log import record_event
from models.case import Case
from models.crypto import load_cipher
from models.errors import ConflictError, InputError, NotFoundError
from models.partnership import Partnership, Person
from models.round import Assignment
from models.settings import Settings
from notifications.contexts import ChaseStep, ImmediateConcernContext
from notifications.outbox import queue_message

MAX_REFERENCE = 100


def concerns_for(*, session: Session, assignment_id: int) -> list[Concern]:
    """The concerns raised on one assignment, oldest first."""
    return list(
        session.exec(
            select(Concern)
            .where(col(Concern.assignment_id) == assignment_id)
            .order_by(col(Concern.raised_at))
        )
    )


STATE_WORDING: dict[str, str] = {
    ConcernState.raised: "Raised, not yet acknowledged",
    ConcernState.acknowledged: "Acknowledged, no decision on a referral yet",
    ConcernState.referred: "Referred to children's social care",
    ConcernState.not_referred: "Looked at, no referral needed",
}


def concern_state_wording(state: ConcernState | str) -> str:
    """The plain-English state of a concern, for pages, messages and the board report."""
    return STATE_WORDING[ConcernState(state)]


@dataclass(frozen=True)
class RaisedConcern:
    """A concern just raised, and the alerts to send at once."""

    concern: Concern
    message_ids: list[int]


def _alert(
    concern: Concern, view: AssignmentView, partnership: Partnership | None, step: ChaseStep
) -> ImmediateConcernContext:
    assert concern.id is not None
    return ImmediateConcernContext(
        partnership_name=partnership.name if partnership else "Safeguarding partnership",
        round_title=view.round.title,
        agency_name=view.agency.name,
        concern_id=concern.id,
        raised_at=concern.raised_at,
        immediate_risk=bool(concern.immediate_risk),
        state=concern_state_wording(concern.state),
        step=step,
    )


def raise_concern(
    *,
    session: Session,
    view: AssignmentView,
    person_id: int,
    now: datetime,
    settings: Settings,
    description: str,
    immediate_risk: bool,
) -> RaisedConcern:
    """Record a concern (its description encrypted) and queue its alerts to send at once.

    The front door and the agency's escalation contact are granted this concern alone (not
    the round); they and the coordinators are alerted. Alerts carry no identifying details.
    """
    assert view.assignment.id is not None and view.round.id is not None
    text = description.strip()
    if not text:
        raise InputError("describe the concern")
    concern = Concern(
        round_id=view.round.id,
        assignment_id=view.assignment.id,
        raised_by=person_id,
        raised_at=now,
        immediate_risk=immediate_risk,
    )
    session.add(concern)
    session.flush()
    assert concern.id is not None
    seal_notes(concern, ConcernNotes(description=text), cipher=load_cipher(settings))
    partnership = session.exec(select(Partnership)).first()
    context = _alert(concern, view, partnership, "alert")
    recipients: list[tuple[int, str, int | None]] = []
    door = front_door(session=session, create=True)
    if door is not None and door.id is not None:
        recipients.append((door.id, "front-door", None))
        _grant(session, concern.id, door.id, ConcernGrantRole.front_door, now)
    escalation = session.exec(
        select(AgencyContact.person_id).where(
            col(AgencyContact.agency_id) == view.agency.id,
            col(AgencyContact.role) == ContactRole.escalation,
        )
    ).first()
    if escalation is not None and escalation not in {r[0] for r in recipients}:
        recipients.append((escalation, f"person:{escalation}", view.agency.id))
        _grant(session, concern.id, escalation, ConcernGrantRole.escalation, now)
    for coordinator in coordinator_ids(session=session):
        if coordinator not in {r[0] for r in recipients}:
            recipients.append((coordinator, f"person:{coordinator}", None))
    message_ids = []
    for recipient, key, agency_id in recipients:
        message = queue_message(
            session=session,
            dedupe_key=f"concern:{concern.id}:{key}",
            context=context,
            now=now,
            person_id=recipient,
            round_id=view.round.id,
            agency_id=agency_id,
            settings=settings,
        )
        if message is not None and message.id is not None:
            message_ids.append(message.id)
    record_event(
        session=session,
        actor=f"person:{person_id}",
        action="concern.raised",
        entity_type="concern",
        entity_id=concern.id,
        now=now,
        details={
            "assignment_id": view.assignment.id,
            "alerts": len(message_ids),
            "immediate_risk": immediate_risk,
        },
    )
    return RaisedConcern(concern, message_ids)


def _grant(
    session: Session, concern_id: int, person_id: int, role: ConcernGrantRole, now: datetime
) -> None:
    session.add(ConcernGrant(concern_id=concern_id, person_id=person_id, role=role, created_at=now))


def _acknowledge(concern: Concern, person_id: int, now: datetime) -> None:
    if concern.acknowledged_at is None:
        concern.state, concern.acknowledged_by, concern.acknowledged_at = (
            ConcernState.acknowledged,
            person_id,
            now,
        )


def acknowledge(*, session: Session, concern: Concern, person_id: int, now: datetime) -> bool:
    """Acknowledge a concern (once; False when it already was); audited."""
    if concern.acknowledged_at is not None:
        return False
    _acknowledge(concern, person_id, now)
    session.add(concern)
    record_event(
        session=session,
        actor=f"person:{person_id}",
        action="concern.acknowledged",
        entity_type="concern",
        entity_id=concern.id,
        now=now,
        details={"state": concern.state, "round_id": concern.round_id},
    )
    return True


def record_decision(
    *,
    session: Session,
    concern: Concern,
    person_id: int,
    now: datetime,
    referred: bool,
    reference: str | None,
    reason: str | None,
    settings: Settings,
) -> Concern:
    """Record "referral made" (with its reference) or "no referral needed, because ..."."""
    reference = (reference or "").strip() or None
    reason = (reason or "").strip() or None
    if not referred and reason is None:
        raise InputError("say why no referral is needed")
    if reference is not None and len(reference) > MAX_REFERENCE:
        raise InputError(f"a reference has at most {MAX_REFERENCE} characters")
    cipher = load_cipher(settings)
    notes = open_notes(concern, cipher=cipher) or ConcernNotes(description="")
    seal_notes(concern, notes.model_copy(update={"reason": reason}), cipher=cipher)
    _acknowledge(concern, person_id, now)
    concern.state = ConcernState.referred if referred else ConcernState.not_referred
    concern.referral_made = referred
    concern.referral_at = now if referred else None
    concern.referral_reference = reference
    concern.decided_by, concern.decided_at = person_id, now
    session.add(concern)
    record_event(
        session=session,
        actor=f"person:{person_id}",
        action="concern.decided",
        entity_type="concern",
        entity_id=concern.id,
        now=now,
        details={"state": concern.state, "referral_made": referred},
    )
    return concern


def round_concerns(*, session: Session, round_id: int) -> list[tuple[Concern, str, str]]:
    """A round's concerns with the agency's name and the case reference, oldest first."""
    rows = session.exec(
        select(Concern, Agency.name, Case.case_ref)
        .join(Assignment, col(Assignment.id) == col(Concern.assignment_id))
        .join(Agency, col(Agency.id) == col(Assignment.agency_id))
        .join(Case, col(Case.id) == col(Assignment.case_id))
        .where(col(Concern.round_id) == round_id)
        .order_by(col(Concern.raised_at), col(Concern.id))
    ).all()
    return [(concern, agency, case_ref) for concern, agency, case_ref in rows]


def acknowledge_concern(
    *, session: Session, round_id: int, concern_id: int, person_id: int, now: datetime
) -> Concern:
    """A coordinator acknowledges a concern of a round (once)."""
    concern = session.get(Concern, concern_id)
    if concern is None or concern.round_id != round_id:
        raise NotFoundError("no such concern")
    if not acknowledge(session=session, concern=concern, person_id=person_id, now=now):
        raise ConflictError("this concern has already been acknowledged")
    return concern


def people_names(*, session: Session, concerns: list[Concern]) -> dict[int, str]:
    """The names of the people who raised, acknowledged or decided on these concerns."""
    ids = {
        who
        for c in concerns
        for who in (c.raised_by, c.acknowledged_by, c.decided_by)
        if who is not None
    }
    if not ids:
        return {}
    rows = session.exec(select(Person).where(col(Person.id).in_(ids))).all()
    return {p.id: p.name for p in rows if p.id is not None}
