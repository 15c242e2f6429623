from __future__ import annotations

import csv
import io
import re
from typing import Any

from sqlmodel import Session, col, select

from models.answers import Answer, AnswerSet, Concern
from models.audit_log import AuditEvent
from models.outbox import OutboxMessage
from models.round import Assignment, AuditRound
from tests.agencies.portal.conftest import Portal, complete_answers


def _post(portal: Portal, path: str, data: dict[str, Any]) -> Any:
    return portal.post(path, data)


def _events(portal: Portal, action: str) -> list[AuditEvent]:
    with Session(portal.engine) as session:
        return list(session.exec(select(AuditEvent).where(col(AuditEvent.action) == action)))


def test_the_task_list_shows_the_round_progress_and_each_case_with_its_status(
    portal: Portal,
) -> None:
    portal.sign_in("lead@police.example.org")
    page = portal.client.get("/tasks")
    assert page.status_code == 200
    assert "Domestic abuse joint audit" in page.text and "16 December 2026" in page.text
    assert "0 of 6" in page.text and page.text.count("Not started") == 6
    assert "Your reference: POL-" in page.text and "CSC-" not in page.text
    assert len(_events(portal, "identity.viewed")) == 6


def test_pages_need_a_signed_in_person(portal: Portal) -> None:
    for path in ("/tasks", f"/cases/{portal.assignments('police')[0]}"):
        response = portal.client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/"


def test_another_agencys_assignments_are_not_found(portal: Portal) -> None:
    portal.sign_in("lead@police.example.org")
    other = portal.assignments("csc")[0]
    assert portal.client.get(f"/cases/{other}").status_code == 404
    answers = {"action": "submit", **complete_answers(portal, "csc")}
    assert _post(portal, f"/cases/{other}", answers).status_code == 404
    assert _post(portal, f"/cases/{other}/amend", {}).status_code == 404
    assert _post(portal, f"/cases/{other}/concern", {}).status_code == 404
    assert portal.client.get("/cases/999999").status_code == 404
    assert portal.client.get(f"/rounds/{portal.round_id + 1}/answers.csv").status_code == 404
    with Session(portal.engine) as session:
        assert session.exec(select(AnswerSet)).all() == []
        assert session.exec(select(Concern)).all() == []


def test_a_revoked_grant_hides_the_round(portal: Portal) -> None:
    from datetime import UTC, datetime

    from models.round import AccessGrant

    portal.sign_in("lead@police.example.org")
    with Session(portal.engine) as session:
        for grant in session.exec(select(AccessGrant)):
            grant.revoked_at = datetime(2026, 11, 1, tzinfo=UTC)
            session.add(grant)
        session.commit()
    assert portal.client.get(f"/cases/{portal.assignments('police')[0]}").status_code == 404


def test_submitting_with_missing_answers_shows_the_error_summary_and_keeps_what_was_typed(
    portal: Portal,
) -> None:
    portal.sign_in("lead@police.example.org")
    case = portal.assignments("police")[0]
    answers = complete_answers(portal, "police")
    del answers["q__info_sharing"]
    answers["q__good_practice"] = "Typed <b>before</b> the error"
    response = _post(portal, f"/cases/{case}", {"action": "submit", **answers})
    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert 'href="#q__info_sharing"' in response.text
    assert "Typed &lt;b&gt;before&lt;/b&gt; the error" in response.text
    assert response.text.startswith("<!DOCTYPE html>")
    with Session(portal.engine) as session:
        assert session.get(Assignment, case).status == "not_started"  # type: ignore[union-attr]


def test_a_draft_keeps_partial_answers_and_marks_the_case_in_progress(portal: Portal) -> None:
    portal.sign_in("lead@police.example.org")
    case = portal.assignments("police")[0]
    response = _post(
        portal,
        f"/cases/{case}",
        {"action": "save", "q__known_to_agency": "yes", "q__child_safer": "7"},
    )
    assert response.status_code == 303
    page = portal.client.get(f"/cases/{case}")
    assert 'value="7" checked' in page.text
    with Session(portal.engine) as session:
        rows = {a.question_id: a for a in session.exec(select(Answer))}
    assert rows["child_safer"].number == 7 and rows["known_to_agency"].choice == "yes"
    assert "In progress" in portal.client.get("/tasks").text


def test_a_submission_stores_one_typed_row_per_question_and_becomes_read_only(
    portal: Portal,
) -> None:
    portal.sign_in("lead@police.example.org")
    case = portal.assignments("police")[0]
    answers = complete_answers(portal, "police")
    response = _post(portal, f"/cases/{case}", {"action": "submit", **answers})
    assert response.status_code == 303
    with Session(portal.engine) as session:
        answer_set = session.exec(select(AnswerSet)).one()
        rows = session.exec(select(Answer)).all()
        assert answer_set.status == "submitted" and answer_set.submitted_by is not None
        assert len(rows) == len(answers)
        assert session.get(Assignment, case).status == "submitted"  # type: ignore[union-attr]
    page = portal.client.get(f"/cases/{case}")
    assert "Amend answers" in page.text and "Submit answers" not in page.text
    again = _post(portal, f"/cases/{case}", {"action": "save", **answers})
    assert again.status_code == 409
    assert "1 of 6" in portal.client.get("/tasks").text
    assert len(_events(portal, "answers.submitted")) == 1


