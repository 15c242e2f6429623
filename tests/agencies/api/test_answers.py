from __future__ import annotations

import sqlite3
import threading
import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event
from sqlmodel import Session, select

from models.agency import Agency
from models.answers import Answer, AnswerSet
from models.api_key import PREFIX_LENGTH, ApiKey, hash_secret
from models.questionnaire import read_tool
from models.round import Assignment, AuditRound
from models.tool_version import save_tool_version
from tests.agencies.api.conftest import Api, json_answers
from tests.agencies.portal.test_answer_types import TOOL


def _rows(api: Api) -> dict[str, Answer]:
    with Session(api.portal.engine) as session:
        return {row.question_id: row for row in session.exec(select(Answer))}


def _status(api: Api, case: int) -> str:
    with Session(api.portal.engine) as session:
        assignment = session.get(Assignment, case)
        assert assignment is not None
        return assignment.status


def test_saving_a_draft_keeps_the_answers_and_marks_the_case_in_progress(api: Api) -> None:
    case = api.portal.assignments("police")[0]
    answers = {"known_to_agency": "yes", "child_safer": 7, "good_practice": "Noted."}
    response = api.call("PUT", f"/assignments/{case}/answers", json={"answers": answers})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["assignment"]["status"] == "in_progress"
    assert body["answers"]["status"] == "draft" and body["answers"]["values"] == answers
    assert api.call("GET", f"/assignments/{case}").json()["answers"]["values"] == answers
    assert _rows(api)["child_safer"].number == 7
    [saved] = api.events("answers.draft_saved")
    assert saved.actor == f"api-key:{api.key_ids['police']}" and saved.entity_id == str(case)


def test_a_second_save_replaces_the_draft(api: Api) -> None:
    case = api.portal.assignments("police")[0]
    api.call("PUT", f"/assignments/{case}/answers", json={"answers": {"child_safer": 7}})
    api.call("PUT", f"/assignments/{case}/answers", json={"answers": {"known_to_agency": "yes"}})
    assert set(_rows(api)) == {"known_to_agency"}


def test_invalid_answers_are_422_with_the_portals_messages_and_nothing_is_saved(
    api: Api,
) -> None:
    case = api.portal.assignments("police")[0]
    answers = {
        "known_to_agency": "perhaps",
        "child_safer": 11,
        "good_practice": "x" * 6000,
        "no_such_question": "yes",
        "info_sharing": ["yes"],
    }
    response = api.call("PUT", f"/assignments/{case}/answers", json={"answers": answers})
    assert response.status_code == 422
    errors = {e["loc"][-1]: e["msg"] for e in response.json()["detail"]}
    assert errors == {
        "known_to_agency": "Select one of the answers shown",
        "child_safer": "Select one of the answers shown",
        "good_practice": "Enter no more than 5000 characters",
        "no_such_question": "This question is not asked of your agency in this round",
        "info_sharing": "Give one answer to this question, not a list",
    }
    assert _rows(api) == {} and _status(api, case) == "not_started"
    assert api.events("answers.draft_saved") == []


def test_a_body_of_the_wrong_shape_is_422(api: Api) -> None:
    case = api.portal.assignments("police")[0]
    for body in ({}, {"answers": []}, {"answers": {"child_safer": True}}, {"extra": 1}):
        response = api.call("PUT", f"/assignments/{case}/answers", json=body)
        assert response.status_code == 422, body
    assert _rows(api) == {}


def test_submitting_incomplete_answers_names_each_missing_question(api: Api) -> None:
    case = api.portal.assignments("police")[0]
    answers = json_answers(api, "police")
    del answers["info_sharing"]
    response = api.call("POST", f"/assignments/{case}/submit", json={"answers": answers})
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "loc": ["body", "answers", "info_sharing"],
            "msg": "Select whether information about the domestic abuse was shared between"
            " agencies when it was needed",
            "type": "answer",
        }
    ]
    assert _status(api, case) == "not_started"


