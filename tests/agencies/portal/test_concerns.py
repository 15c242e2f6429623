from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, col, select

from flows.answers.concerns import acknowledge, concern_state_wording, record_decision
from models.answers import Concern, ConcernGrant
from models.audit_log import AuditEvent
from models.case import Case
from models.outbox import OutboxMessage
from models.partnership import Person
from models.round import AccessGrant, Assignment, GrantRole
from models.settings import Settings
from tests.agencies.portal.conftest import CSRF, Portal
from tests.agencies.portal.plan_helpers import BOARD, add_board_reader
from tests.builders import NOW

LEAD = "lead@police.example.org"
ESCALATION = "manager@police.example.org"
FRONT_DOOR = "mash@testshire.example.org"
COORDINATOR = "casey@testshire.example.org"
OTHER_AGENCY = "lead@csc.example.org"
TEXT = 'Mum said <b>"he hits me"</b> & the school saw bruises on Sam.'


def _as(portal: Portal, email: str) -> None:
    portal.client.cookies.clear()
    portal.sign_in(email)


def _raise(portal: Portal, *, text: str = TEXT, risk: str = "yes") -> int:
    _as(portal, LEAD)
    case = portal.assignments("police")[0]
    response: Any = portal.post(f"/cases/{case}/concern", {"description": text, "risk": risk})
    assert response.status_code == 303, response.text
    with Session(portal.engine) as session:
        concern_id = session.exec(select(Concern.id)).one()
    assert response.headers["location"] == f"/concerns/{concern_id}/raised"
    return concern_id or 0


def _set_state(portal: Portal, concern_id: int, state: str, settings: Settings) -> None:
    with Session(portal.engine) as session:
        concern = session.get(Concern, concern_id)
        door = session.exec(select(Person).where(col(Person.email) == FRONT_DOOR)).one()
        assert concern is not None and door.id is not None
        if state == "acknowledged":
            acknowledge(session=session, concern=concern, person_id=door.id, now=NOW)
        elif state in ("referred", "not_referred"):
            record_decision(
                session=session,
                concern=concern,
                person_id=door.id,
                now=NOW,
                referred=state == "referred",
                reference="MASH-1234" if state == "referred" else None,
                reason=None if state == "referred" else "Known family; a plan is in place",
                settings=settings,
            )
        session.commit()


def test_raising_a_concern_asks_what_it_is_and_the_risk_and_stores_nothing_before_the_check(
    portal: Portal,
) -> None:
    _as(portal, LEAD)
    case = portal.assignments("police")[0]
    path = f"/cases/{case}/concern/new"
    first = portal.client.get(path)
    assert first.status_code == 200 and "What is the concern?" in first.text
    empty: Any = portal.post(path, {"description": "  ", "go": "risk"})
    assert empty.status_code == 400 and 'href="#description"' in empty.text
    assert "Enter what the concern is" in empty.text
    risk: Any = portal.post(path, {"description": TEXT, "go": "risk"})
    assert risk.status_code == 200 and "immediate risk of significant harm" in risk.text
    assert "<b>" not in risk.text and "&lt;b&gt;" in risk.text
    unanswered: Any = portal.post(path, {"description": TEXT, "go": "check"})
    assert unanswered.status_code == 400 and 'href="#risk-yes"' in unanswered.text
    check: Any = portal.post(path, {"description": TEXT, "risk": "yes", "go": "check"})
    assert check.status_code == 200 and "Check your answers" in check.text
    assert "call 999 now" in check.text and "01632 960 123" in check.text
    assert "&lt;b&gt;&#34;he hits me&#34;&lt;/b&gt; &amp; the school" in check.text
    calm: Any = portal.post(path, {"description": TEXT, "risk": "no", "go": "check"})
    assert "call 999" not in calm.text
    change: Any = portal.post(path, {"description": TEXT, "risk": "no", "go": "describe"})
    assert change.status_code == 200 and "&lt;b&gt;" in change.text
    assert 'name="risk" value="no"' in change.text
    with Session(portal.engine) as session:
        assert session.exec(select(Concern)).all() == []
        alerts = select(OutboxMessage).where(col(OutboxMessage.template) == "immediate_concern")
        assert session.exec(alerts).all() == []


