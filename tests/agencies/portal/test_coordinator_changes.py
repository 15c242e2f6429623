"""The coordinator's changes to a round: each works, is audited, confirmed when destructive,
needs the CSRF token and shows a domain error as an error summary."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session, col, select

from models.agency import Agency
from models.audit_log import AuditEvent
from models.outbox import OutboxMessage
from models.partnership import Person
from models.round import AccessGrant, Assignment, AuditRound, RoundAgency
from tests.agencies.portal.conftest import Portal
from tests.agencies.portal.test_coordinator_pages import SLUGS

COORDINATOR = "casey@testshire.example.org"


def _path(portal: Portal, slug: str) -> str:
    return f"/coordinator/rounds/{portal.round_id}/changes/{slug}"


def _change(portal: Portal, slug: str, data: dict[str, str], *, confirm: bool = False) -> Any:
    body = {**data, "confirmed": "yes"} if confirm else data
    return portal.post(_path(portal, slug), body)


def _events(portal: Portal, action: str) -> list[AuditEvent]:
    with Session(portal.engine) as session:
        return list(session.exec(select(AuditEvent).where(col(AuditEvent.action) == action)))


def _actor(portal: Portal) -> str:
    with Session(portal.engine) as session:
        found = session.exec(select(Person.id).where(col(Person.email) == COORDINATOR)).one()
    return f"person:{found}"


def _round(portal: Portal) -> AuditRound:
    with Session(portal.engine) as session:
        found = session.get(AuditRound, portal.round_id)
        assert found is not None
        return found


def _case_refs(portal: Portal) -> list[str]:
    page = portal.client.get(_path(portal, "replace-case")).text
    return [line.split('"')[1] for line in page.splitlines() if '<option value="C-' in line]


def _agency_id(portal: Portal, code: str) -> int:
    with Session(portal.engine) as session:
        return session.exec(select(Agency.id).where(col(Agency.code) == code)).one() or 0


def _done(portal: Portal, response: Any, slug: str, action: str) -> AuditEvent:
    assert response.status_code == 303, response.text
    assert response.headers["location"].endswith(f"?changed={slug}")
    assert (
        "govuk-notification-banner--success" in portal.client.get(response.headers["location"]).text
    )
    (event,) = _events(portal, action)
    assert event.actor == _actor(portal) and event.entity_id == str(portal.round_id)
    return event


@pytest.fixture
def coordinating(portal: Portal) -> Portal:
    """The portal with the coordinator signed in."""
    portal.sign_in(COORDINATOR)
    return portal


def test_resending_an_invitation_queues_a_new_message_named_by_its_audit_event(
    coordinating: Portal,
) -> None:
    portal = coordinating
    police = _agency_id(portal, "police")
    with Session(portal.engine) as session:
        lead = session.exec(select(Person.id).where(col(Person.email) == "lead@police.example.org"))
        lead_id = lead.one()
    response = _change(portal, "resend-invitation", {"person": f"{police}:{lead_id}"})
    event = _done(portal, response, "resend-invitation", "round.invitation_resent")
    with Session(portal.engine) as session:
        keys = list(
            session.exec(
                select(OutboxMessage.dedupe_key).where(col(OutboxMessage.person_id) == lead_id)
            )
        )
    assert f"invitation:{portal.round_id}:{police}:{lead_id}" in keys
    assert f"invitation:{portal.round_id}:{police}:{lead_id}:resend:{event.id}" in keys
    again = _change(portal, "resend-invitation", {"person": f"{police}:{lead_id}"})
    assert again.status_code == 303 and len(_events(portal, "round.invitation_resent")) == 2


def test_resending_to_someone_without_access_shows_an_error_summary(coordinating: Portal) -> None:
    response = _change(coordinating, "resend-invitation", {"person": "1:99999"})
    assert response.status_code == 409
    assert "There is a problem" in response.text and 'href="#person"' in response.text
    assert _events(coordinating, "round.invitation_resent") == []


def test_replacing_a_case_asks_for_confirmation_then_replaces_it_for_every_agency(
    coordinating: Portal,
) -> None:
    portal = coordinating
    old = _case_refs(portal)[0]
    data = {"case": old, "reason": "moved out of area"}
    asked = _change(portal, "replace-case", data)
    assert asked.status_code == 200 and "Are you sure you want to replace this case?" in asked.text
    assert (
        'name="confirmed" value="yes"' in asked.text
        and _events(portal, "round.case_replaced") == []
    )
    event = _done(
        portal,
        _change(portal, "replace-case", data, confirm=True),
        "replace-case",
        "round.case_replaced",
    )
    assert event.details["replaced"] == old and event.details["reason"] == "moved out of area"
    assert old not in _case_refs(portal)


def test_adding_an_agency_assigns_it_the_same_cases(coordinating: Portal) -> None:
    portal = coordinating
    response = _change(portal, "add-agency", {"agency": "education"})
    _done(portal, response, "add-agency", "round.agency_added")
    with Session(portal.engine) as session:
        assigned = session.exec(
            select(Assignment).where(col(Assignment.agency_id) == _agency_id(portal, "education"))
        ).all()
    assert len(assigned) == 6


def test_adding_an_agency_that_already_takes_part_is_refused_with_an_error_summary(
    coordinating: Portal,
) -> None:
    response = _change(coordinating, "add-agency", {"agency": "police"})
    assert response.status_code == 400 and 'href="#agency"' in response.text
    assert "Select an agency from the list" in response.text


def test_withdrawing_an_agency_is_confirmed_first_and_keeps_its_answers(
    coordinating: Portal,
) -> None:
    portal = coordinating
    data = {"agency": "health", "reason": "no records held"}
    asked = _change(portal, "withdraw-agency", data)
    assert "Are you sure you want to withdraw this agency?" in asked.text
    assert "Health agency" in asked.text and "no records held" in asked.text
    event = _done(
        portal,
        _change(portal, "withdraw-agency", data, confirm=True),
        "withdraw-agency",
        "round.agency_withdrawn",
    )
    assert event.details == {"agency": "health", "reason": "no records held"}
    with Session(portal.engine) as session:
        grants = session.exec(
            select(AccessGrant).where(col(AccessGrant.agency_id) == _agency_id(portal, "health"))
        ).all()
    assert grants and all(g.revoked_at is not None for g in grants)


def test_withdrawing_the_last_agency_shows_the_domain_error_as_an_error_summary(
    coordinating: Portal,
) -> None:
    portal = coordinating
    for code in ("health", "csc"):
        _change(portal, "withdraw-agency", {"agency": code, "reason": "r"}, confirm=True)
    response = _change(portal, "withdraw-agency", {"agency": "police", "reason": "r"}, confirm=True)
    assert response.status_code == 409
    assert "There is a problem" in response.text
    assert "A round needs at least one agency: cancel the round instead" in response.text
    assert 'href="#agency"' in response.text and response.text.count("Error:") >= 1
    assert len(_events(portal, "round.agency_withdrawn")) == 2


def test_changing_a_lead_invites_the_new_lead_and_revokes_the_old_one(
    coordinating: Portal,
) -> None:
    portal = coordinating
    data = {"agency": "police", "name": "DS New Lead", "email": "new.lead@police.example.org"}
    event = _done(portal, _change(portal, "change-lead", data), "change-lead", "round.lead_changed")
    with Session(portal.engine) as session:
        new = session.exec(select(Person).where(col(Person.email) == data["email"])).one()
        invited = session.exec(
            select(OutboxMessage).where(col(OutboxMessage.person_id) == new.id)
        ).all()
    assert event.details["person_id"] == new.id and [m.template for m in invited] == ["invitation"]


def test_a_malformed_email_address_is_shown_in_the_error_summary(coordinating: Portal) -> None:
    data = {"agency": "police", "name": "DS New Lead", "email": "not-an-address"}
    response = _change(coordinating, "change-lead", data)
    assert response.status_code == 400 and 'href="#email"' in response.text
    assert 'value="DS New Lead"' in response.text
    assert _events(coordinating, "round.lead_changed") == []


def test_extending_the_deadline_for_everyone_or_one_agency(coordinating: Portal) -> None:
    portal = coordinating
    day = {"due-day": "18", "due-month": "12", "due-year": "2026"}
    _done(
        portal,
        _change(portal, "extend", {**day, "agency": ""}),
        "extend",
        "round.due_date_extended",
    )
    assert str(_round(portal).due_date) == "2026-12-18"
    later = {"due-day": "6", "due-month": "1", "due-year": "2027", "agency": "csc"}
    assert _change(portal, "extend", later).status_code == 303
    with Session(portal.engine) as session:
        member = session.exec(
            select(RoundAgency).where(col(RoundAgency.agency_id) == _agency_id(portal, "csc"))
        ).one()
    assert str(member.due_date) == "2027-01-06"
    assert len(_events(portal, "round.due_date_extended")) == 2


def test_a_due_date_on_a_weekend_is_refused_with_the_next_working_day(coordinating: Portal) -> None:
    saturday = {"due-day": "19", "due-month": "12", "due-year": "2026", "agency": ""}
    response = _change(coordinating, "extend", saturday)
    assert response.status_code == 400 and 'href="#due-day"' in response.text
    assert "the next working day is Monday 21 December 2026" in response.text
    not_a_date = {"due-day": "31", "due-month": "2", "due-year": "2027"}
    assert "must be a real date" in _change(coordinating, "extend", not_a_date).text
    assert _events(coordinating, "round.due_date_extended") == []


def test_closing_collection_early_is_confirmed_then_reconciles_the_round(
    coordinating: Portal,
) -> None:
    portal = coordinating
    asked = _change(portal, "close-collection", {})
    assert "Are you sure you want to close collection now?" in asked.text
    assert _round(portal).status == "collecting"
    _done(
        portal,
        _change(portal, "close-collection", {}, confirm=True),
        "close-collection",
        "round.reconciled",
    )
    assert _round(portal).status == "reconciling"
    again = _change(portal, "close-collection", {})
    assert again.status_code == 409 and 'href="#change"' in again.text
    assert "collection has closed" in again.text


def test_cancelling_a_round_is_confirmed_first_and_then_nothing_can_change(
    coordinating: Portal,
) -> None:
    portal = coordinating
    data = {"reason": "inspection announced"}
    asked = _change(portal, "cancel", data)
    assert "Are you sure you want to cancel this round?" in asked.text
    assert _round(portal).status == "collecting"
    _done(portal, _change(portal, "cancel", data, confirm=True), "cancel", "round.cancelled")
    assert _round(portal).status == "cancelled"
    again = _change(portal, "cancel", data, confirm=True)
    assert again.status_code == 409 and "is already cancelled" in again.text
    replace = {"case": _case_refs(portal)[0], "reason": "r"}
    refused = _change(portal, "replace-case", replace, confirm=True)
    assert refused.status_code == 409 and "only a round that is collecting" in refused.text
    assert "`jointaudit" not in refused.text


def test_a_missing_reason_is_asked_for_before_confirming(coordinating: Portal) -> None:
    response = _change(coordinating, "cancel", {"reason": "  "})
    assert response.status_code == 400 and 'href="#reason"' in response.text
    assert "Enter why the round is cancelled" in response.text
    assert "Are you sure" not in response.text


@pytest.mark.parametrize("slug", SLUGS)
def test_every_change_needs_the_csrf_token(coordinating: Portal, slug: str) -> None:
    data = {"agency": "health", "reason": "r", "confirmed": "yes"}
    response = coordinating.client.post(
        _path(coordinating, slug), data=data, follow_redirects=False
    )
    assert response.status_code == 403
    with Session(coordinating.engine) as session:
        changes = session.exec(
            select(AuditEvent).where(col(AuditEvent.action).startswith("round."))
        ).all()
    assert [e.action for e in changes] == ["round.launched"]
