"""Launching a round: plan (validate and select, no writes) then create it in one transaction."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from flows.chase.policy import chase_rules
from flows.rounds.access import grant_agency_contacts
from flows.rounds.eligibility import FunnelStep, eligible_for, register_counts, same_cases_as
from flows.rounds.messages import queue_invitations
from flows.rounds.named import named_selection, numbered_refs
from flows.rounds.selection import Selection, select_cases
from flows.rounds.state import assign_members
from models.agency import Agency
from models.audit_log import record_event
from models.bulk import bulk_insert, collector_paused
from models.calendar import WorkingDayCalendar, london_date
from models.errors import InputError
from models.faults import fault_point
from models.questionnaire import Tool
from models.questionnaire.catalog import load_tool
from models.round import (
    AuditRound,
    RoundAgency,
    RoundCase,
)
from models.round_parameters import LaunchParameters
from models.settings import Settings
from models.tool_version import load_frozen_tool, save_tool_version


@dataclass
class LaunchPlan:
    """A validated launch: the tool, the agencies and the selected cases, nothing written yet."""

    params: LaunchParameters
    seed: int
    tool: Tool
    agencies: list[Agency]
    selection: Selection
    funnel: list[FunnelStep]
    register_counts: dict[str, int] | None = None

    def explanation(self) -> dict[str, object]:
        """Why these cases: the eligibility funnel and each stratum's counts (JSON-ready)."""
        return {
            "seed": self.seed,
            "eligible": self.funnel[-1].remaining,
            "funnel": [asdict(step) for step in self.funnel],
            "balanced_by": self.selection.balanced_by,
            "strata": [asdict(stratum) for stratum in self.selection.strata],
            "shortfall": self.selection.shortfall,
        }


@dataclass
class LaunchResult:
    """What a launch created (or found, when the same idempotency key launched before)."""

    round_id: int
    seed: int
    case_refs: list[str]
    explanation: dict[str, object]
    created: bool
    invitations: int


def check_due_date(
    params: LaunchParameters, *, now: datetime, calendar: WorkingDayCalendar
) -> None:
    """A due date must be a future working day."""
    today = london_date(now)
    if params.due_date <= today:
        raise InputError(f"due date {params.due_date} is not in the future (today is {today})")
    reason = calendar.why_not_working(params.due_date)
    if reason:
        suggestion = calendar.next_working_day(params.due_date)
        raise InputError(
            f"due date {params.due_date}: {reason}; the next working day is "
            f"{suggestion:%A %d %B %Y}"
        )


def check_grace(params: LaunchParameters, *, settings: Settings) -> None:
    """Reconciliation must wait until escalation has had its chance."""
    rules = chase_rules(params.chase, settings)
    grace, escalate = rules.reconcile_grace_days, rules.escalate_after_days_overdue
    if grace < escalate:
        raise InputError(
            f"the reconciliation grace ({grace} working days) is shorter than the "
            f"escalation delay ({escalate}): escalation must come first; lengthen "
            "the grace or escalate sooner"
        )


def _agencies(session: Session, codes: list[str]) -> list[Agency]:
    found = {a.code: a for a in session.exec(select(Agency).where(col(Agency.code).in_(codes)))}
    unknown = [code for code in codes if code not in found]
    if unknown:
        known = ", ".join(session.exec(select(Agency.code).where(col(Agency.active))))
        raise InputError(f"unknown agency {', '.join(unknown)}; known agencies: {known}")
    inactive = [code for code in codes if not found[code].active]
    if inactive:
        raise InputError(f"agency {', '.join(inactive)} is inactive in the registry")
    return [found[code] for code in codes]


def _tool(session: Session, params: LaunchParameters, settings: Settings) -> Tool:
    if params.tool_version:
        return load_frozen_tool(session=session, name=params.tool, version=params.tool_version)
    return load_tool(params.tool, settings.tool_dirs)


def _select(
    session: Session, params: LaunchParameters, seed: int, now: datetime
) -> tuple[Selection, list[FunnelStep], dict[str, int]]:
    balance_by, quotas = params.balancing()
    eligibility = eligible_for(session=session, params=params, now=now)
    selection = select_cases(
        eligibility.candidates,
        seed=seed,
        sample_size=params.sample_size,
        balance_by=balance_by,
        quotas=quotas,
        allow_fewer=params.allow_fewer,
    )
    return selection, eligibility.funnel, eligibility.register_counts


