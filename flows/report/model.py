"""The typed board report: everything the templates print, and nothing identifying."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from flows.report.register import RegisterRow


class Figure(BaseModel):
    """A compliance figure as printed: percent (None when nothing applied) and "x% (n:d)"."""

    percent: int | None
    met: float
    applicable: int
    label: str


class AgencyResponse(BaseModel):
    """One agency's response rate and timeliness."""

    agency: str
    assignments: int
    submitted: int
    not_known: int
    outstanding: int
    on_time: int
    response_percent: int | None
    on_time_percent: int | None


class Method(BaseModel):
    """How the round was run: tool, criteria, seed, sample, agencies, responses."""

    tool: str
    tool_version: str
    criteria: dict[str, str]
    seed: int
    sample_size: int
    cases: int
    strata: list[tuple[str, int]]
    agencies: list[str]
    due_date: date
    responses: list[AgencyResponse]
    moderation_held_on: date | None


class QuestionRow(BaseModel):
    """A question's compliance: case level (shared questions) and per agency."""

    id: str
    text: str
    finding: str | None = None
    shared: bool
    case_level: Figure | None
    provisional: bool
    by_agency: dict[str, Figure]
    overall: Figure


class AgreementRow(BaseModel):
    """Agreement between agencies on one shared question, each statistic with its n."""

    id: str
    n_units: int
    percent_agreement: str
    gwet_ac1: str
    alpha: str


class DiscrepancyRow(BaseModel):
    """A case where agencies disagreed on a shared question, and how it was resolved."""

    case_ref: str
    question_id: str
    answers: str
    resolved: bool
    agreed: str | None
    resolution: str | None


class ComparisonRow(BaseModel):
    """Case-level compliance on one question, baseline against re-audit."""

    id: str
    text: str
    finding: str | None = None
    baseline: Figure
    current: Figure
    change_points: int
    direction: str
    caution: str | None


class Comparison(BaseModel):
    """A re-audit against its baseline round."""

    baseline_round_id: int
    baseline_title: str
    rows: list[ComparisonRow]
    note: str | None = None


class ActionItem(BaseModel):
    """One action of the plan, as the board sees it."""

    what: str
    how: str = ""
    owner: str | None = None
    due: date | None = None
    success_measure: str = ""
    status: str = "draft"


class Comment(BaseModel):
    """A free-text answer (good practice, areas for development, recommendations)."""

    question_id: str
    question: str
    agency: str
    text: str


class Chart(BaseModel):
    """A chart as SVG markup (built from escaped text only)."""

    title: str
    svg: str


class BoardReport(BaseModel):
    """A round's board report."""

    round_id: int
    title: str
    status: str
    generated_on: date
    provisional: bool
    summary: list[str]
    method: Method
    highlights: list[str]
    questions: list[QuestionRow]
    agreement: list[AgreementRow]
    discrepancies: list[DiscrepancyRow]
    concerns: dict[str, int]
    not_known: dict[str, int]
    comparison: Comparison | None
    actions: list[ActionItem] | None
    comments: list[Comment]
    charts: list[Chart] = []
    register_context: list[RegisterRow] = []

    @property
    def agencies(self) -> list[str]:
        """The agencies in table order."""
        return self.method.agencies
