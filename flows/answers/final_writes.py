"""What a save or a submission writes once its answers are in, run together (models.statements:
one round trip on PostgreSQL): so no statement reads another's change, hence the guards on
status and id. Their parameters are p_set_id, p_assignment_id, p_at and, for a submission,
p_round_id, p_agency_id, p_person_id and p_status, with the audit event's (`event_params`)."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table, bindparam, select, update

from flows.answers.rows import SETS
from models.answers import AnswerSetStatus
from models.audit_log import INSERT_EVENT_BOUND
from models.round import ANSWERED, Assignment, AssignmentStatus

ASSIGNMENTS = cast(Table, Assignment.__table__)  # type: ignore[attr-defined]
_SAVED_AT = (
    update(SETS).where(SETS.c.id == bindparam("p_set_id")).values(updated_at=bindparam("p_at"))
)
_STARTED = (
    update(ASSIGNMENTS)
    .where(
        ASSIGNMENTS.c.id == bindparam("p_assignment_id"),
        ASSIGNMENTS.c.status == AssignmentStatus.not_started.value,
    )
    .values(status=AssignmentStatus.in_progress.value, updated_at=bindparam("p_at"))
)
_SUPERSEDED = (
    update(SETS)
    .where(
        SETS.c.assignment_id == bindparam("p_assignment_id"),
        SETS.c.status == AnswerSetStatus.submitted.value,
        SETS.c.id != bindparam("p_set_id"),
    )
    .values(status=AnswerSetStatus.superseded.value, updated_at=bindparam("p_at"))
)
_SUBMITTED = (
    update(SETS)
    .where(SETS.c.id == bindparam("p_set_id"))
    .values(
        status=AnswerSetStatus.submitted.value,
        submitted_at=bindparam("p_at"),
        submitted_by=bindparam("p_person_id"),
        updated_at=bindparam("p_at"),
    )
)
_ANSWERED = (
    update(ASSIGNMENTS)
    .where(ASSIGNMENTS.c.id == bindparam("p_assignment_id"))
    .values(
        status=bindparam("p_status"), submitted_at=bindparam("p_at"), updated_at=bindparam("p_at")
    )
)
_OTHER_OUTSTANDING = (
    select(ASSIGNMENTS.c.id)
    .where(
        ASSIGNMENTS.c.round_id == bindparam("p_round_id"),
        ASSIGNMENTS.c.agency_id == bindparam("p_agency_id"),
        ASSIGNMENTS.c.id != bindparam("p_assignment_id"),
        ASSIGNMENTS.c.status.not_in([*ANSWERED, AssignmentStatus.withdrawn]),
    )
    .limit(1)
)
SAVE = (_SAVED_AT, _STARTED, INSERT_EVENT_BOUND)
SUBMIT = (_SUPERSEDED, _SUBMITTED, _ANSWERED, INSERT_EVENT_BOUND, _OTHER_OUTSTANDING)
