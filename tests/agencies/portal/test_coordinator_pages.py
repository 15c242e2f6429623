"""The coordinator's pages: who may see them, what they show, and the audited identities step."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from models.answers import Concern
from models.audit_log import AuditEvent
from models.outbox import MessageStatus, OutboxMessage
from models.partnership import Person
from models.round import Assignment, AuditRound
from tests.agencies.portal.conftest import Portal, complete_answers

COORDINATOR = "casey@testshire.example.org"
LEAD = "lead@police.example.org"
SLUGS = (
    "resend-invitation",
    "replace-case",
    "add-agency",
    "withdraw-agency",
    "change-lead",
    "extend",
    "close-collection",
    "cancel",
)


def _pages(round_id: int) -> list[str]:
    base = f"/coordinator/rounds/{round_id}"
    return [
        "/coordinator/rounds",
        base,
        f"{base}/overdue",
        f"{base}/chases",
        f"{base}/messages",
        f"{base}/concerns",
        *(f"{base}/changes/{slug}" for slug in SLUGS),
    ]


def _posts(round_id: int) -> list[str]:
    base = f"/coordinator/rounds/{round_id}"
    return [
        f"{base}/identities",
        f"{base}/messages/1/retry",
        f"{base}/concerns/1/acknowledge",
        *(f"{base}/changes/{slug}" for slug in SLUGS),
    ]


def _events(portal: Portal, action: str) -> list[AuditEvent]:
    with Session(portal.engine) as session:
        return list(session.exec(select(AuditEvent).where(col(AuditEvent.action) == action)))


def _person_id(portal: Portal, email: str) -> int:
    with Session(portal.engine) as session:
        return session.exec(select(Person.id).where(col(Person.email) == email)).one() or 0


def _post(portal: Portal, path: str, data: dict[str, Any] | None = None) -> Any:
    return portal.post(path, data or {})


def _first_message(portal: Portal, **changes: Any) -> int:
    with Session(portal.engine) as session:
        message = session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).first()
        assert message is not None
        for name, value in changes.items():
            setattr(message, name, value)
        session.add(message)
        session.commit()
        return message.id or 0


def _raise_concern(portal: Portal) -> int:
    with Session(portal.engine) as session:
        concern = Concern(
            round_id=portal.round_id,
            assignment_id=portal.assignments("csc")[0],
            raised_by=_person_id(portal, "lead@csc.example.org"),
            raised_at=datetime(2026, 11, 25, 9, 0, tzinfo=UTC),
        )
        session.add(concern)
        session.commit()
        return concern.id or 0


def test_a_coordinator_lands_on_the_rounds_list_after_signing_in(portal: Portal) -> None:
    portal.sign_in(COORDINATOR)
    response = portal.client.get("/tasks", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/coordinator/rounds"
    page = portal.client.get("/coordinator/rounds")
    assert "Domestic abuse joint audit" in page.text and "0 of 18" in page.text
    assert 'href="/coordinator/rounds">Rounds</a>' in page.text
    home = portal.client.get("/coordinator", follow_redirects=False)
    assert home.status_code == 303 and home.headers["location"] == "/coordinator/rounds"


def test_a_coordinator_sees_every_coordinator_page(portal: Portal) -> None:
    portal.sign_in(COORDINATOR)
    for path in _pages(portal.round_id):
        response = portal.client.get(path)
        assert response.status_code == 200, path
        assert response.text.startswith("<!DOCTYPE html>"), path


def test_a_lead_cannot_reach_any_coordinator_page(portal: Portal) -> None:
    portal.sign_in(LEAD)
    for path in _pages(portal.round_id):
        assert portal.client.get(path).status_code == 404, path
    for path in _posts(portal.round_id):
        assert _post(portal, path, {"reason": "x", "confirmed": "yes"}).status_code == 404, path
    assert 'href="/coordinator/rounds"' not in portal.client.get("/tasks").text
    assert portal.client.get("/coordinator", follow_redirects=False).status_code == 404
    assert _events(portal, "round.cancelled") == []
    assert _events(portal, "round.identities_shown") == []


def test_an_anonymous_visitor_is_sent_to_the_start_page(portal: Portal) -> None:
    for path in _pages(portal.round_id):
        response = portal.client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/", path
    for path in _posts(portal.round_id):
        response = _post(portal, path, {"reason": "x", "confirmed": "yes"})
        assert response.status_code == 303 and response.headers["location"] == "/", path


def test_an_unknown_round_is_not_found(portal: Portal) -> None:
    portal.sign_in(COORDINATOR)
    other = portal.round_id + 1
    for path in _pages(other)[1:]:
        assert portal.client.get(path).status_code == 404, path
    assert portal.client.get(f"/coordinator/rounds/{portal.round_id}/changes/x").status_code == 404


def test_the_round_page_shows_a_progress_grid_with_status_and_last_activity(
    portal: Portal,
) -> None:
    portal.sign_in(LEAD)
    first = portal.assignments("police")[0]
    answers = complete_answers(portal, "police")
    assert _post(portal, f"/cases/{first}", {"action": "submit", **answers}).status_code == 303
    portal.client.post("/sign-out", data={"csrf_token": portal.csrf("/tasks")})
    portal.sign_in(COORDINATOR)
    page = portal.client.get(f"/coordinator/rounds/{portal.round_id}")
    assert page.text.count('<th scope="row" class="govuk-table__header">C-') == 6
    assert "Police agency" in page.text and "Csc agency" in page.text
    assert page.text.count("Submitted</strong>") == 1
    assert page.text.count("Not started</strong>") == 17
    assert "Last activity 25 November 2026 at 10:00" in page.text and " UTC" not in page.text
    assert page.text.count("No activity") == 17
    assert "1 of 18" in page.text
    assert f'href="/coordinator/rounds/{portal.round_id}/plan"' in page.text
    assert f'href="/reports/{portal.round_id}"' not in page.text  # no report before reconciling


def test_the_overdue_list_shows_unanswered_cases_after_the_due_date(portal: Portal) -> None:
    portal.sign_in(COORDINATOR)
    path = f"/coordinator/rounds/{portal.round_id}/overdue"
    assert "No case is overdue" in portal.client.get(path).text
    later = datetime(2026, 12, 17, 9, 0, tzinfo=UTC)
    portal.client.app.state.clock = lambda: later  # type: ignore[attr-defined]
    portal.sign_in(COORDINATOR, ttl=timedelta(days=30))  # the first session ended after 8 hours
    page = portal.client.get(path)
    assert page.text.count("Not started</strong>") == 18
    assert "16 December 2026" in page.text
    assert "Overdue cases (18)" in portal.client.get(f"/coordinator/rounds/{portal.round_id}").text


def test_the_chase_history_names_who_was_chased_and_at_which_step(portal: Portal) -> None:
    lead = _person_id(portal, LEAD)
    with Session(portal.engine) as session:
        session.add(
            OutboxMessage(
                dedupe_key=f"reminder:{portal.round_id}:{lead}:before-2",
                template="reminder",
                channel="file",
                person_id=lead,
                round_id=portal.round_id,
                address=LEAD,
                status=MessageStatus.sent,
                sent_at=datetime(2026, 12, 14, 9, 0, tzinfo=UTC),
            )
        )
        session.commit()
    portal.sign_in(COORDINATOR)
    page = portal.client.get(f"/coordinator/rounds/{portal.round_id}/chases")
    assert "Reminder (before-2)" in page.text and "Police Lead" in page.text
    assert "14 December 2026 at 09:00" in page.text


def test_a_failed_message_is_listed_and_sent_again_in_the_audit_log(portal: Portal) -> None:
    message_id = _first_message(
        portal, status=MessageStatus.failed, attempts=5, last_error="550 mailbox unavailable"
    )
    portal.sign_in(COORDINATOR)
    path = f"/coordinator/rounds/{portal.round_id}/messages"
    page = portal.client.get(path)
    assert "550 mailbox unavailable" in page.text and "Send again" in page.text
    response = _post(portal, f"{path}/{message_id}/retry")
    assert response.status_code == 303
    with Session(portal.engine) as session:
        assert session.get(OutboxMessage, message_id).status == "pending"  # type: ignore[union-attr]
    (event,) = _events(portal, "message.retried")
    assert event.actor == f"person:{_person_id(portal, COORDINATOR)}"
    assert "The message will be sent again" in portal.client.get(response.headers["location"]).text


def test_sending_again_a_message_that_has_not_failed_shows_an_error_summary(
    portal: Portal,
) -> None:
    message_id = _first_message(portal)
    portal.sign_in(COORDINATOR)
    response = _post(portal, f"/coordinator/rounds/{portal.round_id}/messages/{message_id}/retry")
    assert response.status_code == 409
    assert "There is a problem" in response.text and "only failed or cancelled" in response.text
    assert _events(portal, "message.retried") == []


def test_a_message_of_another_round_cannot_be_sent_again_from_this_one(portal: Portal) -> None:
    message_id = _first_message(portal, status=MessageStatus.failed, round_id=None)
    portal.sign_in(COORDINATOR)
    path = f"/coordinator/rounds/{portal.round_id}/messages/{message_id}/retry"
    assert _post(portal, path).status_code == 404


def test_a_coordinator_acknowledges_a_concern_once_and_it_is_in_the_audit_log(
    portal: Portal,
) -> None:
    concern_id = _raise_concern(portal)
    portal.sign_in(COORDINATOR)
    path = f"/coordinator/rounds/{portal.round_id}/concerns"
    page = portal.client.get(path)
    assert "Csc agency" in page.text and "Not yet" in page.text
    assert "1 not acknowledged" in portal.client.get(f"/coordinator/rounds/{portal.round_id}").text
    response = _post(portal, f"{path}/{concern_id}/acknowledge")
    assert response.status_code == 303
    assert "By Casey Coordinator" in portal.client.get(path).text
    (event,) = _events(portal, "concern.acknowledged")
    assert event.actor == f"person:{_person_id(portal, COORDINATOR)}"
    again = _post(portal, f"{path}/{concern_id}/acknowledge")
    assert again.status_code == 409 and "already been acknowledged" in again.text
    assert f'href="#concern-{concern_id}"' in again.text
    assert _post(portal, f"{path}/{concern_id + 1}/acknowledge").status_code == 404


def test_identities_are_not_shown_without_the_audited_step(portal: Portal) -> None:
    portal.sign_in(COORDINATOR)
    path = f"/coordinator/rounds/{portal.round_id}"
    for page in _pages(portal.round_id):
        assert "Child 0" not in portal.client.get(page).text, page
    missing = _post(portal, f"{path}/identities", {"reason": " "})
    assert missing.status_code == 400 and 'href="#reason"' in missing.text
    assert "Child " not in missing.text
    assert _events(portal, "identity.viewed") == []
    assert _events(portal, "round.identities_shown") == []


def test_showing_identities_records_who_and_why_and_shows_them_for_that_response_only(
    portal: Portal,
) -> None:
    portal.sign_in(COORDINATOR)
    path = f"/coordinator/rounds/{portal.round_id}"
    response = _post(portal, f"{path}/identities", {"reason": "moderation meeting"})
    assert response.status_code == 200
    assert response.text.count("Child ") == 6 and "police: POL-" in response.text
    assert "Child" not in response.headers.get("set-cookie", "")
    assert response.headers["cache-control"] == "no-store"
    viewed = _events(portal, "identity.viewed")
    assert len(viewed) == 6
    assert all(e.actor == f"person:{_person_id(portal, COORDINATOR)}" for e in viewed)
    assert all("moderation meeting" in e.details["reason"] for e in viewed)
    (shown,) = _events(portal, "round.identities_shown")
    assert shown.entity_id == str(portal.round_id) and shown.details["cases"] == 6
    assert "Child " not in portal.client.get(path).text


def test_coordinator_posts_need_the_csrf_token(portal: Portal) -> None:
    portal.sign_in(COORDINATOR)
    for path in _posts(portal.round_id):
        response = portal.client.post(
            path, data={"reason": "x", "confirmed": "yes"}, follow_redirects=False
        )
        assert response.status_code == 403, path
    with Session(portal.engine) as session:
        round_ = session.get(AuditRound, portal.round_id)
        assert round_ is not None and round_.status == "collecting"
        assert (
            session.exec(select(Assignment).where(col(Assignment.status) == "withdrawn")).all()
            == []
        )
    assert _events(portal, "identity.viewed") == []
