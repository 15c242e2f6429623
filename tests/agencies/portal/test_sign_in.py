from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, col, select

from models.audit_log import AuditEvent
from models.outbox import OutboxMessage
from tests.agencies.portal.conftest import CSRF, Portal


def test_the_start_page_explains_the_service_and_offers_a_sign_in_link(portal: Portal) -> None:
    page = portal.client.get("/")
    assert page.status_code == 200
    assert "Email me a sign-in link" in page.text
    assert 'name="csrf_token"' in page.text


def test_opening_a_link_does_not_use_it_up_only_the_button_does(portal: Portal) -> None:
    token = portal.token_for("lead@police.example.org")
    for _ in range(2):  # a mail scanner opens the link first
        page = portal.client.get(f"/sign-in/{token}")
        assert page.status_code == 200 and "Sign in" in page.text
    csrf = CSRF.search(page.text)
    assert csrf
    response = portal.client.post(
        f"/sign-in/{token}", data={"csrf_token": csrf.group(1)}, follow_redirects=False
    )
    assert response.status_code == 303 and response.headers["location"] == "/tasks"
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "max-age=" in cookie
    with Session(portal.engine) as session:
        events = session.exec(
            select(AuditEvent).where(col(AuditEvent.action) == "portal.signed_in")
        ).all()
    assert len(events) == 1


def test_a_replayed_link_is_refused(portal: Portal) -> None:
    token = portal.token_for("lead@police.example.org")
    csrf = portal.csrf(f"/sign-in/{token}")
    first = portal.client.post(
        f"/sign-in/{token}", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert first.status_code == 303
    csrf = portal.csrf(f"/sign-in/{token}")
    again = portal.client.post(
        f"/sign-in/{token}", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert again.status_code == 400 and "does not work" in again.text


def test_an_expired_link_is_refused(portal: Portal) -> None:
    token = portal.token_for("lead@police.example.org", ttl=timedelta(seconds=-1))
    csrf = portal.csrf(f"/sign-in/{token}")
    response = portal.client.post(f"/sign-in/{token}", data={"csrf_token": csrf})
    assert response.status_code == 400
    assert portal.client.get("/tasks", follow_redirects=False).headers["location"] == "/"


def test_pressing_the_button_without_a_csrf_token_is_refused_and_keeps_the_link(
    portal: Portal,
) -> None:
    token = portal.token_for("lead@police.example.org")
    portal.client.get(f"/sign-in/{token}")
    response = portal.client.post(f"/sign-in/{token}", data={}, follow_redirects=False)
    assert response.status_code == 403
    csrf = portal.csrf(f"/sign-in/{token}")
    ok = portal.client.post(f"/sign-in/{token}", data={"csrf_token": csrf}, follow_redirects=False)
    assert ok.status_code == 303


def test_a_new_link_is_answered_the_same_whether_or_not_the_address_is_known(
    portal: Portal,
) -> None:
    known = portal.post("/sign-in/request", {"email": "lead@police.example.org"})
    unknown = portal.post("/sign-in/request", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 303  # type: ignore[attr-defined]
    assert known.headers["location"] == unknown.headers["location"]  # type: ignore[attr-defined]
    with Session(portal.engine) as session:
        links = session.exec(
            select(OutboxMessage).where(col(OutboxMessage.template) == "sign_in_link")
        ).all()
    assert len(links) == 1 and links[0].address == "lead@police.example.org"
    assert links[0].status == "sent"  # sent at once, not on the schedule


def test_asking_for_links_too_often_is_rate_limited(portal: Portal) -> None:
    statuses = [
        portal.post("/sign-in/request", {"email": "lead@police.example.org"}).status_code  # type: ignore[attr-defined]
        for _ in range(4)
    ]
    assert statuses[:3] == [303, 303, 303] and statuses[3] == 429


def test_pressing_sign_in_buttons_too_often_is_rate_limited(portal: Portal) -> None:
    csrf = portal.csrf("/")
    statuses = [
        portal.client.post(f"/sign-in/bad-token-{n}", data={"csrf_token": csrf}).status_code
        for n in range(11)
    ]
    assert statuses[:10] == [400] * 10 and statuses[10] == 429


def test_signing_out_ends_the_session(portal: Portal) -> None:
    portal.sign_in("lead@police.example.org")
    assert portal.client.get("/tasks").status_code == 200
    portal.post("/sign-out")
    assert portal.client.get("/tasks", follow_redirects=False).status_code == 303


def test_a_forged_session_cookie_signs_nobody_in(portal: Portal) -> None:
    portal.client.cookies.set("jointaudit_session", "eyJwIjoxfQ.forged.signature")
    assert portal.client.get("/tasks", follow_redirects=False).status_code == 303
