"""JSON answers in and out: typed here, checked by flows.answers.check, as the portal's are."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from agencies.api.schemas import AnswerIn, AnswerOut, Choice, QuestionOut
from flows.answers.check import REAL_DATE, check_answers, read_date, value_from_text
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


def _date(raw: str) -> tuple[AnswerValue, str | None]:
    """A date sent as YYYY-MM-DD, or Not applicable."""
    if raw.strip() == NA:
        return NA, None
    parts = raw.strip().split("-")
    if len(parts) != 3:
        return None, REAL_DATE
    year, month, day = (part.strip() for part in parts)
    return read_date(day, month, year, incomplete=REAL_DATE, invalid=REAL_DATE)


def typed_value(question: Question, value: AnswerIn) -> tuple[AnswerValue, str | None]:
    """One JSON answer (not a list, unless multi_choice) as the question's typed value, or why
    it cannot be one (numbers are read as the portal reads typed text)."""
    if question.type == "multi_choice":
        chosen = [str(item) for item in value] if isinstance(value, list) else [str(value)]
        chosen = [item for item in chosen if item]
        return (NA if NA in chosen else chosen or None), None
    if question.type == "date":
        return _date(str(value)) if str(value).strip() else (None, None)
    return value_from_text(question, str(value))


def check_json_answers(
    questions: list[Question], answers: Mapping[str, AnswerIn], *, complete: bool
) -> dict[str, AnswerValue]:
    """Typed answers, checked by the same rules as the portal's (`complete` when submitting)."""
    by_id = {question.id: question for question in questions}
    unknown = {key: UNKNOWN_QUESTION for key in answers if key not in by_id}
    shape = {  # refused even when "not known" ends the questionnaire, as before
        key: ONE_ANSWER
        for key, sent in answers.items()
        if isinstance(sent, list) and key in by_id and by_id[key].type != "multi_choice"
    }
    values: dict[str, AnswerValue] = {}
    problems: dict[str, str] = {}
    for key, sent in answers.items():
        question = by_id.get(key)
        if question is None or sent is None or key in shape:
            continue
        value, problem = typed_value(question, sent)
        if problem is not None:
            problems[key] = problem
        elif value is not None:
            values[key] = value
    accepted, errors = check_answers(questions, values, complete=complete, problems=problems)
    if unknown or shape or errors:
        raise AnswerErrors({**unknown, **shape, **errors})
    return accepted


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
