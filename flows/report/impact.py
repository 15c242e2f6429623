"""A re-audit's impact: each baseline action's final status, updates, and whether its success
measure (a question and a threshold read from the action) was met at the re-audit."""

from __future__ import annotations

import re

from sqlmodel import Session, col, select

from flows.report.charts import wording
from flows.report.model import (
    ActionOutcome,
    ActionUpdateItem,
    ComparisonRow,
    Figure,
    Impact,
    QuestionRow,
)
from flows.report.words import and_list
from models.action import Action, ActionStatus, ActionUpdate
from models.agency import Agency
from models.calendar import london_date

_THRESHOLD = re.compile(r"(?:at least|over|above|>=?|≥)?\s*(\d{1,3})\s*%", re.IGNORECASE)
_NUMBERED = re.compile(r"\bQ(\d{1,3})\b")
STATUS_WORDS = {
    "draft": "never approved",
    "approved": "approved",
    "on_track": "on track",
    "at_risk": "at risk",
    "overdue": "overdue",
    "done": "done",
}


def status_words(status: str) -> str:
    """An action status as the board reads it."""
    return STATUS_WORDS.get(status, status.replace("_", " "))


def _target(action: Action, questions: list[QuestionRow]) -> tuple[QuestionRow | None, int | None]:
    """The question and threshold an action's success measure names."""
    by_id = {q.id: q for q in questions}
    question = None
    if action.source_key.startswith(("rule:", "discrepancy:")):
        question = by_id.get(action.source_key.split(":", 1)[1])
    numbered = _NUMBERED.search(action.success_measure)
    if question is None and numbered and 0 < int(numbered.group(1)) <= len(questions):
        question = questions[int(numbered.group(1)) - 1]
    found = _THRESHOLD.search(action.success_measure)
    threshold = int(found.group(1)) if found and int(found.group(1)) <= 100 else None
    if threshold is None and question is not None and action.source_key.startswith("rule:"):
        threshold = question.threshold  # the tool's rule drafted it: its threshold is the aim
    return question, threshold


def _verdict(
    question: QuestionRow | None,
    threshold: int | None,
    result: Figure | None,
    agreed: tuple[int, int] | None,
) -> tuple[bool | None, str]:
    if question is None:
        return None, "not measurable (the measure names no question the re-audit answers)"
    if threshold is None:
        seen = ""
        if agreed and agreed[1]:
            share = round(100 * agreed[0] / agreed[1])
            seen = (
                f"; agencies gave the same answer on {share}% of cases ({agreed[0]} of {agreed[1]})"
            )
        return None, "not measurable (no threshold to check)" + seen
    if result is None or result.percent is None:
        return None, "not measurable (the re-audit has no figure for this question)"
    if result.percent >= threshold:
        return True, f"met at {result.label} (at least {threshold}% wanted)"
    return False, f"not met: {result.label} against at least {threshold}%"


def impact(
    *,
    session: Session,
    baseline_round_id: int,
    baseline_title: str,
    questions: list[QuestionRow],
    deteriorations: list[ComparisonRow],
    names: dict[str, str],
    agreement: dict[str, tuple[int, int]],
) -> Impact:
    """Every action of the baseline's plan, with what the board should ask next."""
    actions = session.exec(
        select(Action)
        .where(col(Action.round_id) == baseline_round_id, col(Action.status) != ActionStatus.merged)
        .order_by(col(Action.id))
    ).all()
    codes = {a.id: a.code for a in session.exec(select(Agency))}
    updates: dict[int, list[ActionUpdateItem]] = {}
    for update in session.exec(
        select(ActionUpdate)
        .where(col(ActionUpdate.action_id).in_([a.id for a in actions]))
        .order_by(col(ActionUpdate.at), col(ActionUpdate.id))
    ):
        updates.setdefault(update.action_id, []).append(
            ActionUpdateItem(
                on=london_date(update.at), status=status_words(update.status), note=update.note
            )
        )
    outcomes = []
    for action in actions:
        question, threshold = _target(action, questions)
        result = None
        if question is not None:
            result = question.case_level or question.overall
        met, verdict = _verdict(
            question, threshold, result, agreement.get(question.id) if question else None
        )
        owner = codes.get(action.owner_agency_id)
        outcomes.append(
            ActionOutcome(
                what=action.what,
                owner=names.get(owner or "", owner),
                due=action.due_date,
                status=status_words(action.status),
                updates=updates.get(action.id or 0, []),
                success_measure=action.success_measure,
                question=wording(question) if question else None,
                threshold=threshold,
                result=result,
                met=met,
                verdict=verdict,
            )
        )
    return Impact(
        baseline_title=baseline_title,
        outcomes=outcomes,
        asks=asks(outcomes, deteriorations),
    )


def asks(outcomes: list[ActionOutcome], deteriorations: list[ComparisonRow]) -> list[str]:
    """What the board should ask next, most pressing first."""
    found = []
    for o in outcomes:
        if o.status == "done" and o.met is False:
            found.append(
                f"“{o.what}” is done but its measure was not met ({o.verdict}): "
                "what will the partnership do differently?"
            )
    open_ = [o for o in outcomes if o.status != "done"]
    if open_:
        leads = and_list(sorted({o.owner or "no lead agency" for o in open_}))
        found.append(
            f"{len(open_)} of the baseline's {len(outcomes)} actions are not done (leads: "
            f"{leads}): when will they be, and what is holding them up?"
        )
    unmeasured = [o for o in outcomes if o.met is None]
    if unmeasured:
        found.append(
            f"{len(unmeasured)} actions have a success measure the re-audit cannot check: "
            "how will the partnership know whether they worked?"
        )
    for row in deteriorations:
        if row.caution is None:
            found.append(
                f"Why did “{row.finding or row.text}” fall {-row.change_points} points "
                "since the baseline?"
            )
    if outcomes and all(o.met for o in outcomes):
        found.append(
            "Every measure was met: how will the partnership keep these gains, and when "
            "should this theme be audited again?"
        )
    return found
