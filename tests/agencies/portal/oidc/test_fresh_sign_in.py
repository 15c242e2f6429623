"""Sensitive steps need a sign-in within the last 15 minutes; the step resumes after it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from html import unescape

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from agencies.app import create_app
from models.answers import Concern
from models.audit_log import AuditEvent
from models.outbox import OutboxMessage
from models.settings import Settings
from tests.agencies.portal.conftest import Portal
from tests.agencies.portal.oidc.conftest import BASE, SSO

AGAIN = "Sign in again to continue"
PROVIDER_AGAIN = re.compile(r'href="(/sign-in/provider/council\?fresh=1[^"]*)"')
LONG = timedelta(days=3650)


def _actions(sso: SSO, action: str) -> list[AuditEvent]:
    with Session(sso.engine) as session:
        return list(session.exec(select(AuditEvent).where(col(AuditEvent.action) == action)))


def _reveal(sso: SSO) -> object:
    path = f"/coordinator/rounds/{sso.round_id}"
    csrf = sso.portal.csrf(path)
    return sso.client.post(
        f"{path}/identities",
        data={"csrf_token": csrf, "reason": "moderation meeting"},
        follow_redirects=False,
    )


def test_the_identity_reveal_asks_for_a_fresh_sign_in_after_15_minutes_and_not_before(
    sso: SSO,
) -> None:
    assert sso.sign_in("coordinator").status_code == 303
    sso.clock.offset = timedelta(minutes=14)
    shown = _reveal(sso)
    assert shown.status_code == 200 and "Child " in shown.text  # type: ignore[attr-defined]
    sso.clock.offset = timedelta(minutes=16)
    asked = _reveal(sso)
    assert asked.status_code == 401 and AGAIN in asked.text  # type: ignore[attr-defined]
    assert "Child " not in asked.text  # type: ignore[attr-defined]
    assert 'href="/coordinator/rounds">Rounds</a>' in asked.text  # type: ignore[attr-defined]
    [event] = _actions(sso, "portal.fresh_sign_in_asked")
    assert event.details == {"step": "round.identities"}
    found = PROVIDER_AGAIN.search(asked.text)  # type: ignore[attr-defined]
    assert found, "no way to sign in again with the provider"
    begin = sso.client.get(unescape(found.group(1)), follow_redirects=False)
    assert sso.query_of(begin.headers["location"])["max_age"] == "900"
    back = sso.finish(begin.headers["location"], login="coordinator")
    assert back.status_code == 303
    assert back.headers["location"] == f"/coordinator/rounds/{sso.round_id}?again=1#identities"
    resumed = sso.client.get(back.headers["location"])
    assert "You have signed in again" in resumed.text
    again = _reveal(sso)
    assert again.status_code == 200 and "Child " in again.text  # type: ignore[attr-defined]
    assert len(_actions(sso, "portal.signed_in_again")) == 1


def test_an_answers_download_after_15_minutes_emails_a_link_that_resumes_it(
    sso: SSO, sso_settings: Settings
) -> None:
    sso.portal.sign_in("lead@police.example.org", ttl=LONG)
    path = f"/rounds/{sso.round_id}/answers.csv"
    assert sso.client.get(path).status_code == 200
    sso.clock.offset = timedelta(minutes=16)
    asked = sso.client.get(path)
    assert asked.status_code == 401 and "Email me a new sign-in link" in asked.text
    csrf = sso.portal.csrf("/tasks")
    sent = sso.client.post(
        "/sign-in/again", data={"csrf_token": csrf, "landing": path}, follow_redirects=False
    )
    assert sent.status_code == 303 and sent.headers["location"] == "/sign-in/check-email"
    with Session(sso.engine) as session:
        message = session.exec(
            select(OutboxMessage).where(col(OutboxMessage.template) == "sign_in_link")
        ).one()
    assert message.context["landing_page"] == path
    [sent_file] = (sso_settings.data_dir / "messages").glob("*-sign_in_link.json")
    link = re.search(r"http://testserver(/sign-in/[A-Za-z0-9_-]+)", sent_file.read_text())
    assert link, "no link in the message"
    csrf = sso.portal.csrf(link.group(1))
    pressed = sso.client.post(link.group(1), data={"csrf_token": csrf}, follow_redirects=False)
    assert pressed.status_code == 303 and pressed.headers["location"] == path
    resumed = sso.client.get(path)
    assert resumed.status_code == 200 and resumed.text.startswith("agency,")


@pytest.fixture
def required(sso: SSO, sso_settings: Settings) -> Iterator[Portal]:
    """The same portal with the police's domain required to sign in with the provider."""
    configured = sso_settings.model_copy(update={"sso_required_domains": ("police.example.org",)})
    app = create_app(configured, engine=sso.engine, clock=sso.clock)
    with TestClient(app, base_url=BASE) as client:
        yield Portal(client=client, engine=sso.engine, round_id=sso.round_id)


