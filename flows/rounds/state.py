"""The state of a running round that its changes share: members, people, assignments."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, exists, insert, literal
from sqlalchemy import select as select_rows
from sqlmodel import Session, col, select

from flows.rounds.views import get_round
from models.agency import Agency
from models.errors import ConflictError, NotFoundError
from models.round import (
    AccessGrant,
    Assignment,
    AssignmentStatus,
    AuditRound,
    MemberStatus,
    RoundAgency,
    RoundCase,
    RoundStatus,
)
from models.types import UTCDateTime


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


def assign_members(
    session: Session,
    round_id: int,
    now: datetime,
    *,
    agency_id: int | None = None,
    case_id: int | None = None,
) -> None:
    """Assign every active case of the round to every active agency that lacks it (optionally
    one agency's or one case's), in one INSERT … SELECT: the rule holds by construction."""
    stamp = bindparam("now", now, type_=UTCDateTime())
    agency, case = RoundAgency.__table__.alias("ra"), RoundCase.__table__.alias("rc")  # type: ignore[attr-defined]
    table = Assignment.__table__  # type: ignore[attr-defined]
    query = (
        select_rows(
            agency.c.round_id,
            agency.c.agency_id,
            case.c.case_id,
            literal(AssignmentStatus.not_started.value),
            stamp,
            stamp,
        )
        .select_from(agency.join(case, case.c.round_id == agency.c.round_id))
        .where(
            agency.c.round_id == round_id,
            agency.c.status == MemberStatus.active.value,
            case.c.status == MemberStatus.active.value,
        )
    )
    if agency_id is not None or case_id is not None:
        query = query.where(
            ~exists().where(
                table.c.round_id == round_id,
                table.c.agency_id == agency.c.agency_id,
                table.c.case_id == case.c.case_id,
            )
        )
    if agency_id is not None:
        query = query.where(agency.c.agency_id == agency_id)
    if case_id is not None:
        query = query.where(case.c.case_id == case_id)
    columns = ("round_id", "agency_id", "case_id", "status", "created_at", "updated_at")
    session.flush()
    session.execute(
        insert(table).from_select(columns, query.order_by(agency.c.agency_id, case.c.case_id))
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
