"""Simulated agency answers for the demo: seeded, with realistic disagreement and gaps."""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from models.agency import Agency
from models.answers import Answer, AnswerSet, AnswerSetStatus, Concern
from models.case import Case
from models.questionnaire import NA, BaseQuestion, Tool
from models.round import AccessGrant, Assignment, AssignmentStatus, GrantRole

FREE_TEXT = ("good_practice", "areas_for_development", "recommendations")
AREAS = (
    "Chronologies were not shared before the strategy discussion.",
    "The child's voice is not recorded in our notes.",
    "Supervision notes do not show management oversight of risk.",
    "Referral lacked the history of previous incidents.",
)
RECOMMENDATIONS = (
    "Joint training on DASH risk assessment for front-line staff.",
    "Invite education to every strategy discussion where the child is of school age.",
    "Agree a template for multi-agency chronologies.",
)


def _grade(rng: random.Random, quality: float, scale: list[str]) -> str:
    """A point on an ordered scale (lowest first) near the case's quality, with noise."""
    position = min(max(quality + rng.gauss(0, 0.1), 0.0), 0.999)
    return scale[int(position * len(scale))]


def _value(rng: random.Random, question: BaseQuestion, quality: float) -> str | int | None:
    if question.allows_na and rng.random() < 0.06:
        return NA
    kind = question.type  # type: ignore[attr-defined]
    if kind == "yes_no_na":
        return "yes" if rng.random() < quality + 0.1 else "no"
    if kind in ("yes_partly_no_na", "ofsted_grade", "rag", "scale_0_10"):
        scale = [str(v) for v in question.ordered_values or ()]
        value = _grade(rng, quality, scale)
        return int(value) if kind == "scale_0_10" else value
    if kind == "single_choice":
        return rng.choice([value for value, _ in question.choices()])
    return None


DEMO_CONCERN = (
    "Records show a recent disclosure at school that was not shared with children's social care."
)


def _raise_one_concern(
    session: Session, round_id: int, assignment: Assignment, now: datetime
) -> list[int]:
    """The agency lead raises an immediate concern, exactly as the portal's button does."""
    from flows.answers.access import get_assignment
    from flows.answers.concerns import raise_concern
    from models.settings import get_settings

    lead = session.exec(
        select(AccessGrant.person_id).where(
            col(AccessGrant.round_id) == round_id,
            col(AccessGrant.agency_id) == assignment.agency_id,
            col(AccessGrant.role) == GrantRole.lead,
        )
    ).one()
    view = get_assignment(session=session, person_id=lead, assignment_id=assignment.id or 0)
    raised = raise_concern(
        session=session,
        view=view,
        person_id=lead,
        now=now,
        settings=get_settings(),
        description=DEMO_CONCERN,
        immediate_risk=False,
    )
    return raised.message_ids


def simulate_answers(
    *, session: Session, round_id: int, tool: Tool, seed: int, quality: float, now: datetime
) -> dict[str, Any]:
    """Answer every assignment of a round as agencies might; one case raises a concern."""
    rng = random.Random(seed)
    rows = session.exec(
        select(Assignment, Agency.code, Case.case_ref)
        .join(Agency, col(Agency.id) == col(Assignment.agency_id))
        .join(Case, col(Case.id) == col(Assignment.case_id))
        .where(
            col(Assignment.round_id) == round_id,
            col(Assignment.status) == AssignmentStatus.not_started,
        )
        .order_by(col(Case.case_ref), col(Agency.code))
    ).all()
    case_quality = {ref: min(max(rng.gauss(quality, 0.15), 0.05), 0.95) for _, _, ref in rows}
    counts: dict[str, Any] = {"submitted": 0, "not_known": 0, "concerns": 0, "alerts": []}
    for assignment, code, case_ref in rows:
        known = rng.random() > (0.2 if code in ("education", "probation") else 0.04)
        answer_set = AnswerSet(
            assignment_id=assignment.id or 0,
            status=AnswerSetStatus.submitted,
            created_at=now,
            updated_at=now,
            submitted_at=now,
        )
        session.add(answer_set)
        session.flush()
        answers: dict[str, str | int | None] = {"known_to_agency": "yes" if known else "no"}
        if known:
            for question in tool.questions_for(code):
                if question.id != "known_to_agency":
                    answers[question.id] = _value(rng, question, case_quality[case_ref])
            if rng.random() < 0.3:
                answers["areas_for_development"] = rng.choice(AREAS)
            if rng.random() < 0.2:
                answers["recommendations"] = rng.choice(RECOMMENDATIONS)
        for question_id, value in answers.items():
            if value is None:
                continue
            free = question_id in FREE_TEXT
            session.add(
                Answer(
                    answer_set_id=answer_set.id or 0,
                    question_id=question_id,
                    choice=value if isinstance(value, str) and not free else None,
                    number=value if isinstance(value, int) else None,
                    text=str(value) if free else None,
                )
            )
        assignment.status = AssignmentStatus.submitted if known else AssignmentStatus.not_known
        assignment.submitted_at, assignment.updated_at = now, now
        counts["submitted" if known else "not_known"] += 1
    if rows and not session.exec(select(Concern).where(col(Concern.round_id) == round_id)).first():
        counts["alerts"] = _raise_one_concern(session, round_id, rows[len(rows) // 3][0], now)
        counts["concerns"] += 1
    session.flush()
    return counts
