"""Reconciling a round and recording its moderation meeting (plain functions, audited)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlmodel import Session, col, select

from flows.chase.sweep import cancel_chasers
from flows.reconcile.compute import question_findings
from flows.reconcile.findings import Findings
from flows.reconcile.load import concern_counts, load_answers, responses, round_tool
from flows.rounds.views import get_round
from models.agency import Agency
from models.audit_log import record_event
from models.case import Case
from models.errors import ConflictError, InputError, NotFoundError
from models.moderation import ModeratedAnswer, ModerationAttendee, ModerationMeeting, Reconciliation
from models.round import AccessGrant, RoundCase, RoundStatus


def reconcile_round(*, session: Session, round_id: int, now: datetime, actor: str) -> Findings:
    """Compute and store the round's findings; a collecting round moves on to reconciling."""
    round_ = get_round(session=session, round_id=round_id)
    if round_.status == RoundStatus.cancelled:
        raise ConflictError(f"round {round_id} was cancelled: there is nothing to reconcile")
    tool = round_tool(session=session, round_id=round_id)
    data = load_answers(session=session, round_id=round_id)
    questions, discrepancies = question_findings(tool, data)
    provisional = session.get(ModerationMeeting, round_id) is None
    for question in questions:
        question.case_level_provisional = provisional
    counts = responses(session=session, round_id=round_id)
    findings = Findings(
        round_id=round_id,
        provisional=provisional,
        concerns=concern_counts(session=session, round_id=round_id),
        not_known={code: c.get("not_known", 0) for code, c in counts.items()},
        responses=counts,
        questions=questions,
        discrepancies=discrepancies,
    )
    session.add(
        Reconciliation(
            round_id=round_id,
            computed_at=now,
            provisional=provisional,
            findings=findings.model_dump(mode="json"),
        )
    )
    if round_.status == RoundStatus.collecting:
        round_.status, round_.collection_closed_at = RoundStatus.reconciling, now
        # Collection is closed: nobody is chased for it any more.
        people = sorted(
            set(
                session.exec(
                    select(AccessGrant.person_id).where(col(AccessGrant.round_id) == round_id)
                )
            )
        )
        cancel_chasers(session=session, round_id=round_id, person_ids=people, now=now)
    record_event(
        session=session,
        actor=actor,
        action="round.reconciled",
        entity_type="round",
        entity_id=round_id,
        now=now,
        details={"discrepancies": len(discrepancies), "provisional": provisional},
    )
    return findings


def latest_findings(*, session: Session, round_id: int) -> Findings:
    """The round's most recent findings, or NotFoundError when it was never reconciled."""
    row = session.exec(
        select(Reconciliation)
        .where(col(Reconciliation.round_id) == round_id)
        .order_by(col(Reconciliation.id).desc())
    ).first()
    if row is None:
        raise NotFoundError(
            f"round {round_id} has not been reconciled yet: run "
            f"`jointaudit round reconcile {round_id}`"
        )
    return Findings.model_validate(row.findings)


def record_meeting(
    *,
    session: Session,
    round_id: int,
    held_on: date,
    attendees: Sequence[str],
    notes: str,
    now: datetime,
    actor: str,
) -> None:
    """Record (or correct) the moderation meeting: date, agencies present, notes."""
    round_ = get_round(session=session, round_id=round_id)
    if round_.status in (RoundStatus.collecting, RoundStatus.cancelled):
        raise ConflictError(f"round {round_id} is {round_.status}: reconcile it first")
    agencies = {
        a.code: a.id
        for a in session.exec(select(Agency).where(col(Agency.code).in_(list(attendees))))
    }
    unknown = sorted(set(attendees) - set(agencies))
    if unknown:
        raise InputError(f"unknown agency {', '.join(unknown)}")
    meeting = session.get(ModerationMeeting, round_id)
    if meeting is None:
        meeting = ModerationMeeting(
            round_id=round_id, held_on=held_on, notes=notes, recorded_by=actor, recorded_at=now
        )
        session.add(meeting)
        session.flush()
    else:
        meeting.held_on, meeting.notes, meeting.recorded_at = held_on, notes, now
        for old in session.exec(
            select(ModerationAttendee).where(col(ModerationAttendee.round_id) == round_id)
        ):
            session.delete(old)
        session.flush()
    session.add_all(
        ModerationAttendee(round_id=round_id, agency_id=agency_id)
        for agency_id in agencies.values()
        if agency_id is not None
    )
    if round_.status == RoundStatus.reconciling:
        round_.status = RoundStatus.moderated
    record_event(
        session=session,
        actor=actor,
        action="round.moderation_recorded",
        entity_type="round",
        entity_id=round_id,
        now=now,
        details={"held_on": held_on.isoformat(), "attendees": sorted(attendees)},
    )


def moderate_answer(
    *,
    session: Session,
    round_id: int,
    case_ref: str,
    question_id: str,
    value: str,
    resolution: str | None,
    now: datetime,
    actor: str,
) -> None:
    """Record the agreed case-level answer to a shared question (overrides the provisional)."""
    question = round_tool(session=session, round_id=round_id).question(question_id)
    if not question.shared:
        raise InputError(
            f"{question_id} is an own-practice question: only shared questions "
            "have a case-level answer"
        )
    typed: str | int = int(value) if question.type == "scale_0_10" and value != "na" else value
    try:
        question.check_answer(typed)
    except ValueError as error:
        raise InputError(str(error)) from None
    case_id = session.exec(
        select(Case.id)
        .join(RoundCase, col(RoundCase.case_id) == col(Case.id))
        .where(col(RoundCase.round_id) == round_id, col(Case.case_ref) == case_ref)
    ).first()
    if case_id is None:
        raise NotFoundError(f"case {case_ref!r} is not in round {round_id}")
    row = session.exec(
        select(ModeratedAnswer).where(
            col(ModeratedAnswer.round_id) == round_id,
            col(ModeratedAnswer.case_id) == case_id,
            col(ModeratedAnswer.question_id) == question_id,
        )
    ).first()
    before = None if row is None else row.value
    if row is None:
        session.add(
            ModeratedAnswer(
                round_id=round_id,
                case_id=case_id,
                question_id=question_id,
                value=value,
                resolution=resolution,
                decided_by=actor,
                decided_at=now,
            )
        )
    else:
        row.value, row.resolution, row.decided_by, row.decided_at = value, resolution, actor, now
    record_event(
        session=session,
        actor=actor,
        action="round.answer_moderated",
        entity_type="round",
        entity_id=round_id,
        now=now,
        details={"question": question_id, "case_id": case_id, "before": before, "after": value},
    )
