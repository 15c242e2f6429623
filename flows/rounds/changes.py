"""Changing a running round's cases, dates and status: one audited transaction each."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session, col, select

from flows.chase.sweep import cancel_chasers
from flows.rounds.eligibility import eligible_for
from flows.rounds.launch import check_due_date
from flows.rounds.messages import cancel_pending, queue_round_update
from flows.rounds.selection import next_in_rank
from flows.rounds.state import (
    agency_by_code,
    assign_members,
    live_people,
    membership,
    open_round,
    withdraw_assignments,
)
from flows.rounds.views import get_round
from models.audit_log import record_event
from models.calendar import WorkingDayCalendar
from models.case import Case
from models.errors import ConflictError, NotFoundError
from models.round import MemberStatus, RoundCase, RoundStatus
from models.round_parameters import LaunchParameters
from models.settings import Settings


def replace_case(
    *, session: Session, round_id: int, case_ref: str, reason: str, now: datetime, actor: str
) -> str:
    """Replace a case for every agency at once by the next case in rank of its stratum."""
    round_ = open_round(session, round_id)
    found = session.exec(
        select(RoundCase, Case)
        .join(Case, col(Case.id) == col(RoundCase.case_id))
        .where(col(RoundCase.round_id) == round_id, col(Case.case_ref) == case_ref)
    ).first()
    if found is None or found[0].status != MemberStatus.active:
        raise NotFoundError(f"case {case_ref!r} is not an active case of round {round_id}")
    member, _case = found
    params = LaunchParameters.model_validate(round_.parameters)
    candidates = eligible_for(session=session, params=params, now=now).candidates
    held = set(session.exec(select(RoundCase.case_id).where(col(RoundCase.round_id) == round_id)))
    pick = next_in_rank(candidates, seed=round_.seed, stratum=member.stratum, exclude=held)
    if pick is None:
        raise ConflictError(
            f"no other eligible case in stratum {member.stratum!r}: {case_ref} was not replaced"
        )
    member.status, member.replaced_by_case_id = MemberStatus.replaced, pick.case_id
    member.replace_reason = reason
    session.add(
        RoundCase(
            round_id=round_id,
            case_id=pick.case_id,
            stratum=pick.stratum,
            rank=pick.rank,
            added_at=now,
        )
    )
    session.flush()
    withdraw_assignments(session, round_id, now, case_id=member.case_id)
    assign_members(session, round_id, now, case_id=pick.case_id)
    event_id = record_event(
        session=session,
        actor=actor,
        action="round.case_replaced",
        entity_type="round",
        entity_id=round_id,
        now=now,
        details={"replaced": case_ref, "by": pick.case_ref, "reason": reason},
    )
    queue_round_update(
        session=session,
        round_=round_,
        person_ids=live_people(session, round_id),
        change="one case in your list was replaced by another",
        now=now,
        event_id=event_id,
    )
    return pick.case_ref


def extend_due_date(
    *,
    session: Session,
    round_id: int,
    due: date,
    now: datetime,
    actor: str,
    settings: Settings,
    code: str | None = None,
) -> None:
    """Move the due date for everyone, or for one agency."""
    round_ = open_round(session, round_id)
    params = LaunchParameters.model_validate({**round_.parameters, "due_date": due.isoformat()})
    check_due_date(
        params, now=now, calendar=WorkingDayCalendar.with_closures(settings.closure_days)
    )
    if code is None:
        round_.due_date = due
        people = live_people(session, round_id)
    else:
        agency = agency_by_code(session, code)
        member = membership(session, round_id, agency)
        if member is None or member.status != MemberStatus.active:
            raise ConflictError(f"agency {code} does not take part in round {round_id}")
        member.due_date = due
        people = live_people(session, round_id, agency.id)
    # Chasers queued for the old date must not go out; the next sweep chases by the new one.
    cancel_chasers(session=session, round_id=round_id, person_ids=people, now=now)
    event_id = record_event(
        session=session,
        actor=actor,
        action="round.due_date_extended",
        entity_type="round",
        entity_id=round_id,
        now=now,
        details={"due_date": due.isoformat(), "agency": code},
    )
    queue_round_update(
        session=session,
        round_=round_,
        person_ids=people,
        now=now,
        event_id=event_id,
        change=f"the due date is now {due:%A %d %B %Y}",
    )


def cancel_round(
    *, session: Session, round_id: int, reason: str, now: datetime, actor: str
) -> None:
    """Cancel a round: nothing more is sent, its answers are kept."""
    round_ = get_round(session=session, round_id=round_id)
    if round_.status in (RoundStatus.cancelled, RoundStatus.closed):
        raise ConflictError(f"round {round_id} is already {round_.status}")
    people = live_people(session, round_id)
    round_.status, round_.cancelled_at, round_.cancel_reason = RoundStatus.cancelled, now, reason
    cancel_pending(session=session, round_id=round_id, person_ids=None, now=now)
    event_id = record_event(
        session=session,
        actor=actor,
        action="round.cancelled",
        entity_type="round",
        entity_id=round_id,
        now=now,
        details={"reason": reason},
    )
    queue_round_update(
        session=session,
        round_=round_,
        person_ids=people,
        now=now,
        event_id=event_id,
        change="this audit has been cancelled; nothing more is needed",
    )
