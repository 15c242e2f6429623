"""Which approved actions a person may update: those owned by an agency they lead or deputise for.

A person answers for an agency when the registry names them its lead or deputy
(AgencyContact), or when a round gave them a live lead or deputy grant for it (a lead changed
for one round); then they see that agency's actions in that round. Anything else is "not found".
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from models.action import Action, ActionStatus, ActionUpdate
from models.agency import Agency, AgencyContact, ContactRole
from models.partnership import Person
from models.round import AccessGrant, AuditRound, GrantRole

OWNED = (
    ActionStatus.approved,
    ActionStatus.on_track,
    ActionStatus.at_risk,
    ActionStatus.overdue,
    ActionStatus.done,
)


@dataclass(frozen=True)
class OwnedAction:
    """An approved action the person may update, with its round, agency and dated updates."""

    action: Action
    round: AuditRound
    agency: Agency
    updates: list[ActionUpdate]


def _contact_agencies(session: Session, person_id: int) -> set[int]:
    rows = session.exec(
        select(AgencyContact.agency_id).where(
            col(AgencyContact.person_id) == person_id,
            col(AgencyContact.role).in_([ContactRole.lead, ContactRole.deputy]),
        )
    )
    return set(rows)


def _granted(session: Session, person_id: int) -> set[tuple[int, int]]:
    rows = session.exec(
        select(AccessGrant.round_id, AccessGrant.agency_id).where(
            col(AccessGrant.person_id) == person_id,
            col(AccessGrant.role).in_([GrantRole.lead, GrantRole.deputy]),
            col(AccessGrant.revoked_at).is_(None),
        )
    )
    return {(r, a) for r, a in rows}


def owned_actions(*, session: Session, person_id: int) -> list[OwnedAction]:
    """The approved (or later) actions the person's agencies lead, by round then id."""
    agencies = _contact_agencies(session, person_id)
    granted = _granted(session, person_id)
    candidates = {a for _, a in granted} | agencies
    if not candidates:
        return []
    rows = session.exec(
        select(Action, AuditRound, Agency)
        .join(AuditRound, col(AuditRound.id) == col(Action.round_id))
        .join(Agency, col(Agency.id) == col(Action.owner_agency_id))
        .where(col(Action.owner_agency_id).in_(candidates), col(Action.status).in_(OWNED))
        .order_by(col(Action.round_id), col(Action.id))
    ).all()
    mine = [
        (action, round_, agency)
        for action, round_, agency in rows
        if agency.id in agencies or (round_.id, agency.id) in granted
    ]
    updates = _updates(session, [action.id or 0 for action, _, _ in mine])
    return [
        OwnedAction(action, round_, agency, updates.get(action.id or 0, []))
        for action, round_, agency in mine
    ]


def owned_action(*, session: Session, person_id: int, action_id: int) -> OwnedAction | None:
    """One of the person's actions, or None when it is not theirs (or not approved)."""
    for found in owned_actions(session=session, person_id=person_id):
        if found.action.id == action_id:
            return found
    return None


def _updates(session: Session, action_ids: list[int]) -> dict[int, list[ActionUpdate]]:
    found: dict[int, list[ActionUpdate]] = {}
    rows = session.exec(
        select(ActionUpdate)
        .where(col(ActionUpdate.action_id).in_(action_ids))
        .order_by(col(ActionUpdate.at).desc(), col(ActionUpdate.id).desc())
    )
    for update in rows:
        found.setdefault(update.action_id, []).append(update)
    return found


def authors(*, session: Session, owned: list[OwnedAction]) -> dict[str, str]:
    """Names of the people who wrote the updates, keyed by the update's `by` ("person:7")."""
    ids = {
        int(u.by.split(":", 1)[1])
        for item in owned
        for u in item.updates
        if u.by.startswith("person:") and u.by.split(":", 1)[1].isdigit()
    }
    if not ids:
        return {}
    people = session.exec(select(Person).where(col(Person.id).in_(ids)))
    return {f"person:{p.id}": p.name for p in people}