def test_the_confirmation_names_who_was_alerted_by_role_and_name_never_by_address(
    portal: Portal,
) -> None:
    concern_id = _raise(portal)
    page = portal.client.get(f"/concerns/{concern_id}/raised")
    assert page.status_code == 200 and "Concern raised" in page.text
    for line in (
        "The partnership&#39;s front door (MASH): Testshire MASH",
        "Your agency&#39;s escalation contact: Police Manager",
        "The audit coordinator: Casey Coordinator",
    ):
        assert line in page.text
    assert "@" not in page.text.split("<main")[1].split("</main>")[0]
    assert "call 999 now" in page.text and "What happens next" in page.text
    _as(portal, OTHER_AGENCY)
    assert portal.client.get(f"/concerns/{concern_id}/raised").status_code == 404


def test_what_the_auditor_wrote_is_stored_encrypted_and_kept_out_of_every_message(
    portal: Portal,
) -> None:
    concern_id = _raise(portal)
    with Session(portal.engine) as session:
        concern = session.get(Concern, concern_id)
        messages = session.exec(
            select(OutboxMessage).where(col(OutboxMessage.template) == "immediate_concern")
        ).all()
        events = session.exec(select(AuditEvent)).all()
    assert concern is not None and concern.ciphertext is not None and concern.key_id
    assert b"hits me" not in concern.ciphertext and concern.immediate_risk is True
    assert len(messages) == 3 and all(m.status == "sent" for m in messages)
    for message in messages:
        assert "hits" not in json.dumps(message.context) and "Child 0" not in str(message.context)
    assert all("hits" not in json.dumps(e.details) for e in events)


def test_the_concern_creates_no_audit_task_only_grants_to_that_concern(portal: Portal) -> None:
    concern_id = _raise(portal)
    with Session(portal.engine) as session:
        grants = session.exec(select(ConcernGrant)).all()
        escalation_grants = session.exec(
            select(AccessGrant).where(col(AccessGrant.role) == GrantRole.escalation)
        ).all()
    assert {g.role for g in grants} == {"front_door", "escalation"}
    assert {g.concern_id for g in grants} == {concern_id} and escalation_grants == []
    for email in (ESCALATION, FRONT_DOOR):
        _as(portal, email)
        tasks = portal.client.get("/tasks").text
        assert "/cases/" not in tasks and "Not started" not in tasks, email
        assert f'href="/concerns/{concern_id}"' in portal.client.get("/concerns").text


STATES = ("raised", "acknowledged", "referred", "not_referred")


