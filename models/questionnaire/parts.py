"""The parts questions are built from: options, standards and action rules."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from models.questionnaire.scales import OfstedGrade, PartlyCountsAs, Rag, YesNo

ID_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"
# The same pattern as agency codes in the registry file (agencies/registry_file.py).
AGENCY_CODE_PATTERN = r"^[a-z][a-z0-9_-]{1,39}$"


def _word(value: Any) -> Any:
    """YAML 1.1 reads unquoted yes and no as booleans; an audit tool means the words."""
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return value


Slug = Annotated[str, BeforeValidator(_word), Field(pattern=ID_PATTERN)]
AgencyCode = Annotated[str, Field(pattern=AGENCY_CODE_PATTERN)]
YesNoWord = Annotated[YesNo, BeforeValidator(_word)]


class Strict(BaseModel):
    """Unknown keys are errors; text loses surrounding whitespace (so formatting is no meaning)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Option(Strict):
    """One option of a single or multiple choice question."""

    id: Slug
    label: str = Field(min_length=1, max_length=200)
    hint: str = Field(default="", max_length=500)


class ActionRule(Strict):
    """When to draft an action plan entry for a question, and what to suggest."""

    threshold_percent: int = Field(ge=1, le=100)
    action: str = Field(min_length=1, max_length=1000)
    success_measure: str = Field(min_length=1, max_length=1000)
    owner_hint: AgencyCode | None = None


class YesNoStandard(Strict):
    """Which of Yes and No meets the standard."""

    met: list[YesNoWord] = Field(min_length=1)


class YesPartlyNoStandard(Strict):
    """Which of Yes and No meets the standard, and how Partly counts."""

    met: list[YesNoWord] = Field(min_length=1)
    partly_counts_as: PartlyCountsAs

    @field_validator("met", mode="before")
    @classmethod
    def _partly_is_separate(cls, value: Any) -> Any:
        if isinstance(value, list) and "partly" in value:
            raise ValueError(
                "Partly is scored by partly_counts_as (met, not_met or half), not listed in met"
            )
        return value


class GradeStandard(Strict):
    """Which Ofsted grades meet the standard."""

    met: list[OfstedGrade] = Field(min_length=1)


class RagStandard(Strict):
    """Which RAG ratings meet the standard."""

    met: list[Rag] = Field(min_length=1)


class ScaleStandard(Strict):
    """The lowest 0-10 score that meets the standard."""

    min_score: int = Field(ge=0, le=10)


class ChoiceStandard(Strict):
    """Which options meet the standard (a single choice question)."""

    met: list[Slug] = Field(min_length=1)


class MultiChoiceStandard(Strict):
    """Which options must be chosen to meet the standard: all of them, or any one."""

    met: list[Slug] = Field(min_length=1)
    match: Literal["all", "any"] = "all"
