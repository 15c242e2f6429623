"""Read models of rounds: the list, and one round's progress per agency and per assignment."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime

from pydantic import BaseModel
from sqlmodel import Session, col, select

from flows.chase.history import ChaseEntry, chase_history
from models.agency import Agency
from models.calendar import end_of_day
from models.case import Case
from models.errors import NotFoundError
from models.round import (
    ANSWERED,
    Assignment,
    AssignmentStatus,
    AuditRound,
    MemberStatus,
    RoundAgency,
    RoundCase,
)
from models.tool_version import ToolVersion


class Progress(BaseModel):
    """How far a set of assignments is answered: the one wording the lead's and the
    coordinator's pages share ("5 of 6 answered: 4 submitted, 1 not known")."""

    total: int
    submitted: int
    not_known: int

    @property
    def answered(self) -> int:
        """Submitted or not known to the agency (both end the agency's work on a case)."""
        return self.submitted + self.not_known

    @property
    def text(self) -> str:
        """The sentence pages show."""
        shown = f"{self.answered} of {self.total} answered"
        if not self.answered:
            return shown
        return f"{shown}: {self.submitted} submitted, {self.not_known} not known"


def progress_of(statuses: Iterable[str]) -> Progress:
    """The progress of assignments with these statuses (withdrawn ones left out)."""
    counts = Counter(s for s in statuses if s != AssignmentStatus.withdrawn)
    return Progress(
        total=sum(counts.values()),
        submitted=counts[AssignmentStatus.submitted],
        not_known=counts[AssignmentStatus.not_known],
    )


class RoundSummary(BaseModel):
    """A round as listed."""

    round_id: int
    title: str
    status: str
    tool: str
    due_date: date
    cases: int
    agencies: int
    answered: int
    assignment_count: int
    baseline_round_id: int | None


class AgencyProgress(BaseModel):
    """One agency's progress in a round."""

    agency: str
    name: str
    status: str
    due_date: date
    submitted: int = 0
    in_progress: int = 0
    not_started: int = 0
    not_known: int = 0
    overdue: int = 0


class AssignmentView(BaseModel):
    """One agency's review of one case."""

    agency: str
    case_ref: str
    status: str
    overdue: bool
    updated_at: datetime


class RoundDetail(RoundSummary):
    """A round with its agencies' progress and every live assignment."""

    seed: int
    tool_version: str
    selection: dict[str, object]
    register_counts: dict[str, object]
    progress: list[AgencyProgress]
    assignments: list[AssignmentView]
    chase_history: list[ChaseEntry] = []

    @property
    def answers_progress(self) -> Progress:
        """The round's progress over every live assignment."""
        return progress_of(view.status for view in self.assignments)


def get_round(*, session: Session, round_id: int) -> AuditRound:
    """The round, or NotFoundError."""
    round_ = session.get(AuditRound, round_id)
    if round_ is None:
        raise NotFoundError(f"no round {round_id}: `jointaudit round list` shows the rounds")
    return round_


def agency_due_dates(*, session: Session, round_: AuditRound) -> dict[int, date]:
    """Each active agency's due date (its own extension, or the round's)."""
    rows = session.exec(
        select(RoundAgency).where(
            col(RoundAgency.round_id) == round_.id, col(RoundAgency.status) == MemberStatus.active
        )
    )
    return {ra.agency_id: ra.effective_due_date(round_) for ra in rows}


def is_overdue(status: str, due: date, now: datetime) -> bool:
    """Unanswered after 23:59 on the due day (Europe/London)."""
    return status not in ANSWERED and now > end_of_day(due)