def test_not_known_to_this_agency_ends_the_questionnaire(portal: Portal) -> None:
    portal.sign_in("lead@police.example.org")
    case = portal.assignments("police")[0]
    response = _post(portal, f"/cases/{case}", {"action": "submit", "q__known_to_agency": "no"})
    assert response.status_code == 303
    with Session(portal.engine) as session:
        assert session.get(Assignment, case).status == "not_known"  # type: ignore[union-attr]
        assert [a.question_id for a in session.exec(select(Answer))] == ["known_to_agency"]
    assert "Not known to this agency" in portal.client.get("/tasks").text


def test_amending_keeps_the_previous_version(portal: Portal) -> None:
    portal.sign_in("lead@police.example.org")
    case = portal.assignments("police")[0]
    answers = complete_answers(portal, "police")
    _post(portal, f"/cases/{case}", {"action": "submit", **answers})
    assert _post(portal, f"/cases/{case}/amend", {}).status_code == 303
    page = portal.client.get(f"/cases/{case}")
    assert "You are amending" in page.text
    answers["q__child_safer"] = "3"
    _post(portal, f"/cases/{case}", {"action": "submit", **answers})
    with Session(portal.engine) as session:
        sets = session.exec(select(AnswerSet).order_by(col(AnswerSet.version))).all()
        assert [(s.version, s.status) for s in sets] == [(1, "superseded"), (2, "submitted")]
        old = session.exec(
            select(Answer).where(
                col(Answer.answer_set_id) == sets[0].id, col(Answer.question_id) == "child_safer"
            )
        ).one()
        assert old.number == 0


def test_nothing_changes_once_collection_has_closed(portal: Portal) -> None:
    from models.round import RoundStatus

    portal.sign_in("lead@police.example.org")
    case = portal.assignments("police")[0]
    with Session(portal.engine) as session:
        round_ = session.get(AuditRound, portal.round_id)
        assert round_ is not None
        round_.status = RoundStatus.reconciling
        session.add(round_)
        session.commit()
    answers = complete_answers(portal, "police")
    assert _post(portal, f"/cases/{case}", {"action": "submit", **answers}).status_code == 409


def test_a_concern_alerts_the_coordinator_the_escalation_contact_and_the_front_door_at_once(
    portal: Portal,
) -> None:
    portal.sign_in("lead@police.example.org")
    case = portal.assignments("police")[0]
    raised = _post(portal, f"/cases/{case}/concern", {"description": "Bruises seen", "risk": "no"})
    assert raised.status_code == 303
    with Session(portal.engine) as session:
        concern = session.exec(select(Concern)).one()
        alerts = session.exec(
            select(OutboxMessage).where(col(OutboxMessage.template) == "immediate_concern")
        ).all()
    assert concern.state == "raised"
    addresses = {m.address for m in alerts}
    assert addresses == {
        "casey@testshire.example.org",
        "manager@police.example.org",
        "mash@testshire.example.org",
    }
    assert all(m.status == "sent" for m in alerts)
    for message in alerts:
        assert not re.search(r"C-\d{4}|Child \d|POL-|Bruises", str(message.context))
    assert "Raised" in portal.client.get(f"/cases/{case}").text
    portal.client.cookies.clear()
    portal.sign_in("manager@police.example.org")
    tasks = portal.client.get("/tasks").text
    assert tasks.count("/cases/") == 0  # the concern is no audit task of the escalation contact
    assert portal.client.get(f"/concerns/{concern.id}").status_code == 200
    other = portal.assignments("police")[1]
    assert portal.client.get(f"/cases/{other}").status_code == 404
    assert portal.client.get(f"/cases/{case}").status_code == 404


