"""The API's request and response bodies, typed so that the OpenAPI schema is precise."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal, Self

from fastapi import Query
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictFloat,
    StrictInt,
    StringConstraints,
    model_validator,
)

from models.answers import AnswerSetStatus
from models.round import AssignmentStatus, MemberStatus, RoundStatus
from models.round_parameters import LaunchParameters

QuestionId = Annotated[str, StringConstraints(min_length=1, max_length=60)]
Text = Annotated[str, StringConstraints(strict=True, max_length=50_000)]
OptionIds = Annotated[list[Text], Field(max_length=100)]
AnswerIn = Text | StrictInt | StrictFloat | OptionIds | None
"""One answer: an option or word ("yes", "na"), a whole number, a number, a date as
YYYY-MM-DD, option ids (multi_choice), free text; null leaves the question unanswered."""
AnswerOut = str | int | float | list[str]
RoundFilter = Annotated[
    int | None, Query(ge=1, le=2**31 - 1, description="Only this round's assignments")
]
MAX_MONTHS = 1200
LAST_YEAR = 2100
MAX_CHASE_DAYS = 260
QuestionType = Literal[
    "yes_no_na",
    "yes_partly_no_na",
    "ofsted_grade",
    "rag",
    "scale_0_10",
    "number",
    "date",
    "single_choice",
    "multi_choice",
    "text",
]


class Problem(BaseModel):
    """An error's message for programs and people."""

    detail: str


class FieldError(BaseModel):
    """What is wrong with one part of the request (for answers: the question, by id)."""

    model_config = ConfigDict(extra="allow")

    loc: list[str | int]
    msg: str
    type: str


class ValidationProblem(BaseModel):
    """Every error found in the request; nothing was saved."""

    detail: list[FieldError]


class AnswersIn(BaseModel):
    """Answers by question id (the questions of `GET /assignments/{id}`)."""

    model_config = ConfigDict(extra="forbid")

    answers: Annotated[dict[QuestionId, AnswerIn], Field(max_length=500)]


class SubmitIn(BaseModel):
    """The complete answers to submit; without them, the saved draft is submitted."""

    model_config = ConfigDict(extra="forbid")

    answers: Annotated[dict[QuestionId, AnswerIn], Field(max_length=500)] | None = None


class AssignmentOut(BaseModel):
    """One case the agency audits in a round, and where it is."""

    id: int
    round_id: int
    round_title: str
    round_status: RoundStatus
    case_ref: str = Field(description="The case's pseudonymised reference")
    status: AssignmentStatus
    due_date: date = Field(description="The agency's due date (23:59 Europe/London)")
    collecting: bool = Field(description="Whether answers may still be saved or submitted")
    updated_at: datetime
    submitted_at: datetime | None


class AssignmentList(BaseModel):
    """The agency's assignments, by round and case reference."""

    agency: str
    assignments: list[AssignmentOut]


class Choice(BaseModel):
    """One answer a question offers."""

    value: str
    label: str


class QuestionOut(BaseModel):
    """One question of the frozen tool version, as this agency is asked it."""

    id: str
    section: str
    type: QuestionType
    text: str
    guidance: str
    required: bool
    allows_na: bool = Field(description='Whether "na" (Not applicable) is an answer')
    choices: list[Choice] = Field(description="The values a choice question accepts")
    unit: str | None = Field(default=None, description="number questions")
    whole_number: bool | None = Field(default=None, description="number questions")
    min_value: float | None = Field(default=None, description="number questions")
    max_value: float | None = Field(default=None, description="number questions")
    max_length: int | None = Field(default=None, description="text questions")


class ToolOut(BaseModel):
    """The questionnaire version frozen when the round was launched."""

    name: str
    version: str
    title: str


class AnswerSetOut(BaseModel):
    """The answers shown for an assignment: the draft under way, else the submitted ones."""

    version: int | None
    status: AnswerSetStatus | None
    editable: bool = Field(description="Whether PUT /answers and /submit are accepted now")
    updated_at: datetime | None
    submitted_at: datetime | None
    values: dict[str, AnswerOut]


