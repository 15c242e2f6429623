"""One agency from the partnership page: added, its contacts changed (revoking), deactivated."""

from __future__ import annotations

import html

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from agencies.registry import list_agencies
from models.agency import Agency
from models.partnership import Person
from models.round import AccessGrant
from tests.agencies.portal.conftest import Portal
from tests.agencies.portal.test_partnership_pages import COORDINATOR, LEAD, events

NEW_LEAD = "new.lead@police.example.org"


def _form(**changes: str) -> dict[str, str]:
    values = {
        "code": "youth-justice",
        "name": "Youth Justice Service",
        "lead_name": "Yusuf Lead",
        "lead_email": "yusuf@yjs.example.org",
        "lead_channel": "email",
    }
    values.update(changes)
    return values


def _police_form(**changes: str) -> dict[str, str]:
    values = {
        "name": "Police agency",
        "lead_name": "Police Lead",
        "lead_email": LEAD,
        "lead_channel": "email",
        "deputy_name": "Police Deputy",
        "deputy_email": "deputy@police.example.org",
        "deputy_channel": "email",
        "escalation_name": "Police Manager",
        "escalation_email": "manager@police.example.org",
        "escalation_channel": "email",
    }
    values.update(changes)
    return values


def _live_grants(portal: Portal, email: str) -> int:
    with Session(portal.engine) as session:
        return len(
            session.exec(
                select(AccessGrant.id)
                .join(Person, col(Person.id) == col(AccessGrant.person_id))
                .where(col(Person.email) == email, col(AccessGrant.revoked_at).is_(None))
            ).all()
        )


def _signed_in_lead(portal: Portal) -> Portal:
    """The police lead in a browser of their own, seeing their cases."""
    lead = Portal(
        client=TestClient(portal.client.app, base_url="http://testserver"),
        engine=portal.engine,
        round_id=portal.round_id,
    )
    lead.sign_in(LEAD)
    assert lead.client.get("/tasks").status_code == 200
    assert lead.client.get(f"/cases/{portal.assignments('police')[0]}").status_code == 200
    return lead


def test_an_agency_is_added_once_the_whole_form_is_valid_and_audited(portal: Portal) -> None:
    portal.sign_in(COORDINATOR)
    assert "Add an agency" in portal.client.get("/coordinator/partnership/add-agency").text
    bad = _form(code="Youth Justice", name="", lead_email="not-an-address", deputy_name="Dee Puty")
    response = portal.post("/coordinator/partnership/add-agency", bad)
    assert response.status_code == 400  # type: ignore[attr-defined]
    page = html.unescape(response.text)  # type: ignore[attr-defined]
    assert "<title>Error: Add an agency" in page
    for field, message in (
        ("code", "Enter a code of 2 to 40 lower-case letters"),
        ("name", "Enter the agency's name"),
        ("lead_email", "Enter the lead's email address in the correct format"),
        ("deputy_email", "Enter the deputy's email address"),
    ):
        assert f'<li><a href="#{field}">{message}' in page
        assert f'id="{field}-error"' in page
    assert 'value="Dee Puty"' in page
    with Session(portal.engine) as session:
        assert len(list_agencies(session=session)) == 5
    added = portal.post("/coordinator/partnership/add-agency", _form())
    assert added.status_code == 303  # type: ignore[attr-defined]
    page = html.unescape(portal.client.get(added.headers["location"]).text)  # type: ignore[attr-defined]
    assert "Youth Justice Service was added" in page and "Yusuf Lead" in page
    [event] = events(portal, "agency.added")
    assert event.details["code"] == "youth-justice" and event.actor.startswith("person:")


def test_an_agency_code_in_use_is_refused_and_a_webhook_needs_its_address(
    portal: Portal,
) -> None:
    portal.sign_in(COORDINATOR)
    taken = portal.post("/coordinator/partnership/add-agency", _form(code="police"))
    assert taken.status_code == 409  # type: ignore[attr-defined]
    assert "An agency with the code" in html.unescape(taken.text)  # type: ignore[attr-defined]
    hook = portal.post("/coordinator/partnership/add-agency", _form(lead_channel="webhook"))
    assert hook.status_code == 400  # type: ignore[attr-defined]
    assert '<a href="#lead_webhook_url">Enter the lead' in html.unescape(hook.text)  # type: ignore[attr-defined]
    assert events(portal, "agency.added") == []