@pytest.mark.parametrize("state", STATES)
def test_each_role_sees_the_concern_in_its_state_or_not_found(
    portal: Portal, settings: Settings, state: str
) -> None:
    concern_id = _raise(portal)
    _set_state(portal, concern_id, state, settings)
    wording = concern_state_wording(state).replace("'", "&#39;")
    case = portal.assignments("police")[0]
    lead_case = portal.client.get(f"/cases/{case}").text
    assert wording in lead_case and "hits me" not in lead_case
    assert portal.client.get(f"/concerns/{concern_id}").status_code == 404
    for email in (ESCALATION, FRONT_DOOR):
        _as(portal, email)
        page = portal.client.get(f"/concerns/{concern_id}")
        assert page.status_code == 200, email
        assert wording in page.text and "Child 0" in page.text and "POL-0" in page.text
        assert "&#34;he hits me&#34;" in page.text and "<b>" not in page.text
        assert "Raised by</dt>" in page.text and "Police Lead, Police agency" in page.text
        assert ("Acknowledge</button>" in page.text) == (state == "raised")
        assert ("MASH-1234" in page.text) == (state == "referred")
        assert ("Known family; a plan is in place" in page.text) == (state == "not_referred")
    _as(portal, COORDINATOR)
    page = portal.client.get(f"/concerns/{concern_id}")
    assert page.status_code == 200 and wording in page.text and "hits me" in page.text
    assert "Child 0" not in page.text and "Show identities" in page.text
    shown: Any = portal.post(f"/concerns/{concern_id}/identities")
    assert shown.status_code == 200 and "Child 0" in shown.text
    listing = portal.client.get(f"/coordinator/rounds/{portal.round_id}/concerns").text
    assert wording in listing and "&#34;he hits me&#34;" in listing and "Child 0" not in listing
    add_board_reader(portal)
    for email in (BOARD, OTHER_AGENCY):
        _as(portal, email)
        assert portal.client.get(f"/concerns/{concern_id}").status_code == 404, email
        outcome: Any = portal.post(f"/concerns/{concern_id}/decision", {"outcome": "referred"})
        assert outcome.status_code == 404
        assert portal.post(f"/concerns/{concern_id}/acknowledge").status_code == 404  # type: ignore[attr-defined]
        assert f"/concerns/{concern_id}" not in portal.client.get("/concerns").text
        assert portal.client.get(f"/cases/{case}/concern/new").status_code == 404
        again: Any = portal.post(f"/cases/{case}/concern", {"description": "x", "risk": "no"})
        assert again.status_code == 404
    with Session(portal.engine) as session:
        assert len(session.exec(select(Concern)).all()) == 1


def test_the_front_door_sees_the_childs_name_date_of_birth_and_the_agencys_reference(
    portal: Portal,
) -> None:
    concern_id = _raise(portal)
    _as(portal, FRONT_DOOR)
    page = portal.client.get(f"/concerns/{concern_id}").text
    with Session(portal.engine) as session:
        concern = session.get(Concern, concern_id)
        assert concern is not None
        assignment = session.get(Assignment, concern.assignment_id)
        assert assignment is not None
        case = session.get(Case, assignment.case_id)
        assert case is not None
        case_ref = case.case_ref
    index = int(case_ref.removeprefix("C-")) - 1  # the fixture's rows, numbered in order
    day = f"{index % 9 + 1} April 2015"
    for label, value in (
        ("Name", f"Child {index}"),
        ("Date of birth", day),
        ("Police agency's reference", f"POL-{index}"),
        ("Audit case number", case_ref),
    ):
        key = label.replace("'", "&#39;")  # as the template escapes it
        row = f'<dt class="govuk-summary-list__key">{key}</dt>'
        assert row in page and f'<dd class="govuk-summary-list__value">{value}</dd>' in page, label
    assert "NHS number" not in page  # the register holds none for this child: no empty row


def test_identity_views_on_the_concern_page_are_in_the_audit_log(portal: Portal) -> None:
    concern_id = _raise(portal)
    _as(portal, FRONT_DOOR)
    portal.client.get(f"/concerns/{concern_id}")
    with Session(portal.engine) as session:
        door = session.exec(select(Person).where(col(Person.email) == FRONT_DOOR)).one()
        viewed = session.exec(
            select(AuditEvent).where(col(AuditEvent.action) == "identity.viewed")
        ).all()
        read = session.exec(
            select(AuditEvent).where(col(AuditEvent.action) == "concern.notes_viewed")
        ).all()
    assert [e.actor for e in viewed if "concern" in e.details["reason"]] == [f"person:{door.id}"]
    assert f"person:{door.id}" in {e.actor for e in read}


