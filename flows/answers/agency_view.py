"""What an agency system's request reads: the one assignment it names, with its answer sets, as
plain columns (the ORM's loading of four objects cost a request more than the statement:
models.loaded makes them), and on PostgreSQL in the same statement as the key it carries.

Every column of the assignment and the agency is read; of the round and the tool version only
what the API reads (the rest raises if read), never the launch records or the tool's definition
(read once per process by `read_tool`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Table, bindparam, true
from sqlmodel import Session, SQLModel, col

from flows.answers.access import (
    NOT_FOUND,
    ONE_TAKING_PART,
    AssignmentView,
    flags_of,
    live_assignments,
    read_tool,
    view_of,
)
from flows.answers.rows import SETS
from models.agency import Agency
from models.answers import AnswerSet
from models.api_key import HOLDER_COLUMNS, HOLDERS, KEYS, KeyHolder, Presented, holder_in
from models.case import Case
from models.errors import NotFoundError
from models.loaded import as_loaded, as_partly_loaded
from models.round import (
    Assignment,
    AuditRound,
    GrantRole,
    MemberStatus,
    RoundAgency,
)
from models.tool_version import ToolVersion


def _table(model: type[SQLModel]) -> Table:
    return cast(Table, model.__table__)  # type: ignore[attr-defined]


_ROUND_READ = ("id", "title", "status", "tool_version_id", "due_date", "collection_closed_at")
_PARTS: tuple[tuple[type[SQLModel], tuple[str, ...], bool], ...] = (
    (Assignment, tuple(_table(Assignment).c.keys()), True),
    (AuditRound, _ROUND_READ, False),
    (Agency, tuple(_table(Agency).c.keys()), True),
    (ToolVersion, ("id", "name", "version"), False),
)
_SET_NAMES = tuple(column.name for column in SETS.c)
_COLUMNS = (
    *(_table(model).c[name] for model, names, _ in _PARTS for name in names),
    col(Case.case_ref),
    col(RoundAgency.due_date),
    col(Case.category),
    col(Case.age_band),
    *SETS.c,
)
_SET_AT = len(_COLUMNS) - len(SETS.c)
# One assignment of the agency's and its answer sets in one read (a row per set).
_ONE_WITH_SETS = (
    ONE_TAKING_PART.with_only_columns(*_COLUMNS, maintain_column_froms=False)
    .outerjoin(SETS, SETS.c.assignment_id == col(Assignment.id))
    .order_by(SETS.c.version.desc())
)
# The same for the agency of each key with the presented key's prefix, beside that key's row.
_VIEW_OF_KEY = (
    live_assignments()
    .where(
        col(Assignment.agency_id) == KEYS.c.agency_id,
        col(RoundAgency.status) == MemberStatus.active,
        col(Assignment.id) == bindparam("assignment_id"),
    )
    .with_only_columns(
        *(c.label(f"view_{n}") for n, c in enumerate(_COLUMNS)), maintain_column_froms=False
    )
    .outerjoin(SETS, SETS.c.assignment_id == col(Assignment.id))
    .correlate(KEYS)  # only the key: the view joins its own agency
    .lateral("assignment_view")
)
_KEY_WITH_VIEW = (
    HOLDERS.add_columns(*_VIEW_OF_KEY.c)
    .outerjoin(_VIEW_OF_KEY, true())
    .order_by(KEYS.c.id, _VIEW_OF_KEY.c[f"view_{_SET_AT + _SET_NAMES.index('version')}"].desc())
)
_AFTER_KEY = len(HOLDER_COLUMNS)


def _view(session: Session, rows: Sequence[Sequence[Any]]) -> AssignmentView:
    """The view the rows hold (from their first column on), with its answer sets, newest first."""
    parts: list[Any] = []
    start = 0
    for model, names, whole in _PARTS:
        values = dict(zip(names, rows[0][start : start + len(names)], strict=True))
        parts.append(as_loaded(model, values) if whole else as_partly_loaded(model, values))
        start += len(names)
    assignment, round_, agency, version = parts
    case_ref, own_due_date, category, age_band = rows[0][start:_SET_AT]
    tool = read_tool(session, version)
    flags = flags_of(session, [assignment.case_id]) if tool.conditions_on("flags") else {}
    sets = tuple(
        as_loaded(AnswerSet, dict(zip(_SET_NAMES, row[_SET_AT:], strict=True)))
        for row in rows
        if row[_SET_AT] is not None
    )
    row = (assignment, round_, agency, case_ref, version, own_due_date, category, age_band)
    return view_of(row, GrantRole.lead, flags, sets)


def get_agency_assignment(
    *, session: Session, agency_id: int, assignment_id: int
) -> AssignmentView:
    """One of the agency's assignments with its answer sets; NotFoundError for anything else
    (never "forbidden"). Its objects are detached copies."""
    params = {"agency_id": agency_id, "assignment_id": assignment_id}
    rows = session.connection().execute(_ONE_WITH_SETS, params).all()
    if not rows:
        raise NotFoundError(NOT_FOUND)
    return _view(session, rows)


def key_with_assignment(
    *, session: Session, key: Presented, assignment_id: int
) -> tuple[KeyHolder | None, AssignmentView | None]:
    """The presented key's holder (revoked or not) and its agency's assignment, in one statement
    (PostgreSQL's LATERAL); the view is None when it is not the agency's to see, or no agency's.
    Whoever calls this decides from the holder whether the view may be used."""
    params = {"prefix": key.prefix, "assignment_id": assignment_id}
    rows = session.connection().execute(_KEY_WITH_VIEW, params).all()
    for row in rows:
        holder = holder_in(row, key)
        if holder is not None:
            mine = [r[_AFTER_KEY:] for r in rows if r[0] == holder.key_id]
            return holder, None if mine[0][0] is None else _view(session, mine)
    return None, None
