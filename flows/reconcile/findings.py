"""The typed findings of a round (stored as one document per reconciliation)."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

# The JSON output always has every field, so the published schema requires every field.
OUTPUT = ConfigDict(json_schema_serialization_defaults_required=True)


class Compliance(BaseModel):
    """ "x% (n:d)": n cases met the standard out of d where it applied (N/A excluded)."""

    model_config = OUTPUT

    met: float
    applicable: int

    @property
    def percent(self) -> int | None:
        """Rounded percentage, or None when nothing applied."""
        return None if not self.applicable else round(100 * self.met / self.applicable)

    @property
    def label(self) -> str:
        """The board-report form, always with n and d."""
        if not self.applicable:
            return "n/a (0:0)"
        met = f"{self.met:g}"
        return f"{self.percent}% ({met}:{self.applicable})"


class AgreementFigure(BaseModel):
    """One agreement statistic with its n and interval (None when not computable).

    `statistic` names it ("percent agreement", "Gwet's AC1", "Gwet's AC2", "Krippendorff's
    alpha") and `weights` how answers that differ count: "unweighted" or "ordinal" (Gwet,
    irrCAC's weights), "nominal" or "ordinal" (alpha's level). Both are None in findings
    stored before they were recorded.
    """

    model_config = OUTPUT

    value: float | None
    n_units: int
    se: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    method: str
    reason: str | None = None
    statistic: str | None = None
    weights: str | None = None


# CaseAnswers and Discrepancy are plain dataclasses: a round has one per case and shared
# question, built in bulk; pydantic still validates and serialises them inside Findings.
@dataclass
class CaseAnswers:
    """A shared question for one case: each agency's answer and the case-level answer."""

    __pydantic_config__ = OUTPUT

    case_ref: str
    answers: dict[str, str]
    provisional: str | None
    moderated: str | None = None
    resolution: str | None = None

    @property
    def agreed(self) -> str | None:
        """The moderated answer where recorded, else the provisional one."""
        return self.moderated if self.moderated is not None else self.provisional


class QuestionFindings(BaseModel):
    """Everything found about one question."""

    model_config = OUTPUT

    id: str
    text: str
    finding: str | None = None
    type: str
    shared: bool
    by_agency: dict[str, Compliance]
    distribution: dict[str, dict[str, int]] = {}
    case_level: Compliance | None = None
    case_level_provisional: bool = True
    cases: list[CaseAnswers] = []
    agreement: dict[str, AgreementFigure] = {}


@dataclass
class Discrepancy:
    """Agencies disagree about one case on a shared question (an item for the meeting).

    On the agenda when the agencies' answers fall on both sides of the standard
    (`standard_split`), or lie two or more steps apart on an ordered scale, or differ at all
    on an unordered one (`spread` is then 1).
    """

    __pydantic_config__ = OUTPUT

    case_ref: str
    question_id: str
    answers: dict[str, str]
    spread: int
    standard_split: bool = False
    resolved: bool = False


class Findings(BaseModel):
    """A round's reconciliation, most urgent first: concerns, then who did not know the child."""

    model_config = OUTPUT

    round_id: int
    provisional: bool
    concerns: dict[str, int]
    not_known: dict[str, int]
    responses: dict[str, dict[str, int]]
    questions: list[QuestionFindings]
    discrepancies: list[Discrepancy]
