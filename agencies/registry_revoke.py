"""Access follows the registry: whoever leaves a role in a load loses it there and then."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from flows.rounds.access import grant
from models.agency import AgencyContact, ContactRole
from models.audit_log import record_event
from models.partnership import PartnershipRole
from models.round import AccessGrant, GrantRole
from models.sessions import end_sessions_of


@dataclass(frozen=True)
class Departure:
    """A person leaving a role in a registry change (no person: a whole agency deactivated)."""

    person_id: int | None
    role: ContactRole | PartnershipRole | None = None
    agency_id: int | None = None
    successor_id: int | None = None


def _live(
    session: Session, *, agency_id: int, person_id: int | None, role: GrantRole | None
) -> list[AccessGrant]:
    query = select(AccessGrant).where(
        col(AccessGrant.agency_id) == agency_id, col(AccessGrant.revoked_at).is_(None)
    )
    if person_id is not None:
        query = query.where(col(AccessGrant.person_id) == person_id)
    if role is not None:
        query = query.where(col(AccessGrant.role) == role)
    return list(session.exec(query))


def _revoke(session: Session, departure: Departure, now: datetime) -> dict[int, list[str]]:
    """Revoke the departure's grants (handing them to the successor); who lost what."""
    lost: dict[int, list[str]] = defaultdict(list)
    if departure.agency_id is None:
        if departure.person_id is not None and departure.role is not None:
            lost[departure.person_id].append(f"role:{departure.role}")
        return lost
    role = GrantRole(departure.role) if isinstance(departure.role, ContactRole) else None
    if departure.person_id is None:
        contacts = session.exec(
            select(AgencyContact.person_id, AgencyContact.role).where(
                col(AgencyContact.agency_id) == departure.agency_id
            )
        )
        for person_id, contact_role in contacts:
            lost[person_id].append(f"contact:{departure.agency_id}:{contact_role}")
    for held in _live(
        session, agency_id=departure.agency_id, person_id=departure.person_id, role=role
    ):
        held.revoked_at = now
        lost[held.person_id].append(f"grant:{held.round_id}:{held.agency_id}:{held.role}")
        if departure.successor_id is not None:
            grant(
                session=session,
                round_id=held.round_id,
                agency_id=held.agency_id,
                person_id=departure.successor_id,
                role=held.role,
                now=now,
            )
    if departure.person_id is not None and role is not None:
        lost[departure.person_id].append(f"contact:{departure.agency_id}:{role}")
    return lost


def revoke_departures(
    *,
    session: Session,
    departures: list[Departure],
    now: datetime,
    actor: str,
    reason: str = "registry load",
) -> int:
    """Revoke grants and end sessions of everyone who left a role; returns how many people."""
    lost: dict[int, list[str]] = defaultdict(list)
    for departure in departures:
        for person_id, what in _revoke(session, departure, now).items():
            lost[person_id].extend(what)
    for person_id, what in sorted(lost.items()):
        record_event(
            session=session,
            actor=actor,
            action="access.revoked",
            entity_type="person",
            entity_id=person_id,
            now=now,
            details={"lost": sorted(set(what)), "reason": reason},
        )
    end_sessions_of(session=session, person_ids=lost, now=now, by=reason)
    session.flush()
    return len(lost)
