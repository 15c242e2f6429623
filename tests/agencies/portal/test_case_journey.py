"""The lead's questionnaire: sections, per-question errors, the saved banner, not known."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from agencies.app import create_app
from models.answers import Answer
from models.round import Assignment
from models.settings import Settings
from tests.agencies.portal.conftest import Portal, complete_answers

INFO_SHARING = (
    "Select whether information about the domestic abuse was shared between agencies"
    " when it was needed"
)


def _post(portal: Portal, path: str, data: dict[str, Any]) -> Any:
    return portal.post(path, data)


def test_the_questionnaire_shows_the_tools_section_titles_and_descriptions(
    portal: Portal,
) -> None:
    portal.sign_in("lead@police.example.org")
    page = portal.client.get(f"/cases/{portal.assignments('police')[0]}").text
    assert '<h2 class="govuk-heading-m">About this child</h2>' in page
    assert '<h2 class="govuk-heading-m">Plans</h2>' in page
    assert "Answer Not applicable to a question when the child had no plan" in page
    assert page.index("About this child") < page.index("Plans") < page.index("plan_clear")


def test_each_missing_answer_is_named_in_the_summary_and_beside_its_field(
    portal: Portal,
) -> None:
    portal.sign_in("lead@police.example.org")
    case = portal.assignments("police")[0]
    answers = complete_answers(portal, "police")
    del answers["q__info_sharing"], answers["q__plan_clear"]
    response = _post(portal, f"/cases/{case}", {"action": "submit", **answers})
    assert response.status_code == 400
    page = response.text
    assert f'<a href="#q__info_sharing">{INFO_SHARING}</a>' in page
    assert (
        '<p id="q__info_sharing-error" class="govuk-error-message">'
        f'<span class="govuk-visually-hidden">Error:</span> {INFO_SHARING}</p>'
    ) in page
    summary = re.findall(r'<li><a href="#([^"]+)">([^<]+)</a></li>', page)
    assert [target for target, _ in summary] == ["q__info_sharing", "q__plan_clear"]
    assert len({message for _, message in summary}) == 2 and "Select an answer" not in page


def test_the_api_and_the_page_give_the_same_words_for_a_missing_answer(
    portal: Portal,
) -> None:
    from flows.answers.check import missing_message
    from models.questionnaire.catalog import load_tool

    question = next(q for q in load_tool("domestic-abuse").questions() if q.id == "info_sharing")
    assert missing_message(question) == INFO_SHARING  # the API's 422: tests/agencies/api


def test_saving_a_draft_shows_when_it_was_saved(portal: Portal) -> None:
    portal.sign_in("lead@police.example.org")
    case = portal.assignments("police")[0]
    response = _post(portal, f"/cases/{case}", {"action": "save", "q__known_to_agency": "yes"})
    assert response.headers["location"] == f"/cases/{case}?saved=1"
    page = portal.client.get(response.headers["location"]).text
    assert 'class="govuk-notification-banner govuk-notification-banner--success"' in page
    assert "Draft saved at 10:00" in page and "Saved on 25 November 2026" in page
    assert "govuk-notification-banner" not in portal.client.get(f"/cases/{case}").text


def test_the_saved_time_is_in_the_partnerships_time_zone(
    portal: Portal, settings: Settings
) -> None:
    summer = datetime(2026, 7, 1, 9, 42, tzinfo=UTC)  # 10:42 British Summer Time
    app = create_app(settings, engine=portal.engine, clock=lambda: summer)
    with TestClient(app, base_url="http://testserver") as client:
        at_summer = Portal(client=client, engine=portal.engine, round_id=portal.round_id)
        at_summer.sign_in("lead@police.example.org")
        case = at_summer.assignments("police")[0]
        _post(at_summer, f"/cases/{case}", {"action": "save", "q__known_to_agency": "yes"})
        page = client.get(f"/cases/{case}?saved=1").text
    assert "Draft saved at 10:42" in page and "Saved on 1 July 2026" in page


def test_not_known_hides_the_other_questions_in_the_browser_and_the_server_ignores_them(
    portal: Portal,
) -> None:
    portal.sign_in("lead@police.example.org")
    case = portal.assignments("police")[0]
    page = portal.client.get(f"/cases/{case}").text
    known, rest = page.index('name="q__known_to_agency"'), page.index('id="questions-after-known"')
    assert known < rest < page.index('name="q__info_sharing"')
    assert '<div id="not-known-note" class="govuk-inset-text" hidden>' in page
    assert re.search(r'<script nonce="[^"]+">\s*\(function \(\) \{\s*var rest', page)
    answers = {**complete_answers(portal, "police"), "q__known_to_agency": "no"}
    answers["q__child_safer"] = "eleven"  # ignored, not an error
    response = _post(portal, f"/cases/{case}", {"action": "submit", **answers})
    assert response.status_code == 303
    with Session(portal.engine) as session:
        assert [a.question_id for a in session.exec(select(Answer))] == ["known_to_agency"]
        assert session.get(Assignment, case).status == "not_known"  # type: ignore[union-attr]


def test_a_submission_links_to_the_next_unanswered_case(portal: Portal) -> None:
    portal.sign_in("lead@police.example.org")
    cases = portal.assignments("police")
    answers = complete_answers(portal, "police")
    _post(portal, f"/cases/{cases[1]}", {"action": "submit", **answers})
    response = _post(portal, f"/cases/{cases[0]}", {"action": "submit", **answers})
    page = portal.client.get(response.headers["location"]).text
    assert "submitted" in page and f'href="/cases/{cases[2]}">Next case: Case ' in page
    for case in cases[2:]:
        _post(portal, f"/cases/{case}", {"action": "submit", "q__known_to_agency": "no"})
    page = portal.client.get(f"/cases/{cases[-1]}?submitted=1").text
    assert "recorded as not known to your agency" in page
    assert "Next case" not in page and "Every case in this round is answered" in page