def plan_launch(
    *,
    session: Session,
    params: LaunchParameters,
    seed: int,
    now: datetime,
    settings: Settings,
    case_list: str = "",
) -> LaunchPlan:
    """Validate the parameters and select the cases (the named ones in `case_list`, one
    reference per line, when the parameters say named_cases); writes nothing."""
    tool = _tool(session, params, settings)
    agencies = _agencies(session, params.agencies)
    check_due_date(
        params, now=now, calendar=WorkingDayCalendar.with_closures(settings.closure_days)
    )
    check_grace(params, settings=settings)
    counts = None
    if params.same_cases_as_round is not None:
        selection, funnel = same_cases_as(
            session=session, round_id=params.same_cases_as_round, seed=seed
        )
    elif params.named_cases:
        numbered = numbered_refs(case_list)
        selection, funnel = named_selection(
            session=session,
            case_refs=[ref for _, ref in numbered],
            lines=[line for line, _ in numbered],
            seed=seed,
        )
    else:
        # The 100,000 candidates are freed on _select's return, before the collector resumes:
        # otherwise its first pass afterwards walks every one of them.
        with collector_paused():
            selection, funnel, counts = _select(session, params, seed, now)
    if not selection.picks:
        raise InputError("no eligible cases: widen the selection criteria")
    return LaunchPlan(
        params=params,
        seed=seed,
        tool=tool,
        agencies=agencies,
        selection=selection,
        funnel=funnel,
        register_counts=counts,
    )


def find_launched(*, session: Session, idempotency_key: str) -> AuditRound | None:
    """The round an idempotency key already launched, if any."""
    query = select(AuditRound).where(col(AuditRound.idempotency_key) == idempotency_key)
    return session.exec(query).first()


def _existing_result(session: Session, round_: AuditRound) -> LaunchResult:
    from models.case import Case

    refs = session.exec(
        select(Case.case_ref)
        .join(RoundCase, col(RoundCase.case_id) == col(Case.id))
        .where(col(RoundCase.round_id) == round_.id)
        .order_by(col(Case.case_ref))
    )
    assert round_.id is not None
    return LaunchResult(
        round_id=round_.id,
        seed=round_.seed,
        case_refs=list(refs),
        explanation=round_.selection,
        created=False,
        invitations=0,
    )


def launch_round(
    *,
    session: Session,
    params: LaunchParameters,
    seed: int,
    idempotency_key: str,
    now: datetime,
    actor: str,
    settings: Settings,
    case_list: str = "",
) -> LaunchResult:
    """Create the round, its cases, every (agency, case) assignment, grants and invitations."""
    existing = find_launched(session=session, idempotency_key=idempotency_key)
    if existing is not None:
        return _existing_result(session, existing)
    plan = plan_launch(
        session=session, params=params, seed=seed, now=now, settings=settings, case_list=case_list
    )
    tool_version = save_tool_version(session=session, tool=plan.tool, now=now)
    assert tool_version.id is not None
    frozen = params.model_copy(
        update={
            "seed": seed,
            "idempotency_key": idempotency_key,
            "tool_version": tool_version.version,
        }
    )
    round_ = AuditRound(
        title=params.title,
        tool_version_id=tool_version.id,
        seed=seed,
        idempotency_key=idempotency_key,
        due_date=params.due_date,
        parameters=frozen.model_dump(mode="json"),
        selection=plan.explanation(),
        register_counts=plan.register_counts or register_counts(session=session),
        baseline_round_id=params.baseline_round_id,
        created_by=actor,
        created_at=now,
    )
    session.add(round_)
    try:
        session.flush()
    except IntegrityError:
        # Another worker launched the same key at the same moment: theirs is the round.
        session.rollback()
        existing = find_launched(session=session, idempotency_key=idempotency_key)
        if existing is None:
            raise
        return _existing_result(session, existing)
    assert round_.id is not None
    round_id = round_.id
    agency_ids = [a.id for a in plan.agencies if a.id is not None]
    session.add_all(RoundAgency(round_id=round_id, agency_id=a, joined_at=now) for a in agency_ids)
    picks = plan.selection.picks
    bulk_insert(
        session=session,
        table=RoundCase.__table__,  # type: ignore[attr-defined]
        columns=("round_id", "case_id", "stratum", "rank", "status", "added_at"),
        rows=[(round_id, p.case_id, p.stratum, p.rank, "active", now) for p in picks],
    )
    assign_members(session, round_id, now)
    people = grant_agency_contacts(
        session=session, round_id=round_id, agency_ids=agency_ids, now=now
    )
    invitations = queue_invitations(session=session, round_=round_, people=people, now=now)
    record_event(
        session=session,
        actor=actor,
        action="round.launched",
        entity_type="round",
        entity_id=round_id,
        now=now,
        details={
            "cases": len(picks),
            "agencies": params.agencies,
            "seed": seed,
            "tool": f"{tool_version.name}@{tool_version.version}",
            "invitations": invitations,
        },
    )
    fault_point("launch:before-commit")
    return LaunchResult(
        round_id=round_id,
        seed=seed,
        case_refs=sorted(p.case_ref for p in picks),
        explanation=plan.explanation(),
        created=True,
        invitations=invitations,
    )
