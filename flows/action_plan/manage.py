"""Editing, merging, approving and tracking a round's actions (each change audited)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from pydantic import BaseModel
from sqlmodel import Session, col, select

from flows.rounds.views import get_round
from models.action import Action, ActionSource, ActionStatus, ActionUpdate
from models.agency import Agency
from models.audit_log import record_event
from models.calendar import end_of_day
from models.errors import ConflictError, InputError, NotFoundError
from models.round import RoundStatus

LIVE = (ActionStatus.approved, ActionStatus.on_track, ActionStatus.at_risk, ActionStatus.overdue)
TRACKED = (ActionStatus.on_track, ActionStatus.at_risk, ActionStatus.done)


class ActionView(BaseModel):
    """An action as listed."""

    id: int
    status: str
    source: str
    what: str
    how: str
    owner: str | None
    due_date: date | None
    success_measure: str
    quote: str | None

    def missing(self) -> list[str]:
        """What the action still lacks before the plan can be approved."""
        needed = {
            "what": self.what,
            "how": self.how,
            "owner": self.owner,
            "by when": self.due_date,
            "success measure": self.success_measure,
        }
        return [name for name, value in needed.items() if not value]


def list_actions(*, session: Session, round_id: int) -> list[ActionView]:
    """The round's actions (merged ones left out), oldest first."""
    codes = {a.id: a.code for a in session.exec(select(Agency))}
    rows = session.exec(
        select(Action)
        .where(col(Action.round_id) == round_id, col(Action.status) != ActionStatus.merged)
        .order_by(col(Action.id))
    ).all()
    return [
        ActionView(
            id=a.id or 0,
            status=a.status,
            source=a.source,
            what=a.what,
            how=a.how,
            owner=codes.get(a.owner_agency_id),
            due_date=a.due_date,
            success_measure=a.success_measure,
            quote=a.source_quote,
        )
        for a in rows
    ]


def _action(session: Session, action_id: int) -> Action:
    action = session.get(Action, action_id)
    if action is None:
        raise NotFoundError(f"no action {action_id}")
    return action


def edit_action(
    *,
    session: Session,
    action_id: int,
    now: datetime,
    actor: str,
    what: str | None = None,
    how: str | None = None,
    owner: str | None = None,
    due_date: date | None = None,
    success_measure: str | None = None,
    clear_owner: bool = False,
    clear_due_date: bool = False,
) -> None:
    """Change an action's wording, owner, date or measure (not once it is done); None leaves
    a field as it is."""
    action = _action(session, action_id)
    if action.status in (ActionStatus.done, ActionStatus.merged):
        raise ConflictError(f"action {action_id} is {action.status}: it can no longer change")
    if clear_owner:
        action.owner_agency_id = None
    if clear_due_date:
        action.due_date = None
    if owner is not None:
        agency = session.exec(select(Agency).where(col(Agency.code) == owner)).first()
        if agency is None:
            raise InputError(f"unknown agency {owner!r}")
        action.owner_agency_id = agency.id
    for name, value in (
        ("what", what),
        ("how", how),
        ("due_date", due_date),
        ("success_measure", success_measure),
    ):
        if value is not None:
            setattr(action, name, value)
    action.updated_at = now
    record_event(
        session=session,
        actor=actor,
        action="action.edited",
        entity_type="action",
        entity_id=action_id,
        now=now,
    )


def add_action(*, session: Session, round_id: int, what: str, now: datetime, actor: str) -> int:
    """A coordinator's own action (then edited like any other)."""
    get_round(session=session, round_id=round_id)
    action = Action(
        round_id=round_id,
        source=ActionSource.coordinator,
        source_key=f"coordinator:{now.isoformat()}",
        what=what,
        created_at=now,
        updated_at=now,
    )
    session.add(action)
    session.flush()
    assert action.id is not None
    record_event(
        session=session,
        actor=actor,
        action="action.added",
        entity_type="action",
        entity_id=action.id,
        now=now,
    )
    return action.id


def merge_actions(
    *, session: Session, keep_id: int, merge_ids: Sequence[int], now: datetime, actor: str
) -> None:
    """Fold draft actions into one; their sources are quoted on the one kept."""
    keep = _action(session, keep_id)
    for other_id in merge_ids:
        other = _action(session, other_id)
        if other.round_id != keep.round_id or other.status != ActionStatus.draft or other is keep:
            raise ConflictError(f"action {other_id} cannot be merged into {keep_id}")
        other.status, other.merged_into_id, other.updated_at = ActionStatus.merged, keep_id, now
        quotes = [q for q in (keep.source_quote, other.source_quote) if q]
        keep.source_quote = "\n".join(quotes) or None
    record_event(
        session=session,
        actor=actor,
        action="action.merged",
        entity_type="action",
        entity_id=keep_id,
        now=now,
        details={"merged": list(merge_ids)},
    )


def approve_plan(*, session: Session, round_id: int, now: datetime, actor: str) -> int:
    """Approve every draft action; refused while any lacks what, how, owner, date or measure."""
    round_ = get_round(session=session, round_id=round_id)
    drafts = [
        a
        for a in list_actions(session=session, round_id=round_id)
        if a.status == ActionStatus.draft
    ]
    if not drafts:
        raise ConflictError(f"round {round_id} has no draft actions to approve")
    incomplete = [f"action {a.id} lacks {', '.join(a.missing())}" for a in drafts if a.missing()]
    if incomplete:
        raise InputError("the plan cannot be approved yet: " + "; ".join(incomplete))
    for view in drafts:
        action = _action(session, view.id)
        action.status, action.updated_at = ActionStatus.approved, now
    if round_.status in (RoundStatus.reconciling, RoundStatus.moderated):
        round_.status = RoundStatus.planning
    record_event(
        session=session,
        actor=actor,
        action="action_plan.approved",
        entity_type="round",
        entity_id=round_id,
        now=now,
        details={"actions": len(drafts)},
    )
    return len(drafts)


def update_action(
    *, session: Session, action_id: int, status: ActionStatus, note: str, now: datetime, actor: str
) -> None:
    """A dated update from the owner: on track, at risk, or done."""
    action = _action(session, action_id)
    if status not in TRACKED:
        raise InputError("an update sets on_track, at_risk or done")
    if action.status not in LIVE:
        raise ConflictError(f"action {action_id} is {action.status}: approve the plan first")
    action.status, action.updated_at = status, now
    session.add(ActionUpdate(action_id=action_id, at=now, by=actor, status=status, note=note))
    record_event(
        session=session,
        actor=actor,
        action="action.updated",
        entity_type="action",
        entity_id=action_id,
        now=now,
        details={"status": status.value},
    )


def mark_overdue_actions(*, session: Session, now: datetime) -> list[int]:
    """Live actions whose date has passed become overdue (for chasing); returns their ids."""
    overdue = []
    for action in session.exec(
        select(Action).where(
            col(Action.status).in_(
                [ActionStatus.approved, ActionStatus.on_track, ActionStatus.at_risk]
            ),
            col(Action.due_date).is_not(None),
        )
    ):
        if action.due_date is not None and now > end_of_day(action.due_date):
            action.status, action.updated_at = ActionStatus.overdue, now
            overdue.append(action.id or 0)
    return overdue
