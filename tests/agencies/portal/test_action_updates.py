from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, col, select

from flows.action_plan.draft import draft_action_plan
from flows.action_plan.manage import edit_action
from flows.rounds.membership import change_lead
from models.action import Action, ActionStatus, ActionUpdate
from models.agency import Agency
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
from tests.builders import NOW
from tests.flows.test_action_plan import approved_plan

SCRIPT_NOTE = "<script>alert('x')</script> Workshop held"


def _plan_for(portal: Portal, owner: str = "police", other: str | None = "csc") -> list[int]:
    """An approved plan owned by `owner`, except the last action, handed to `other`."""
    reconciled(portal)
    with Session(portal.engine) as session:
        ids = [a.id for a in approved_plan(session, portal.round_id, owner=owner)]
        if other:
            edit_action(session=session, action_id=ids[-1], now=NOW, actor="c", owner=other)
        session.commit()
    return ids


def _update(portal: Portal, action_id: int, status: str, note: str) -> object:
    return post(portal, f"/actions/{action_id}", {"status": status, "note": note})


def _updates(portal: Portal, action_id: int) -> list[ActionUpdate]:
    with Session(portal.engine) as session:
        return list(
            session.exec(select(ActionUpdate).where(col(ActionUpdate.action_id) == action_id))
        )


def _status(portal: Portal, action_id: int) -> str:
    with Session(portal.engine) as session:
        action = session.get(Action, action_id)
        assert action is not None
        return action.status


def test_the_task_list_links_to_the_agency_actions(portal: Portal) -> None:
    portal.sign_in("lead@police.example.org")
    assert 'href="/actions"' in portal.client.get("/tasks").text


def test_a_lead_sees_the_approved_actions_their_agency_leads_and_no_others(
    portal: Portal,
) -> None:
    *mine, theirs = _plan_for(portal)
    portal.sign_in("lead@police.example.org")
    page = portal.client.get("/actions")
    assert page.status_code == 200
    for action_id in mine:
        assert f'href="/actions/{action_id}"' in page.text
    assert f'href="/actions/{theirs}"' not in page.text
    assert "Approved" in page.text and "31 March 2027" in page.text


def test_a_deputy_updates_an_action_with_a_dated_note_and_the_update_is_audited(
    portal: Portal,
) -> None:
    action_id = _plan_for(portal)[0]
    portal.sign_in("deputy@police.example.org")
    response = _update(portal, action_id, "at_risk", "The trainer left; new date in May.")
    assert response.status_code == 303
    assert response.headers["location"] == f"/actions/{action_id}?updated=1"
    page = portal.client.get(response.headers["location"]).text
    assert "Your update was saved" in page and "The trainer left; new date in May." in page
    assert "25 November 2026 at 10:00" in page and "Police Deputy" in page
    assert _status(portal, action_id) == ActionStatus.at_risk
    actor = f"person:{person_id(portal, 'deputy@police.example.org')}"
    (update,) = _updates(portal, action_id)
    assert update.by == actor and update.status == ActionStatus.at_risk
    assert [(e.actor, e.entity_id) for e in events(portal, "action.updated")] == [
        (actor, str(action_id))
    ]


def test_an_action_marked_done_shows_no_more_update_form(portal: Portal) -> None:
    action_id = _plan_for(portal)[0]
    portal.sign_in("lead@police.example.org")
    assert _update(portal, action_id, "done", "All staff trained.").status_code == 303
    page = portal.client.get(f"/actions/{action_id}").text
    assert "Done" in page and "Add an update" not in page
    again = _update(portal, action_id, "on_track", "Reopened")
    assert again.status_code == 409 and "govuk-error-summary" in again.text
    assert len(_updates(portal, action_id)) == 1


def test_an_update_without_a_status_or_a_note_shows_errors_and_changes_nothing(
    portal: Portal,
) -> None:
    action_id = _plan_for(portal)[0]
    portal.sign_in("lead@police.example.org")
    response = _update(portal, action_id, "approved", "")
    assert response.status_code == 400
    assert "Select on track, at risk or done" in response.text
    assert "Enter what has happened since the last update" in response.text
    assert _updates(portal, action_id) == [] and _status(portal, action_id) == "approved"


def test_a_note_with_a_script_is_escaped_on_the_action_page(portal: Portal) -> None:
    action_id = _plan_for(portal)[0]
    portal.sign_in("lead@police.example.org")
    _update(portal, action_id, "on_track", SCRIPT_NOTE)
    page = portal.client.get(f"/actions/{action_id}").text
    assert "&lt;script&gt;alert(" in page and not has_script(page)


def test_another_agencys_action_is_not_found_to_read_or_update(portal: Portal) -> None:
    theirs = _plan_for(portal)[-1]
    portal.sign_in("lead@police.example.org")
    assert portal.client.get(f"/actions/{theirs}").status_code == 404
    assert _update(portal, theirs, "done", "Not ours").status_code == 404
    assert portal.client.get("/actions/999999").status_code == 404
    assert _updates(portal, theirs) == [] and _status(portal, theirs) == "approved"


def test_draft_actions_are_not_shown_to_owners_before_the_plan_is_approved(
    portal: Portal,
) -> None:
    reconciled(portal)
    with Session(portal.engine) as session:
        draft_action_plan(session=session, round_id=portal.round_id, now=NOW, actor="c")
        draft_id = session.exec(
            select(Action.id)
            .join(Agency, col(Agency.id) == col(Action.owner_agency_id))
            .where(col(Agency.code) == "health")
        ).first()
        session.commit()
    assert draft_id is not None
    portal.sign_in("lead@health.example.org")
    assert "leads no approved actions" in portal.client.get("/actions").text
    assert portal.client.get(f"/actions/{draft_id}").status_code == 404


def test_a_lead_named_for_one_round_can_update_that_rounds_actions(portal: Portal) -> None:
    with Session(portal.engine) as session:
        change_lead(
            session=session,
            round_id=portal.round_id,
            code="police",
            name="New Lead",
            email="new.lead@police.example.org",
            now=NOW + timedelta(minutes=1),
            actor="c",
        )
        session.commit()
    action_id = _plan_for(portal, other=None)[0]
    portal.sign_in("new.lead@police.example.org")
    assert f'href="/actions/{action_id}"' in portal.client.get("/actions").text
    assert _update(portal, action_id, "on_track", "Started").status_code == 303


def test_coordinators_and_board_readers_without_an_agency_see_no_actions_to_update(
    portal: Portal,
) -> None:
    action_id = _plan_for(portal)[0]
    add_board_reader(portal)
    for email in (COORDINATOR, BOARD):
        portal.sign_in(email)
        assert "leads no approved actions" in portal.client.get("/actions").text
        assert _update(portal, action_id, "done", "x").status_code == 404


def test_an_update_without_the_csrf_token_is_refused(portal: Portal) -> None:
    action_id = _plan_for(portal)[0]
    portal.sign_in("lead@police.example.org")
    response = portal.client.post(
        f"/actions/{action_id}", data={"status": "done", "note": "Finished"}
    )
    assert response.status_code == 403
    assert _updates(portal, action_id) == [] and events(portal, "action.updated") == []
