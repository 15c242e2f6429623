"""Board "Highlights" bullets in the style of a council's audit report (pure)."""

from __future__ import annotations

import re

from flows.report.model import ComparisonRow, QuestionRow

_AUXILIARY = re.compile(r"^(was|were|did|do|does|is|are|has|have|had)\s+(there\s+)?", re.IGNORECASE)


def phrase(question_text: str) -> str:
    """A question turned into a finding: "Was X done?" -> "X done"."""
    text = _AUXILIARY.sub("", question_text.strip()).rstrip("?").strip()
    return text[:1].upper() + text[1:]


def question_highlight(row: QuestionRow) -> str | None:
    """One bullet: case level for shared questions, agencies' reviews for own practice."""
    if row.case_level is not None and row.case_level.applicable:
        note = " (provisional until moderated)" if row.provisional else ""
        return f"{phrase(row.text)}: evidenced in {row.case_level.label} of cases{note}"
    if row.overall.applicable:
        return f"{phrase(row.text)}: evidenced in {row.overall.label} of agencies' case reviews"
    return None


def change_highlight(row: ComparisonRow) -> str:
    """One bullet on a re-audit change, with its caution."""
    moved = {
        "improved": f"up {row.change_points} points",
        "worse": f"down {-row.change_points} points",
        "unchanged": "unchanged",
    }[row.direction]
    text = (
        f"{phrase(row.text)}: {row.current.label} of cases against {row.baseline.label} "
        f"at baseline, {moved}"
    )
    return f"{text} ({row.caution})" if row.caution else text


def highlights(
    questions: list[QuestionRow], changes: list[ComparisonRow], concerns: dict[str, int]
) -> list[str]:
    """Highlights: figures per question, re-audit changes, then immediate concerns (counts)."""
    bullets = [b for b in (question_highlight(q) for q in questions) if b]
    bullets += [change_highlight(row) for row in changes]
    total = concerns.get("total", 0)
    if total:
        bullets.append(
            f"{total} immediate concern{'s' if total != 1 else ''} raised while auditing "
            f"({concerns.get('referred', 0)} referred), acted on at once, not held for the meeting"
        )
    return bullets
