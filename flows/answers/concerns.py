"""Immediate safeguarding concerns raised from the portal, and the alerts they send at once."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from flows.answers.access import AssignmentView
from flows.rounds.access import grant
from models.agency import Agency, AgencyContact, ContactRole
from models.answers import Concern, ConcernState
from models.audit_log import record_event
from models.case import Case
from models.errors import ConflictError, NotFoundError
from models.partnership import Partnership, PartnershipRole, Person, PersonRole
from models.round import Assignment, GrantRole
from models.settings import Settings
from notifications.contexts import ImmediateConcernContext
from notifications.outbox import queue_message


def concerns_for(*, session: Session, assignment_id: int) -> list[Concern]:
    """The concerns raised on one assignment, oldest first."""
    return list(
        session.exec(
            select(Concern)
            .where(col(Concern.assignment_id) == assignment_id)
            .order_by(col(Concern.raised_at))
        )
    )


def raise_concern(
    *, session: Session, view: AssignmentView, person_id: int, now: datetime, settings: Settings
) -> tuple[Concern, list[int]]:
    """Record a concern and queue its alerts; returns the concern and the message ids to send now.

    The alert goes to the coordinators, the agency's escalation contact (who is granted access
    to the case) and the partnership's front door; it carries no identifying details.
    """
    assert view.assignment.id is not None and view.round.id is not None
    concern = Concern(
        round_id=view.round.id,
        assignment_id=view.assignment.id,
        raised_by=person_id,
        raised_at=now,
    )
    session.add(concern)
    session.flush()
    assert concern.id is not None
    partnership = session.exec(select(Partnership)).first()
    context = ImmediateConcernContext(
        partnership_name=partnership.name if partnership else "Safeguarding partnership",
        round_title=view.round.title,
        agency_name=view.agency.name,
        concern_id=concern.id,
        raised_at=now,
    )
    recipients = set(
        session.exec(
            select(PersonRole.person_id).where(col(PersonRole.role) == PartnershipRole.coordinator)
        )
    )
    escalation = session.exec(
        select(AgencyContact.person_id).where(
            col(AgencyContact.agency_id) == view.agency.id,
            col(AgencyContact.role) == ContactRole.escalation,
        )
    ).first()
    if escalation is not None:
        recipients.add(escalation)
        grant(
            session=session,
            round_id=view.round.id,
            agency_id=view.agency.id or 0,
            person_id=escalation,
            role=GrantRole.escalation,
            now=now,
        )
    message_ids = []
    for recipient in sorted(recipients):
        message = queue_message(
            session=session,
            dedupe_key=f"concern:{concern.id}:person:{recipient}",
            context=context,
            now=now,
            person_id=recipient,
            round_id=view.round.id,
            agency_id=view.agency.id if recipient == escalation else None,
            settings=settings,
        )
        if message is not None and message.id is not None:
            message_ids.append(message.id)
    if partnership is not None and partnership.front_door_email:
        message = queue_message(
            session=session,
            dedupe_key=f"concern:{concern.id}:front-door",
            context=context,
            now=now,
            address=partnership.front_door_email,
            round_id=view.round.id,
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
        details={"assignment_id": view.assignment.id, "alerts": len(message_ids)},
    )
    return concern, message_ids


def update_concern(
    *,
    session: Session,
    view: AssignmentView,
    concern_id: int,
    person_id: int,
    now: datetime,
    referral_made: bool | None = None,
) -> Concern:
    """Acknowledge a concern (the escalation contact), or record whether a referral was made."""
    concern = session.get(Concern, concern_id)
    if concern is None or concern.assignment_id != view.assignment.id:
        raise NotFoundError("no such concern")
    _acknowledge(concern, person_id, now)
    if referral_made is not None:
        concern.referral_made = referral_made
        concern.referral_at = now if referral_made else None
        if referral_made:
            concern.state = ConcernState.referred
    session.add(concern)
    record_event(
        session=session,
        actor=f"person:{person_id}",
        action="concern.updated",
        entity_type="concern",
        entity_id=concern_id,
        now=now,
        details={"state": concern.state, "referral_made": concern.referral_made},
    )
    return concern


def _acknowledge(concern: Concern, person_id: int, now: datetime) -> None:
    if concern.acknowledged_at is None:
        concern.state, concern.acknowledged_by, concern.acknowledged_at = (
            ConcernState.acknowledged,
            person_id,
            now,
        )


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
    """A coordinator acknowledges a concern of a round (once; the referral stays the agency's)."""
    concern = session.get(Concern, concern_id)
    if concern is None or concern.round_id != round_id:
        raise NotFoundError("no such concern")
    if concern.acknowledged_at is not None:
        raise ConflictError("this concern has already been acknowledged")
    _acknowledge(concern, person_id, now)
    session.add(concern)
    record_event(
        session=session,
        actor=f"person:{person_id}",
        action="concern.acknowledged",
        entity_type="concern",
        entity_id=concern_id,
        now=now,
        details={"state": concern.state, "round_id": round_id},
    )
    return concern


def people_names(*, session: Session, concerns: list[Concern]) -> dict[int, str]:
    """The names of the people who acknowledged these concerns."""
    ids = {c.acknowledged_by for c in concerns if c.acknowledged_by is not None}
    if not ids:
        return {}
    rows = session.exec(select(Person).where(col(Person.id).in_(ids))).all()
    return {p.id: p.name for p in rows if p.id is not None}
