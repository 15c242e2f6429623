"""What every audit question shares: identity, wording, who answers it and how it is judged."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any, ClassVar, Literal, Self

from pydantic import Field, SerializerFunctionWrapHandler, model_serializer, model_validator

from models.questionnaire.conditions import Condition
from models.questionnaire.located import Loc, located_error
from models.questionnaire.parts import ActionRule, AgencyCode, Slug, Strict
from models.questionnaire.scales import LABELS, NA, Rollup

Answer = str | int | float | date | Sequence[str] | None
"""An agency's answer: a word or option id, a number, a date, option ids, text, or NA."""

Problems = Iterator[tuple[Loc, str]]

OPTIONAL_ADDITIONS = ("finding", "applies_when", "agreement")
"""Keys left out of a question's canonical form when absent, so old versions stay valid."""


def without_absent(data: Any, keys: tuple[str, ...]) -> Any:
    """Serialised data without the optional keys that are absent (None)."""
    if isinstance(data, dict):
        for key in keys:
            if data.get(key) is None:
                data.pop(key, None)
    return data


class BaseQuestion(Strict):
    """What every question has: identity, wording, who answers it and how it is judged."""

    kind: ClassVar[str] = "question"
    id: Slug
    text: str = Field(min_length=1, max_length=500)
    guidance: str = Field(default="", max_length=3000)
    required: bool = True
    shared: bool = False
    applies_to: list[AgencyCode] = Field(default_factory=list)
    rollup: Rollup | None = None
    action_rule: ActionRule | None = None
    standard: Any = None
    finding: str | None = Field(default=None, min_length=1, max_length=300)
    applies_when: Condition | None = None
    agreement: Literal["nominal"] | None = None

    @model_serializer(mode="wrap")
    def _without_absent_additions(self, handler: SerializerFunctionWrapHandler) -> Any:
        # A tool without these keeps the version it had before questions could have them.
        return without_absent(handler(self), OPTIONAL_ADDITIONS)

    @property
    def allows_na(self) -> bool:
        """Whether Not applicable is an answer."""
        return bool(getattr(self, "allow_na", False))

    @property
    def ordered_values(self) -> tuple[str | int, ...] | None:
        """The answers from lowest to highest for an ordinal scale; None for other questions."""
        return None

    @property
    def is_ordinal(self) -> bool:
        """Whether answers are ranked (agreement then uses ordinal statistics)."""
        return self.ordered_values is not None

    def applies_to_agency(self, agency_code: str) -> bool:
        """Whether the agency is asked this question."""
        return not self.applies_to or agency_code in self.applies_to

    def choices(self) -> list[tuple[str, str]]:
        """The (value, label) pairs a form offers, in display order, without Not applicable."""
        return []

    def label_of(self, value: str | int) -> str:
        """The label shown for an answer value."""
        return dict(self.choices()).get(str(value), LABELS.get(str(value), str(value)))

    def check_answer(self, answer: Answer) -> None:
        """Raise ValueError unless the answer is one this question accepts."""
        if isinstance(answer, str) and answer == NA:
            if not self.allows_na:
                raise ValueError(f"{self.id}: Not applicable is not an answer to this question")
            return
        self._check_value(answer)

    def meets_standard(self, answer: Answer) -> float | None:
        """1, 0 or 0.5 (Partly counted as half); None for no answer, N/A or no standard."""
        if answer is None:
            return None
        self.check_answer(answer)
        if self.standard is None or (isinstance(answer, str) and answer == NA):
            return None
        return self._score(answer)

    def _check_value(self, answer: Answer) -> None:
        values = [value for value, _ in self.choices()]
        if not isinstance(answer, str) or answer not in values:
            raise ValueError(f"{self.id}: {answer!r} is not one of {', '.join(values)}")

    def _score(self, answer: Answer) -> float:
        return 1.0 if answer in self.standard.met else 0.0

    def _problems(self) -> Problems:
        if self.rollup is not None and not self.shared:
            yield (
                ("rollup",),
                (
                    "a roll-up applies only to shared questions (shared: true); "
                    "own-practice questions are counted per agency"
                ),
            )
        elif self.rollup is not None and self.standard is None:
            yield (
                ("rollup",),
                (
                    "a roll-up combines whether each agency met the standard, "
                    "and this question has no standard"
                ),
            )
        if self.agreement is not None and not (self.shared and self.is_ordinal):
            yield (
                ("agreement",),
                (
                    "agreement: nominal treats an ordered scale as unordered when agencies' "
                    "agreement is measured: it applies only to shared questions with an "
                    "ordered scale"
                ),
            )
        if self.action_rule is not None and self.standard is None:
            yield (
                ("action_rule",),
                (
                    f"{self.kind} questions cannot have an action rule: there is no standard "
                    "to measure compliance against"
                    if isinstance(self, Unmeasured)
                    else "an action rule needs a standard to measure compliance against: add one"
                ),
            )

    @model_validator(mode="after")
    def _check_rules(self) -> Self:
        problems = list(self._problems())
        if problems:
            raise located_error(type(self).__name__, problems)
        if self.shared and self.standard is not None and self.rollup is None:
            self.rollup = Rollup.majority
        # Lists that mean sets are sorted, so that their order is no part of the version.
        self.applies_to = sorted(set(self.applies_to))
        met = getattr(self.standard, "met", None)
        if met is not None:
            self.standard.met = sorted(set(met))
        return self


class Answerable(BaseQuestion):
    """A question with a fixed set of answers and, optionally, a standard."""

    allow_na: bool = True


class Unmeasured(BaseQuestion):
    """A question whose answers are reported but never judged against a standard."""

    standard: None = None

    @model_validator(mode="before")
    @classmethod
    def _refuse_standard(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("standard") is not None:
            message = (
                f"{cls.kind} questions have no standard: judge the matter in a question "
                "with a yes/no, graded or choice answer"
            )
            raise located_error(cls.__name__, [(("standard",), message)])
        return data