def round_detail(*, session: Session, round_id: int, now: datetime) -> RoundDetail:
    """Everything `round show` prints."""
    round_ = get_round(session=session, round_id=round_id)
    tool = session.get(ToolVersion, round_.tool_version_id)
    assert tool is not None
    dues = agency_due_dates(session=session, round_=round_)
    members = session.exec(
        select(RoundAgency, Agency)
        .join(Agency, col(Agency.id) == col(RoundAgency.agency_id))
        .where(col(RoundAgency.round_id) == round_id)
        .order_by(col(Agency.code))
    ).all()
    progress = {
        ra.agency_id: AgencyProgress(
            agency=a.code, name=a.name, status=ra.status, due_date=ra.effective_due_date(round_)
        )
        for ra, a in members
    }
    codes = {ra.agency_id: a.code for ra, a in members}
    rows = session.exec(
        select(Assignment, Case.case_ref)
        .join(Case, col(Case.id) == col(Assignment.case_id))
        .where(
            col(Assignment.round_id) == round_id,
            col(Assignment.status) != AssignmentStatus.withdrawn,
        )
        .order_by(col(Assignment.agency_id), col(Case.case_ref))
    ).all()
    views = []
    for assignment, case_ref in rows:
        overdue = assignment.agency_id in dues and is_overdue(
            assignment.status, dues[assignment.agency_id], now
        )
        entry = progress[assignment.agency_id]
        setattr(entry, assignment.status, getattr(entry, assignment.status) + 1)
        entry.overdue += overdue
        views.append(
            AssignmentView(
                agency=codes[assignment.agency_id],
                case_ref=case_ref,
                status=assignment.status,
                overdue=overdue,
                updated_at=assignment.updated_at,
            )
        )
    summary = _summaries(session, [round_])[0]
    return RoundDetail(
        **summary.model_dump(),
        seed=round_.seed,
        tool_version=tool.version,
        selection=round_.selection,
        register_counts=round_.register_counts,
        progress=list(progress.values()),
        assignments=views,
        chase_history=chase_history(session=session, round_id=round_id),
    )


def _summaries(session: Session, rounds: list[AuditRound]) -> list[RoundSummary]:
    ids = [r.id for r in rounds]
    cases = Counter(
        session.exec(
            select(RoundCase.round_id).where(
                col(RoundCase.round_id).in_(ids), col(RoundCase.status) == MemberStatus.active
            )
        )
    )
    agencies = Counter(
        session.exec(
            select(RoundAgency.round_id).where(
                col(RoundAgency.round_id).in_(ids), col(RoundAgency.status) == MemberStatus.active
            )
        )
    )
    statuses = session.exec(
        select(Assignment.round_id, Assignment.status).where(
            col(Assignment.round_id).in_(ids), col(Assignment.status) != AssignmentStatus.withdrawn
        )
    )
    answered: Counter[int] = Counter()
    total: Counter[int] = Counter()
    for round_id, status in statuses:
        total[round_id] += 1
        answered[round_id] += status in ANSWERED
    tools = {
        t.id: t.name
        for t in session.exec(
            select(ToolVersion).where(col(ToolVersion.id).in_([r.tool_version_id for r in rounds]))
        )
    }
    return [
        RoundSummary(
            round_id=r.id or 0,
            title=r.title,
            status=r.status,
            tool=tools[r.tool_version_id],
            due_date=r.due_date,
            cases=cases[r.id or 0],
            agencies=agencies[r.id or 0],
            answered=answered[r.id or 0],
            assignment_count=total[r.id or 0],
            baseline_round_id=r.baseline_round_id,
        )
        for r in rounds
    ]


def list_rounds(*, session: Session) -> list[RoundSummary]:
    """Every round, newest first."""
    rounds = list(session.exec(select(AuditRound).order_by(col(AuditRound.id).desc())))
    return _summaries(session, rounds) if rounds else []


def active_members(*, session: Session, round_id: int) -> list[tuple[RoundAgency, Agency]]:
    """The round's active agencies with their membership, by agency name."""
    rows = session.exec(
        select(RoundAgency, Agency)
        .join(Agency, col(Agency.id) == col(RoundAgency.agency_id))
        .where(
            col(RoundAgency.round_id) == round_id, col(RoundAgency.status) == MemberStatus.active
        )
        .order_by(col(Agency.name))
    )
    return list(rows.all())
