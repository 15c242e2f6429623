from __future__ import annotations

from datetime import date

from sqlmodel import Session

from flows.action_plan.manage import list_actions, update_action
from models.action import Action, ActionStatus
from models.round import AuditRound, RoundStatus
from tests.agencies.portal.conftest import Portal
from tests.agencies.portal.plan_helpers import (
    BOARD,
    COORDINATOR,
    SCRIPT,
    add_board_reader,
    events,
    has_script,
    person_id,
    post,
    reconciled,
)
from tests.builders import NOW
from tests.flows.test_action_plan import approved_plan


def _plan(portal: Portal) -> str:
    return f"/coordinator/rounds/{portal.round_id}/plan"


def _actions(portal: Portal) -> list[Action]:
    with Session(portal.engine) as session:
        views = list_actions(session=session, round_id=portal.round_id)
        return [a for a in (session.get(Action, v.id) for v in views) if a is not None]


def _complete(portal: Portal, action_id: int, owner: str = "police") -> object:
    return post(
        portal,
        f"{_plan(portal)}/actions/{action_id}",
        {
            "what": "Joint visits",
            "how": "Workshop for leads",
            "owner": owner,
            "due-day": "31",
            "due-month": "3",
            "due-year": "2027",
            "success_measure": "Q3 at least 80% at re-audit",
        },
    )


def test_the_coordinator_drafts_the_plan_from_the_findings_and_the_drafting_is_audited(
    portal: Portal,
) -> None:
    reconciled(portal)
    portal.sign_in(COORDINATOR)
    empty = portal.client.get(_plan(portal))
    assert empty.status_code == 200 and "Draft the plan from the findings" in empty.text
    response = post(portal, f"{_plan(portal)}/draft")
    assert response.status_code == 303
    assert response.headers["location"] == f"{_plan(portal)}?done=drafted"
    page = portal.client.get(response.headers["location"])
    actions = _actions(portal)
    assert actions and all(f"Action {a.id}" in page.text for a in actions)
    assert "Candidate actions were drafted" in page.text
    drafted = events(portal, "action_plan.drafted")
    assert [e.actor for e in drafted] == [f"person:{person_id(portal, COORDINATOR)}"]


def test_the_plan_and_action_pages_keep_the_coordinators_rounds_navigation(
    portal: Portal,
) -> None:
    reconciled(portal)
    portal.sign_in(COORDINATOR)
    post(portal, f"{_plan(portal)}/draft")
    first = _actions(portal)[0]
    for path in (_plan(portal), f"{_plan(portal)}/actions/{first.id}"):
        page = portal.client.get(path)
        assert page.status_code == 200, path
        assert 'href="/coordinator/rounds"' in page.text, path
        assert 'href="/coordinator/tools"' in page.text, path


def test_an_agency_text_with_a_script_is_escaped_on_the_plan_and_edit_pages(
    portal: Portal,
) -> None:
    reconciled(portal)
    portal.sign_in(COORDINATOR)
    post(portal, f"{_plan(portal)}/draft")
    quoted = next(a for a in _actions(portal) if a.source_quote == SCRIPT)
    post(portal, f"{_plan(portal)}/actions", {"what": SCRIPT})
    for path in (_plan(portal), f"{_plan(portal)}/actions/{quoted.id}"):
        page = portal.client.get(path).text
        assert "&lt;script&gt;alert(" in page and not has_script(page), path


def test_drafting_before_the_round_is_reconciled_shows_an_error_summary_not_a_server_error(
    portal: Portal,
) -> None:
    portal.sign_in(COORDINATOR)
    response = post(portal, f"{_plan(portal)}/draft")
    assert response.status_code == 409
    assert "govuk-error-summary" in response.text and "has not been reconciled yet" in response.text
    assert _actions(portal) == []


def test_approval_is_refused_while_an_action_lacks_an_owner_date_or_measure_naming_each(
    portal: Portal,
) -> None:
    reconciled(portal)
    portal.sign_in(COORDINATOR)
    post(portal, f"{_plan(portal)}/draft")
    first, *others = _actions(portal)
    assert _complete(portal, first.id or 0).status_code == 303
    refused = post(portal, f"{_plan(portal)}/approve")
    assert refused.status_code == 400 and "govuk-error-summary" in refused.text
    for action in others:
        assert f'href="#action-{action.id}">Action {action.id} (' in refused.text
    assert f'href="#action-{first.id}"' not in refused.text
    assert "lacks how, by when, success measure" in refused.text.replace("&#39;", "'")
    assert all(a.status == ActionStatus.draft for a in _actions(portal))
    assert events(portal, "action_plan.approved") == []


def test_the_coordinator_edits_adds_merges_and_approves_and_every_change_is_audited(
    portal: Portal,
) -> None:
    reconciled(portal)
    portal.sign_in(COORDINATOR)
    actor = f"person:{person_id(portal, COORDINATOR)}"
    post(portal, f"{_plan(portal)}/draft")
    added = post(portal, f"{_plan(portal)}/actions", {"what": "Train front-door staff"})
    assert added.status_code == 303
    new_id = int(added.headers["location"].rsplit("/", 1)[1])
    assert "Train front-door staff" in portal.client.get(added.headers["location"]).text
    keep, folded, *rest = [a for a in _actions(portal) if a.id != new_id]
    merged = post(
        portal, f"{_plan(portal)}/merge", {"keep_id": str(keep.id), "merge_ids": [str(folded.id)]}
    )
    assert merged.status_code == 303
    for action in [keep, *rest]:
        assert _complete(portal, action.id or 0).status_code == 303
    assert _complete(portal, new_id, owner="csc").status_code == 303
    approved = post(portal, f"{_plan(portal)}/approve")
    assert approved.status_code == 303
    assert "The plan was approved" in portal.client.get(approved.headers["location"]).text
    actions = _actions(portal)
    assert {a.status for a in actions} == {ActionStatus.approved}
    assert folded.id not in {a.id for a in actions}
    new = next(a for a in actions if a.id == new_id)
    assert new.due_date == date(2027, 3, 31) and new.how == "Workshop for leads"
    for name in (
        "action.added",
        "action.merged",
        "action.edited",
        "action_plan.approved",
    ):
        found = events(portal, name)
        assert found and {e.actor for e in found} == {actor}, name
    with Session(portal.engine) as session:
        round_ = session.get(AuditRound, portal.round_id)
        assert round_ is not None and round_.status == RoundStatus.planning


