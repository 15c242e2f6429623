"""The answer rules: typed values by question id, checked against the questions they answer.

The portal's form parser and the agency API both turn what they receive into typed values
(a word or option id, a number, a date, option ids, text, or NA) and hand them here, so a
required answer, "not known to this agency ends the questionnaire" and every message are
the same on a page and in a 422.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from models.questionnaire import KNOWN_QUESTION_ID, NA, Answer, Question

NUMERIC_CHOICE_TYPES = ("scale_0_10",)
REAL_DATE = "Enter a real date with a day, month and year"
ENTERED_TYPES = ("number", "date", "text")
YES_NO_TYPES = ("yes_no_na", "yes_partly_no_na")
AUXILIARIES = {"was": "was", "were": "were", "is": "is", "are": "are"}
WH_WORDS = ("when", "where", "who", "what", "which", "why", "how")
IRREGULAR_PARTICIPLES = (
    "seen known given taken shown written chosen spoken done held heard made met sought told "
    "kept sent paid found brought thought taught left led put set understood"
)
PARTICIPLES = frozenset(IRREGULAR_PARTICIPLES.split())
DETERMINER_WORDS = "a an the this that these those your its their our his her"
DETERMINERS = frozenset(DETERMINER_WORDS.split())
SUBJECT_ENDS = frozenset({"to"})


def read_date(
    day: str, month: str, year: str, *, incomplete: str, invalid: str
) -> tuple[date | None, str | None]:
    """A date from day, month and four-digit year text: the date, or the message for an
    incomplete or an impossible one."""
    if not (day and month and year):
        return None, incomplete
    if not (day.isdigit() and month.isdigit() and year.isdigit()) or len(year) != 4:
        return None, invalid
    try:
        return date(int(year), int(month), int(day)), None
    except ValueError:
        return None, invalid


def number_from_text(raw: str) -> tuple[Answer, str | None]:
    """A number typed as text (thousands commas allowed): an int when whole, else a float."""
    try:
        number = float(raw.replace(",", ""))
    except ValueError:
        return None, "Enter a number"
    return (int(number) if number.is_integer() else number), None


def value_from_text(question: Question, raw: str) -> tuple[Answer, str | None]:
    """A question's typed value from one piece of text (not dates or option lists), or the
    message when it cannot be one; blank text is no answer."""
    if not raw.strip():
        return None, None
    if question.type != "text":
        raw = raw.strip()
    if question.type == "number":
        return (NA, None) if raw == NA else number_from_text(raw)
    if question.type in NUMERIC_CHOICE_TYPES and raw != NA:
        return (int(raw) if raw.isdigit() else raw), None
    return raw, None


def _lower_first(text: str) -> str:
    """The text with its first letter lowered, unless the first word is an acronym."""
    first = text.split(" ", 1)[0]
    return text if first[1:2].isupper() else text[:1].lower() + text[1:]


def _is_participle(words: Sequence[str], index: int) -> bool:
    word = words[index].lower().strip(",;")
    if words[index - 1].lower() in DETERMINERS:  # "the agreed actions" is not the verb
        return False
    return word in PARTICIPLES or (len(word) > 4 and word.endswith("ed") and word[-3] != "e")


def _clause(text: str) -> str | None:
    """The question as a clause ("whether information was shared between agencies"), when
    its wording is simple enough to turn round; None otherwise."""
    words = text.strip().rstrip("?").split()
    if len(words) < 3:
        return None
    lead = [] if words[0].lower() in AUXILIARIES else words[:1]
    if lead and lead[0].lower() not in WH_WORDS:
        return None
    rest = words[len(lead) :]
    verb = AUXILIARIES.get(rest[0].lower())
    if verb is None:
        # "Which agencies took part ...": the question word is the subject, nothing moves
        which = lead and lead[0].lower() == "which"
        return _lower_first(text.strip().rstrip("?")) if which else None
    opener = lead[0].lower() if lead else "whether"
    subject = rest[1:]
    if subject and subject[0].lower() == "there":
        return " ".join([opener, "there", verb, *subject[1:]])
    for index in range(1, len(subject)):
        if subject[index].lower() in SUBJECT_ENDS:
            break
        if _is_participle(subject, index):
            return " ".join([opener, *subject[:index], verb, *subject[index:]])
    if lead and len(subject) >= 2:  # "What was the outcome" -> "what the outcome was"
        return " ".join([opener, *subject, verb])
    return None


def missing_message(question: Question) -> str:
    """The GOV.UK-style message for a required question left unanswered, in the question's own
    words: "Select whether information was shared between agencies", "Enter the date ...";
    a yes/no question with a finding uses the finding, the tool's statement of a Yes."""
    verb = "Enter" if question.type in ENTERED_TYPES else "Select"
    if question.type in YES_NO_TYPES and question.finding:  # the tool's own statement of it
        return f"Select whether {_lower_first(question.finding.strip().rstrip('.'))}"
    text = question.text.strip()
    clause = _clause(text)
    if clause is None and not text.endswith("?"):  # a label such as "Overall grade"
        return f"{verb} the {_lower_first(text)}"
    if clause is None:
        return f'{verb} an answer to "{text}"'
    if question.type == "date" and clause.startswith("when "):
        return f"Enter the date {clause.removeprefix('when ')}"
    return f"{verb} {clause}"


def value_message(question: Question, value: Answer) -> str | None:
    """What is wrong with a typed value for this question, or None when it is accepted."""
    if isinstance(value, str) and "\x00" in value:  # PostgreSQL cannot store it in text
        return "Remove the hidden control characters from this answer"
    whole = bool(getattr(question, "whole_number", False))
    if whole and isinstance(value, float) and not value.is_integer():
        return "Enter a whole number"
    try:
        question.check_answer(value)
    except ValueError:
        if question.type == "text":
            return f"Enter no more than {getattr(question, 'max_length', 0)} characters"
        if question.type == "number":
            return "Enter a number in the range this question allows"
        return "Select one of the answers shown"
    return None


def check_answers(
    questions: Sequence[Question],
    values: Mapping[str, Answer],
    *,
    complete: bool,
    problems: Mapping[str, str] | None = None,
) -> tuple[dict[str, Answer], dict[str, str]]:
    """The accepted answers and the errors by question id, in the questions' order.

    `problems` are what the caller could not read (text that is not a number or a date). With
    `complete` (submitting), required questions must be answered, unless the agency answered
    that the child was not known to it, which ends the questionnaire (other answers dropped).
    """
    problems = problems or {}
    answers: dict[str, Answer] = {}
    errors: dict[str, str] = {}
    for question in questions:
        value = values.get(question.id)
        error = problems.get(question.id)
        if error is None and value is not None:
            error = value_message(question, value)
        if error is not None:
            errors[question.id] = error
        elif value is not None:
            answers[question.id] = value
    if answers.get(KNOWN_QUESTION_ID) == "no":
        return {KNOWN_QUESTION_ID: "no"}, {}
    if complete:
        for question in questions:
            if question.required and question.id not in answers and question.id not in errors:
                errors[question.id] = missing_message(question)
    return answers, {q.id: errors[q.id] for q in questions if q.id in errors}
