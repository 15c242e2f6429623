"""Loading the programme, launching its rounds on time, and showing where it stands."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from pydantic import BaseModel
from sqlmodel import Session, col, select

from flows.programme.plan_file import ProgrammeFile, read_programme
from flows.rounds.launch import launch_round
from flows.rounds.messages import partnership_name
from flows.rounds.reaudit import reaudit_parameters
from flows.rounds.selection import seed_from_key
from flows.rounds.views import get_round, list_rounds
from models.agency import Agency
from models.audit_log import record_event
from models.calendar import WorkingDayCalendar, london_date
from models.errors import ImportFileError, Problem
from models.moderation import Reconciliation
from models.partnership import PartnershipRole, PersonRole
from models.programme import PlannedRound
from models.round_parameters import LaunchParameters
from models.settings import Settings
from notifications.contexts import RoundUpdateContext
from notifications.outbox import queue_message


def _check_agencies(session: Session, path: Path, plan: ProgrammeFile) -> None:
    known = set(session.exec(select(Agency.code).where(col(Agency.active))))
    problems = [
        Problem(f"rounds[{i}].agencies", f"unknown agency {code!r}")
        for i, entry in enumerate(plan.rounds)
        for code in entry.agencies
        if code not in known
    ]
    if problems:
        raise ImportFileError(str(path), problems)


def load_programme(
    *, session: Session, path: Path, settings: Settings, now: datetime, actor: str
) -> int:
    """Replace the planned (not yet launched) rounds with the file's; all or nothing."""
    plan = read_programme(path, calendar=WorkingDayCalendar.with_closures(settings.closure_days))
    _check_agencies(session, path, plan)
    existing = {p.key: p for p in session.exec(select(PlannedRound))}
    for key, planned in existing.items():
        if planned.round_id is None and key not in {e.key for e in plan.rounds}:
            session.delete(planned)
    for entry in plan.rounds:
        parameters = {
            "title": entry.title or f"{(entry.theme or entry.key).capitalize()} joint audit",
            "tool": entry.tool,
            "agencies": entry.agencies,
            "sample_size": entry.sample,
            "criteria": entry.where.model_dump(mode="json"),
            "stratify_by": entry.stratify_by,
            "quota_by": entry.quota_by,
            "quotas": entry.quotas,
        }
        planned = existing.get(entry.key) or PlannedRound(
            key=entry.key,
            programme_year=plan.year,
            theme="",
            launch_date=entry.launch,
            response_working_days=entry.response_working_days,
            parameters={},
        )
        if planned.round_id is not None:
            continue  # launched rounds keep what they launched with
        planned.programme_year, planned.launch_date = plan.year, entry.launch
        planned.theme = entry.theme or (
            existing[entry.reaudit_of].theme if entry.reaudit_of in existing else entry.key
        )
        planned.response_working_days, planned.reaudit_of = (
            entry.response_working_days,
            entry.reaudit_of,
        )
        planned.parameters, planned.updated_at = parameters, now
        session.add(planned)
    record_event(
        session=session,
        actor=actor,
        action="programme.loaded",
        entity_type="programme",
        entity_id=plan.year,
        now=now,
        details={"rounds": len(plan.rounds)},
    )
    return len(plan.rounds)


def launch_due_rounds(
    *, session: Session, now: datetime, settings: Settings, actor: str
) -> list[tuple[str, int]]:
    """Launch each planned round whose day has come (late ones too), exactly once."""
    calendar = WorkingDayCalendar.with_closures(settings.closure_days)
    today = london_date(now)
    if not calendar.is_working_day(today):
        return []
    launched: list[tuple[str, int]] = []
    due = session.exec(
        select(PlannedRound)
        .where(col(PlannedRound.round_id).is_(None), col(PlannedRound.launch_date) <= today)
        .order_by(col(PlannedRound.launch_date), col(PlannedRound.id))
    ).all()
    for planned in due:
        round_id = launch_planned_round(
            session=session, planned=planned, now=now, settings=settings, actor=actor
        )
        if round_id is not None:
            launched.append((planned.key, round_id))
    return launched