def test_a_submission_is_audited_and_the_portal_shows_it_submitted(api: Api) -> None:
    case = api.portal.assignments("police")[0]
    answers = json_answers(api, "police")
    response = api.call("POST", f"/assignments/{case}/submit", json={"answers": answers})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["assignment"]["status"] == "submitted"
    assert body["answers"]["status"] == "submitted" and body["answers"]["editable"] is False
    [submitted] = api.events("answers.submitted")
    assert submitted.actor == f"api-key:{api.key_ids['police']}"
    with Session(api.portal.engine) as session:
        answer_set = session.exec(select(AnswerSet)).one()
        assert answer_set.submitted_by is None and answer_set.submitted_at is not None
    api.portal.sign_in("lead@police.example.org")
    assert "Submitted" in api.portal.client.get("/tasks").text
    page = api.portal.client.get(f"/cases/{case}").text
    assert "Amend" in page and "Recorded well." in page


def test_submitting_without_answers_submits_the_saved_draft(api: Api) -> None:
    case = api.portal.assignments("police")[0]
    answers = json_answers(api, "police")
    api.call("PUT", f"/assignments/{case}/answers", json={"answers": answers})
    response = api.call("POST", f"/assignments/{case}/submit")
    assert response.status_code == 200, response.text
    assert response.json()["answers"]["values"] == answers
    assert _status(api, case) == "submitted"


def test_not_known_to_this_agency_ends_the_questionnaire(api: Api) -> None:
    case = api.portal.assignments("police")[0]
    body = {"answers": {"known_to_agency": "no"}}
    response = api.call("POST", f"/assignments/{case}/submit", json=body)
    assert response.status_code == 200 and _status(api, case) == "not_known"


def test_submitted_answers_are_read_only_until_amended(api: Api) -> None:
    case = api.portal.assignments("police")[0]
    answers = json_answers(api, "police")
    api.call("POST", f"/assignments/{case}/submit", json={"answers": answers})
    response = api.call("PUT", f"/assignments/{case}/answers", json={"answers": answers})
    assert response.status_code == 409
    assert response.json()["detail"].startswith("these answers are submitted")
    amended = api.call("POST", f"/assignments/{case}/amend")
    assert amended.status_code == 200
    assert amended.json()["answers"] == {
        **amended.json()["answers"],
        "version": 2,
        "status": "draft",
    }
    assert amended.json()["answers"]["values"] == answers
    answers["good_practice"] = "Recorded better."
    response = api.call("POST", f"/assignments/{case}/submit", json={"answers": answers})
    assert response.status_code == 200 and response.json()["answers"]["version"] == 2
    with Session(api.portal.engine) as session:
        statuses = sorted(s.status for s in session.exec(select(AnswerSet)))
    assert statuses == ["submitted", "superseded"]
    assert len(api.events("answers.amend_started")) == 1
    assert len(api.events("answers.submitted")) == 2


def test_a_closed_collection_is_409_with_a_clear_message(api: Api) -> None:
    case = api.portal.assignments("police")[0]
    with Session(api.portal.engine) as session:
        round_ = session.get(AuditRound, api.portal.round_id)
        assert round_ is not None
        round_.collection_closed_at = datetime(2026, 11, 25, 9, tzinfo=UTC)
        session.add(round_)
        session.commit()
    body = {"answers": {"known_to_agency": "no"}}
    for method, path in (("PUT", "answers"), ("POST", "submit"), ("POST", "amend")):
        response = api.call(method, f"/assignments/{case}/{path}", json=body)
        assert response.status_code == 409, path
        assert response.json()["detail"] == (
            "collection for this round has closed: answers can no longer change"
        )
    assert api.call("GET", f"/assignments/{case}").json()["collecting"] is False
    assert _rows(api) == {}


def test_every_question_type_round_trips_through_json(api: Api) -> None:
    with Session(api.portal.engine) as session:
        version = save_tool_version(session=session, tool=read_tool("t.yaml", text=TOOL))
        round_ = session.get(AuditRound, api.portal.round_id)
        assert round_ is not None
        round_.tool_version_id = version.id or 0
        session.add(round_)
        session.commit()
    case = api.portal.assignments("police")[0]
    answers: dict[str, Any] = {
        "known_to_agency": "yes",
        "tools_used": ["caada", "dash"],  # stored (and shown) in option order
        "hours": 7,
        "met_on": "2026-02-03",
        "grade": "good",
        "good_practice": "Quick strategy.",
    }
    response = api.call("POST", f"/assignments/{case}/submit", json={"answers": answers})
    assert response.status_code == 200, response.text
    assert response.json()["answers"]["values"] == answers
    rows = _rows(api)
    assert rows["hours"].number == 7 and str(rows["met_on"].day) == "2026-02-03"
    bad = {**answers, "met_on": "2026-02-31", "hours": "twelve", "tools_used": ["nope"]}
    case = api.portal.assignments("police")[1]
    response = api.call("PUT", f"/assignments/{case}/answers", json={"answers": bad})
    errors = {e["loc"][-1]: e["msg"] for e in response.json()["detail"]}
    assert errors == {
        "met_on": "Enter a real date with a day, month and year",
        "hours": "Enter a number",
        "tools_used": "Select one of the answers shown",
    }
    na = {"known_to_agency": "yes", "hours": "na", "met_on": "na", "tools_used": "na"}
    response = api.call("PUT", f"/assignments/{case}/answers", json={"answers": na})
    assert response.status_code == 200 and response.json()["answers"]["values"] == na


