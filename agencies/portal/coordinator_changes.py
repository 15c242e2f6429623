"""The changes a coordinator makes to a running round, each through the CLI's own functions."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from functools import partial

from sqlmodel import Session, col, select

from agencies.portal.coordinator_forms import Action, Change, ChangeRequest, FieldError, FormField
from agencies.portal.coordinator_views import active_case_refs, invited_people
from agencies.portal.forms import read_date
from flows.reconcile.run import reconcile_round
from flows.rounds.changes import cancel_round, extend_due_date, replace_case
from flows.rounds.membership import add_agency, change_lead, withdraw_agency
from flows.rounds.messages import resend_invitation
from flows.rounds.views import get_round
from models.agency import Agency
from models.errors import ConflictError
from models.round import MemberStatus, RoundAgency, RoundStatus

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _members(session: Session, round_id: int, *, active: bool) -> list[tuple[str, str]]:
    members = {
        ra.agency_id
        for ra in session.exec(select(RoundAgency).where(col(RoundAgency.round_id) == round_id))
        if ra.status == MemberStatus.active
    }
    agencies = session.exec(select(Agency).where(col(Agency.active)).order_by(col(Agency.name)))
    return [(a.code, a.name) for a in agencies if (a.id in members) == active]


def _agency_field(session: Session, round_id: int, *, active: bool = True) -> FormField:
    options = tuple(_members(session, round_id, active=active))
    return FormField("agency", "Agency", "select", options)


def _reason() -> FormField:
    return FormField("reason", "Reason", "textarea", hint="Kept in the audit log.")


def _agency(request: ChangeRequest, *, active: bool = True) -> str:
    code = request.required("agency", "Select an agency")
    if code not in dict(_members(request.session, request.round_id, active=active)):
        raise FieldError("agency", "Select an agency from the list")
    return code


def _due(request: ChangeRequest) -> date:
    day, month, year = (
        request.form.get(f"due-{part}", "").strip() for part in ("day", "month", "year")
    )
    due, problem = read_date(
        day,
        month,
        year,
        incomplete="Enter the new due date, including a day, month and year",
        invalid="The new due date must be a real date",
    )
    if due is None:
        raise FieldError("due", problem or "Enter the new due date")
    return due


def _bound(request: ChangeRequest, flow: Callable[..., object], **fields: object) -> Action:
    """The flow for the request's round, time and actor, with the form's fields."""
    return partial(
        flow,
        session=request.session,
        round_id=request.round_id,
        now=request.now,
        actor=request.actor,
        **fields,
    )


def _resend(request: ChangeRequest) -> Action:
    chosen = request.required("person", "Select who to send the invitation to")
    agency_id, _, person_id = chosen.partition(":")
    if not (agency_id.isdigit() and person_id.isdigit()):
        raise FieldError("person", "Select someone from the list")
    return _bound(request, resend_invitation, agency_id=int(agency_id), person_id=int(person_id))


def _resend_fields(session: Session, round_id: int) -> list[FormField]:
    people = invited_people(session=session, round_id=round_id)
    options = tuple(
        (f"{p.agency_id}:{p.person_id}", f"{p.person_name} ({p.agency_name}, {p.role})")
        for p in people
    )
    return [FormField("person", "Person", "select", options)]


def _replace(request: ChangeRequest) -> Action:
    case_ref = request.required("case", "Select the case to replace")
    reason = request.required("reason", "Enter why the case is replaced")
    return _bound(request, replace_case, case_ref=case_ref, reason=reason)


def _replace_fields(session: Session, round_id: int) -> list[FormField]:
    refs = active_case_refs(session=session, round_id=round_id)
    return [FormField("case", "Case", "select", tuple((r, r) for r in refs)), _reason()]


def _add(request: ChangeRequest) -> Action:
    code = _agency(request, active=False)
    return _bound(request, add_agency, code=code)


def _withdraw(request: ChangeRequest) -> Action:
    code = _agency(request)
    reason = request.required("reason", "Enter why the agency is withdrawn")
    return _bound(request, withdraw_agency, code=code, reason=reason)


def _lead(request: ChangeRequest) -> Action:
    code = _agency(request)
    name = request.required("name", "Enter the new lead's full name")
    email = request.required("email", "Enter the new lead's email address")
    if not EMAIL.match(email):
        raise FieldError(
            "email", "Enter an email address in the correct format, like name@example.org"
        )
    return _bound(request, change_lead, code=code, name=name, email=email)


def _extend(request: ChangeRequest) -> Action:
    due = _due(request)
    code = request.form.get("agency", "").strip() or None
    if code is not None:
        code = _agency(request)
    return _bound(request, extend_due_date, due=due, code=code, settings=request.settings)


def _extend_fields(session: Session, round_id: int) -> list[FormField]:
    everyone = (("", "Every agency"),)
    agencies = FormField(
        "agency", "For", "select", everyone + tuple(_members(session, round_id, active=True))
    )
    return [FormField("due", "New due date", "date", hint="For example, 27 1 2027"), agencies]


def _close(request: ChangeRequest) -> Action:
    round_ = get_round(session=request.session, round_id=request.round_id)
    if round_.status != RoundStatus.collecting:
        raise ConflictError(f"round {request.round_id} is {round_.status}: collection has closed")
    return _bound(request, reconcile_round)


def _cancel(request: ChangeRequest) -> Action:
    reason = request.required("reason", "Enter why the round is cancelled")
    return _bound(request, cancel_round, reason=reason)


CHANGES = {
    change.slug: change
    for change in (
        Change(
            "resend-invitation",
            "Resend an invitation",
            "Resend the invitation",
            "The invitation was queued again.",
            _resend_fields,
            _resend,
            hint="The person gets a new email about this round.",
        ),
        Change(
            "replace-case",
            "Replace a case",
            "Replace the case",
            "The case was replaced for every agency.",
            _replace_fields,
            _replace,
            confirm="Are you sure you want to replace this case?",
            hint="Every agency gets the next case in rank from the same group instead.",
            warning="Answers already given about this case stop counting for this round.",
        ),
        Change(
            "add-agency",
            "Add an agency",
            "Add the agency",
            "The agency was added and its people invited.",
            lambda s, r: [_agency_field(s, r, active=False)],
            _add,
            hint="The agency audits the same cases; its lead and deputy are invited.",
        ),
        Change(
            "withdraw-agency",
            "Withdraw an agency",
            "Withdraw the agency",
            "The agency was withdrawn.",
            lambda s, r: [_agency_field(s, r), _reason()],
            _withdraw,
            confirm="Are you sure you want to withdraw this agency?",
            warning="Its answers are kept, but its people lose access and are no longer chased.",
        ),
        Change(
            "change-lead",
            "Change an agency's lead",
            "Change the lead",
            "The lead was changed and invited.",
            lambda s, r: [
                _agency_field(s, r),
                FormField("name", "New lead's full name", "text"),
                FormField("email", "New lead's email address", "email"),
            ],
            _lead,
            hint="The previous lead loses access to this round.",
        ),
        Change(
            "extend",
            "Extend the deadline",
            "Extend the deadline",
            "The deadline was extended.",
            _extend_fields,
            _extend,
            hint="The new due date must be a working day in the future.",
        ),
        Change(
            "close-collection",
            "Close collection early",
            "Close collection",
            "Collection was closed and the round reconciled.",
            lambda s, r: [],
            _close,
            confirm="Are you sure you want to close collection now?",
            warning="Agencies can no longer save or submit answers; the findings are computed now.",
        ),
        Change(
            "cancel",
            "Cancel the round",
            "Cancel the round",
            "The round was cancelled.",
            lambda s, r: [_reason()],
            _cancel,
            confirm="Are you sure you want to cancel this round?",
            warning="Nothing more is sent to the agencies. Their answers are kept.",
        ),
    )
}
