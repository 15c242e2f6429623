"""Board "Highlights" bullets in the style of a council's audit report (pure)."""

from __future__ import annotations

from flows.report.model import ComparisonRow, QuestionRow


def _claim(finding: str | None, text: str, figure: str) -> str:
    """A finding with its figure: the tool's own statement of the standard when it has one,
    else the question itself, quoted (rewording a question by rule reads badly)."""
    if finding:
        return f"{finding}: evidenced in {figure}"
    return f"Standard met in {figure}: “{text}”"


def question_highlight(row: QuestionRow) -> str | None:
    """One bullet: case level for shared questions, agencies' reviews for own practice."""
    if row.case_level is not None and row.case_level.applicable:
        note = " (provisional until moderated)" if row.provisional else ""
        return _claim(row.finding, row.text, f"{row.case_level.label} of cases") + note
    if row.overall.applicable:
        return _claim(row.finding, row.text, f"{row.overall.label} of agencies' case reviews")
    return None


def change_highlight(row: ComparisonRow) -> str:
    """One bullet on a re-audit change, with its caution."""
    moved = {
        "improved": f"up {row.change_points} points",
        "worse": f"down {-row.change_points} points",
        "unchanged": "unchanged",
    }[row.direction]
    figure = f"{row.current.label} of cases against {row.baseline.label} at baseline, {moved}"
    text = f"{row.finding}: {figure}" if row.finding else f"“{row.text}”: {figure}"
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
