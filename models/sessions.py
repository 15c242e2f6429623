"""Portal sessions held in the database: started at sign-in, checked on every request, ended
by sign-out, by a loss of access, or by a coordinator, on every portal process at once."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import exists, func, or_, update
from sqlmodel import Session, col, select

from models.agency import Agency, AgencyContact
from models.audit_log import record_event
from models.errors import NotFoundError
from models.partnership import Partnership, Person, PersonRole, PortalSessionRow
from models.round import AccessGrant

SESSION_LIFETIME = timedelta(hours=8)


def key_hash(raw_key: str) -> str:
    """What the database keeps of a session key."""
    return hashlib.sha256(raw_key.encode("utf-8")).hexdigest()


def start_session(
    *,
    session: Session,
    person_id: int,
    now: datetime,
    lifetime: timedelta = SESSION_LIFETIME,
    signed_in_with: str = "link",
    authenticated_at: datetime | None,
) -> str:
    """A new session for the person; returns the key for the cookie (256 random bits).

    `signed_in_with` is "link" or "oidc:" and the provider's key; `authenticated_at` is when
    the person proved who they are (a provider may have done so earlier than now; None when
    the provider did not say, which never counts as a recent sign-in)."""
    raw = secrets.token_urlsafe(32)
    session.add(
        PortalSessionRow(
            key_hash=key_hash(raw),
            person_id=person_id,
            created_at=now,
            expires_at=now + lifetime,
            signed_in_with=signed_in_with,
            authenticated_at=authenticated_at,
        )
    )
    return raw


def session_row(*, session: Session, raw_key: str) -> PortalSessionRow | None:
    """The row of a session key (live or not)."""
    return session.exec(
        select(PortalSessionRow).where(col(PortalSessionRow.key_hash) == key_hash(raw_key))
    ).first()


def signed_in_recently(*, row: PortalSessionRow | None, now: datetime, within: timedelta) -> bool:
    """Whether the session's person proved who they are within this long before now."""
    if row is None or row.ended_at is not None:
        return False
    proved = row.authenticated_at
    return proved is not None and now - within <= proved <= now + timedelta(minutes=1)


def end_session(*, session: Session, raw_key: str, now: datetime, by: str = "sign-out") -> None:
    """End one session (signing out)."""
    session.execute(
        update(PortalSessionRow)
        .where(col(PortalSessionRow.key_hash) == key_hash(raw_key))
        .where(col(PortalSessionRow.ended_at).is_(None))
        .values(ended_at=now, ended_by=by)
    )


def end_sessions_of(*, session: Session, person_ids: Iterable[int], now: datetime, by: str) -> int:
    """End every live session of these people; returns how many ended."""
    wanted = sorted(set(person_ids))
    if not wanted:
        return 0
    result = session.execute(
        update(PortalSessionRow)
        .where(col(PortalSessionRow.person_id).in_(wanted))
        .where(col(PortalSessionRow.ended_at).is_(None))
        .values(ended_at=now, ended_by=by)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def session_person(*, session: Session, raw_key: str, now: datetime) -> int | None:
    """The person of a live session who still has a place in the partnership, in one query.

    A place: a partnership role, a contact role of an active agency, a live grant on an
    active agency's assignments (a round's own lead), or the partnership's front door.
    """
    person = col(PortalSessionRow.person_id)
    has_role = exists().where(col(PersonRole.person_id) == person)
    is_contact = (
        exists()
        .where(col(AgencyContact.person_id) == person)
        .where(col(Agency.id) == col(AgencyContact.agency_id), col(Agency.active).is_(True))
    )
    has_grant = (
        exists()
        .where(col(AccessGrant.person_id) == person, col(AccessGrant.revoked_at).is_(None))
        .where(col(Agency.id) == col(AccessGrant.agency_id), col(Agency.active).is_(True))
    )
    is_front_door = (
        exists()
        .where(col(Person.id) == person)
        .where(func.lower(col(Partnership.front_door_email)) == func.lower(col(Person.email)))
    )
    found = session.exec(
        select(PortalSessionRow.person_id).where(
            col(PortalSessionRow.key_hash) == key_hash(raw_key),
            col(PortalSessionRow.ended_at).is_(None),
            col(PortalSessionRow.expires_at) > now,
            or_(has_role, is_contact, has_grant, is_front_door),
        )
    ).first()
    return int(found) if found is not None else None


def sign_out_everywhere(*, session: Session, email: str, actor: str, now: datetime) -> int:
    """End every live session of the person with this address (audited); how many ended."""
    person = session.exec(select(Person).where(col(Person.email) == email.strip().lower())).first()
    if person is None or person.id is None:
        raise NotFoundError(f"nobody has the address {email!r}: check `agencies list`")
    ended = end_sessions_of(session=session, person_ids=[person.id], now=now, by="coordinator")
    record_event(
        session=session,
        actor=actor,
        action="portal.signed_out_everywhere",
        entity_type="person",
        entity_id=person.id,
        now=now,
        details={"sessions": ended},
    )
    return ended
