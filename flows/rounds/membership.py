"""Changing who takes part in a running round: agencies and their leads."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from flows.rounds.access import GrantedPerson, grant, grant_agency_contacts, revoke_grants
from flows.rounds.messages import cancel_pending, queue_invitations, queue_round_update
from flows.rounds.state import (
    active_agency_ids,
    agency_by_code,
    assign_members,
    membership,
    open_round,
    withdraw_assignments,
)
from models.audit_log import record_event
from models.errors import ConflictError, InputError
from models.partnership import Person
from models.round import (
    Assignment,
    AssignmentStatus,
    GrantRole,
    MemberStatus,
    RoundAgency,
    RoundCase,
)


def add_agency(*, session: Session, round_id: int, code: str, now: datetime, actor: str) -> int:
    """Bring an agency into a running round: the same cases, grants and invitations."""
    round_ = open_round(session, round_id)
    agency = agency_by_code(session, code)
    assert agency.id is not None
    member = membership(session, round_id, agency)
    if member is not None and member.status == MemberStatus.active:
        raise ConflictError(f"agency {code} already takes part in round {round_id}")
    if member is None:
        session.add(RoundAgency(round_id=round_id, agency_id=agency.id, joined_at=now))
        session.flush()
    else:
        member.status, member.withdrawn_at, member.joined_at = MemberStatus.active, None, now
    cases = list(
        session.exec(
            select(RoundCase.case_id).where(
                col(RoundCase.round_id) == round_id, col(RoundCase.status) == MemberStatus.active
            )
        )
    )
    for assignment in session.exec(
        select(Assignment).where(
            col(Assignment.round_id) == round_id,
            col(Assignment.agency_id) == agency.id,
            col(Assignment.case_id).in_(cases),
        )
    ):
        assignment.status, assignment.updated_at = AssignmentStatus.not_started, now
    assign_members(session, round_id, now, agency_id=agency.id)
    people = grant_agency_contacts(
        session=session, round_id=round_id, agency_ids=[agency.id], now=now
    )
    sent = queue_invitations(session=session, round_=round_, people=people, now=now)
    record_event(
        session=session,
        actor=actor,
        action="round.agency_added",
        entity_type="round",
        entity_id=round_id,
        now=now,
        details={"agency": code},
    )
    return sent


def withdraw_agency(
    *, session: Session, round_id: int, code: str, reason: str, now: datetime, actor: str
) -> None:
    """Take an agency out of a running round; its answers stay, its access and chasing stop."""
    round_ = open_round(session, round_id)
    agency = agency_by_code(session, code)
    member = membership(session, round_id, agency)
    if member is None or member.status != MemberStatus.active:
        raise ConflictError(f"agency {code} does not take part in round {round_id}")
    if len(active_agency_ids(session, round_id)) == 1:
        raise ConflictError("a round needs at least one agency: cancel the round instead")
    assert agency.id is not None
    member.status, member.withdrawn_at = MemberStatus.withdrawn, now
    withdraw_assignments(session, round_id, now, agency_id=agency.id)
    people = revoke_grants(session=session, round_id=round_id, agency_id=agency.id, now=now)
    cancel_pending(session=session, round_id=round_id, person_ids=people, now=now)
    event_id = record_event(
        session=session,
        actor=actor,
        action="round.agency_withdrawn",
        entity_type="round",
        entity_id=round_id,
        now=now,
        details={"agency": code, "reason": reason},
    )
    queue_round_update(
        session=session,
        round_=round_,
        person_ids=people,
        change=f"{agency.name} no longer takes part in this audit",
        now=now,
        event_id=event_id,
    )


def change_lead(
    *, session: Session, round_id: int, code: str, name: str, email: str, now: datetime, actor: str
) -> None:
    """Give an agency a new lead for this round; the old lead loses access."""
    round_ = open_round(session, round_id)
    agency = agency_by_code(session, code)
    member = membership(session, round_id, agency)
    if member is None or member.status != MemberStatus.active or agency.id is None:
        raise ConflictError(f"agency {code} does not take part in round {round_id}")
    email = email.strip().lower()
    if "@" not in email:
        raise InputError(f"{email!r} is not an email address")
    person = session.exec(select(Person).where(col(Person.email) == email)).first()
    if person is None:
        person = Person(name=name, email=email, created_at=now)
        session.add(person)
        session.flush()
    assert person.id is not None
    old = revoke_grants(
        session=session, round_id=round_id, agency_id=agency.id, now=now, roles=(GrantRole.lead,)
    )
    cancel_pending(session=session, round_id=round_id, person_ids=old, now=now)
    grant(
        session=session,
        round_id=round_id,
        agency_id=agency.id,
        person_id=person.id,
        role=GrantRole.lead,
        now=now,
    )
    session.flush()
    queue_invitations(
        session=session,
        round_=round_,
        now=now,
        people=[GrantedPerson(person.id, agency.id, agency.name, GrantRole.lead)],
    )
    record_event(
        session=session,
        actor=actor,
        action="round.lead_changed",
        entity_type="round",
        entity_id=round_id,
        now=now,
        details={"agency": code, "person_id": person.id},
    )