def test_a_lead_downloads_only_their_agencys_submitted_answers(portal: Portal) -> None:
    portal.client.cookies.clear()
    portal.sign_in("lead@csc.example.org")
    csc_case = portal.assignments("csc")[0]
    _post(portal, f"/cases/{csc_case}", {"action": "submit", **complete_answers(portal, "csc")})
    portal.client.cookies.clear()
    portal.sign_in("lead@police.example.org")
    case = portal.assignments("police")[1]
    _post(portal, f"/cases/{case}", {"action": "submit", **complete_answers(portal, "police")})
    response = portal.client.get(f"/rounds/{portal.round_id}/answers.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows and {row["agency"] for row in rows} == {"police"}


def test_every_response_carries_the_security_headers(portal: Portal) -> None:
    response = portal.client.get("/")
    policy = response.headers["content-security-policy"]
    assert "unsafe-inline" not in policy and "'nonce-" in policy
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.text
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"] == "no-store"
    assert portal.client.get("/").headers["content-security-policy"] != policy


def test_a_get_never_changes_state(portal: Portal) -> None:
    portal.sign_in("lead@police.example.org")
    case = portal.assignments("police")[0]
    assert portal.client.get(f"/cases/{case}/concern").status_code == 405
    assert portal.client.get(f"/cases/{case}/amend").status_code == 405
    assert (
        portal.client.get(f"/cases/{case}?action=submit&q__known_to_agency=no").status_code == 200
    )
    with Session(portal.engine) as session:
        assert session.exec(select(Concern)).all() == []
        assert session.exec(select(AnswerSet)).all() == []


def test_a_post_without_the_csrf_token_is_refused(portal: Portal) -> None:
    portal.sign_in("lead@police.example.org")
    case = portal.assignments("police")[0]
    for path in (f"/cases/{case}", f"/cases/{case}/concern", f"/cases/{case}/amend", "/sign-out"):
        response = portal.client.post(path, data={"action": "submit", "q__known_to_agency": "no"})
        assert response.status_code == 403, path
    wrong = portal.client.post(f"/cases/{case}/concern", data={"csrf_token": "0" * 64})
    assert wrong.status_code == 403
    with Session(portal.engine) as session:
        assert session.exec(select(Concern)).all() == []


def test_the_accessibility_statement_and_privacy_notice_are_public(portal: Portal) -> None:
    assert "WCAG" in portal.client.get("/accessibility").text
    privacy = portal.client.get("/privacy").text
    assert "public task" in privacy and "Schedule 1, paragraph 18" in privacy


def test_an_unknown_page_is_a_gov_uk_style_not_found_page(portal: Portal) -> None:
    response = portal.client.get("/no-such-page")
    assert response.status_code == 404 and "Page not found" in response.text


def test_chasers_stop_once_every_case_of_the_agency_is_answered(portal: Portal) -> None:
    from notifications.contexts import ReminderContext
    from notifications.outbox import queue_message
    from tests.builders import NOW

    with Session(portal.engine) as session:
        lead = session.exec(
            select(OutboxMessage.person_id).where(
                col(OutboxMessage.address) == "lead@police.example.org"
            )
        ).first()
        reminder = queue_message(
            session=session,
            dedupe_key="reminder:test",
            now=NOW,
            person_id=lead,
            round_id=portal.round_id,
            context=ReminderContext(
                partnership_name="P",
                round_title="R",
                agency_name="A",
                due_date=NOW.date(),
                outstanding_count=6,
                reminder_number=1,
            ),
        )
        session.commit()
        assert reminder is not None
        reminder_id = reminder.id
    portal.sign_in("lead@police.example.org")
    cases = portal.assignments("police")
    for case in cases:
        with Session(portal.engine) as session:
            assert session.get(OutboxMessage, reminder_id).status == "pending"  # type: ignore[union-attr]
        _post(portal, f"/cases/{case}", {"action": "submit", "q__known_to_agency": "no"})
    with Session(portal.engine) as session:
        assert session.get(OutboxMessage, reminder_id).status == "cancelled"  # type: ignore[union-attr]


def test_the_session_cookie_is_secure_behind_https(portal: Portal) -> None:
    from fastapi.testclient import TestClient

    with TestClient(portal.client.app, base_url="https://portal.example.org") as client:
        cookie = client.get("/").headers["set-cookie"].lower()
    assert "secure" in cookie and "httponly" in cookie


def test_the_escalation_contact_acknowledges_a_concern_and_records_the_referral(
    portal: Portal,
) -> None:
    portal.sign_in("lead@police.example.org")
    case = portal.assignments("police")[0]
    _post(portal, f"/cases/{case}/concern", {"description": "Bruises seen", "risk": "yes"})
    with Session(portal.engine) as session:
        concern_id = session.exec(select(Concern.id)).one()
    path = f"/concerns/{concern_id}/decision"
    referral = {"outcome": "referred", "reference": "MASH-77"}
    assert _post(portal, path, referral).status_code == 404  # leads cannot
    portal.client.cookies.clear()
    portal.sign_in("manager@police.example.org")
    assert _post(portal, path, referral).status_code == 303
    with Session(portal.engine) as session:
        concern = session.get(Concern, concern_id)
        assert concern is not None
        assert concern.state == "referred" and concern.referral_made is True
        assert concern.acknowledged_at is not None and concern.referral_at is not None
        assert concern.referral_reference == "MASH-77"
    page = portal.client.get(f"/concerns/{concern_id}").text
    assert "By Police Manager" in page and "Referred" in page and "MASH-77" in page
