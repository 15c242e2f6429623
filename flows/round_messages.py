"""The messages a round's changes queue: invitations and round updates (never case details)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from models.partnership import Partnership
from models.round import AuditRound, MemberStatus, RoundCase
from models.round_access import GrantedPerson
from notifications.contexts import InvitationContext, RoundUpdateContext
from notifications.outbox import cancel_pending as cancel_outbox_pending
from notifications.outbox import queue_message

DEFAULT_PARTNERSHIP = "the safeguarding children partnership"


def partnership_name(*, session: Session) -> str:
    """The partnership's name for messages."""
    partnership = session.get(Partnership, 1)
    return partnership.name if partnership else DEFAULT_PARTNERSHIP


def _case_count(session: Session, round_id: int) -> int:
    query = (
        select(func.count())
        .select_from(RoundCase)
        .where(col(RoundCase.round_id) == round_id, col(RoundCase.status) == MemberStatus.active)
    )
    return int(session.exec(query).one())


def queue_invitations(
    *, session: Session, round_: AuditRound, people: Sequence[GrantedPerson], now: datetime
) -> int:
    """One invitation per person and agency (not per case); re-queuing sends nothing twice."""
    assert round_.id is not None
    name = partnership_name(session=session)
    cases = _case_count(session, round_.id)
    queued = 0
    for person in people:
        context = InvitationContext(
            partnership_name=name,
            round_title=round_.title,
            agency_name=person.agency_name,
            case_count=cases,
            due_date=round_.due_date,
        )
        message = queue_message(
            session=session,
            dedupe_key=f"invitation:{round_.id}:{person.agency_id}:{person.person_id}",
            context=context,
            now=now,
            person_id=person.person_id,
            round_id=round_.id,
            agency_id=person.agency_id,
        )
        queued += message is not None
    return queued


def queue_round_update(
    *,
    session: Session,
    round_: AuditRound,
    person_ids: Sequence[int],
    change: str,
    event_id: int,
    now: datetime,
) -> int:
    """Tell the people of a round what changed (our own sentence; no case or child details).

    The dedupe key names the audit event of the change: one message per person per change.
    """
    assert round_.id is not None
    context = RoundUpdateContext(
        partnership_name=partnership_name(session=session),
        round_title=round_.title,
        change=change,
        due_date=round_.due_date,
    )
    queued = 0
    for person_id in person_ids:
        message = queue_message(
            session=session,
            context=context,
            now=now,
            dedupe_key=f"update:{round_.id}:{event_id}:{person_id}",
            person_id=person_id,
            round_id=round_.id,
        )
        queued += message is not None
    return queued


def cancel_pending(
    *, session: Session, round_id: int, person_ids: Sequence[int] | None, now: datetime
) -> int:
    """Cancel pending messages of a round, for some people or for everyone."""
    if person_ids is None:
        return cancel_outbox_pending(session=session, round_id=round_id, now=now)
    return sum(
        cancel_outbox_pending(session=session, round_id=round_id, now=now, person_id=person_id)
        for person_id in person_ids
    )
