"""Who may see what in the portal: every lookup goes person → live grants → agency.

A lead or deputy sees their agency's assignments in rounds they hold a grant for; an
escalation contact's round grant (from chasing) opens no assignment: concerns are reached through
their own grants (flows/answers/concerns.py), never as audit tasks. An agency system (API key) sees
its agency's assignments in the rounds the agency takes part in. Anything else is "not found".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy import select as select_rows
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from models.agency import Agency
from models.answers import AnswerSet
from models.case import Case, CaseFlag
from models.errors import NotFoundError
from models.questionnaire import Question, Tool
from models.questionnaire.conditions import CaseAttributes
from models.round import (
    AccessGrant,
    Assignment,
    AssignmentStatus,
    AuditRound,
    GrantRole,
    MemberStatus,
    RoundAgency,
    RoundStatus,
    agency_due_date,
)
from models.tool_version import ToolVersion, frozen_tool

HIDDEN_ROUNDS = (RoundStatus.cancelled,)
NOT_FOUND = "page not found"


@dataclass(frozen=True)
class AssignmentView:
    """One assignment the person may open, with what its pages need."""

    assignment: Assignment
    round: AuditRound
    agency: Agency
    case_ref: str
    role: GrantRole
    tool_version: ToolVersion
    due_date: date
    case: CaseAttributes = field(default_factory=CaseAttributes)
    """The case's register attributes, for the tool's `applies_when` conditions."""
    answer_sets: tuple[AnswerSet, ...] | None = None
    """The assignment's answer sets, newest first, when read with the view (detached copies);
    None when they were not."""

    @property
    def collecting(self) -> bool:
        """Whether answers may still be saved, submitted or amended."""
        return (
            self.round.status == RoundStatus.collecting and self.round.collection_closed_at is None
        )

    def tool(self) -> Tool:
        """The round's frozen tool."""
        return _tool(self.tool_version)

    def questions(self) -> list[Question]:
        """The questions of the round's frozen tool this agency answers about this case."""
        self.tool()  # read (and checked) once per process, before its questions are sorted
        key = (self.tool_version.name, self.tool_version.version)
        return list(_questions_for(key, self.case, self.agency.code))


_tools: dict[tuple[str, str], Tool] = {}


def read_tool(session: Session, version: ToolVersion) -> Tool:
    """The snapshot's tool, its definition read (once per process) when it was not loaded."""
    found = _tools.get((version.name, version.version))
    if found is not None:
        return found
    whole = session.get(ToolVersion, version.id)
    assert whole is not None, "a round's tool version is never deleted"
    return _tool(whole)


@lru_cache(maxsize=1024)
def _questions_for(
    key: tuple[str, str], case: CaseAttributes, agency_code: str
) -> tuple[Question, ...]:
    """A frozen tool's questions for one kind of case and agency: the same on every request."""
    return tuple(_tools[key].questions_for_case(case, agency_code))


def _tool(version: ToolVersion) -> Tool:
    """The tool a snapshot holds, by name and version: the version is the hash of the tool's
    meaning, so the snapshot's definition is read (and checked) once per process."""
    key = (version.name, version.version)
    found = _tools.get(key)
    if found is None:
        found = _tools.setdefault(key, frozen_tool(version))
    return found


def _grants(*, session: Session, person_id: int) -> list[AccessGrant]:
    return list(
        session.exec(
            select(AccessGrant)
            .where(col(AccessGrant.person_id) == person_id, col(AccessGrant.revoked_at).is_(None))
            .order_by(col(AccessGrant.round_id), col(AccessGrant.agency_id))
        )
    )


def live_assignments() -> Any:
    """Live assignments with all a view holds, by round and case reference."""
    return (
        select_rows(
            Assignment,
            AuditRound,
            Agency,
            col(Case.case_ref),
            ToolVersion,
            col(RoundAgency.due_date),  # the agency's own extension: a column, not a row object
            col(Case.category),
            col(Case.age_band),
        )
        .join(AuditRound, col(AuditRound.id) == col(Assignment.round_id))
        .join(Agency, col(Agency.id) == col(Assignment.agency_id))
        .join(Case, col(Case.id) == col(Assignment.case_id))
        .join(ToolVersion, col(ToolVersion.id) == col(AuditRound.tool_version_id))
        .join(
            RoundAgency,
            (col(RoundAgency.round_id) == col(Assignment.round_id))
            & (col(RoundAgency.agency_id) == col(Assignment.agency_id)),
        )
        .where(
            col(Assignment.status) != AssignmentStatus.withdrawn,
            col(AuditRound.status).not_in(HIDDEN_ROUNDS),
        )
        .order_by(col(Assignment.round_id), col(Case.case_ref))
    )


