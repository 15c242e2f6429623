"""Signing in with the organisation's provider: the real oidc-provider on loopback."""

from __future__ import annotations

from sqlmodel import Session, col, select

from models.agency import Agency
from models.audit_log import AuditEvent
from models.partnership import PortalSessionRow
from tests.agencies.portal.oidc.conftest import SSO

REFUSED = "We could not sign you in"


def _events(sso: SSO, action: str) -> list[AuditEvent]:
    with Session(sso.engine) as session:
        return list(session.exec(select(AuditEvent).where(col(AuditEvent.action) == action)))


def test_the_start_page_offers_the_provider_and_an_emailed_link(sso: SSO) -> None:
    page = sso.client.get("/")
    assert "Sign in with your Testshire Council account" in page.text
    assert 'href="/sign-in/provider/council"' in page.text
    assert "Email me a sign-in link" in page.text


def test_the_provider_is_asked_with_pkce_state_and_nonce(sso: SSO) -> None:
    begin = sso.client.get("/sign-in/provider/council", follow_redirects=False)
    asked = sso.query_of(begin.headers["location"])
    assert asked["code_challenge_method"] == "S256" and len(asked["code_challenge"]) == 43
    assert len(asked["state"]) >= 43 and len(asked["nonce"]) >= 43
    assert asked["scope"] == "openid email profile" and "max_age" not in asked
    assert asked["redirect_uri"] == "http://testserver/sign-in/provider/council/callback"


def test_a_lead_signs_in_with_the_provider_and_sees_their_tasks(sso: SSO) -> None:
    answer = sso.sign_in("lead")
    assert answer.status_code == 303 and answer.headers["location"] == "/tasks"
    tasks = sso.client.get("/tasks")
    assert tasks.status_code == 200 and "Sign out" in tasks.text
    with Session(sso.engine) as session:
        row = session.exec(select(PortalSessionRow)).one()
    assert row.signed_in_with == "oidc:council" and row.authenticated_at is not None
    [event] = _events(sso, "portal.signed_in")
    assert event.details == {"with": "oidc:council"}


def test_a_coordinator_signs_in_with_the_provider_and_reaches_the_rounds(sso: SSO) -> None:
    answer = sso.sign_in("coordinator")  # the provider sends the address in capitals
    assert answer.status_code == 303
    rounds = sso.client.get("/coordinator/rounds")
    assert rounds.status_code == 200 and "Rounds" in rounds.text


def test_an_unknown_address_is_refused_on_the_one_page_and_audited(sso: SSO) -> None:
    answer = sso.sign_in("stranger")
    assert answer.status_code == 403 and REFUSED in answer.text
    assert sso.client.get("/tasks", follow_redirects=False).headers["location"] == "/"
    [event] = _events(sso, "portal.sign_in_refused")
    assert event.details == {"reason": "not_in_registry", "domain": "police.example.org"}
    assert "nobody" not in str(event.details)


def test_an_unverified_address_is_refused(sso: SSO) -> None:
    answer = sso.sign_in("unverified")
    assert answer.status_code == 403 and REFUSED in answer.text
    [event] = _events(sso, "portal.sign_in_refused")
    assert event.details is not None and event.details["reason"] == "email_unverified"


def test_a_contact_of_a_deactivated_agency_is_refused(sso: SSO) -> None:
    with Session(sso.engine) as session:
        agency = session.exec(select(Agency).where(col(Agency.code) == "health")).one()
        agency.active = False
        session.add(agency)
        session.commit()
    answer = sso.sign_in("health-lead")
    assert answer.status_code == 403 and REFUSED in answer.text
    [event] = _events(sso, "portal.sign_in_refused")
    assert event.details is not None and event.details["reason"] == "no_place"
    with Session(sso.engine) as session:
        assert session.exec(select(PortalSessionRow)).first() is None


def test_a_callback_without_the_pending_sign_in_is_refused(sso: SSO) -> None:
    begin = sso.client.get("/sign-in/provider/council", follow_redirects=False)
    sso.client.cookies.clear()  # another browser: the state cookie is not there
    answer = sso.finish(begin.headers["location"], login="lead")
    assert answer.status_code == 403 and REFUSED in answer.text
    [event] = _events(sso, "portal.sign_in_refused")
    assert event.details is not None and event.details["reason"] == "state"


def test_an_unknown_provider_is_not_found(sso: SSO) -> None:
    assert sso.client.get("/sign-in/provider/nowhere", follow_redirects=False).status_code == 404
