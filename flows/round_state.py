"""The state of a running round that its changes share: members, people, assignments."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from flows.round_views import get_round
from models.agency import Agency
from models.bulk import bulk_insert
from models.errors import ConflictError, NotFoundError
from models.round import (
    AccessGrant,
    Assignment,
    AssignmentStatus,
    AuditRound,
    MemberStatus,
    RoundAgency,
    RoundStatus,
)


def open_round(session: Session, round_id: int) -> AuditRound:
    round_ = get_round(session=session, round_id=round_id)
    if round_.status != RoundStatus.collecting:
        raise ConflictError(
            f"round {round_id} is {round_.status}: only a round that is "
            "collecting answers can change"
        )
    return round_


def agency_by_code(session: Session, code: str) -> Agency:
    agency = session.exec(select(Agency).where(col(Agency.code) == code)).first()
    if agency is None or agency.id is None:
        raise NotFoundError(f"no agency {code!r}: `jointaudit agencies list` shows them")
    return agency


def membership(session: Session, round_id: int, agency: Agency) -> RoundAgency | None:
    return session.exec(
        select(RoundAgency).where(
            col(RoundAgency.round_id) == round_id, col(RoundAgency.agency_id) == agency.id
        )
    ).first()


def active_agency_ids(session: Session, round_id: int) -> list[int]:
    return list(
        session.exec(
            select(RoundAgency.agency_id).where(
                col(RoundAgency.round_id) == round_id,
                col(RoundAgency.status) == MemberStatus.active,
            )
        )
    )


def live_people(session: Session, round_id: int, agency_id: int | None = None) -> list[int]:
    query = select(AccessGrant.person_id).where(
        col(AccessGrant.round_id) == round_id, col(AccessGrant.revoked_at).is_(None)
    )
    if agency_id is not None:
        query = query.where(col(AccessGrant.agency_id) == agency_id)
    return sorted(set(session.exec(query)))


def assign(
    session: Session, round_id: int, agency_ids: list[int], case_ids: list[int], now: datetime
) -> None:
    bulk_insert(
        session=session,
        table=Assignment.__table__,  # type: ignore[attr-defined]
        columns=("round_id", "agency_id", "case_id", "status", "created_at", "updated_at"),
        rows=[
            (round_id, a, c, AssignmentStatus.not_started.value, now, now)
            for a in agency_ids
            for c in case_ids
        ],
    )


def withdraw_assignments(
    session: Session,
    round_id: int,
    now: datetime,
    *,
    agency_id: int | None = None,
    case_id: int | None = None,
) -> None:
    query = select(Assignment).where(col(Assignment.round_id) == round_id)
    if agency_id is not None:
        query = query.where(col(Assignment.agency_id) == agency_id)
    if case_id is not None:
        query = query.where(col(Assignment.case_id) == case_id)
    for assignment in session.exec(query):
        assignment.status, assignment.updated_at = AssignmentStatus.withdrawn, now
