"""The moderation meeting pages: who may use them, what they show, and that agreeing answers
through them changes the figures exactly as `round moderate` / `moderate-answer` do."""

from __future__ import annotations

import re
from typing import Any

from sqlmodel import Session, delete, select

from flows.reconcile.meeting import CONFIRMED
from flows.reconcile.run import latest_findings
from models.moderation import ModeratedAnswer, ModerationAttendee, ModerationMeeting
from tests.agencies.portal.conftest import Portal
from tests.agencies.portal.plan_helpers import (
    BOARD,
    COORDINATOR,
    add_board_reader,
    events,
    has_script,
    person_id,
    post,
    reconciled,
)
from tests.cli import Run

LEAD = "lead@police.example.org"
QUESTION = "Was information about the domestic abuse shared between agencies when it was needed?"
MEETING = {
    "held-day": "27",
    "held-month": "11",
    "held-year": "2026",
    "attendees": ["csc", "health", "police"],
    "notes": "Good attendance.",
}


def _base(portal: Portal) -> str:
    return f"/coordinator/rounds/{portal.round_id}/moderation"


def _findings(portal: Portal) -> dict[str, Any]:
    with Session(portal.engine) as session:
        found = latest_findings(session=session, round_id=portal.round_id)
    return found.model_dump(mode="json", include={"provisional", "questions", "discrepancies"})


def _agree(portal: Portal, number: int, case_ref: str, value: str, resolution: str) -> Any:
    return post(
        portal,
        f"{_base(portal)}/items/{number}",
        {"case_ref": case_ref, "value": value, "resolution": resolution},
    )


def _moderated_rows(portal: Portal) -> int:
    with Session(portal.engine) as session:
        return len(session.exec(select(ModeratedAnswer)).all())


def test_leads_board_readers_and_strangers_cannot_reach_the_moderation_pages(
    portal: Portal,
) -> None:
    refs = reconciled(portal)
    gets = [_base(portal), f"{_base(portal)}/present/1"]
    for path in gets:
        response = portal.client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/", path
    add_board_reader(portal)
    for email in (LEAD, BOARD):
        portal.sign_in(email)
        for path in gets:
            assert portal.client.get(path).status_code == 404, (email, path)
        assert post(portal, f"{_base(portal)}/meeting", MEETING).status_code == 404
        assert _agree(portal, 1, refs[1], "no", "x").status_code == 404
        assert post(portal, f"{_base(portal)}/confirm").status_code == 404
    assert _moderated_rows(portal) == 0 and events(portal, "round.moderation_recorded") == []


def test_the_meeting_page_sets_each_agencys_answer_and_comment_side_by_side_prefilled(
    portal: Portal,
) -> None:
    refs = reconciled(portal)
    portal.sign_in(COORDINATOR)
    page = portal.client.get(_base(portal))
    assert page.status_code == 200
    text = page.text
    assert "0 of 6 items agreed" in text and "0 of 2 agenda items agreed" in text
    # Agency names and question wording, never codes; health's comment shown, escaped.
    assert QUESTION in text and "info_sharing" not in text
    item = text.split('id="item-1"')[1].split('id="item-2"')[0]
    assert f"Item 1: case {refs[1]}" in item
    for name in ("Csc agency", "Health agency", "Police agency"):
        assert f">{name}</th>" in item
    assert "What areas for development did you find?" in item
    assert not has_script(text) and "&lt;script&gt;" in item
    # Case 2 (yes, no, yes) rolls up by majority to met: the form is prefilled with Yes.
    assert re.search(r'value="yes" checked', item)
    assert "Provisional case answer: the standard is met." in item
    assert 'type="date"' not in text and 'name="held-day"' in text
    assert 'for="attendees-health">Health agency</label>' in text
    assert "Confirm 4 items with no discrepancy" in text


def test_a_round_not_reconciled_has_no_agenda_and_presents_nothing(portal: Portal) -> None:
    portal.sign_in(COORDINATOR)
    page = portal.client.get(_base(portal))
    assert page.status_code == 200
    assert f"jointaudit round reconcile {portal.round_id}" in page.text
    assert portal.client.get(f"{_base(portal)}/present/1").status_code == 404
    assert (
        portal.client.get(f"/coordinator/rounds/{portal.round_id + 1}/moderation").status_code
        == 404
    )


def test_a_meeting_without_a_date_or_agencies_is_refused_and_nothing_changes(
    portal: Portal,
) -> None:
    reconciled(portal)
    portal.sign_in(COORDINATOR)
    response = post(
        portal,
        f"{_base(portal)}/meeting",
        {**MEETING, "held-day": "31", "held-month": "2", "attendees": []},
    )
    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert "The date of the meeting must be a real date" in response.text
    assert "Select the agencies that attended the meeting" in response.text
    assert events(portal, "round.moderation_recorded") == []
    assert _findings(portal)["provisional"] is True


def test_an_agreed_answer_needs_an_answer_and_how_it_was_resolved(portal: Portal) -> None:
    refs = reconciled(portal)
    portal.sign_in(COORDINATOR)
    response = _agree(portal, 1, refs[1], "", "")
    assert response.status_code == 400
    assert "Select the answer the meeting agreed" in response.text
    assert "Enter how the meeting resolved the disagreement" in response.text
    assert 'href="#item-1-value"' in response.text and 'id="item-1-value"' in response.text
    assert _moderated_rows(portal) == 0
    # A form for another case than the item now holds (the agenda changed) saves nothing.
    stale = _agree(portal, 1, refs[3], "no", "Seen")
    assert stale.status_code == 303 and stale.headers["location"].endswith("/moderation")
    assert _moderated_rows(portal) == 0
    assert post(portal, f"{_base(portal)}/items/99", {"case_ref": refs[1]}).status_code == 404


