"""Who may open an immediate concern, the front door as a person, and the concern's sealed notes.

A concern is opened by the partnership's coordinators, and by the people granted that one
concern when it was raised: the partnership's front door (MASH) and the raising agency's
escalation contact. No grant to the round is made, so a concern is never an audit task.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from models.agency import Agency
from models.answers import Concern, ConcernGrant
from models.audit_log import record_event
from models.case import Case
from models.crypto import IdentityCipher
from models.errors import NotFoundError
from models.partnership import Partnership, PartnershipRole, Person, PersonRole, is_coordinator
from models.round import AccessGrant, Assignment, AuditRound, RoundStatus

ConcernRole = Literal["coordinator", "front_door", "escalation"]
NOT_FOUND = "page not found"
MAX_TEXT = 5000


class ConcernNotes(BaseModel):
    """What people wrote about a concern; sealed as one encrypted blob, as identities are."""

    description: str = Field(max_length=MAX_TEXT)
    reason: str | None = Field(default=None, max_length=MAX_TEXT)


def _context(concern_id: int) -> str:
    return f"concern:{concern_id}"


def seal_notes(concern: Concern, notes: ConcernNotes, *, cipher: IdentityCipher) -> None:
    """Encrypt the notes onto the concern (which must have its id), bound to that concern."""
    assert concern.id is not None
    concern.key_id = cipher.current_key_id
    concern.ciphertext = cipher.encrypt(
        notes.model_dump_json().encode("utf-8"), context=_context(concern.id)
    )


def open_notes(concern: Concern, *, cipher: IdentityCipher) -> ConcernNotes | None:
    """The concern's notes, or None for a concern raised before they were written down."""
    if concern.ciphertext is None or concern.key_id is None or concern.id is None:
        return None
    plaintext = cipher.decrypt(
        concern.ciphertext, key_id=concern.key_id, context=_context(concern.id)
    )
    return ConcernNotes.model_validate_json(plaintext)


def rotate_notes(*, session: Session, cipher: IdentityCipher) -> int:
    """Re-encrypt every concern's notes not under the current key (part of key rotation)."""
    stale = session.exec(
        select(Concern).where(
            col(Concern.key_id).is_not(None), col(Concern.key_id) != cipher.current_key_id
        )
    ).all()
    for concern in stale:
        notes = open_notes(concern, cipher=cipher)
        assert notes is not None
        seal_notes(concern, notes, cipher=cipher)
    return len(stale)


def read_notes(
    *, session: Session, concerns: list[Concern], cipher: IdentityCipher, actor: str, now: datetime
) -> dict[int, ConcernNotes]:
    """Decrypt several concerns' notes for one person; each reading is in the audit log."""
    found: dict[int, ConcernNotes] = {}
    for concern in concerns:
        notes = open_notes(concern, cipher=cipher)
        if notes is None or concern.id is None:
            continue
        found[concern.id] = notes
        record_event(
            session=session,
            actor=actor,
            action="concern.notes_viewed",
            entity_type="concern",
            entity_id=concern.id,
            now=now,
        )
    return found


def front_door(*, session: Session, create: bool = False) -> Person | None:
    """The partnership's front door as a person (who signs in by link); made on first need."""
    partnership = session.exec(select(Partnership)).first()
    if partnership is None or not partnership.front_door_email:
        return None
    email = partnership.front_door_email.lower()
    found = session.exec(select(Person).where(col(Person.email) == email)).first()
    if found is None and create:
        found = Person(name=partnership.front_door_name or "Front door", email=email)
        session.add(found)
        session.flush()
    return found


def front_door_for_address(*, session: Session, email: str) -> Person | None:
    """The front door's person when the address is the front door's (a sign-in link request)."""
    partnership = session.exec(select(Partnership)).first()
    if partnership is None or (partnership.front_door_email or "").lower() != email.lower():
        return None
    return front_door(session=session, create=True)


def coordinator_ids(*, session: Session) -> list[int]:
    """The coordinators' person ids, in order."""
    return sorted(
        session.exec(
            select(PersonRole.person_id).where(col(PersonRole.role) == PartnershipRole.coordinator)
        )
    )


@dataclass(frozen=True)
class ConcernView:
    """One concern as a person allowed to open it sees it, with what its page needs."""

    concern: Concern
    round: AuditRound
    agency: Agency
    case_ref: str
    role: ConcernRole


def concern_role(*, session: Session, person_id: int, concern_id: int) -> ConcernRole | None:
    """Why the person may open this concern: coordinator, or their grant to it; else None."""
    if is_coordinator(session=session, person_id=person_id):
        return "coordinator"
    held = session.exec(
        select(ConcernGrant.role).where(
            col(ConcernGrant.concern_id) == concern_id, col(ConcernGrant.person_id) == person_id
        )
    ).first()
    return None if held is None else ("front_door" if held == "front_door" else "escalation")


def open_concern(*, session: Session, person_id: int, concern_id: int) -> ConcernView:
    """The concern if the person may open it; NotFoundError otherwise (never "forbidden")."""
    role = concern_role(session=session, person_id=person_id, concern_id=concern_id)
    row = session.exec(
        select(Concern, AuditRound, Agency, Case.case_ref)
        .join(AuditRound, col(AuditRound.id) == col(Concern.round_id))
        .join(Assignment, col(Assignment.id) == col(Concern.assignment_id))
        .join(Agency, col(Agency.id) == col(Assignment.agency_id))
        .join(Case, col(Case.id) == col(Assignment.case_id))
        .where(col(Concern.id) == concern_id, col(AuditRound.status) != RoundStatus.cancelled)
    ).first()
    if role is None or row is None:
        raise NotFoundError(NOT_FOUND)
    concern, round_, agency, case_ref = row
    return ConcernView(concern, round_, agency, case_ref, role)


def concerns_of(*, session: Session, person_id: int) -> list[int]:
    """The concerns a person holds a grant to, newest first (the front door's list)."""
    return list(
        session.exec(
            select(ConcernGrant.concern_id)
            .where(col(ConcernGrant.person_id) == person_id)
            .order_by(col(ConcernGrant.concern_id).desc())
        )
    )


def concern_home(*, session: Session, person_id: int) -> str | None:
    """Where signing in leads someone granted concerns but no round (the front door)."""
    if not concerns_of(session=session, person_id=person_id):
        return None
    live = session.exec(
        select(AccessGrant.id).where(
            col(AccessGrant.person_id) == person_id, col(AccessGrant.revoked_at).is_(None)
        )
    ).first()
    return "/concerns" if live is None else None


ROLE_LABELS: dict[str, str] = {
    "front_door": "The partnership's front door (MASH)",
    "escalation": "Your agency's escalation contact",
    "coordinator": "The audit coordinator",
}


def who_was_alerted(*, session: Session, concern_id: int) -> list[tuple[str, str]]:
    """The roles and names of the people a concern alerted (never their addresses)."""
    granted = session.exec(
        select(ConcernGrant.role, Person.name)
        .join(Person, col(Person.id) == col(ConcernGrant.person_id))
        .where(col(ConcernGrant.concern_id) == concern_id)
    ).all()
    order = {"front_door": 0, "escalation": 1}
    alerted = [
        (ROLE_LABELS[role], name) for role, name in sorted(granted, key=lambda r: order[r[0]])
    ]
    names = session.exec(
        select(Person.name)
        .join(PersonRole, col(PersonRole.person_id) == col(Person.id))
        .where(col(PersonRole.role) == PartnershipRole.coordinator)
        .order_by(col(Person.name))
    ).all()
    alerted.extend((ROLE_LABELS["coordinator"], name) for name in names)
    return alerted
