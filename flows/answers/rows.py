"""The answer tables read and written with Core statements built once: no ORM flush per row.

An answer set is read into a detached `AnswerSet` (never in a session's identity map, so a
Core update can never leave a stale copy behind); answers are written in one statement (on
PostgreSQL an INSERT from unnest() of one array per column: an executemany there is one message
per row through psycopg's pipeline, in Python), and their typed values are known without
reading them back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import (
    Connection,
    Executable,
    Table,
    all_,
    bindparam,
    delete,
    func,
    insert,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as upsert
from sqlmodel import Session

from models.answers import Answer, AnswerOption, AnswerSet, AnswerSetStatus, answer_value
from models.loaded import as_loaded
from models.questionnaire import Answer as AnswerValue
from models.questionnaire import Question
from models.statements import Step

SETS = cast(Table, AnswerSet.__table__)  # type: ignore[attr-defined]
ANSWERS = cast(Table, Answer.__table__)  # type: ignore[attr-defined]
OPTIONS = cast(Table, AnswerOption.__table__)  # type: ignore[attr-defined]

_READ_SETS = (
    select(SETS)
    .where(SETS.c.assignment_id == bindparam("assignment_id"))
    .order_by(SETS.c.version.desc())
)
_READ_VALUES = (
    select(ANSWERS, OPTIONS.c.option_id)
    .outerjoin(OPTIONS, OPTIONS.c.answer_id == ANSWERS.c.id)
    .where(ANSWERS.c.answer_set_id == bindparam("answer_set_id"))
    .order_by(ANSWERS.c.id, OPTIONS.c.option_id)
)
_NEW_SET = insert(SETS).returning(SETS.c.id)
_INSERT_ANSWERS = insert(ANSWERS)
_INSERT_RETURNING = insert(ANSWERS).returning(
    ANSWERS.c.id, ANSWERS.c.question_id, sort_by_parameter_order=True
)
_INSERT_OPTIONS = insert(OPTIONS)
ANSWER_COLUMNS = ("answer_set_id", "question_id", "choice", "number", "day", "text")


def _arrays(table: Table, columns: tuple[str, ...]) -> Any:
    """The rows given as one array per column (PostgreSQL's unnest, in lockstep)."""
    return select(*(func.unnest(bindparam(c, type_=ARRAY(table.c[c].type))) for c in columns))


def _from_arrays(table: Table, columns: tuple[str, ...]) -> Any:
    """INSERT of the rows given as one array per column."""
    return insert(table).from_select(list(columns), _arrays(table, columns))


_UNNEST_ANSWERS = _from_arrays(ANSWERS, ANSWER_COLUMNS)
_UNNEST_RETURNING = _UNNEST_ANSWERS.returning(ANSWERS.c.id, ANSWERS.c.question_id)
_UNNEST_OPTIONS = _from_arrays(OPTIONS, ("answer_id", "option_id"))
# A draft's answers replaced in one statement: the rows of questions no longer answered go, the
# others are written over (disjoint rows, so they may run together).
_STALE_ANSWERS = delete(ANSWERS).where(
    ANSWERS.c.answer_set_id == bindparam("set_id"),
    ANSWERS.c.question_id
    != all_(bindparam("question_id", type_=ARRAY(ANSWERS.c.question_id.type))),
)
_written_over = upsert(ANSWERS).from_select(list(ANSWER_COLUMNS), _arrays(ANSWERS, ANSWER_COLUMNS))
_WRITTEN_OVER = _written_over.on_conflict_do_update(
    index_elements=["answer_set_id", "question_id"],
    set_={name: _written_over.excluded[name] for name in ("choice", "number", "day", "text")},
)


@dataclass(frozen=True)
class Written:
    """The answers as they now stand, and the statements still to run for them (with their
    parameters) together with the change's own (models.statements): none where written."""

    shown: dict[str, AnswerValue]
    steps: tuple[Step, ...] = ()
    params: dict[str, Any] = field(default_factory=dict)


_DELETE_OPTIONS = delete(OPTIONS).where(
    OPTIONS.c.answer_id.in_(
        select(ANSWERS.c.id).where(ANSWERS.c.answer_set_id == bindparam("answer_set_id"))
    )
)
_DELETE_ANSWERS = delete(ANSWERS).where(ANSWERS.c.answer_set_id == bindparam("answer_set_id"))
EMPTY_ROW = {"choice": None, "number": None, "day": None, "text": None}


def read_sets(*, session: Session, assignment_id: int) -> list[AnswerSet]:
    """The assignment's answer sets, newest version first."""
    rows = session.connection().execute(_READ_SETS, {"assignment_id": assignment_id})
    return [as_loaded(AnswerSet, dict(row._mapping)) for row in rows]


def read_values(*, session: Session, answer_set_id: int) -> dict[str, AnswerValue]:
    """The typed answers of one answer set, by question id."""
    rows = session.connection().execute(_READ_VALUES, {"answer_set_id": answer_set_id}).all()
    options: dict[int, list[str]] = {}
    for row in rows:
        if row.option_id is not None:
            options.setdefault(row.id, []).append(row.option_id)
    values: dict[str, AnswerValue] = {}
    for row in rows:
        if row.question_id in values:  # a multi-choice answer's further options
            continue
        # A row has the stored answer's columns, all answer_value reads.
        value = answer_value(cast(Answer, row), options.get(row.id, []))
        if value is not None:
            values[row.question_id] = value
    return values


def new_set(*, session: Session, assignment_id: int, version: int, now: datetime) -> AnswerSet:
    """Insert a draft answer set of this version."""
    fields: dict[str, Any] = {
        "assignment_id": assignment_id,
        "version": version,
        "status": AnswerSetStatus.draft.value,
        "created_at": now,
        "updated_at": now,
        "submitted_at": None,
        "submitted_by": None,
    }
    new_id = session.connection().execute(_NEW_SET, fields).scalar_one()
    return as_loaded(AnswerSet, {"id": new_id, **fields})


def _row(answer_set_id: int, question: Question, value: AnswerValue) -> dict[str, Any]:
    row: dict[str, Any] = {"answer_set_id": answer_set_id, "question_id": question.id}
    row.update(EMPTY_ROW)
    if question.type == "text":
        row["text"] = str(value)
    elif isinstance(value, str):
        row["choice"] = value
    elif isinstance(value, bool):
        raise TypeError("a boolean is not an answer")
    elif isinstance(value, int | float):
        row["number"] = float(value)
    elif isinstance(value, date):
        row["day"] = value
    return row


def _options(question: Question, value: AnswerValue) -> list[str]:
    if question.type == "multi_choice" and isinstance(value, list | tuple):
        return [str(option) for option in value]
    return []


def write_rows(
    *,
    session: Session,
    answer_set_id: int,
    questions: Mapping[str, Question],
    values: Mapping[str, AnswerValue],
    replace: bool,
    together: bool = False,
) -> Written:
    """Write the answer set's rows (replacing any it had), or with `together` on PostgreSQL
    (no multi-choice options to write) return the statements that will; the typed values."""
    connection = session.connection()
    postgres = connection.dialect.name == "postgresql"
    rows = [_row(answer_set_id, questions[key], value) for key, value in values.items()]
    shown = _shown(rows, values, questions)
    multi = any(question.type == "multi_choice" for question in questions.values())
    if together and not multi and postgres:
        arrays = _as_arrays(rows, ANSWER_COLUMNS)
        if not replace:
            return Written(shown, (_UNNEST_ANSWERS,), arrays)
        return Written(shown, (_STALE_ANSWERS, _WRITTEN_OVER), {**arrays, "set_id": answer_set_id})
    if replace:
        if multi:
            connection.execute(_DELETE_OPTIONS, {"answer_set_id": answer_set_id})
        connection.execute(_DELETE_ANSWERS, {"answer_set_id": answer_set_id})
    ticked = {key: _options(questions[key], value) for key, value in values.items()}
    ticked = {key: options for key, options in ticked.items() if options}
    if ticked:
        returning = _UNNEST_RETURNING if postgres else _INSERT_RETURNING
        ids = dict(
            (question_id, answer_id)
            for answer_id, question_id in _insert(connection, returning, rows, postgres)
        )
        options = [
            {"answer_id": ids[key], "option_id": option}
            for key, options in ticked.items()
            for option in options
        ]
        _insert(connection, _UNNEST_OPTIONS if postgres else _INSERT_OPTIONS, options, postgres)
    elif rows:
        _insert(connection, _UNNEST_ANSWERS if postgres else _INSERT_ANSWERS, rows, postgres)
    return Written(shown)


def _shown(
    rows: list[dict[str, Any]], values: Mapping[str, AnswerValue], questions: Mapping[str, Question]
) -> dict[str, AnswerValue]:
    """The typed values as they will be read back."""
    shown: dict[str, AnswerValue] = {}
    for row in rows:
        key = row["question_id"]
        value = answer_value(cast(Answer, _Stored(row)), _options(questions[key], values[key]))
        if value is not None:
            shown[key] = value
    return shown


def _insert(
    connection: Connection, statement: Executable, rows: list[dict[str, Any]], arrays: bool
) -> Any:
    """Insert the rows: as one array per column when the statement takes arrays."""
    if not arrays:
        return connection.execute(statement, rows)
    return connection.execute(statement, _as_arrays(rows, tuple(rows[0])))


def _as_arrays(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> dict[str, list[Any]]:
    """The rows as one list per column, for the statements that take arrays."""
    return {column: [row[column] for row in rows] for column in columns}


class _Stored:
    """A row about to be written, read as answer_value reads a stored one."""

    __slots__ = ("choice", "day", "number", "text")

    def __init__(self, row: Mapping[str, Any]) -> None:
        self.choice, self.number = row["choice"], row["number"]
        self.day, self.text = row["day"], row["text"]
