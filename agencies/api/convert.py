"""JSON answers in and out: checked by the portal's own form reader, so messages are the same."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from agencies.api.schemas import AnswerIn, AnswerOut, Choice, QuestionOut
from agencies.portal.forms import read_answers
from models.errors import InputError
from models.questionnaire import NA, Question, Tool
from models.questionnaire import Answer as AnswerValue

UNKNOWN_QUESTION = "This question is not asked of your agency in this round"
ONE_ANSWER = "Give one answer to this question, not a list"
LIMITS = ("unit", "whole_number", "min_value", "max_value", "max_length")


class AnswerErrors(InputError):
    """Raised when answers fail the questionnaire's checks; messages by question id."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{key}: {message}" for key, message in self.errors.items()))


def _form_fields(question: Question, value: AnswerIn | date) -> dict[str, list[str]]:
    """The portal form fields that carry this answer (the date as day, month and year)."""
    name = f"q__{question.id}"
    if isinstance(value, list):
        return {name: [str(item) for item in value]}
    raw = value.isoformat() if isinstance(value, date) else str(value)
    if question.type in ("number", "date") and raw.strip() == NA:
        return {f"{name}__na": [NA]}
    if question.type != "date":
        return {name: [raw]}
    parts = raw.strip().split("-")
    if len(parts) != 3:
        return {f"{name}__day": [raw], f"{name}__month": [""], f"{name}__year": [""]}
    year, month, day = parts
    return {f"{name}__day": [day], f"{name}__month": [month], f"{name}__year": [year]}


def check_answers(
    questions: list[Question], answers: Mapping[str, AnswerIn | date], *, complete: bool
) -> dict[str, AnswerValue]:
    """Typed answers, checked as the portal's form is (`complete` when submitting)."""
    by_id = {question.id: question for question in questions}
    errors = {key: UNKNOWN_QUESTION for key in answers if key not in by_id}
    form: dict[str, list[str]] = {}
    for key, value in answers.items():
        question = by_id.get(key)
        if question is None or value is None:
            continue
        if isinstance(value, list) and question.type != "multi_choice":
            errors[key] = ONE_ANSWER
            continue
        form.update(_form_fields(question, value))
    values, _shown, form_errors = read_answers(questions, form, complete=complete)
    errors.update(form_errors)
    if errors:
        raise AnswerErrors(errors)
    return values


def answers_out(values: Mapping[str, AnswerValue]) -> dict[str, AnswerOut]:
    """Typed answers as JSON values (dates as YYYY-MM-DD, options as lists)."""
    shown: dict[str, AnswerOut] = {}
    for key, value in values.items():
        if isinstance(value, date):
            shown[key] = value.isoformat()
        elif isinstance(value, str | int | float):
            shown[key] = value
        elif value is not None:
            shown[key] = list(value)
    return shown


def questions_out(tool: Tool, agency_code: str) -> list[QuestionOut]:
    """The questions the agency is asked, in order, with what a program needs to answer them."""
    return [
        QuestionOut(
            id=question.id,
            section=section.title,
            type=question.type,
            text=question.text,
            guidance=question.guidance,
            required=question.required,
            allows_na=question.allows_na,
            choices=[Choice(value=value, label=label) for value, label in question.choices()],
            **{name: getattr(question, name) for name in LIMITS if hasattr(question, name)},
        )
        for section in tool.sections
        for question in section.questions
        if question.applies_to_agency(agency_code)
    ]