def launch_planned_round(
    *, session: Session, planned: PlannedRound, now: datetime, settings: Settings, actor: str
) -> int | None:
    """Launch one planned round now (once: its key is the idempotency key); None while a
    re-audit's baseline has not launched."""
    calendar = WorkingDayCalendar.with_closures(settings.closure_days)
    today = london_date(now)
    deadline = calendar.add_working_days(today, planned.response_working_days)
    seed = seed_from_key(f"programme:{planned.key}")
    if planned.reaudit_of is not None:
        baseline = session.exec(
            select(PlannedRound).where(col(PlannedRound.key) == planned.reaudit_of)
        ).first()
        if baseline is None or baseline.round_id is None:
            return None  # its baseline has not launched yet
        params = reaudit_parameters(
            session=session,
            baseline_id=baseline.round_id,
            due=deadline,
            seed=seed,
            same_cases=False,
            same_tool_version=False,
        )
    else:
        params = LaunchParameters.model_validate(
            {**planned.parameters, "due_date": deadline.isoformat()}
        )
    result = launch_round(
        session=session,
        params=params,
        seed=seed,
        idempotency_key=f"programme:{planned.key}",
        now=now,
        actor=actor,
        settings=settings,
    )
    planned.round_id, planned.launched_at = result.round_id, now
    _tell_coordinators(session, planned, result.round_id, now)
    record_event(
        session=session,
        actor=actor,
        action="programme.round_launched",
        entity_type="round",
        entity_id=result.round_id,
        now=now,
        details={"key": planned.key, "late": planned.launch_date < today},
    )
    return result.round_id


def _tell_coordinators(
    session: Session, planned: PlannedRound, round_id: int, now: datetime
) -> None:
    """Each coordinator hears that the programme launched a round (once per round)."""
    round_ = get_round(session=session, round_id=round_id)
    context = RoundUpdateContext(
        partnership_name=partnership_name(session=session),
        round_title=round_.title,
        change=f"the audit programme launched this round ({planned.key}) as planned",
        due_date=round_.due_date,
    )
    coordinators = session.exec(
        select(PersonRole.person_id).where(col(PersonRole.role) == PartnershipRole.coordinator)
    ).all()
    for person_id in coordinators:
        queue_message(
            session=session,
            context=context,
            now=now,
            person_id=person_id,
            round_id=round_id,
            dedupe_key=f"programme:{planned.key}:{person_id}",
        )


class ProgrammeRow(BaseModel):
    """A planned round as `programme show` lists it."""

    key: str
    theme: str
    launch_date: str
    status: str
    round_id: int | None
    response_rate: str | None
    headline: str | None


def programme_status(*, session: Session, now: datetime) -> list[ProgrammeRow]:
    """Planned, due, late to launch, launched or completed; response rates and headlines."""
    today = london_date(now)
    rounds = {r.round_id: r for r in list_rounds(session=session)}
    rows = []
    for planned in session.exec(select(PlannedRound).order_by(col(PlannedRound.launch_date))):
        summary = rounds.get(planned.round_id or -1)
        if summary is None:
            status = (
                "late to launch"
                if planned.launch_date < today
                else "due today"
                if planned.launch_date == today
                else "planned"
            )
        else:
            status = "completed" if summary.status == "closed" else summary.status
        rate = f"{summary.answered} of {summary.assignment_count}" if summary else None
        rows.append(
            ProgrammeRow(
                key=planned.key,
                theme=planned.theme,
                launch_date=planned.launch_date.isoformat(),
                status=status,
                round_id=planned.round_id,
                response_rate=rate,
                headline=_headline(session, planned.round_id),
            )
        )
    return rows


def _headline(session: Session, round_id: int | None) -> str | None:
    if round_id is None:
        return None
    latest = session.exec(
        select(Reconciliation)
        .where(col(Reconciliation.round_id) == round_id)
        .order_by(col(Reconciliation.id).desc())
    ).first()
    if latest is None:
        return None
    figures = [q["case_level"] for q in latest.findings["questions"] if q.get("case_level")]
    met = sum(f["met"] for f in figures)
    applicable = sum(f["applicable"] for f in figures)
    return None if not applicable else f"{round(100 * met / applicable)}% of shared judgements met"