def test_the_front_door_records_a_referral_or_why_none_is_needed(portal: Portal) -> None:
    concern_id = _raise(portal)
    _as(portal, FRONT_DOOR)
    path = f"/concerns/{concern_id}/decision"
    nothing: Any = portal.post(path, {})
    assert nothing.status_code == 400 and 'href="#outcome-referred"' in nothing.text
    no_reason: Any = portal.post(path, {"outcome": "not_referred"})
    assert no_reason.status_code == 400 and "Enter why no referral is needed" in no_reason.text
    with Session(portal.engine) as session:
        assert session.get(Concern, concern_id).state == "raised"  # type: ignore[union-attr]
    saved: Any = portal.post(path, {"outcome": "not_referred", "reason": "Known <i>family</i>"})
    assert saved.status_code == 303
    page = portal.client.get(saved.headers["location"]).text
    assert "The decision was recorded." in page and "Known &lt;i&gt;family&lt;/i&gt;" in page
    again: Any = portal.post(path, {"outcome": "referred", "reference": "MASH-9"})
    assert again.status_code == 303
    with Session(portal.engine) as session:
        concern = session.get(Concern, concern_id)
        assert concern is not None and concern.state == "referred"
        assert concern.referral_reference == "MASH-9" and concern.acknowledged_at is not None
        decided = session.exec(
            select(AuditEvent).where(col(AuditEvent.action) == "concern.decided")
        ).all()
    assert [e.details["state"] for e in decided] == ["not_referred", "referred"]


def _message_files(settings: Settings, template: str) -> list[dict[str, Any]]:
    folder = Path(settings.data_dir) / "messages"
    return [json.loads(p.read_text()) for p in sorted(folder.glob(f"*-{template}.json"))]


def test_the_front_doors_alert_carries_a_link_that_lands_on_the_concern(
    portal: Portal, settings: Settings
) -> None:
    concern_id = _raise(portal)
    (alert,) = [m for m in _message_files(settings, "immediate_concern") if m["to"] == FRONT_DOOR]
    assert "immediate risk of significant harm" in alert["text"] and "hits" not in alert["text"]
    link = next(w for w in alert["text"].split() if "/sign-in/" in w)
    token = link.rsplit("/", 1)[1]
    portal.client.cookies.clear()
    csrf = CSRF.search(portal.client.get(f"/sign-in/{token}").text)
    assert csrf
    signed: Any = portal.client.post(
        f"/sign-in/{token}", data={"csrf_token": csrf.group(1)}, follow_redirects=False
    )
    assert signed.status_code == 303 and signed.headers["location"] == f"/concerns/{concern_id}"
    assert "Child 0" in portal.client.get(signed.headers["location"]).text


def test_a_link_request_for_the_front_doors_address_works_and_leads_to_its_concerns(
    portal: Portal, settings: Settings
) -> None:
    portal.client.cookies.clear()
    asked: Any = portal.post("/sign-in/request", {"email": FRONT_DOOR.upper()})
    assert asked.status_code == 303
    (link,) = _message_files(settings, "sign_in_link")
    assert link["to"] == FRONT_DOOR
    concern_id = _raise(portal)
    token = next(w for w in link["text"].split() if "/sign-in/" in w).rsplit("/", 1)[1]
    portal.client.cookies.clear()
    csrf = CSRF.search(portal.client.get(f"/sign-in/{token}").text)
    assert csrf
    signed: Any = portal.client.post(
        f"/sign-in/{token}", data={"csrf_token": csrf.group(1)}, follow_redirects=False
    )
    assert signed.headers["location"] == "/concerns"
    assert f'href="/concerns/{concern_id}"' in portal.client.get("/concerns").text


def test_the_coordinators_concern_page_keeps_the_coordinators_navigation(portal: Portal) -> None:
    concern_id = _raise(portal)
    rounds = 'href="/coordinator/rounds">Rounds</a>'
    for email, shown in ((COORDINATOR, True), (FRONT_DOOR, False), (ESCALATION, False)):
        _as(portal, email)
        assert (rounds in portal.client.get(f"/concerns/{concern_id}").text) == shown, email
    _as(portal, COORDINATOR)
    shown_identities: Any = portal.post(f"/concerns/{concern_id}/identities")
    assert rounds in shown_identities.text
