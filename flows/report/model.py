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
    tool_title: str = ""
    criteria: dict[str, str]
    seed: int
    named_cases: bool = False
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
    group: str = ""
    threshold: int | None = None
    shared: bool
    case_level: Figure | None
    provisional: bool
    by_agency: dict[str, Figure]
    overall: Figure


class AgreementRow(BaseModel):
    """Agreement between agencies on one shared question, each statistic with its n."""

    id: str
    question: str = ""
    same_answer: int = 0
    compared: int = 0
    n_units: int
    percent_agreement: str
    gwet_ac1: str
    alpha: str
    coefficient: str = "Gwet's AC1"
    beyond_chance: str | None = None


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
    """A chart as SVG markup (built from escaped text only), with its alternative text."""

    title: str
    svg: str
    alt: str = ""
    width: int = 640
    height: int = 0


class FrontSheet(BaseModel):
    """The front sheet as printed: every field, with defaults filled in."""

    meeting: str
    meeting_date: date | None
    item_number: str
    title: str
    authorised_by: str
    lead_officer: str
    wards: str
    decision_type: str


class Highlight(BaseModel):
    """A chosen finding: its statement, why it was chosen, and the coordinator's note."""

    question_id: str
    statement: str
    reason: str
    kind: str
    percent: int | None
    note: str = ""


class DiscrepancySummary(BaseModel):
    """How many cases agencies disagreed on, how many the meeting resolved, and where."""

    total: int
    resolved: int
    cases: int = 0
    themes: list[tuple[str, int]]


class ActionUpdateItem(BaseModel):
    """A dated progress update on an action."""

    on: date
    status: str
    note: str


class ActionOutcome(BaseModel):
    """A baseline action at re-audit: what became of it and whether its measure was met."""

    what: str
    owner: str | None
    due: date | None
    status: str
    updates: list[ActionUpdateItem]
    success_measure: str
    question: str | None
    threshold: int | None
    result: Figure | None
    met: bool | None
    verdict: str


class Impact(BaseModel):
    """The baseline's action plan at re-audit, and what the board should ask next."""

    baseline_title: str
    outcomes: list[ActionOutcome]
    asks: list[str]


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
    partnership: str = ""
    agency_names: dict[str, str] = {}
    front_sheet: FrontSheet | None = None
    commentary: dict[str, str] = {}
    method_text: list[str] = []
    strengths: list[Highlight] = []
    weaknesses: list[Highlight] = []
    other_findings: list[Highlight] = []
    improvements: list[ComparisonRow] = []
    deteriorations: list[ComparisonRow] = []
    discrepancy_summary: DiscrepancySummary | None = None
    half_points: bool = False
    impact: Impact | None = None

    @property
    def agencies(self) -> list[str]:
        """The agencies in table order."""
        return self.method.agencies

    def agency(self, code: str | None) -> str:
        """An agency's name (its code only if the registry no longer has it)."""
        return self.agency_names.get(code or "", code or "")
