"""An audit tool: sections of questions, framed by the "known to your agency" question and the
closing free-text questions, with a version that is the hash of its meaning."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Self

from pydantic import Field, SerializerFunctionWrapHandler, model_serializer, model_validator

from models.errors import NotFoundError
from models.questionnaire.base import Problems, without_absent
from models.questionnaire.conditions import CaseAttributes, Condition, applies, condition_problems
from models.questionnaire.located import Loc, located_error
from models.questionnaire.parts import Strict
from models.questionnaire.questions import Question
from models.yaml_source import format_path, load_yaml

TOOL_NAME_PATTERN = r"^[a-z][a-z0-9-]{1,59}$"
VERSION_LENGTH = 12

KNOWN_QUESTION_ID = "known_to_agency"
KNOWN_QUESTION_TEXT = "Was this child known to your agency in the period?"
KNOWN_QUESTION_SHAPE: dict[str, Any] = {
    "type": "yes_no_na",
    "allow_na": False,
    "required": True,
    "shared": False,
    "applies_to": [],
    "standard": None,
    "action_rule": None,
}
CLOSING_QUESTION_IDS = ("good_practice", "areas_for_development", "recommendations")


class Section(Strict):
    """A titled group of questions, shown together."""

    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=3000)
    questions: list[Question] = Field(min_length=1)
    applies_when: Condition | None = None

    @model_serializer(mode="wrap")
    def _without_an_absent_condition(self, handler: SerializerFunctionWrapHandler) -> Any:
        # A tool without conditions keeps the version it had before sections could have one.
        return without_absent(handler(self), ("applies_when",))


class Tool(Strict):
    """A typed, versioned audit questionnaire."""

    name: str = Field(pattern=TOOL_NAME_PATTERN)
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)
    working_together: str | None = Field(default=None, min_length=1, max_length=1000)
    sections: list[Section] = Field(min_length=1)

    @property
    def version(self) -> str:
        """The hash of the tool's meaning (see `tool_version`)."""
        return tool_version(self)

    def questions(self) -> Iterator[Question]:
        """Every question, in order."""
        for section in self.sections:
            yield from section.questions

    def question(self, question_id: str) -> Question:
        """The question with this id."""
        for question in self.questions():
            if question.id == question_id:
                return question
        raise NotFoundError(f"tool {self.name!r} has no question {question_id!r}")

    def questions_for(self, agency_code: str) -> list[Question]:
        """The questions this agency is asked, in order."""
        return [q for q in self.questions() if q.applies_to_agency(agency_code)]

    def conditions_on(self, attribute: str) -> bool:
        """Whether any section or question has a condition on this case attribute."""
        conditions = [s.applies_when for s in self.sections] + [
            q.applies_when for s in self.sections for q in s.questions
        ]
        return any(c is not None and getattr(c, attribute) for c in conditions)

    def questions_for_case(
        self, case: CaseAttributes, agency_code: str | None = None
    ) -> list[Question]:
        """The questions asked about this case (of this agency, if given), in order."""
        return [
            question
            for section in self.sections
            for question in section.questions
            if applies(question, case, within=section)
            and (agency_code is None or question.applies_to_agency(agency_code))
        ]

    @model_validator(mode="after")
    def _check_tool(self) -> Self:
        problems = [
            *_duplicate_ids(self),
            *_frame_problems(self),
            *condition_problems(
                self.sections, frame_ids=(KNOWN_QUESTION_ID, *CLOSING_QUESTION_IDS)
            ),
        ]
        if problems:
            raise located_error("Tool", problems)
        return self


def _locations(tool: Tool) -> Iterator[tuple[Loc, Question]]:
    for s_index, section in enumerate(tool.sections):
        for q_index, question in enumerate(section.questions):
            yield ("sections", s_index, "questions", q_index), question


def _duplicate_ids(tool: Tool) -> Problems:
    first: dict[str, Loc] = {}
    for loc, question in _locations(tool):
        if question.id in first:
            where = format_path(first[question.id])
            yield (*loc, "id"), f"duplicate question id {question.id!r} (first used at {where})"
        first.setdefault(question.id, loc)


def _frame_problems(tool: Tool) -> Problems:
    loc: Loc = ("sections", 0, "questions", 0)
    first = tool.sections[0].questions[0]
    if first.id != KNOWN_QUESTION_ID:
        yield (
            (*loc, "id"),
            (
                f"a tool must start with the question {KNOWN_QUESTION_ID!r} "
                f"({KNOWN_QUESTION_TEXT!r}); see docs/audit-tools.md"
            ),
        )
    else:
        for key, expected in KNOWN_QUESTION_SHAPE.items():
            if getattr(first, key, None) != expected:
                shown = json.dumps(expected)
                yield (*loc, key), f"the {KNOWN_QUESTION_ID!r} question must have {key}: {shown}"
    last = len(tool.sections) - 1
    questions = tool.sections[last].questions
    if [q.id for q in questions[-3:]] != list(CLOSING_QUESTION_IDS):
        yield (
            ("sections", last, "questions"),
            (
                "a tool must end with the free-text questions "
                f"{', '.join(CLOSING_QUESTION_IDS)}, in that order"
            ),
        )
        return
    for index in range(len(questions) - 3, len(questions)):
        question, loc = questions[index], ("sections", last, "questions", index)
        if question.type != "text":
            yield (*loc, "type"), f"the closing question {question.id!r} must be of type text"
        elif question.applies_to:
            yield (*loc, "applies_to"), f"the closing question {question.id!r} is for every agency"


def canonical_form(tool: Tool) -> dict[str, Any]:
    """The tool's meaning as plain JSON data: every default filled in, nothing else."""
    return tool.model_dump(mode="json")


def canonical_json(tool: Tool) -> str:
    """The canonical form as compact JSON with sorted keys."""
    return json.dumps(
        canonical_form(tool), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


def tool_version(tool: Tool) -> str:
    """The first 12 hex digits of the SHA-256 of the canonical JSON."""
    return hashlib.sha256(canonical_json(tool).encode("utf-8")).hexdigest()[:VERSION_LENGTH]


def read_tool(path: Path | str, *, text: str | None = None) -> Tool:
    """Parse and validate a tool file, or raise ImportFileError with every located problem."""
    return load_yaml(path, text=text).validate(Tool)