def test_an_edit_with_an_impossible_date_or_no_what_shows_errors_and_changes_nothing(
    portal: Portal,
) -> None:
    reconciled(portal)
    portal.sign_in(COORDINATOR)
    post(portal, f"{_plan(portal)}/draft")
    action = _actions(portal)[0]
    response = post(
        portal,
        f"{_plan(portal)}/actions/{action.id}",
        {"what": "", "due-day": "31", "due-month": "2", "due-year": "2027", "owner": "nobody"},
    )
    assert response.status_code == 400
    for message in (
        "Enter what the action is",
        "The date by when must be a real date",
        "Select the agency that will lead the action",
    ):
        assert message in response.text
    assert 'href="#due-day"' in response.text and 'value="31"' in response.text
    assert _actions(portal)[0].what == action.what
    assert events(portal, "action.edited") == []


def test_an_emptied_date_or_lead_agency_is_emptied_and_approval_then_names_what_is_missing(
    portal: Portal,
) -> None:
    reconciled(portal)
    portal.sign_in(COORDINATOR)
    post(portal, f"{_plan(portal)}/draft")
    for action in _actions(portal):
        _complete(portal, action.id or 0)
    first = _actions(portal)[0]
    assert first.owner_agency_id is not None and first.due_date == date(2027, 3, 31)
    emptied = post(
        portal,
        f"{_plan(portal)}/actions/{first.id}",
        {"what": first.what, "how": "Workshop", "owner": "", "success_measure": "80%"},
    )
    assert emptied.status_code == 303
    after = next(a for a in _actions(portal) if a.id == first.id)
    assert after.owner_agency_id is None and after.due_date is None and after.how == "Workshop"
    refused = post(portal, f"{_plan(portal)}/approve")
    assert refused.status_code == 400
    assert f'href="#action-{first.id}"' in refused.text
    assert "lacks owner, by when" in refused.text.replace("&#39;", "'")


def test_merging_without_choosing_shows_an_error_summary(portal: Portal) -> None:
    reconciled(portal)
    portal.sign_in(COORDINATOR)
    post(portal, f"{_plan(portal)}/draft")
    response = post(portal, f"{_plan(portal)}/merge", {})
    assert response.status_code == 400
    assert "Select the action to keep" in response.text
    assert "Select the actions to merge" in response.text


def test_an_action_of_another_round_or_a_missing_round_is_not_found(portal: Portal) -> None:
    reconciled(portal)
    portal.sign_in(COORDINATOR)
    post(portal, f"{_plan(portal)}/draft")
    action = _actions(portal)[0]
    other = portal.round_id + 1
    assert portal.client.get(f"/coordinator/rounds/{other}/plan").status_code == 404
    assert (
        portal.client.get(f"/coordinator/rounds/{other}/plan/actions/{action.id}").status_code
        == 404
    )
    assert portal.client.get(f"{_plan(portal)}/actions/999999").status_code == 404


def test_a_lead_or_a_board_reader_cannot_open_or_change_the_plan(portal: Portal) -> None:
    reconciled(portal)
    add_board_reader(portal)
    for email in ("lead@police.example.org", BOARD):
        portal.sign_in(email)
        assert portal.client.get(_plan(portal)).status_code == 404, email
        for path in ("draft", "approve", "merge", "actions"):
            assert post(portal, f"{_plan(portal)}/{path}", {"what": "x"}).status_code == 404
    assert _actions(portal) == []
    portal.client.post("/sign-out", data={"csrf_token": portal.csrf("/tasks")})
    assert portal.client.get(_plan(portal), follow_redirects=False).status_code == 303


def test_plan_changes_without_the_csrf_token_are_refused(portal: Portal) -> None:
    reconciled(portal)
    portal.sign_in(COORDINATOR)
    for path in ("draft", "approve", "merge", "actions"):
        response = portal.client.post(f"{_plan(portal)}/{path}", data={"what": "x"})
        assert response.status_code == 403, path
    assert _actions(portal) == []
    assert events(portal, "action_plan.drafted") == []


def test_editing_an_action_that_is_done_shows_the_refusal_in_an_error_summary(
    portal: Portal,
) -> None:
    reconciled(portal)
    with Session(portal.engine) as session:
        action_id = approved_plan(session, portal.round_id, owner="police")[0].id
        update_action(
            session=session,
            action_id=action_id,
            status=ActionStatus.done,
            note="Finished",
            now=NOW,
            actor="c",
        )
        session.commit()
    portal.sign_in(COORDINATOR)
    assert (
        "Change<" not in portal.client.get(_plan(portal)).text.split(f"Action {action_id}")[1][:400]
    )
    response = _complete(portal, action_id)
    assert response.status_code == 409
    assert 'href="#action-form"' in response.text and "can no longer change" in response.text
    assert {e.actor for e in events(portal, "action.edited")} == {"c"}
