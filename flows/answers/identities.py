"""Identifying details on the assigned agency's own pages only, each view in the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from flows.answers.access import AssignmentView
from flows.register.store import reveal_identity
from models.crypto import load_cipher
from models.errors import ConfigurationError, NotFoundError
from models.settings import Settings


@dataclass(frozen=True)
class ShownIdentity:
    """What finds the child in this agency's own records (nothing of other agencies)."""

    child_name: str | None
    date_of_birth: date | None
    nhs_number: str | None
    agency_reference: str | None


def identity_for(
    *,
    session: Session,
    view: AssignmentView,
    person_id: int,
    settings: Settings,
    now: datetime,
    page: str,
) -> ShownIdentity | None:
    """Decrypt the case's details for a person assigned to it; None when none are held."""
    try:
        cipher = load_cipher(settings)
        data = reveal_identity(
            session=session,
            case_ref=view.case_ref,
            cipher=cipher,
            actor=f"person:{person_id}",
            reason=f"portal {page}: assignment {view.assignment.id}",
            now=now,
        )
    except (NotFoundError, ConfigurationError):
        return None
    return ShownIdentity(
        child_name=data.child_name,
        date_of_birth=data.date_of_birth,
        nhs_number=data.nhs_number,
        agency_reference=data.references.get(view.agency.code),
    )
