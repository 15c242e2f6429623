"""Who may see which agency's assignments in a round: grants to agency contacts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from models.agency import Agency, AgencyContact, ContactRole
from models.round import AccessGrant, GrantRole
from models.sessions import end_sessions_of

INVITED_ROLES = (ContactRole.lead, ContactRole.deputy)


@dataclass(frozen=True)
class GrantedPerson:
    """A person granted access to one agency's assignments in a round."""

    person_id: int
    agency_id: int
    agency_name: str
    role: GrantRole


def grant_agency_contacts(
    *, session: Session, round_id: int, agency_ids: Sequence[int], now: datetime
) -> list[GrantedPerson]:
    """Grant each agency's lead and deputy access to its assignments in the round."""
    rows = session.exec(
        select(AgencyContact, Agency)
        .join(Agency, col(Agency.id) == col(AgencyContact.agency_id))
        .where(
            col(AgencyContact.agency_id).in_(agency_ids), col(AgencyContact.role).in_(INVITED_ROLES)
        )
        .order_by(col(AgencyContact.agency_id), col(AgencyContact.role))
    ).all()
    held = {
        (g.agency_id, g.person_id, g.role): g
        for g in session.exec(
            select(AccessGrant).where(
                col(AccessGrant.round_id) == round_id, col(AccessGrant.agency_id).in_(agency_ids)
            )
        )
    }
    granted = []
    for contact, agency in rows:
        assert agency.id is not None
        role = GrantRole(contact.role)
        existing = held.get((agency.id, contact.person_id, role))
        if existing is not None:
            existing.revoked_at = None
        else:
            session.add(
                AccessGrant(
                    round_id=round_id,
                    agency_id=agency.id,
                    person_id=contact.person_id,
                    role=role,
                    created_at=now,
                )
            )
        granted.append(GrantedPerson(contact.person_id, agency.id, agency.name, role))
    session.flush()
    return granted


def grant(
    *,
    session: Session,
    round_id: int,
    agency_id: int,
    person_id: int,
    role: GrantRole,
    now: datetime,
) -> AccessGrant:
    """Give a person access, or make their revoked grant live again (one row per grant)."""
    existing = session.exec(
        select(AccessGrant).where(
            col(AccessGrant.round_id) == round_id,
            col(AccessGrant.agency_id) == agency_id,
            col(AccessGrant.person_id) == person_id,
            col(AccessGrant.role) == role,
        )
    ).first()
    if existing is not None:
        existing.revoked_at = None
        return existing
    created = AccessGrant(
        round_id=round_id, agency_id=agency_id, person_id=person_id, role=role, created_at=now
    )
    session.add(created)
    return created


def revoke_grants(
    *,
    session: Session,
    round_id: int,
    agency_id: int,
    now: datetime,
    roles: Sequence[GrantRole] = (GrantRole.lead, GrantRole.deputy, GrantRole.escalation),
    person_id: int | None = None,
) -> list[int]:
    """Revoke live grants of an agency in a round and end the sessions of who lost access."""
    query = select(AccessGrant).where(
        col(AccessGrant.round_id) == round_id,
        col(AccessGrant.agency_id) == agency_id,
        col(AccessGrant.role).in_(roles),
        col(AccessGrant.revoked_at).is_(None),
    )
    if person_id is not None:
        query = query.where(col(AccessGrant.person_id) == person_id)
    revoked = []
    for grant in session.exec(query):
        grant.revoked_at = now
        revoked.append(grant.person_id)
    end_sessions_of(session=session, person_ids=revoked, now=now, by="access change")
    return revoked


def live_grants(*, session: Session, person_id: int) -> list[AccessGrant]:
    """The grants a person holds now."""
    query = select(AccessGrant).where(
        col(AccessGrant.person_id) == person_id, col(AccessGrant.revoked_at).is_(None)
    )
    return list(session.exec(query))
