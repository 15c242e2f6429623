"""The lead's task list, and the progress wording it shares with the coordinator's pages."""

from __future__ import annotations

import re
from typing import Any

from sqlmodel import Session

from flows.rounds.views import progress_of
from models.round import AuditRound, RoundStatus
from models.settings import Settings
from tests.agencies.portal.conftest import Portal, complete_answers
from tests.agencies.portal.plan_helpers import COORDINATOR, reconciled
from tests.builders import launched

LEAD = "lead@police.example.org"


def _post(portal: Portal, path: str, data: dict[str, Any]) -> Any:
    return portal.post(path, data)


def _second_round(portal: Portal, settings: Settings) -> int:
    """A newer round for the same agencies, launched after the fixture's."""
    with Session(portal.engine) as session:
        return launched(
            session=session,
            settings=settings,
            key="second",
            seed=7,
            title="Neglect joint audit",
            sample_size=2,
        )


def test_progress_counts_submitted_and_not_known_apart() -> None:
    progress = progress_of(["submitted"] * 4 + ["not_known", "in_progress", "withdrawn"])
    assert (progress.total, progress.answered) == (6, 5)
    assert progress.text == "5 of 6 answered: 4 submitted, 1 not known"
    assert progress_of(["not_started"] * 3).text == "0 of 3 answered"


def test_the_lead_and_the_coordinator_see_the_same_progress(portal: Portal) -> None:
    portal.sign_in(LEAD)
    cases = portal.assignments("police")
    _post(portal, f"/cases/{cases[0]}", {"action": "submit", **complete_answers(portal, "police")})
    _post(portal, f"/cases/{cases[1]}", {"action": "submit", "q__known_to_agency": "no"})
    assert "2 of 6 answered: 1 submitted, 1 not known" in portal.client.get("/tasks").text
    portal.client.post("/sign-out", data={"csrf_token": portal.csrf("/tasks")})
    portal.sign_in(COORDINATOR)
    page = portal.client.get(f"/coordinator/rounds/{portal.round_id}").text
    assert "2 of 18 answered: 1 submitted, 1 not known" in page


def test_the_task_list_shows_case_numbers_and_references_but_no_identities(
    portal: Portal,
) -> None:
    portal.sign_in(LEAD)
    page = portal.client.get("/tasks").text
    assert page.count("Your reference: POL-") == 6
    assert "Child " not in page and "Date of birth" not in page and "NHS number" not in page
    case_page = portal.client.get(f"/cases/{portal.assignments('police')[0]}").text
    assert "Child " in case_page and "Date of birth" in case_page


def test_the_newest_round_comes_first_and_completed_rounds_are_collapsed(
    portal: Portal, settings: Settings
) -> None:
    newer = _second_round(portal, settings)
    portal.sign_in(LEAD)
    page = portal.client.get("/tasks").text
    assert page.index("Neglect joint audit") < page.index("Domestic abuse joint audit")
    assert "<details" not in page and page.count('<section class="govuk-!-margin-bottom-8"') == 2
    with Session(portal.engine) as session:
        old = session.get(AuditRound, portal.round_id)
        assert old is not None
        old.status = RoundStatus.reconciling
        session.add(old)
        session.commit()
    page = portal.client.get("/tasks").text
    details = page[page.index("<details") : page.index("</details>")]
    assert "Domestic abuse joint audit" in details and "Collection has closed." in details
    assert "Neglect joint audit" not in details
    assert page.index("Neglect joint audit") < page.index("Completed rounds")
    assert 'href="/cases/' in details and newer > portal.round_id


def test_the_board_report_link_appears_once_the_round_is_reconciled(portal: Portal) -> None:
    portal.sign_in(COORDINATOR)
    path = f"/coordinator/rounds/{portal.round_id}"
    link = f'href="/reports/{portal.round_id}"'
    assert link not in portal.client.get(path).text
    reconciled(portal)
    page = portal.client.get(path).text
    assert link in page and portal.client.get(f"/reports/{portal.round_id}").status_code == 200
    assert re.search(r"\d+ of 18 answered", page)
