"""Loading the agency registry into the database, idempotently, and reading it back."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel
from sqlmodel import Session, col, select

from agencies.registry_file import (
    AgencyEntry,
    ContactEntry,
    PersonEntry,
    RegistryFile,
    read_registry,
)
from agencies.registry_revoke import Departure, revoke_departures
from models.agency import Agency, AgencyContact, ContactRole
from models.audit_log import record_event
from models.case import ImportBatch, ImportKind
from models.partnership import Partnership, PartnershipRole, Person, PersonRole


@dataclass(kw_only=True)
class RegistryChanges:
    """People a change added and the roles people left (whose access is then revoked)."""

    people_created: int = 0
    departures: list[Departure] = field(default_factory=list)


@dataclass(kw_only=True)
class RegistryLoadSummary(RegistryChanges):
    """What a registry load changed."""

    batch_id: int
    agencies_created: int = 0
    agencies_updated: int = 0
    agencies_deactivated: int = 0

    @property
    def changed(self) -> bool:
        """Whether the load changed anything at all."""
        return bool(
            self.agencies_created
            + self.agencies_updated
            + self.agencies_deactivated
            + self.people_created
        )


class ContactPublic(BaseModel):
    """An agency contact as listed."""

    role: ContactRole
    name: str
    email: str
    channel: str


class AgencyPublic(BaseModel):
    """An agency as listed, with its contacts."""

    code: str
    name: str
    active: bool
    contacts: list[ContactPublic]


def _person(*, session: Session, entry: PersonEntry, summary: RegistryChanges) -> Person:
    person = session.exec(select(Person).where(Person.email == entry.email)).first()
    if person is None:
        person = Person(name=entry.name, email=entry.email)
        session.add(person)
        session.flush()
        summary.people_created += 1
    elif person.name != entry.name:
        person.name = entry.name
    return person


def _sync_partnership(
    *, session: Session, registry: RegistryFile, summary: RegistryLoadSummary, now: datetime
) -> None:
    entry = registry.partnership
    if entry is None:
        return
    partnership = session.get(Partnership, 1) or Partnership(id=1, name=entry.name)
    partnership.name = entry.name
    partnership.front_door_name = entry.front_door.name if entry.front_door else None
    partnership.front_door_email = entry.front_door.email if entry.front_door else None
    partnership.front_door_phone = entry.front_door.phone if entry.front_door else None
    partnership.updated_at = now
    session.add(partnership)
    for role, people in (
        (PartnershipRole.coordinator, entry.coordinators),
        (PartnershipRole.board_reader, entry.board_readers),
    ):
        wanted = {_person(session=session, entry=p, summary=summary).id for p in people}
        held = session.exec(select(PersonRole).where(PersonRole.role == role)).all()
        for row in held:
            if row.person_id not in wanted:
                session.delete(row)
                summary.departures.append(Departure(person_id=row.person_id, role=role))
        for person_id in wanted - {row.person_id for row in held}:
            assert person_id is not None
            session.add(PersonRole(person_id=person_id, role=role))


def _sync_contacts(
    *,
    session: Session,
    agency: Agency,
    entries: dict[ContactRole, ContactEntry | None],
    summary: RegistryChanges,
) -> bool:
    changed = False
    existing = {
        c.role: c
        for c in session.exec(select(AgencyContact).where(AgencyContact.agency_id == agency.id))
    }
    for role, entry in entries.items():
        contact = existing.get(role)
        if entry is None:
            if contact is not None:
                session.delete(contact)
                summary.departures.append(
                    Departure(person_id=contact.person_id, role=role, agency_id=agency.id)
                )
                changed = True
            continue
        person = _person(session=session, entry=entry, summary=summary)
        webhook = str(entry.webhook_url) if entry.webhook_url else None
        wanted = (person.id, entry.channel, webhook)
        if contact is None:
            assert agency.id is not None and person.id is not None
            session.add(
                AgencyContact(
                    agency_id=agency.id,
                    role=role,
                    person_id=person.id,
                    channel=entry.channel,
                    webhook_url=webhook,
                )
            )
            changed = True
        elif (contact.person_id, contact.channel, contact.webhook_url) != wanted:
            assert person.id is not None
            if contact.person_id != person.id:
                summary.departures.append(
                    Departure(
                        person_id=contact.person_id,
                        role=role,
                        agency_id=agency.id,
                        successor_id=person.id,
                    )
                )
            contact.person_id, contact.channel, contact.webhook_url = (
                person.id,
                entry.channel,
                webhook,
            )
            changed = True
    return changed


def upsert_agency(
    *,
    session: Session,
    entry: AgencyEntry,
    agency: Agency | None,
    summary: RegistryChanges,
    now: datetime,
) -> tuple[bool, bool]:
    """Create or update one agency and its contacts, active; (created, changed)."""
    created = agency is None
    if agency is None:
        agency = Agency(code=entry.code, name=entry.name, updated_at=now)
        session.add(agency)
        session.flush()
    changed = agency.name != entry.name or not agency.active
    agency.name, agency.active = entry.name, True
    contacts = {
        ContactRole.lead: entry.lead,
        ContactRole.deputy: entry.deputy,
        ContactRole.escalation: entry.escalation,
    }
    changed |= _sync_contacts(session=session, agency=agency, entries=contacts, summary=summary)
    if changed and not created:
        agency.updated_at = now
    return created, changed


def apply_registry(
    *,
    session: Session,
    registry: RegistryFile,
    source_name: str,
    sha256: str,
    actor: str,
    now: datetime,
) -> RegistryLoadSummary:
    """Upsert the partnership, people, agencies and contacts; agencies not listed go inactive."""
    batch = ImportBatch(
        kind=ImportKind.agencies,
        source_name=source_name,
        sha256=sha256,
        rows=len(registry.agencies),
        actor=actor,
        imported_at=now,
    )
    session.add(batch)
    session.flush()
    assert batch.id is not None
    summary = RegistryLoadSummary(batch_id=batch.id)
    _sync_partnership(session=session, registry=registry, summary=summary, now=now)
    by_code = {a.code: a for a in session.exec(select(Agency))}
    for entry in registry.agencies:
        created, changed = upsert_agency(
            session=session, entry=entry, agency=by_code.get(entry.code), summary=summary, now=now
        )
        summary.agencies_created += created
        summary.agencies_updated += changed and not created
    listed = {entry.code for entry in registry.agencies}
    for code, agency in by_code.items():
        if code not in listed and agency.active:
            agency.active, agency.updated_at = False, now
            summary.agencies_deactivated += 1
            summary.departures.append(Departure(person_id=None, agency_id=agency.id))
    batch.created, batch.updated = summary.agencies_created, summary.agencies_updated
    batch.deactivated = summary.agencies_deactivated
    session.flush()
    revoked = revoke_departures(
        session=session, departures=summary.departures, now=now, actor=actor
    )
    record_event(
        session=session,
        actor=actor,
        action="agencies.loaded",
        entity_type="import_batch",
        entity_id=batch.id,
        now=now,
        details={
            "source": source_name,
            "created": summary.agencies_created,
            "updated": summary.agencies_updated,
            "deactivated": summary.agencies_deactivated,
            "access_revoked": revoked,
        },
    )
    return summary


def load_registry_file(
    *, session: Session, path: Path, actor: str, now: datetime
) -> RegistryLoadSummary:
    """Validate a registry file and apply it in the caller's transaction (all or nothing)."""
    registry = read_registry(path)
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    return apply_registry(
        session=session,
        registry=registry,
        source_name=path.name,
        sha256=sha256,
        actor=actor,
        now=now,
    )


def list_agencies(*, session: Session, include_inactive: bool = False) -> list[AgencyPublic]:
    """Agencies by code, with their contacts."""
    query = select(Agency).order_by(col(Agency.code))
    if not include_inactive:
        query = query.where(col(Agency.active).is_(True))
    agencies = list(session.exec(query))
    rows = session.exec(
        select(AgencyContact, Person).where(col(AgencyContact.person_id) == col(Person.id))
    ).all()
    contacts: dict[int, list[ContactPublic]] = {}
    for contact, person in sorted(rows, key=lambda r: list(ContactRole).index(r[0].role)):
        contacts.setdefault(contact.agency_id, []).append(
            ContactPublic(
                role=contact.role, name=person.name, email=person.email, channel=contact.channel
            )
        )
    return [
        AgencyPublic(
            code=a.code, name=a.name, active=a.active, contacts=contacts.get(a.id or 0, [])
        )
        for a in agencies
    ]


def active_agency_ids(*, session: Session) -> dict[str, int]:
    """Agency code -> id for every active agency."""
    rows = session.exec(select(Agency.code, Agency.id).where(col(Agency.active).is_(True)))
    return {code: agency_id for code, agency_id in rows if agency_id is not None}