# What agency systems read on every request, built once; never the round's launch records or
# the tool's definition (read once per process by `_tool`).
_TAKING_PART = (
    live_assignments()
    .where(col(Assignment.agency_id) == bindparam("agency_id"))
    .where(col(RoundAgency.status) == MemberStatus.active)
    .options(
        defer(AuditRound.parameters),  # type: ignore[arg-type]
        defer(AuditRound.selection),  # type: ignore[arg-type]
        defer(AuditRound.register_counts),  # type: ignore[arg-type]
        defer(ToolVersion.definition),  # type: ignore[arg-type]
    )
)
ONE_TAKING_PART = _TAKING_PART.where(col(Assignment.id) == bindparam("assignment_id"))


def view_of(
    row: Sequence[Any],
    role: GrantRole,
    flags: dict[int, list[str]],
    answer_sets: tuple[AnswerSet, ...] | None = None,
) -> AssignmentView:
    """The view a row of `live_assignments`' eight columns makes, seen with this role."""
    assignment, round_, agency, case_ref, version, own_due_date, category, age_band = row
    return AssignmentView(
        assignment,
        round_,
        agency,
        case_ref,
        role,
        version,
        agency_due_date(own_due_date, round_),
        CaseAttributes.of(
            category=category, flags=flags.get(assignment.case_id, ()), age_band=age_band
        ),
        answer_sets,
    )


def _made_views(session: Session, rows: Sequence[Any], role: GrantRole) -> list[AssignmentView]:
    flags = _flags_where_asked(session=session, rows=rows)
    return [view_of(row, role, flags) for row in rows]


def _flags_where_asked(*, session: Session, rows: Sequence[Any]) -> dict[int, list[str]]:
    """The cases' flags, read only when a tool of these rows has a condition on flags."""
    if not any(_tool(row[4]).conditions_on("flags") for row in rows):
        return {}
    return flags_of(session, list({row[0].case_id for row in rows}))


def flags_of(session: Session, case_ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for case_id, flag in session.exec(
        select(CaseFlag.case_id, CaseFlag.flag).where(col(CaseFlag.case_id).in_(case_ids))
    ):
        found.setdefault(case_id, []).append(flag)
    return found


def _views(
    *,
    session: Session,
    agency_id: int,
    role: GrantRole,
    round_id: int | None = None,
) -> list[AssignmentView]:
    """The agency's live assignments (in one round), seen with this role."""
    query = live_assignments().where(col(Assignment.agency_id) == agency_id)
    if round_id is not None:
        query = query.where(col(Assignment.round_id) == round_id)
    return _made_views(session, session.execute(query).all(), role)


def visible_assignments(*, session: Session, person_id: int) -> list[AssignmentView]:
    """Every assignment the person may open now, by round, agency and case reference."""
    views: list[AssignmentView] = []
    best: dict[tuple[int, int], AccessGrant] = {}
    for grant in _grants(session=session, person_id=person_id):
        if grant.role != GrantRole.escalation:
            best.setdefault((grant.round_id, grant.agency_id), grant)
    for (round_id, agency_id), grant in best.items():
        views.extend(
            _views(session=session, agency_id=agency_id, role=grant.role, round_id=round_id)
        )
    return views


def agency_assignments(
    *, session: Session, agency_id: int, assignment_id: int | None = None
) -> list[AssignmentView]:
    """The agency's assignments in rounds it takes part in, as its lead would see them."""
    if assignment_id is None:
        rows = session.execute(_TAKING_PART, {"agency_id": agency_id})
    else:
        params = {"agency_id": agency_id, "assignment_id": assignment_id}
        rows = session.execute(ONE_TAKING_PART, params)
    return _made_views(session, rows.all(), GrantRole.lead)


def get_assignment(*, session: Session, person_id: int, assignment_id: int) -> AssignmentView:
    """The assignment if the person may open it; NotFoundError otherwise (never "forbidden")."""
    for view in visible_assignments(session=session, person_id=person_id):
        if view.assignment.id == assignment_id:
            return view
    raise NotFoundError(NOT_FOUND)


def agency_ids_in_round(*, session: Session, person_id: int, round_id: int) -> set[int]:
    """The agencies whose assignments the person may see in the round."""
    return {
        view.agency.id
        for view in visible_assignments(session=session, person_id=person_id)
        if view.round.id == round_id and view.agency.id is not None
    }
