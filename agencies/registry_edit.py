"""One agency changed at a time (added, its contacts changed, deactivated), as a registry load
changes it: the same upsert, and whoever leaves a contact role loses its access at once.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from agencies.registry import RegistryChanges, upsert_agency
from agencies.registry_file import AgencyEntry
from agencies.registry_revoke import Departure, revoke_departures
from models.agency import Agency
from models.audit_log import record_event
from models.errors import ConflictError, NotFoundError


def agency_by_code(*, session: Session, code: str) -> Agency:
    """The agency with this code, or NotFoundError."""
    agency = session.exec(select(Agency).where(col(Agency.code) == code)).first()
    if agency is None:
        raise NotFoundError(f"no agency has the code {code!r}")
    return agency


def _save(
    *, session: Session, entry: AgencyEntry, agency: Agency | None, actor: str, now: datetime
) -> tuple[Agency, bool, int]:
    """Upsert the agency, revoke what its leavers held; (agency, changed, people revoked)."""
    changes = RegistryChanges()
    _created, changed = upsert_agency(
        session=session, entry=entry, agency=agency, summary=changes, now=now
    )
    session.flush()
    revoked = revoke_departures(
        session=session,
        departures=changes.departures,
        now=now,
        actor=actor,
        reason="agency contacts changed",
    )
    return agency_by_code(session=session, code=entry.code), changed, revoked


def _audit(
    *, session: Session, action: str, agency: Agency, revoked: int, actor: str, now: datetime
) -> None:
    record_event(
        session=session,
        actor=actor,
        action=action,
        entity_type="agency",
        entity_id=agency.id,
        now=now,
        details={"code": agency.code, "access_revoked": revoked},
    )


def add_agency(*, session: Session, entry: AgencyEntry, actor: str, now: datetime) -> Agency:
    """Add an agency (or bring an inactive one back) with its contacts; audited."""
    existing = session.exec(select(Agency).where(col(Agency.code) == entry.code)).first()
    if existing is not None and existing.active:
        raise ConflictError(f"an agency with the code {entry.code!r} already exists")
    agency, _changed, revoked = _save(
        session=session, entry=entry, agency=existing, actor=actor, now=now
    )
    action = "agency.added" if existing is None else "agency.reactivated"
    _audit(session=session, action=action, agency=agency, revoked=revoked, actor=actor, now=now)
    return agency


def change_agency(*, session: Session, entry: AgencyEntry, actor: str, now: datetime) -> bool:
    """Change an active agency's name and contacts; returns whether anything changed."""
    agency = agency_by_code(session=session, code=entry.code)
    if not agency.active:
        raise ConflictError(f"the agency {entry.code!r} is inactive: add it again instead")
    agency, changed, revoked = _save(
        session=session, entry=entry, agency=agency, actor=actor, now=now
    )
    if changed:
        _audit(
            session=session,
            action="agency.changed",
            agency=agency,
            revoked=revoked,
            actor=actor,
            now=now,
        )
    return changed


def deactivate_agency(*, session: Session, code: str, actor: str, now: datetime) -> Agency:
    """Deactivate an agency: its contacts lose their access to its cases in every round."""
    agency = agency_by_code(session=session, code=code)
    if not agency.active:
        raise ConflictError(f"the agency {code!r} is already inactive")
    others = session.exec(
        select(Agency.id).where(col(Agency.active).is_(True), col(Agency.id) != agency.id)
    ).first()
    if others is None:
        raise ConflictError("the partnership needs at least one active agency")
    agency.active, agency.updated_at = False, now
    session.flush()
    revoked = revoke_departures(
        session=session,
        departures=[Departure(person_id=None, agency_id=agency.id)],
        now=now,
        actor=actor,
        reason="agency deactivated",
    )
    _audit(
        session=session,
        action="agency.deactivated",
        agency=agency,
        revoked=revoked,
        actor=actor,
        now=now,
    )
    return agency