def test_a_new_lead_ends_the_old_leads_session_and_takes_over_their_grants(
    portal: Portal,
) -> None:
    lead = _signed_in_lead(portal)
    held = _live_grants(portal, LEAD)
    portal.sign_in(COORDINATOR)
    form = portal.client.get("/coordinator/partnership/agencies/police").text
    assert f'value="{LEAD}"' in form and "loses their access at once" in form
    changed = portal.post(
        "/coordinator/partnership/agencies/police",
        _police_form(lead_name="Nia New", lead_email=NEW_LEAD),
    )
    assert changed.status_code == 303  # type: ignore[attr-defined]
    page = html.unescape(portal.client.get(changed.headers["location"]).text)  # type: ignore[attr-defined]
    assert "The contacts of Police agency were saved" in page and "Nia New" in page
    assert lead.client.get("/tasks", follow_redirects=False).headers["location"] == "/"
    case = lead.client.get(f"/cases/{portal.assignments('police')[0]}", follow_redirects=False)
    assert case.status_code == 303 and "Child" not in case.text
    assert _live_grants(portal, LEAD) == 0 and _live_grants(portal, NEW_LEAD) == held > 0
    [event] = events(portal, "agency.changed")
    assert event.details == {"code": "police", "access_revoked": 1}
    assert any(
        e.details["reason"] == "agency contacts changed" for e in events(portal, "access.revoked")
    )
    unchanged = portal.post(
        "/coordinator/partnership/agencies/police",
        _police_form(lead_name="Nia New", lead_email=NEW_LEAD),
    )
    assert "done=unchanged" in unchanged.headers["location"]  # type: ignore[attr-defined]
    assert len(events(portal, "agency.changed")) == 1


def test_a_contact_form_with_errors_changes_nothing(portal: Portal) -> None:
    portal.sign_in(COORDINATOR)
    response = portal.post(
        "/coordinator/partnership/agencies/police",
        _police_form(lead_name="", escalation_email="manager@police"),
    )
    assert response.status_code == 400  # type: ignore[attr-defined]
    page = html.unescape(response.text)  # type: ignore[attr-defined]
    assert '<a href="#lead_name">Enter the lead\'s name</a>' in page
    assert '<a href="#escalation_email">Enter the escalation contact\'s email address' in page
    assert _live_grants(portal, LEAD) > 0 and events(portal, "agency.changed") == []
    assert portal.client.get("/coordinator/partnership/agencies/nobody").status_code == 404


def test_an_agency_is_deactivated_after_its_confirmation_page(portal: Portal) -> None:
    lead = _signed_in_lead(portal)
    portal.sign_in(COORDINATOR)
    confirm = portal.client.get("/coordinator/partnership/agencies/police/deactivate")
    assert "Are you sure you want to deactivate this agency?" in confirm.text
    assert "Yes, deactivate Police agency" in confirm.text
    with Session(portal.engine) as session:
        agency = session.exec(select(Agency).where(col(Agency.code) == "police")).one()
        assert agency.active
    done = portal.post("/coordinator/partnership/agencies/police/deactivate")
    assert done.status_code == 303  # type: ignore[attr-defined]
    page = html.unescape(portal.client.get(done.headers["location"]).text)  # type: ignore[attr-defined]
    assert "Police agency was deactivated" in page and "Inactive agencies" in page
    assert lead.client.get("/tasks", follow_redirects=False).status_code == 303
    assert _live_grants(portal, LEAD) == 0
    [event] = events(portal, "agency.deactivated")
    assert event.details["code"] == "police" and event.details["access_revoked"] >= 3
    assert portal.client.get("/coordinator/partnership/agencies/police").status_code == 404
    back = portal.post("/coordinator/partnership/add-agency", _police_form(code="police"))
    assert back.status_code == 303  # type: ignore[attr-defined]
    assert len(events(portal, "agency.reactivated")) == 1