def test_text_with_a_nul_character_is_refused_before_it_reaches_the_database(api: Api) -> None:
    case = api.portal.assignments("police")[0]
    body = {"answers": {"good_practice": "before\x00after"}}
    response = api.call("PUT", f"/assignments/{case}/answers", json=body)
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "loc": ["body", "answers", "good_practice"],
            "msg": "Remove the hidden control characters from this answer",
            "type": "answer",
        }
    ]
    assert _rows(api) == {}


def test_a_key_sharing_its_prefix_with_another_agencys_opens_only_its_own_agencys_cases(
    api: Api,
) -> None:
    police_key = api.keys["police"]
    with Session(api.portal.engine) as session:
        csc = session.exec(select(Agency).where(Agency.code == "csc")).one()
        session.add(  # another agency's key whose first characters are the same
            ApiKey(
                agency_id=csc.id,
                name="csc twin",
                prefix=police_key[:PREFIX_LENGTH],
                secret_hash=hash_secret(police_key + "x"),
                created_by="cli:c",
            )
        )
        session.commit()
    theirs, ours = api.portal.assignments("csc")[0], api.portal.assignments("police")[0]
    assert api.call("GET", f"/assignments/{theirs}").status_code == 404
    opened = api.call("GET", f"/assignments/{ours}")
    assert opened.status_code == 200 and opened.json()["id"] == ours
    twin = {"Authorization": f"Bearer {police_key}x"}  # the other key: csc's cases only
    assert api.call("GET", f"/assignments/{theirs}", agency=None, headers=twin).status_code == 200
    assert api.call("GET", f"/assignments/{ours}", agency=None, headers=twin).status_code == 404


def test_a_first_save_is_three_statements_and_a_submission_two_on_postgresql(api: Api) -> None:
    case = api.portal.assignments("police")[0]
    assert api.call("GET", "/assignments").status_code == 200  # the key's use noted: not again
    complete = {"answers": json_answers(api, "police")}
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    engine = api.portal.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        draft = {"answers": {"known_to_agency": "yes"}}
        assert api.call("PUT", f"/assignments/{case}/answers", json=draft).status_code == 200
        saved, seen[:] = len(seen), []
        assert api.call("POST", f"/assignments/{case}/submit", json=complete).status_code == 200
        submitted = len(seen)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    if engine.dialect.name == "postgresql":  # the key and the assignment in one read
        assert (saved, submitted) == (3, 2)
    else:  # SQLite: in the process, one statement a step
        assert saved > 3 and submitted > 2


def test_on_sqlite_a_save_waits_for_a_writer_off_the_event_loop_and_then_saves(api: Api) -> None:
    engine = api.portal.engine
    if engine.dialect.name != "sqlite":
        return  # PostgreSQL's work always runs in a worker thread
    case = api.portal.assignments("police")[0]
    assert api.call("GET", "/assignments").status_code == 200
    other = sqlite3.connect(str(engine.url.database), isolation_level=None)  # another process
    other.execute("BEGIN IMMEDIATE")
    saved: list[int] = []
    draft = {"answers": {"known_to_agency": "yes"}}
    saving = threading.Thread(
        target=lambda: saved.append(
            api.call("PUT", f"/assignments/{case}/answers", json=draft).status_code
        )
    )
    saving.start()
    time.sleep(0.3)
    assert saving.is_alive() and not saved  # waiting for the writer...
    assert api.call("GET", "/openapi.json", agency=None).status_code == 200  # ...not on the loop
    other.execute("COMMIT")
    other.close()
    saving.join(timeout=10)
    assert saved == [200] and _status(api, case) == "in_progress"
