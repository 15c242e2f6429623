"""What the coordinator pages show: progress grid, overdue cases, people, delivery failures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func
from sqlmodel import Session, col, select

from agencies.deps import not_found
from agencies.portal.pages import render
from flows.register.rows import CaseIdentityData
from flows.register.store import reveal_identity
from flows.rounds.views import AgencyProgress, RoundDetail, get_round
from models.agency import Agency
from models.answers import AnswerSet
from models.audit_log import record_event
from models.case import Case
from models.crypto import load_cipher
from models.errors import NotFoundError
from models.partnership import Person
from models.round import AccessGrant, Assignment, AuditRound, GrantRole, MemberStatus, RoundCase
from models.settings import Settings


@dataclass(frozen=True)
class GridCell:
    """One agency's review of one case: its status and when answers last changed."""

    status: str
    overdue: bool
    last_activity: datetime | None


@dataclass(frozen=True)
class GridRow:
    """One case of the round, with a cell per agency (None: not assigned)."""

    case_ref: str
    cells: list[GridCell | None]


@dataclass(frozen=True)
class OverdueCase:
    """An unanswered case past its agency's due date."""

    agency_name: str
    case_ref: str
    status: str
    due_date: date
    last_activity: datetime | None


@dataclass(frozen=True)
class InvitedPerson:
    """A lead or deputy holding a live grant in a round."""

    agency_id: int
    agency_name: str
    person_id: int
    person_name: str
    role: GrantRole


def page(request: Request, name: str, *, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render a coordinator view."""
    return render(request, f"views/coordinator/{name}", status_code=status_code, **context)


def round_or_404(*, session: Session, round_id: int) -> AuditRound:
    """The round, or the "not found" page."""
    try:
        return get_round(session=session, round_id=round_id)
    except NotFoundError:
        raise not_found() from None


def last_activity(*, session: Session, round_id: int) -> dict[tuple[str, str], datetime]:
    """When each (agency code, case reference) of the round last saved or submitted answers."""
    rows = session.exec(
        select(Agency.code, Case.case_ref, func.max(AnswerSet.updated_at))
        .join(Assignment, col(Assignment.id) == col(AnswerSet.assignment_id))
        .join(Agency, col(Agency.id) == col(Assignment.agency_id))
        .join(Case, col(Case.id) == col(Assignment.case_id))
        .where(col(Assignment.round_id) == round_id)
        .group_by(col(Agency.code), col(Case.case_ref))
    ).all()
    return {(code, case_ref): at for code, case_ref, at in rows if at is not None}


def active_agencies(detail: RoundDetail) -> list[AgencyProgress]:
    """The agencies still taking part, in code order."""
    return [p for p in detail.progress if p.status == MemberStatus.active]


def progress_grid(detail: RoundDetail, activity: dict[tuple[str, str], datetime]) -> list[GridRow]:
    """The round's cases by the active agencies: status and last activity in each cell."""
    columns = [p.agency for p in active_agencies(detail)]
    cells: dict[str, dict[str, GridCell]] = {}
    for view in detail.assignments:
        cells.setdefault(view.case_ref, {})[view.agency] = GridCell(
            view.status, view.overdue, activity.get((view.agency, view.case_ref))
        )
    return [
        GridRow(case_ref, [by_agency.get(code) for code in columns])
        for case_ref, by_agency in sorted(cells.items())
    ]


def overdue_cases(
    detail: RoundDetail, activity: dict[tuple[str, str], datetime]
) -> list[OverdueCase]:
    """Every overdue assignment, by agency and case."""
    agencies = {p.agency: p for p in detail.progress}
    return [
        OverdueCase(
            agencies[view.agency].name,
            view.case_ref,
            view.status,
            agencies[view.agency].due_date,
            activity.get((view.agency, view.case_ref)),
        )
        for view in detail.assignments
        if view.overdue
    ]


def person_names(*, session: Session, person_ids: set[int]) -> dict[int, str]:
    """The names of these people."""
    if not person_ids:
        return {}
    rows = session.exec(select(Person).where(col(Person.id).in_(person_ids)))
    return {p.id: p.name for p in rows if p.id is not None}


def invited_people(*, session: Session, round_id: int) -> list[InvitedPerson]:
    """The leads and deputies of a round with live access, by agency."""
    rows = session.exec(
        select(AccessGrant, Agency, Person)
        .join(Agency, col(Agency.id) == col(AccessGrant.agency_id))
        .join(Person, col(Person.id) == col(AccessGrant.person_id))
        .where(
            col(AccessGrant.round_id) == round_id,
            col(AccessGrant.revoked_at).is_(None),
            col(AccessGrant.role).in_((GrantRole.lead, GrantRole.deputy)),
        )
        .order_by(col(Agency.name), col(AccessGrant.role))
    ).all()
    return [
        InvitedPerson(grant.agency_id, agency.name, grant.person_id, person.name, grant.role)
        for grant, agency, person in rows
    ]


def active_case_refs(*, session: Session, round_id: int) -> list[str]:
    """The references of the round's active cases, in order."""
    return list(
        session.exec(
            select(Case.case_ref)
            .join(RoundCase, col(RoundCase.case_id) == col(Case.id))
            .where(
                col(RoundCase.round_id) == round_id, col(RoundCase.status) == MemberStatus.active
            )
            .order_by(col(Case.case_ref))
        )
    )


def round_identities(
    *,
    session: Session,
    round_id: int,
    person_id: int,
    reason: str,
    settings: Settings,
    now: datetime,
) -> dict[str, CaseIdentityData | None]:
    """Decrypt the identities of a round's cases for one response; every view is audited."""
    cipher = load_cipher(settings)
    actor = f"person:{person_id}"
    shown: dict[str, CaseIdentityData | None] = {}
    for case_ref in active_case_refs(session=session, round_id=round_id):
        try:
            shown[case_ref] = reveal_identity(
                session=session,
                case_ref=case_ref,
                cipher=cipher,
                actor=actor,
                reason=f"coordinator round {round_id}: {reason}",
                now=now,
            )
        except NotFoundError:
            shown[case_ref] = None
    record_event(
        session=session,
        actor=actor,
        action="round.identities_shown",
        entity_type="round",
        entity_id=round_id,
        now=now,
        details={"cases": len(shown), "reason": reason},
    )
    return shown
