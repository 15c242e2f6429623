"""The quarterly review for the quality-assurance subgroup: what ran, who answered on time,
which actions are open or overdue, and which themes got worse at re-audit."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, datetime, timedelta

from pydantic import BaseModel
from sqlmodel import Session, col, select

from flows.reconcile.agreement.reading import agreement_sentence, short_label
from flows.reconcile.findings import Findings
from flows.report.comparison import compare
from models.action import Action, ActionStatus
from models.agency import Agency
from models.calendar import end_of_day
from models.errors import InputError
from models.moderation import Reconciliation
from models.programme import PlannedRound
from models.round import ANSWERED, Assignment, AssignmentStatus, AuditRound, RoundAgency
from models.tool_version import ToolVersion

QUARTER = re.compile(r"^(\d{4})[Qq]([1-4])$")


def quarter_bounds(text: str) -> tuple[date, date]:
    """`2026Q3` -> (1 July 2026, 30 September 2026): calendar quarters."""
    match = QUARTER.match(text.strip())
    if match is None:
        raise InputError(f"--quarter {text!r}: use YEARQN, e.g. 2026Q3 (July to September)")
    year, quarter = int(match.group(1)), int(match.group(2))
    start = date(year, 3 * quarter - 2, 1)
    end = date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
    return start, end - timedelta(days=1)


def previous_quarter(today: date) -> str:
    """The quarter before the one `today` is in."""
    quarter = (today.month - 1) // 3
    return f"{today.year - 1}Q4" if quarter == 0 else f"{today.year}Q{quarter}"


class RoundLine(BaseModel):
    """A round in the quarter."""

    round_id: int | None
    title: str
    state: str
    on: date


class AgencyLine(BaseModel):
    """One agency across the quarter's rounds."""

    agency: str
    """The agency's code (for scripts reading the JSON); documents print `name`."""
    name: str
    assignments: int
    answered: int
    on_time: int


class ActionLine(BaseModel):
    """An open or overdue action."""

    action_id: int
    round_id: int
    what: str
    owner: str | None
    """The lead agency's code; documents print `owner_name`."""
    owner_name: str | None
    due_date: date | None
    overdue: bool


class WorseLine(BaseModel):
    """A question whose case-level compliance fell at re-audit."""

    round_id: int
    tool: str
    """The tool's name (its code); documents print `tool_title`."""
    tool_title: str
    question: str
    baseline: str
    current: str
    change_points: int


class AgreementLine(BaseModel):
    """How far the agencies agreed on one shared question of a round due in the quarter."""

    round_id: int
    question: str
    reading: str


class QuarterlyReview(BaseModel):
    """Everything the subgroup reviews for one quarter."""

    quarter: str
    start: date
    end: date
    rounds: list[RoundLine]
    agencies: list[AgencyLine]
    actions: list[ActionLine]
    worse: list[WorseLine]
    agreement: list[AgreementLine] = []


def _latest(session: Session, round_id: int, by: datetime) -> Findings | None:
    row = session.exec(
        select(Reconciliation)
        .where(col(Reconciliation.round_id) == round_id, col(Reconciliation.computed_at) <= by)
        .order_by(col(Reconciliation.id).desc())
    ).first()
    return None if row is None else Findings.model_validate(row.findings)


def _agreement_lines(round_id: int, findings: Findings | None) -> list[AgreementLine]:
    """Each shared question's agreement in the findings' own plain words (Landis and Koch)."""
    lines = []
    for q in findings.questions if findings else []:
        share, gwet = q.agreement.get("percent_agreement"), q.agreement.get("gwet_ac1")
        if share is None or gwet is None:
            continue
        label = short_label(gwet.statistic or "Gwet's AC1")
        lines.append(
            AgreementLine(
                round_id=round_id,
                question=q.finding or q.text,
                reading=agreement_sentence(share, gwet, label),
            )
        )
    return lines


