"""Conditional questions: `applies_when` tests a case's register attributes.

A condition lists, per attribute, the values that make a question (or a section) apply:
every attribute named must match, and an attribute matches when the case has any of the
values listed. A question that does not apply to a case is neither asked nor counted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, Literal, Protocol, Self

from pydantic import BeforeValidator, Field, model_validator

from models.questionnaire.located import Loc
from models.questionnaire.parts import Strict

if TYPE_CHECKING:
    from models.questionnaire.base import Problems

# The register's age bands (flows/register/rows.py AGE_BANDS; a test keeps them equal).
AGE_BANDS = ("under-1", "1-4", "5-9", "10-15", "16-17", "18+")
CONDITION_ATTRIBUTES = ("category", "flags", "age_band")

AgeBand = Literal["under-1", "1-4", "5-9", "10-15", "16-17", "18+"]
Category = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,19}$")]
Flag = Annotated[str, BeforeValidator(lambda v: v.lower() if isinstance(v, str) else v)]
FlagName = Annotated[Flag, Field(pattern=r"^[a-z][a-z0-9_-]{0,39}$")]


def _as_list(value: Any) -> Any:
    """A single value written without brackets means a list of one."""
    return [value] if isinstance(value, str) else value


class Condition(Strict):
    """When a question or section applies: each attribute named must match one of its values."""

    category: Annotated[list[Category], BeforeValidator(_as_list)] = Field(default_factory=list)
    flags: Annotated[list[FlagName], BeforeValidator(_as_list)] = Field(default_factory=list)
    age_band: Annotated[list[AgeBand], BeforeValidator(_as_list)] = Field(default_factory=list)

    @model_validator(mode="after")
    def _as_sets(self) -> Self:
        if not (self.category or self.flags or self.age_band):
            raise ValueError(
                "a condition names at least one of category, flags or age_band "
                "(or leave applies_when out: the question applies to every case)"
            )
        # Lists that mean sets are sorted, so that their order is no part of the version.
        self.category = sorted({c.upper() for c in self.category})
        self.flags = sorted(set(self.flags))
        self.age_band = sorted(set(self.age_band), key=AGE_BANDS.index)
        return self

    def describe(self) -> str:
        """The condition in plain words, for previews."""
        parts = []
        if self.category:
            parts.append(f"the case category is {' or '.join(self.category)}")
        if self.flags:
            parts.append(f"the case is flagged {' or '.join(self.flags)}")
        if self.age_band:
            parts.append(f"the child's age band is {' or '.join(self.age_band)}")
        return " and ".join(parts)


@dataclass(frozen=True)
class CaseAttributes:
    """What a condition can test: a case's register attributes (nothing identifying)."""

    category: str | None = None
    flags: frozenset[str] = field(default_factory=frozenset)
    age_band: str | None = None

    @classmethod
    def of(
        cls, *, category: str | None, flags: Iterable[str] = (), age_band: str | None = None
    ) -> CaseAttributes:
        """The attributes of a case as the register holds them."""
        return cls(category=category, flags=frozenset(flags), age_band=age_band)


class Conditional(Protocol):
    """Anything with an `applies_when`: a question or a section."""

    @property
    def applies_when(self) -> Condition | None: ...


def condition_holds(condition: Condition | None, case: CaseAttributes) -> bool:
    """Whether a case meets a condition; a missing attribute never matches a value."""
    if condition is None:
        return True
    if condition.category:
        category = (case.category or "").upper()
        if category not in condition.category:
            return False
    if condition.flags and not {f.lower() for f in case.flags} & set(condition.flags):
        return False
    return not condition.age_band or case.age_band in condition.age_band


def applies(item: Conditional, case: CaseAttributes, *, within: Conditional | None = None) -> bool:
    """Whether a question (or section) applies to a case; `within` is the question's section."""
    if within is not None and not condition_holds(within.applies_when, case):
        return False
    return condition_holds(item.applies_when, case)


def _never_both(outer: Condition, inner: Condition) -> str | None:
    for attribute in ("category", "age_band"):
        wanted_out, wanted_in = getattr(outer, attribute), getattr(inner, attribute)
        if wanted_out and wanted_in and not set(wanted_out) & set(wanted_in):
            return attribute
    return None


def condition_problems(sections: Sequence[Any], *, frame_ids: Iterable[str]) -> Problems:
    """Conditions that can never hold, or that would skip the questions every tool asks."""
    frame = set(frame_ids)
    last = len(sections) - 1
    for s_index, section in enumerate(sections):
        if section.applies_when is not None and s_index in (0, last):
            yield (
                ("sections", s_index, "applies_when"),
                "the first and last sections hold the questions every agency answers about "
                "every case: put the conditional questions in a section of their own",
            )
        for q_index, question in enumerate(section.questions):
            loc: Loc = ("sections", s_index, "questions", q_index, "applies_when")
            if question.applies_when is not None and question.id in frame:
                yield loc, f"the question {question.id!r} is asked about every case"
            if question.applies_when is None or section.applies_when is None:
                continue
            clash = _never_both(section.applies_when, question.applies_when)
            if clash is not None:
                yield (
                    loc,
                    f"this question's {clash} never matches its section's {clash}, "
                    "so it would never be asked",
                )


def vocabulary_problems(
    sections: Sequence[Any], *, categories: Iterable[str], flags: Iterable[str]
) -> Problems:
    """Conditions naming categories or flags the partnership's register does not use."""
    known_categories = {c.upper() for c in categories}
    known_flags = {f.lower() for f in flags}
    for s_index, section in enumerate(sections):
        items: list[tuple[Loc, Any]] = [(("sections", s_index), section)]
        items += [
            (("sections", s_index, "questions", q_index), question)
            for q_index, question in enumerate(section.questions)
        ]
        for loc, item in items:
            condition = item.applies_when
            if condition is None:
                continue
            vocabularies = (
                ("category", condition.category, known_categories, "JOINTAUDIT_CASE_CATEGORIES"),
                ("flags", condition.flags, known_flags, "JOINTAUDIT_CASE_FLAGS"),
            )
            for attribute, values, known, setting in vocabularies:
                for value in values:
                    if value not in known:
                        yield (
                            (*loc, "applies_when", attribute),
                            f"unknown case {attribute.removesuffix('s')} {value!r}; the register "
                            f"uses {', '.join(sorted(known))} ({setting})",
                        )
