"""Reading questionnaire forms into typed answers; the answer rules are flows.answers.check's."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flows.answers.check import REAL_DATE, check_answers, read_date, value_from_text
from models.questionnaire import NA, Answer, Question

__all__ = ["FormData", "read_answers", "read_date", "read_field"]

FormData = Mapping[str, Sequence[str]]
"""A posted form: each field name with every value sent for it."""


def _first(form: FormData, name: str) -> str:
    values = form.get(name) or []
    return values[0].strip() if values else ""


def read_field(question: Question, form: FormData) -> tuple[Answer, Any, str | None]:
    """One question's typed value from the form, what to show again, and why it could not be
    read (text that is no number, an impossible date), if so."""
    name = f"q__{question.id}"
    if question.type == "multi_choice":
        chosen = [v for v in form.get(name, []) if v]
        if NA in chosen:
            return NA, NA, None
        return (chosen or None), chosen, None
    if question.type in ("number", "date") and _first(form, f"{name}__na") == NA:
        return NA, NA, None
    if question.type == "date":
        parts = {p: _first(form, f"{name}__{p}") for p in ("day", "month", "year")}
        if not any(parts.values()):
            return None, None, None
        day, error = read_date(**parts, incomplete=REAL_DATE, invalid=REAL_DATE)
        return day, (parts if error else day), error
    raw = (form.get(name) or [""])[0]
    if not raw.strip():
        return None, None, None
    value, error = value_from_text(question, raw)
    return value, raw if question.type == "text" else raw.strip(), error


def read_answers(
    questions: Sequence[Question], form: FormData, *, complete: bool
) -> tuple[dict[str, Answer], dict[str, Any], dict[str, str]]:
    """Typed answers, values to show again and errors by question id (`complete` when
    submitting: the checks are `flows.answers.check.check_answers`)."""
    values: dict[str, Answer] = {}
    shown: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for question in questions:
        value, shown[question.id], problem = read_field(question, form)
        if problem is not None:
            problems[question.id] = problem
        elif value is not None:
            values[question.id] = value
    answers, errors = check_answers(questions, values, complete=complete, problems=problems)
    return answers, shown, errors