def test_a_required_domain_cannot_ask_for_a_link_and_is_sent_to_its_provider(
    required: Portal,
) -> None:
    answer = required.post("/sign-in/request", {"email": "lead@police.example.org"})
    assert answer.status_code == 400  # type: ignore[attr-defined]
    assert "Sign in with your Testshire Council account" in answer.text  # type: ignore[attr-defined]
    with Session(required.engine) as session:
        links = select(OutboxMessage).where(col(OutboxMessage.template) == "sign_in_link")
        assert session.exec(links).first() is None
    other = required.post("/sign-in/request", {"email": "lead@csc.example.org"})
    assert other.status_code == 303  # type: ignore[attr-defined]


def test_a_required_domain_cannot_use_an_emailed_link_either(required: Portal) -> None:
    token = required.token_for("lead@police.example.org", ttl=LONG)
    csrf = required.csrf(f"/sign-in/{token}")
    answer = required.client.post(
        f"/sign-in/{token}", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert answer.status_code == 403 and "Sign in with your organisation" in answer.text
    assert required.client.get("/tasks", follow_redirects=False).headers["location"] == "/"


def test_signing_out_offers_the_providers_own_sign_out(sso: SSO) -> None:
    sso.sign_in("lead")
    csrf = sso.portal.csrf("/tasks")
    page = sso.client.post("/sign-out", data={"csrf_token": csrf}, follow_redirects=False)
    assert page.status_code == 200 and "Sign out of your Testshire Council account" in page.text
    found = re.search(r'href="(http://127\.0\.0\.1:\d+/session/end\?[^"]+)"', page.text)
    assert found and "post_logout_redirect_uri=http%3A%2F%2Ftestserver%2F" in found.group(1)
    provider_page = sso.browser.get(unescape(found.group(1)))
    assert provider_page.status_code == 200 and "<form" in provider_page.text
    assert sso.client.get("/tasks", follow_redirects=False).headers["location"] == "/"


def test_signing_out_of_a_link_session_goes_to_the_start_page(sso: SSO) -> None:
    sso.portal.sign_in("lead@police.example.org", ttl=LONG)
    csrf = sso.portal.csrf("/tasks")
    answer = sso.client.post("/sign-out", data={"csrf_token": csrf}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/"


def test_a_concerns_identity_needs_a_fresh_sign_in_too(sso: SSO) -> None:
    sso.portal.sign_in("lead@police.example.org", ttl=LONG)
    case = sso.portal.assignments("police")[0]
    raised = sso.portal.post(f"/cases/{case}/concern", {"description": "Bruises", "risk": "no"})
    assert raised.status_code == 303  # type: ignore[attr-defined]
    with Session(sso.engine) as session:
        concern_id = session.exec(select(Concern.id)).one()
    sso.client.cookies.clear()
    assert sso.sign_in("coordinator").status_code == 303
    sso.clock.offset = timedelta(minutes=14)
    shown = sso.portal.post(f"/concerns/{concern_id}/identities")
    assert shown.status_code == 200 and "Child 0" in shown.text  # type: ignore[attr-defined]
    sso.clock.offset = timedelta(minutes=16)
    asked = sso.portal.post(f"/concerns/{concern_id}/identities")
    assert asked.status_code == 401 and AGAIN in asked.text  # type: ignore[attr-defined]
    assert "Child 0" not in asked.text  # type: ignore[attr-defined]
    assert f'landing=/concerns/{concern_id}"' in asked.text  # type: ignore[attr-defined]
