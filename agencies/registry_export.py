"""The registry as it stands in the database, as a registry file that loads back unchanged."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import yaml
from sqlmodel import Session, col, select

from agencies.registry_file import RegistryFile
from models.agency import Agency, AgencyContact, ContactRole
from models.audit_log import record_event
from models.partnership import Partnership, PartnershipRole, Person, PersonRole


def _people(session: Session, role: PartnershipRole) -> list[dict[str, str]]:
    rows = session.exec(
        select(Person)
        .join(PersonRole, col(PersonRole.person_id) == col(Person.id))
        .where(col(PersonRole.role) == role)
        .order_by(col(Person.name), col(Person.email))
    )
    return [{"name": p.name, "email": p.email} for p in rows]


def _partnership(session: Session) -> dict[str, Any] | None:
    partnership = session.get(Partnership, 1)
    if partnership is None:
        return None
    entry: dict[str, Any] = {"name": partnership.name}
    if partnership.front_door_name and partnership.front_door_email:
        entry["front_door"] = {
            "name": partnership.front_door_name,
            "email": partnership.front_door_email,
            "phone": partnership.front_door_phone,
        }
    entry["coordinators"] = _people(session, PartnershipRole.coordinator)
    entry["board_readers"] = _people(session, PartnershipRole.board_reader)
    return entry


def _agencies(session: Session) -> list[dict[str, Any]]:
    agencies = list(
        session.exec(select(Agency).where(col(Agency.active).is_(True)).order_by(col(Agency.id)))
    )
    rows = session.exec(
        select(AgencyContact, Person).where(col(AgencyContact.person_id) == col(Person.id))
    ).all()
    contacts: dict[int, dict[str, Any]] = {}
    for contact, person in rows:
        entry = {"name": person.name, "email": person.email, "channel": contact.channel}
        if contact.webhook_url:
            entry["webhook_url"] = contact.webhook_url
        contacts.setdefault(contact.agency_id, {})[contact.role] = entry
    found = []
    for agency in agencies:
        held = contacts.get(agency.id or 0, {})
        entry = {"code": agency.code, "name": agency.name}
        entry.update({role.value: held[role] for role in ContactRole if role in held})
        found.append(entry)
    return found


def current_registry(*, session: Session) -> RegistryFile | None:
    """The partnership and its active agencies as a registry file (None: no active agency)."""
    agencies = _agencies(session)
    if not agencies:
        return None
    return RegistryFile.model_validate({"partnership": _partnership(session), "agencies": agencies})


def registry_yaml(registry: RegistryFile, *, title: str) -> str:
    """A registry file's YAML text, headed by a comment."""
    data = registry.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    header = f"# {title}\n# Load it with: jointaudit agencies load FILE\n\n"
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def export_registry(*, session: Session, actor: str, now: datetime) -> str | None:
    """The current registry as YAML (None: no active agency); the export is audited."""
    registry = current_registry(session=session)
    if registry is None:
        return None
    record_event(
        session=session,
        actor=actor,
        action="agencies.exported",
        entity_type="partnership",
        entity_id=1,
        now=now,
        details={"agencies": len(registry.agencies)},
    )
    return registry_yaml(
        registry, title=f"Agency registry, exported {now.day} {now:%B %Y at %H:%M} UTC"
    )
