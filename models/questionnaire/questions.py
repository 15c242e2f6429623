"""The ten kinds of audit question, told apart by `type`."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    Discriminator,
    Field,
    Tag,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
)

from models.questionnaire.base import Answer, Answerable, BaseQuestion, Problems, Unmeasured
from models.questionnaire.located import located_error
from models.questionnaire.parts import (
    ChoiceStandard,
    GradeStandard,
    MultiChoiceStandard,
    Option,
    RagStandard,
    ScaleStandard,
    YesNoStandard,
    YesPartlyNoStandard,
)
from models.questionnaire.scales import (
    LABELS,
    NA,
    OFSTED_DISPLAY,
    PARTLY_SCORES,
    RAG_DISPLAY,
    SCALE_0_10,
    YES_NO,
    YES_PARTLY_NO,
)


class YesNoNAQuestion(Answerable):
    """Yes, No or Not applicable."""

    kind: ClassVar[str] = "yes_no_na"
    type: Literal["yes_no_na"]
    standard: YesNoStandard | None = None

    def choices(self) -> list[tuple[str, str]]:
        return [(value, LABELS[value]) for value in YES_NO]


class YesPartlyNoNAQuestion(Answerable):
    """Yes, Partly, No or Not applicable; ordinal."""

    kind: ClassVar[str] = "yes_partly_no_na"
    type: Literal["yes_partly_no_na"]
    standard: YesPartlyNoStandard | None = None

    @property
    def ordered_values(self) -> tuple[str | int, ...] | None:
        return tuple(reversed(YES_PARTLY_NO))

    def choices(self) -> list[tuple[str, str]]:
        return [(value, LABELS[value]) for value in YES_PARTLY_NO]

    def _score(self, answer: Answer) -> float:
        if answer == "partly":
            assert self.standard is not None
            return PARTLY_SCORES[self.standard.partly_counts_as]
        return super()._score(answer)


class OfstedGradeQuestion(Answerable):
    """An Ofsted grade, Outstanding to Inadequate; ordinal."""

    kind: ClassVar[str] = "ofsted_grade"
    type: Literal["ofsted_grade"]
    standard: GradeStandard | None = None

    @property
    def ordered_values(self) -> tuple[str | int, ...] | None:
        return tuple(reversed(OFSTED_DISPLAY))

    def choices(self) -> list[tuple[str, str]]:
        return [(value, LABELS[value]) for value in OFSTED_DISPLAY]


class RagQuestion(Answerable):
    """Red, amber or green; ordinal."""

    kind: ClassVar[str] = "rag"
    type: Literal["rag"]
    standard: RagStandard | None = None

    @property
    def ordered_values(self) -> tuple[str | int, ...] | None:
        return RAG_DISPLAY

    def choices(self) -> list[tuple[str, str]]:
        return [(value, LABELS[value]) for value in RAG_DISPLAY]


class Scale010Question(Answerable):
    """A 0-10 scaling question (as in Signs of Safety); ordinal."""

    kind: ClassVar[str] = "scale_0_10"
    type: Literal["scale_0_10"]
    low_label: str = Field(default="", max_length=200)
    high_label: str = Field(default="", max_length=200)
    standard: ScaleStandard | None = None

    @property
    def ordered_values(self) -> tuple[str | int, ...] | None:
        return SCALE_0_10

    def choices(self) -> list[tuple[str, str]]:
        return [(str(value), str(value)) for value in SCALE_0_10]

    def _check_value(self, answer: Answer) -> None:
        if isinstance(answer, bool) or not isinstance(answer, int) or not 0 <= answer <= 10:
            raise ValueError(f"{self.id}: {answer!r} is not a whole number from 0 to 10")

    def _score(self, answer: Answer) -> float:
        assert isinstance(answer, int) and self.standard is not None
        return 1.0 if answer >= self.standard.min_score else 0.0


def _option_problems(options: list[Option], met: list[str] | None) -> Problems:
    seen: set[str] = set()
    for index, option in enumerate(options):
        if option.id == NA:
            yield ("options", index, "id"), "'na' is kept for Not applicable: use allow_na"
        elif option.id in seen:
            yield ("options", index, "id"), f"duplicate option id {option.id!r}"
        seen.add(option.id)
    for index, name in enumerate(met or []):
        if name not in seen:
            known = ", ".join(option.id for option in options)
            yield (
                ("standard", "met", index),
                f"{name!r} is not an option of this question (options: {known})",
            )


class SingleChoiceQuestion(Answerable):
    """One option from a list; ordinal when `ordered: true`."""

    kind: ClassVar[str] = "single_choice"
    type: Literal["single_choice"]
    options: list[Option] = Field(min_length=2)
    ordered: bool = False
    standard: ChoiceStandard | None = None

    @property
    def ordered_values(self) -> tuple[str | int, ...] | None:
        return tuple(option.id for option in self.options) if self.ordered else None

    def choices(self) -> list[tuple[str, str]]:
        return [(option.id, option.label) for option in self.options]

    def _problems(self) -> Problems:
        yield from super()._problems()
        yield from _option_problems(self.options, self.standard.met if self.standard else None)


class MultiChoiceQuestion(Answerable):
    """Any number of options from a list."""

    kind: ClassVar[str] = "multi_choice"
    type: Literal["multi_choice"]
    options: list[Option] = Field(min_length=2)
    standard: MultiChoiceStandard | None = None

    def choices(self) -> list[tuple[str, str]]:
        return [(option.id, option.label) for option in self.options]

    def _check_value(self, answer: Answer) -> None:
        ids = {option.id for option in self.options}
        if not isinstance(answer, list | tuple) or not all(isinstance(a, str) for a in answer):
            raise ValueError(f"{self.id}: {answer!r} is not a list of option ids")
        unknown = [a for a in answer if a not in ids]
        if unknown or len(set(answer)) != len(answer):
            raise ValueError(f"{self.id}: {answer!r} names unknown or repeated options")

    def _score(self, answer: Answer) -> float:
        assert isinstance(answer, list | tuple) and self.standard is not None
        chosen = set(answer) & set(self.standard.met)
        if self.standard.match == "all":
            return 1.0 if chosen == set(self.standard.met) else 0.0
        return 1.0 if chosen else 0.0

    def _problems(self) -> Problems:
        yield from super()._problems()
        yield from _option_problems(self.options, self.standard.met if self.standard else None)


class NumberQuestion(Unmeasured):
    """A number, such as hours from referral to strategy discussion; reported, not scored."""

    kind: ClassVar[str] = "number"
    type: Literal["number"]
    allow_na: bool = True
    unit: str = Field(default="", max_length=40)
    whole_number: bool = True
    min_value: float | None = None
    max_value: float | None = None

    def _check_value(self, answer: Answer) -> None:
        if isinstance(answer, bool) or not isinstance(answer, int | float):
            raise ValueError(f"{self.id}: {answer!r} is not a number")
        if not math.isfinite(answer):
            raise ValueError(f"{self.id}: {answer!r} is not a finite number")
        if self.whole_number and not float(answer).is_integer():
            raise ValueError(f"{self.id}: {answer!r} is not a whole number")
        if self.min_value is not None and answer < self.min_value:
            raise ValueError(f"{self.id}: {answer!r} is below {self.min_value:g}")
        if self.max_value is not None and answer > self.max_value:
            raise ValueError(f"{self.id}: {answer!r} is above {self.max_value:g}")

    def _problems(self) -> Problems:
        yield from super()._problems()
        low, high = self.min_value, self.max_value
        if low is not None and high is not None and low > high:
            yield ("max_value",), f"max_value {high:g} is below min_value {low:g}"


class DateQuestion(Unmeasured):
    """A date, such as the date of the strategy discussion; reported, not scored."""

    kind: ClassVar[str] = "date"
    type: Literal["date"]
    allow_na: bool = True

    def _check_value(self, answer: Answer) -> None:
        if isinstance(answer, datetime) or not isinstance(answer, date):
            raise ValueError(f"{self.id}: {answer!r} is not a date")


class TextQuestion(Unmeasured):
    """Free text; never shared, never scored."""

    kind: ClassVar[str] = "text"
    type: Literal["text"]
    max_length: int = Field(default=5000, ge=1, le=50000)

    def check_answer(self, answer: Answer) -> None:
        """Raise ValueError unless the answer is text within the length (here "na" is text)."""
        self._check_value(answer)

    def _check_value(self, answer: Answer) -> None:
        if not isinstance(answer, str) or len(answer) > self.max_length:
            raise ValueError(f"{self.id}: not text of at most {self.max_length} characters")

    def _problems(self) -> Problems:
        if self.shared:
            yield ("shared",), "free-text answers cannot be compared, so text cannot be shared"
        yield from super()._problems()


QUESTION_CLASSES: tuple[type[BaseQuestion], ...] = (
    YesNoNAQuestion,
    YesPartlyNoNAQuestion,
    OfstedGradeQuestion,
    RagQuestion,
    Scale010Question,
    NumberQuestion,
    DateQuestion,
    SingleChoiceQuestion,
    MultiChoiceQuestion,
    TextQuestion,
)
QUESTION_TYPES: tuple[str, ...] = tuple(cls.kind for cls in QUESTION_CLASSES)


def _explain_type(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """Report an unknown or missing `type` at the `type` key, naming the known types."""
    try:
        return handler(value)
    except ValidationError as error:
        tag_error = any(
            detail["type"].startswith("union_tag") and detail["loc"] == ()
            for detail in error.errors()
        )
        if not (tag_error and isinstance(value, dict)):
            raise
        given = value.get("type")
        known = ", ".join(QUESTION_TYPES)
        message = (
            f"unknown question type {given!r}: use one of {known}"
            if given is not None
            else f"every question needs a type: one of {known}"
        )
        raise located_error("Question", [(("type",), message)]) from None


def _tag(value: Any) -> str | None:
    # Error paths include the tag; "type=text" cannot be mistaken for the `text` key.
    kind = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
    return f"type={kind}" if isinstance(kind, str) else None


Question = Annotated[
    Annotated[YesNoNAQuestion, Tag("type=yes_no_na")]
    | Annotated[YesPartlyNoNAQuestion, Tag("type=yes_partly_no_na")]
    | Annotated[OfstedGradeQuestion, Tag("type=ofsted_grade")]
    | Annotated[RagQuestion, Tag("type=rag")]
    | Annotated[Scale010Question, Tag("type=scale_0_10")]
    | Annotated[NumberQuestion, Tag("type=number")]
    | Annotated[DateQuestion, Tag("type=date")]
    | Annotated[SingleChoiceQuestion, Tag("type=single_choice")]
    | Annotated[MultiChoiceQuestion, Tag("type=multi_choice")]
    | Annotated[TextQuestion, Tag("type=text")],
    Discriminator(_tag),
    WrapValidator(_explain_type),
]
"""Any question; YAML picks the class by its `type`."""
