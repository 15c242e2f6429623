"""Loading a round's submitted answers, responses and concerns for reconciliation."""

from __future__ import annotations

from collections import Counter

import numpy as np
from sqlalchemy import func
from sqlmodel import Session, col, select

from flows.reconcile.compute import RoundAnswers
from flows.rounds.views import get_round
from models.agency import Agency
from models.answers import Answer, AnswerSet, Concern, counted_answers
from models.case import Case
from models.moderation import ModeratedAnswer
from models.questionnaire import Tool
from models.round import Assignment, AssignmentStatus, MemberStatus, RoundAgency, RoundCase
from models.tool_version import ToolVersion, frozen_tool


def round_tool(*, session: Session, round_id: int) -> Tool:
    """The tool version the round launched with."""
    round_ = get_round(session=session, round_id=round_id)
    version = session.get(ToolVersion, round_.tool_version_id)
    assert version is not None
    return frozen_tool(version)


def load_answers(*, session: Session, round_id: int) -> RoundAnswers:
    """Every answer that counts (`counted_answers`) of the round's active agencies and cases,
    in long form; a not-known assignment's only answer says so and enters no figure."""
    agencies = session.exec(
        select(Agency.id, Agency.code)
        .join(RoundAgency, col(RoundAgency.agency_id) == col(Agency.id))
        .where(
            col(RoundAgency.round_id) == round_id, col(RoundAgency.status) == MemberStatus.active
        )
        .order_by(col(Agency.code))
    ).all()
    cases = session.exec(
        select(Case.id, Case.case_ref)
        .join(RoundCase, col(RoundCase.case_id) == col(Case.id))
        .where(col(RoundCase.round_id) == round_id, col(RoundCase.status) == MemberStatus.active)
        .order_by(col(Case.case_ref))
    ).all()
    agency_at = {agency_id: i for i, (agency_id, _) in enumerate(agencies)}
    case_at = {case_id: i for i, (case_id, _) in enumerate(cases)}
    rows = session.exec(
        select(  # type: ignore[call-overload]
            col(Assignment.agency_id),
            col(Assignment.case_id),
            col(Answer.question_id),
            col(Answer.choice),
            col(Answer.number),
        )
        .join(AnswerSet, col(AnswerSet.assignment_id) == col(Assignment.id))
        .join(Answer, col(Answer.answer_set_id) == col(AnswerSet.id))
        .where(counted_answers(round_id))
    ).all()
    kept = [r for r in rows if r[0] in agency_at and r[1] in case_at]
    moderated = {
        (ref, question): (value, resolution)
        for ref, question, value, resolution in session.exec(
            select(
                Case.case_ref,
                ModeratedAnswer.question_id,
                ModeratedAnswer.value,
                ModeratedAnswer.resolution,
            )
            .join(Case, col(Case.id) == col(ModeratedAnswer.case_id))
            .where(col(ModeratedAnswer.round_id) == round_id)
        )
    }
    return RoundAnswers(
        agencies=[code for _, code in agencies],
        cases=[ref for _, ref in cases],
        agency_index=np.fromiter((agency_at[r[0]] for r in kept), dtype=np.intp, count=len(kept)),
        case_index=np.fromiter((case_at[r[1]] for r in kept), dtype=np.intp, count=len(kept)),
        question_ids=[r[2] for r in kept],
        values=[r[3] if r[3] is not None else (None if r[4] is None else int(r[4])) for r in kept],
        moderated=moderated,
    )


def responses(*, session: Session, round_id: int) -> dict[str, dict[str, int]]:
    """Per agency: how many assignments are submitted, not known, in progress, not started."""
    rows = session.exec(
        select(Agency.code, Assignment.status, func.count())
        .join(Agency, col(Agency.id) == col(Assignment.agency_id))
        .where(
            col(Assignment.round_id) == round_id,
            col(Assignment.status) != AssignmentStatus.withdrawn,
        )
        .group_by(col(Agency.code), col(Assignment.status))
    ).all()
    found: dict[str, dict[str, int]] = {}
    for code, status, count in rows:
        found.setdefault(
            code, {s.value: 0 for s in AssignmentStatus if s != AssignmentStatus.withdrawn}
        )[status] = count
    return found


def concern_counts(*, session: Session, round_id: int) -> dict[str, int]:
    """Immediate concerns by state (counts only)."""
    states = session.exec(select(Concern.state).where(col(Concern.round_id) == round_id)).all()
    counts = Counter(str(state) for state in states)
    return {
        "raised": counts["raised"],
        "acknowledged": counts["acknowledged"],
        "referred": counts["referred"],
        "not_referred": counts["not_referred"],
        "total": len(states),
    }