def quarterly_review(*, session: Session, quarter: str) -> QuarterlyReview:
    """Build the review of a calendar quarter from the database."""
    start, end = quarter_bounds(quarter)
    until = end_of_day(end)
    rounds = session.exec(select(AuditRound).order_by(col(AuditRound.id))).all()
    lines = [
        RoundLine(round_id=r.id, title=r.title, state="launched", on=r.created_at.date())
        for r in rounds
        if start <= r.created_at.date() <= end
    ]
    lines += [
        RoundLine(round_id=r.id, title=r.title, state=f"due ({r.status})", on=r.due_date)
        for r in rounds
        if start <= r.due_date <= end
    ]
    lines += [
        RoundLine(round_id=None, title=p.theme, state="planned, not launched", on=p.launch_date)
        for p in session.exec(select(PlannedRound))
        if p.round_id is None and start <= p.launch_date <= end
    ]
    in_quarter = [r.id for r in rounds if start <= r.due_date <= end]
    agencies = list(session.exec(select(Agency)))
    codes = {a.id: a.code for a in agencies}
    names = {a.code: a.name for a in agencies}
    dues = {
        (ra.round_id, ra.agency_id): ra.due_date
        for ra in session.exec(select(RoundAgency).where(col(RoundAgency.round_id).in_(in_quarter)))
    }
    due_of = {r.id: r.due_date for r in rounds}
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for a in session.exec(
        select(Assignment).where(
            col(Assignment.round_id).in_(in_quarter),
            col(Assignment.status) != AssignmentStatus.withdrawn,
        )
    ):
        due = dues.get((a.round_id, a.agency_id)) or due_of[a.round_id]
        tally = counts[codes[a.agency_id]]
        tally[0] += 1
        tally[1] += a.status in ANSWERED
        tally[2] += bool(
            a.status in ANSWERED and a.submitted_at and a.submitted_at <= end_of_day(due)
        )
    actions = [
        ActionLine(
            action_id=a.id or 0,
            round_id=a.round_id,
            what=a.what,
            owner=codes.get(a.owner_agency_id),
            owner_name=names.get(codes.get(a.owner_agency_id) or ""),
            due_date=a.due_date,
            overdue=a.status == ActionStatus.overdue or bool(a.due_date and a.due_date <= end),
        )
        for a in session.exec(
            select(Action)
            .where(
                col(Action.status).in_(
                    [
                        ActionStatus.approved,
                        ActionStatus.on_track,
                        ActionStatus.at_risk,
                        ActionStatus.overdue,
                    ]
                )
            )
            .order_by(col(Action.id))
        )
    ]
    tools = {t.id: (t.name, t.title) for t in session.exec(select(ToolVersion))}
    worse = []
    for r in rounds:
        current = _latest(session, r.id or 0, until) if r.baseline_round_id else None
        baseline = _latest(session, r.baseline_round_id or 0, until) if current else None
        if current is None or baseline is None:
            continue
        worse += [
            WorseLine(
                round_id=r.id or 0,
                tool=tools[r.tool_version_id][0],
                tool_title=tools[r.tool_version_id][1],
                question=row.text,
                baseline=row.baseline.label,
                current=row.current.label,
                change_points=row.change_points,
            )
            for row in compare(current, baseline)
            if row.direction == "worse"
        ]
    agreement = [
        line
        for r in rounds
        if r.id in in_quarter
        for line in _agreement_lines(r.id or 0, _latest(session, r.id or 0, until))
    ]
    return QuarterlyReview(
        agreement=agreement,
        quarter=quarter.upper(),
        start=start,
        end=end,
        rounds=sorted(lines, key=lambda x: x.on),
        agencies=[
            AgencyLine(agency=code, name=names[code], assignments=t[0], answered=t[1], on_time=t[2])
            for code, t in sorted(counts.items())
        ],
        actions=actions,
        worse=worse,
    )