def test_each_agreed_answer_is_audited_with_who_when_and_before_and_after(
    portal: Portal,
) -> None:
    refs = reconciled(portal)
    portal.sign_in(COORDINATOR)
    assert _agree(portal, 1, refs[1], "no", "Police record found").status_code == 303
    assert _agree(portal, 1, refs[1], "partly", "On reflection, late").status_code == 303
    audited = events(portal, "round.answer_moderated")
    who = f"person:{person_id(portal, COORDINATOR)}"
    assert [(e.actor, e.details["before"], e.details["after"]) for e in audited] == [
        (who, None, "no"),
        (who, "no", "partly"),
    ]
    assert all(e.at is not None for e in audited)
    page = portal.client.get(_base(portal)).text
    assert "1 of 6 items agreed" in page and "Agreed: Partly (On reflection, late)." in page


def test_the_pages_change_the_case_level_figures_exactly_as_the_cli_does(
    portal: Portal, run: Run
) -> None:
    refs = reconciled(portal)
    portal.sign_in(COORDINATOR)
    assert post(portal, f"{_base(portal)}/meeting", MEETING).status_code == 303
    assert _agree(portal, 1, refs[1], "no", "Police record found").status_code == 303
    assert _agree(portal, 2, refs[3], "partly", "Shared late").status_code == 303
    assert post(portal, f"{_base(portal)}/confirm").status_code == 303
    assert "6 of 6 items agreed" in portal.client.get(_base(portal)).text
    through_pages = _findings(portal)
    assert through_pages["provisional"] is False
    findings_page = portal.client.get(f"/coordinator/rounds/{portal.round_id}/findings").text
    assert "Case level, all agencies (moderated)" in findings_page
    case_level = {q["id"]: q["case_level"] for q in through_pages["questions"]}
    # Cases: yes, no (agreed), no, partly (agreed), yes, no: 2 of 6 met.
    assert case_level["info_sharing"] == {"met": 2.0, "applicable": 6}
    with Session(portal.engine) as session:
        for table in (ModeratedAnswer, ModerationAttendee, ModerationMeeting):
            session.exec(delete(table))  # type: ignore[call-overload]
        session.commit()
    rid = str(portal.round_id)
    assert run("round", "reconcile", rid)[0] == 0
    assert _findings(portal)["provisional"] is True
    attendees = [a for code in ("csc", "health", "police") for a in ("--attendee", code)]
    moderate = ["round", "moderate", rid, "--held-on", "2026-11-27", *attendees]
    assert run(*moderate, "--notes", "Good attendance.")[0] == 0
    decisions = [(refs[1], "no", "Police record found"), (refs[3], "partly", "Shared late")]
    decisions += [
        (ref, v, CONFIRMED)
        for ref, v in zip(refs, ("yes", "", "no", "", "yes", "no"), strict=True)
        if v
    ]
    for case_ref, value, resolution in decisions:
        code, _out, err = run(
            "round",
            "moderate-answer",
            rid,
            case_ref,
            "info_sharing",
            value,
            "--resolution",
            resolution,
        )
        assert code == 0, err
    assert run("round", "reconcile", rid)[0] == 0
    assert _findings(portal) == through_pages


def test_the_presenting_view_shows_one_case_at_a_time_without_identities_or_comments(
    portal: Portal,
) -> None:
    refs = reconciled(portal)
    portal.sign_in(COORDINATOR)
    first = portal.client.get(f"{_base(portal)}/present/1")
    assert first.status_code == 200
    text = first.text
    assert f"Case {refs[1]}" in text and "Case 1 of 2 on the agenda" in text
    assert QUESTION in text and ">Health agency</th>" in text and ">No</td>" in text
    assert f"{_base(portal)}/present/2" in text and 'rel="prev"' not in text
    for private in ("Child ", "POL-", "CSC-", "2015-04", "areas for development", "joint visits"):
        assert private.lower() not in text.lower(), private
    second = portal.client.get(f"{_base(portal)}/present/2").text
    assert f"Case {refs[3]}" in second and 'rel="prev"' in second and 'rel="next"' not in second
    assert portal.client.get(f"{_base(portal)}/present/3").status_code == 404
    assert portal.client.get(f"{_base(portal)}/present/0").status_code == 404


def test_a_confirmed_answer_with_no_discrepancy_is_changed_on_the_page_with_a_reason(
    portal: Portal,
) -> None:
    refs = reconciled(portal)
    portal.sign_in(COORDINATOR)
    assert "Change the agreed answer" not in portal.client.get(_base(portal)).text
    assert post(portal, f"{_base(portal)}/confirm").status_code == 303
    page = portal.client.get(_base(portal)).text
    assert "moderate-answer" not in page
    found = re.search(rf'id="item-(\d+)">Case {refs[0]}:', page)
    assert found and "Change the agreed answer" in page
    number = int(found.group(1))
    refused = _agree(portal, number, refs[0], "no", "")
    assert refused.status_code == 400
    assert "Enter why the agreed answer was changed" in refused.text
    assert f'href="#item-{number}-resolution"' in refused.text
    assert re.search(r"<details[^>]*\bopen>", refused.text)
    before = _findings(portal)["questions"]
    assert _agree(portal, number, refs[0], "no", "Health's record was wrong").status_code == 303
    changed = [e for e in events(portal, "round.answer_moderated") if e.details["before"] == "yes"]
    assert [(e.details["after"], e.actor) for e in changed] == [
        ("no", f"person:{person_id(portal, COORDINATOR)}")
    ]
    level = {q["id"]: q["case_level"] for q in _findings(portal)["questions"]}
    was = {q["id"]: q["case_level"] for q in before}
    assert level["info_sharing"]["met"] == was["info_sharing"]["met"] - 1
