"""The messages a round's changes queue: invitations and round updates (never case details)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from flows.rounds.access import GrantedPerson
from flows.rounds.state import open_round
from models.agency import Agency
from models.audit_log import record_event
from models.errors import NotFoundError
from models.partnership import Partnership
from models.round import AccessGrant, AuditRound, GrantRole, MemberStatus, RoundCase
from notifications.contexts import InvitationContext, RoundUpdateContext
from notifications.outbox import cancel_pending as cancel_outbox_pending
from notifications.outbox import queue_message

DEFAULT_PARTNERSHIP = "the safeguarding children partnership"
INVITED_GRANTS = (GrantRole.lead, GrantRole.deputy)


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
        key = f"invitation:{round_.id}:{person.agency_id}:{person.person_id}"
        queued += _queue_invitation(session, round_, person, key, name, cases, now)
    return queued


def _queue_invitation(
    session: Session,
    round_: AuditRound,
    person: GrantedPerson,
    dedupe_key: str,
    name: str,
    cases: int,
    now: datetime,
) -> bool:
    context = InvitationContext(
        partnership_name=name,
        round_title=round_.title,
        agency_name=person.agency_name,
        case_count=cases,
        due_date=round_.due_date,
        round_id=round_.id,
    )
    message = queue_message(
        session=session,
        dedupe_key=dedupe_key,
        context=context,
        now=now,
        person_id=person.person_id,
        round_id=round_.id,
        agency_id=person.agency_id,
    )
    return message is not None


def resend_invitation(
    *, session: Session, round_id: int, agency_id: int, person_id: int, now: datetime, actor: str
) -> int:
    """Queue a person's invitation again; the dedupe key names the audit event of the resend."""
    round_ = open_round(session, round_id)
    found = session.exec(
        select(AccessGrant, Agency)
        .join(Agency, col(Agency.id) == col(AccessGrant.agency_id))
        .where(
            col(AccessGrant.round_id) == round_id,
            col(AccessGrant.agency_id) == agency_id,
            col(AccessGrant.person_id) == person_id,
            col(AccessGrant.role).in_(INVITED_GRANTS),
            col(AccessGrant.revoked_at).is_(None),
        )
    ).first()
    if found is None:
        raise NotFoundError(
            f"person {person_id} is not a lead or deputy of agency {agency_id} in round {round_id}"
        )
    grant, agency = found
    event_id = record_event(
        session=session,
        actor=actor,
        action="round.invitation_resent",
        entity_type="round",
        entity_id=round_id,
        now=now,
        details={"agency": agency.code, "person_id": person_id},
    )
    person = GrantedPerson(person_id, agency_id, agency.name, grant.role)
    key = f"invitation:{round_id}:{agency_id}:{person_id}:resend:{event_id}"
    name = partnership_name(session=session)
    _queue_invitation(session, round_, person, key, name, _case_count(session, round_id), now)
    return event_id


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
