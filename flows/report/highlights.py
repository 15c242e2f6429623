"""Board highlights in the style of a council's audit report: every finding's statement, and
the strengths, concerns and changes chosen for the body (pure)."""

from __future__ import annotations

from flows.report.model import ComparisonRow, Figure, Highlight, QuestionRow
from flows.report.words import concerns_sentence


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
    said = concerns_sentence(concerns)
    if said:
        bullets.append(said.removesuffix("."))
    return bullets


TOP = 5
CHANGES = 3
LOW = 70  # without an action rule, under this a finding is a concern rather than a strength
SPLIT = 0.5  # agencies disagreeing on at least this share of compared cases is a concern


def _figure(row: QuestionRow) -> Figure | None:
    if row.case_level is not None and row.case_level.applicable:
        return row.case_level
    return row.overall if row.overall.applicable else None


def _concern_reasons(row: QuestionRow, figure: Figure, split: tuple[int, int] | None) -> list[str]:
    reasons = []
    percent = figure.percent or 0
    if row.threshold is not None and percent < row.threshold:
        reasons.append(f"under the tool's action threshold of {row.threshold}%")
    elif row.threshold is None and percent < LOW:
        reasons.append("among the lowest compliance")
    if split and split[1] and split[0] / split[1] >= SPLIT:
        reasons.append(f"agencies disagreed on {split[0]} of {split[1]} cases")
    return reasons


def _strength(row: QuestionRow) -> str:
    if row.threshold is not None:
        return f"at or above the tool's action threshold of {row.threshold}%"
    return f"{LOW}% or more"


def choose(
    questions: list[QuestionRow],
    disagreements: dict[str, tuple[int, int]],
    notes: dict[str, str],
    exclude: frozenset[str] | set[str] = frozenset(),
    top: int = TOP,
) -> tuple[list[Highlight], list[Highlight], list[Highlight]]:
    """Strengths (highest compliance first) and concerns (under threshold, then lowest, then
    most disagreed), `top` of each; the rest in tool order for the appendix."""
    strengths: list[tuple[Highlight, Figure, QuestionRow]] = []
    concerns: list[tuple[Highlight, Figure, QuestionRow]] = []
    for row in questions:
        figure, statement = _figure(row), question_highlight(row)
        if figure is None or statement is None or row.id in exclude:
            continue
        reasons = _concern_reasons(row, figure, disagreements.get(row.id))
        item = Highlight(
            question_id=row.id,
            statement=statement,
            reason="; ".join(reasons) if reasons else _strength(row),
            kind="concern" if reasons else "strength",
            percent=figure.percent,
            note=notes.get(row.id, ""),
        )
        (concerns if reasons else strengths).append((item, figure, row))
    strengths.sort(key=lambda t: (-(t[1].percent or 0), -t[1].applicable))
    concerns.sort(
        key=lambda t: (
            "threshold" not in t[0].reason,
            t[1].percent or 0,
            -disagreements.get(t[2].id, (0, 1))[0],
        )
    )
    chosen = [t[0] for t in strengths[:top]], [t[0] for t in concerns[:top]]
    picked = {h.question_id for group in chosen for h in group}
    order = {row.id: i for i, row in enumerate(questions)}
    rest = sorted(
        (t[0] for t in strengths + concerns if t[0].question_id not in picked),
        key=lambda h: order[h.question_id],
    )
    return chosen[0], chosen[1], rest


def largest_changes(
    changes: list[ComparisonRow], top: int = CHANGES
) -> tuple[list[ComparisonRow], list[ComparisonRow]]:
    """The largest improvements and deteriorations (each question at most once)."""
    up = sorted((c for c in changes if c.direction == "improved"), key=lambda c: -c.change_points)
    down = sorted((c for c in changes if c.direction == "worse"), key=lambda c: c.change_points)
    return up[:top], down[:top]