class AssignmentDetail(AssignmentOut):
    """One assignment with its questions and answers."""

    agency_reference: str | None = Field(
        description="Your agency's own reference for the child, when the register holds one"
    )
    tool: ToolOut
    questions: list[QuestionOut]
    answers: AnswerSetOut


class AnswersOut(BaseModel):
    """The assignment and its answers after a change."""

    assignment: AssignmentOut
    answers: AnswerSetOut


class RoundOut(BaseModel):
    """A round as coordinators' scripts list it, with how far it is answered."""

    id: int
    title: str
    status: RoundStatus
    tool: str = Field(description="The audit tool's name")
    due_date: date = Field(description="The round's due date (agencies may have extensions)")
    cases: int = Field(description="Cases taking part")
    agencies: int = Field(description="Agencies taking part")
    answered: int = Field(description="Assignments submitted or not known to the agency")
    assignments: int = Field(description="Live assignments (one per agency and case)")
    baseline_round_id: int | None = Field(description="The round this one re-audits, if any")


class RoundList(BaseModel):
    """Every round, newest first."""

    rounds: list[RoundOut]


class AgencyProgressOut(BaseModel):
    """One agency's progress in a round, by the agency's name."""

    agency: str = Field(description="The agency's name")
    status: MemberStatus = Field(description="Whether the agency still takes part")
    due_date: date = Field(description="The agency's due date (its extension, or the round's)")
    submitted: int
    in_progress: int
    not_started: int
    not_known: int
    overdue: int = Field(description="Unanswered after 23:59 on the agency's due date")


class RoundDetailOut(RoundOut):
    """One round with each agency's progress (counts only: no case or child is named)."""

    tool_version: str
    progress: list[AgencyProgressOut]


class LaunchIn(LaunchParameters):
    """A round's launch parameters (as `jointaudit round launch` takes them), and whether only to
    check the selection."""

    dry_run: bool = Field(default=False, description="Select and explain the cases; create nothing")
    baseline_round_id: int | None = Field(
        default=None, ge=1, le=2**31 - 1, description="The round this one re-audits"
    )
    same_cases_as_round: int | None = Field(
        default=None, ge=1, le=2**31 - 1, description="Re-audit exactly this round's cases"
    )
    case_refs: list[Annotated[str, StringConstraints(max_length=100)]] = Field(
        default_factory=list,
        max_length=1000,
        description="Inspection mode (named_cases): the named cases' references",
    )

    @model_validator(mode="after")
    def _within_reason(self) -> Self:
        # The shared parameters leave these open; from the network they are bounded so that
        # no date or working-day arithmetic can overflow or run for ever.
        if self.due_date.year > LAST_YEAR:
            raise ValueError(f"the due date must be in {LAST_YEAR} or earlier")
        if self.criteria.exclude_audited_within_months > MAX_MONTHS:
            raise ValueError(f"exclude_audited_within_months is at most {MAX_MONTHS}")
        chase = self.chase.model_dump(exclude_none=True)
        if any(days > MAX_CHASE_DAYS for days in chase.values()):
            raise ValueError(f"chase overrides are at most {MAX_CHASE_DAYS} working days")
        return self

    def parameters(self) -> LaunchParameters:
        """The launch parameters alone."""
        return LaunchParameters.model_validate(self.model_dump(exclude={"dry_run", "case_refs"}))


class DryRunOut(BaseModel):
    """The selection a launch would make: the CLI's `round launch --dry-run --json`."""

    seed: int = Field(description="Send it back with the launch to launch exactly these cases")
    case_refs: list[str]
    selection: dict[str, Any] = Field(description="The funnel and each stratum's counts")


class LaunchOut(DryRunOut):
    """The launched round (or the one this idempotency key launched before)."""

    round_id: int
    created: bool = Field(description="False when the idempotency key had launched it already")
    invitations: int = Field(description="Invitations queued for the agencies' leads")
