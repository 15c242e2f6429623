"""Reading questionnaire forms into typed answers, and checking them question by question."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from models.questionnaire import KNOWN_QUESTION_ID, NA, Answer, Question

FormData = Mapping[str, Sequence[str]]
"""A posted form: each field name with every value sent for it."""

NUMERIC_CHOICE_TYPES = ("scale_0_10",)


def _first(form: FormData, name: str) -> str:
    values = form.get(name) or []
    return values[0].strip() if values else ""


def _parse_number(question: Question, raw: str) -> tuple[Answer, str | None]:
    try:
        number = float(raw.replace(",", ""))
    except ValueError:
        return None, "Enter a number"
    whole = bool(getattr(question, "whole_number", False))
    if whole and not number.is_integer():
        return None, "Enter a whole number"
    return (int(number) if number.is_integer() else number), None


def read_date(
    day: str, month: str, year: str, *, incomplete: str, invalid: str
) -> tuple[date | None, str | None]:
    """A date from the GOV.UK three-field input (day, month, four-digit year): the date, or the
    message for an incomplete or an impossible one."""
    if not (day and month and year):
        return None, incomplete
    if not (day.isdigit() and month.isdigit() and year.isdigit()) or len(year) != 4:
        return None, invalid
    try:
        return date(int(year), int(month), int(day)), None
    except ValueError:
        return None, invalid


def read_field(question: Question, form: FormData) -> tuple[Answer, Any, str | None]:
    """One question's answer from the form, what to show again, and a format error if any."""
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
        message = "Enter a real date with a day, month and year"
        day, error = read_date(**parts, incomplete=message, invalid=message)
        return day, (parts if error else day), error
    raw = _first(form, name) if question.type != "text" else (form.get(name) or [""])[0]
    if not raw.strip():
        return None, None, None
    if question.type == "number":
        value, error = _parse_number(question, raw)
        return value, raw, error
    if question.type in NUMERIC_CHOICE_TYPES and raw != NA:
        return (int(raw) if raw.isdigit() else raw), raw, None
    return raw, raw, None


def _message(question: Question, value: Answer) -> str | None:
    if isinstance(value, str) and "\x00" in value:  # PostgreSQL cannot store it in text
        return "Remove the hidden control characters from this answer"
    try:
        question.check_answer(value)
    except ValueError:
        if question.type == "text":
            return f"Enter no more than {getattr(question, 'max_length', 0)} characters"
        if question.type == "number":
            return "Enter a number in the range this question allows"
        return "Select one of the answers shown"
    return None


def missing_message(question: Question) -> str:
    """The GOV.UK-style message for a required question left empty."""
    if question.type in ("number", "text"):
        return "Enter an answer to this question"
    if question.type == "date":
        return "Enter a date, or tick Not applicable"
    if question.type == "multi_choice":
        return "Select at least one answer"
    return "Select an answer"


def read_answers(
    questions: Sequence[Question], form: FormData, *, complete: bool
) -> tuple[dict[str, Answer], dict[str, Any], dict[str, str]]:
    """Typed answers, values to show again and errors by question id.

    With `complete` (submitting), required questions must be answered, unless the agency
    answered that the child was not known to it, which ends the questionnaire.
    """
    answers: dict[str, Answer] = {}
    shown: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for question in questions:
        value, display, error = read_field(question, form)
        shown[question.id] = display
        if error is None and value is not None:
            error = _message(question, value)
        if error is not None:
            errors[question.id] = error
        elif value is not None:
            answers[question.id] = value
    if answers.get(KNOWN_QUESTION_ID) == "no":
        return {KNOWN_QUESTION_ID: "no"}, shown, {}
    if complete:
        for question in questions:
            if question.required and question.id not in answers and question.id not in errors:
                errors[question.id] = missing_message(question)
    return answers, shown, errors
