"""The coordinator's findings page and its CSV: who may see them and what they show."""

from __future__ import annotations

import csv
import html
import io

from sqlmodel import Session

from flows.reconcile.run import moderate_answer, reconcile_round, record_meeting
from models.answers import Concern, ConcernState
from models.questionnaire.catalog import load_tool
from models.questionnaire.scales import PartlyCountsAs
from tests.agencies.portal.conftest import Portal
from tests.agencies.portal.plan_helpers import (
    BOARD,
    COORDINATOR,
    SCRIPT,
    add_board_reader,
    events,
    has_script,
    person_id,
    reconciled,
)
from tests.builders import NOW

LEAD = "lead@police.example.org"
QUESTION = "Was information about the domestic abuse shared between agencies when it was needed?"


def _paths(portal: Portal) -> list[str]:
    base = f"/coordinator/rounds/{portal.round_id}/findings"
    return [base, f"{base}.csv"]


def test_leads_board_readers_and_strangers_cannot_reach_the_findings(portal: Portal) -> None:
    reconciled(portal)
    for path in _paths(portal):
        response = portal.client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/", path
    portal.sign_in(LEAD)
    for path in _paths(portal):
        assert portal.client.get(path).status_code == 404, path
    add_board_reader(portal)
    portal.sign_in(BOARD)
    for path in _paths(portal):
        assert portal.client.get(path).status_code == 404, path
    assert events(portal, "findings.exported") == []


def test_a_round_not_yet_reconciled_says_how_to_reconcile_it(portal: Portal) -> None:
    portal.sign_in(COORDINATOR)
    page = portal.client.get(_paths(portal)[0])
    assert page.status_code == 200
    assert f"jointaudit round reconcile {portal.round_id}" in page.text
    assert portal.client.get(_paths(portal)[1]).status_code == 409
    assert (
        portal.client.get(f"/coordinator/rounds/{portal.round_id + 1}/findings").status_code == 404
    )


def test_the_findings_page_puts_concerns_first_then_compliance_agreement_and_the_agenda(
    portal: Portal,
) -> None:
    refs = reconciled(portal)
    portal.sign_in(COORDINATOR)
    text = portal.client.get(_paths(portal)[0]).text
    order = [
        text.index("Immediate concerns and children not known"),
        text.index("Compliance with each standard"),
        text.index("Agreement between agencies"),
        text.index("Discrepancies for the moderation meeting"),
    ]
    assert order == sorted(order)
    assert "Not known to Police agency" in text and "Provisional" in text
    # Agency names and question wording, never codes (see plan_helpers.ANSWERS).
    assert QUESTION in text and "info_sharing" not in text
    for name, figure in [("Csc agency", "67% (4:6)"), ("Health agency", "50% (3:6)")]:
        assert f">{name}</th>" in text and figure in text
    assert "Case level, all agencies (provisional)" in text
    assert "Landis and Koch&#39;s bands" in text or "Landis and Koch's bands" in text
    assert "Gwet&#39;s AC2" in text or "Gwet's AC2" in text
    assert "Pairs of agencies gave the same answer " in text
    assert "agreement beyond chance was" in text
    # Case 2 (yes, no, yes) is two steps apart; case 4 (yes, yes, partly) a split of one step.
    assert "2 items" in text
    assert text.index(f"Case {refs[1]}: {QUESTION}") < text.index(f"Case {refs[3]}: {QUESTION}")
    assert "Both sides of the standard, 2 steps apart" in text
    assert not has_script(text) and SCRIPT not in text


def test_a_half_point_is_explained_where_partly_counts_half(portal: Portal) -> None:
    reconciled(portal)
    portal.sign_in(COORDINATOR)
    text = portal.client.get(_paths(portal)[0]).text
    compliance = text.split("Compliance with each standard")[1].split("Agreement between")[0]
    sections = {
        part.split("</h3>")[0]: part for part in compliance.split('<h3 class="govuk-heading-s">')
    }
    tool = load_tool("domestic-abuse")
    half = {
        q.text
        for q in tool.questions()
        if getattr(q.standard, "partly_counts_as", None) == PartlyCountsAs.half
    }
    assert half and QUESTION not in half
    note = "A Partly answer counts as half a point here"
    for wording, section in sections.items():
        if wording in half or wording == QUESTION:
            assert (note in section) == (wording in half), wording


def test_the_findings_say_moderated_once_the_meeting_is_recorded(portal: Portal) -> None:
    refs = reconciled(portal)
    with Session(portal.engine) as session:
        moderate_answer(
            session=session,
            round_id=portal.round_id,
            case_ref=refs[1],
            question_id="info_sharing",
            value="yes",
            resolution="record found",
            now=NOW,
            actor="c",
        )
        record_meeting(
            session=session,
            round_id=portal.round_id,
            held_on=NOW.date(),
            attendees=["csc", "health", "police"],
            notes="",
            now=NOW,
            actor="c",
        )
        reconcile_round(session=session, round_id=portal.round_id, now=NOW, actor="c")
        session.commit()
    portal.sign_in(COORDINATOR)
    text = portal.client.get(_paths(portal)[0]).text
    assert "Moderated" in text and "Case level, all agencies (moderated)" in text
    assert "Agreed</strong>" in text and "Not yet</strong>" in text


def test_the_csv_holds_the_pages_figures_and_its_download_is_audited(portal: Portal) -> None:
    refs = reconciled(portal)
    portal.sign_in(COORDINATOR)
    response = portal.client.get(_paths(portal)[1])
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    by_agency = {
        r["agency"]: (r["met"], r["applicable"], r["percent"])
        for r in rows
        if r["question_id"] == "info_sharing" and r["figure"] == "compliance by agency"
    }
    assert by_agency["Csc agency"] == ("4", "6", "67")
    assert by_agency["Health agency"] == ("3", "6", "50")
    gwet = next(r for r in rows if r["figure"] == "agreement" and r["statistic"] == "Gwet's AC2")
    assert gwet["weights"] == "ordinal" and gwet["n"] == "6"
    agenda = [r for r in rows if r["figure"].startswith("agenda")]
    assert [r["figure"] for r in agenda] == ["agenda 1", "agenda 2"]
    assert agenda[0]["detail"].startswith(f"case {refs[1]}: ")
    assert len(events(portal, "findings.exported")) == 1


def test_the_findings_name_each_concern_in_its_recorded_state(portal: Portal) -> None:
    reconciled(portal)
    lead, case = person_id(portal, LEAD), portal.assignments("police")[0]
    with Session(portal.engine) as session:
        session.add_all(
            Concern(round_id=portal.round_id, assignment_id=case, raised_by=lead, state=state)
            for state in ConcernState
        )
        session.commit()
        reconcile_round(session=session, round_id=portal.round_id, now=NOW, actor="c")
        session.commit()
    portal.sign_in(COORDINATOR)
    text = html.unescape(portal.client.get(_paths(portal)[0]).text)
    assert (
        "4 in all: 1 raised, not yet acknowledged; 1 acknowledged, no decision on a referral"
        " yet; 1 referred to children's social care; 1 looked at, no referral needed"
    ) in text


def _reconciliations(portal: Portal) -> int:
    from sqlmodel import func, select

    from models.moderation import Reconciliation

    with Session(portal.engine) as session:
        return session.exec(select(func.count()).select_from(Reconciliation)).one()


def _status(portal: Portal) -> str:
    from models.round import AuditRound

    with Session(portal.engine) as session:
        round_ = session.get(AuditRound, portal.round_id)
        assert round_ is not None
        return str(round_.status)


def test_the_coordinator_closes_collection_and_reconciles_from_the_page_once(
    portal: Portal,
) -> None:
    path = f"/coordinator/rounds/{portal.round_id}/reconcile"
    portal.sign_in(LEAD)
    assert getattr(portal.post(path), "status_code", None) == 404
    portal.sign_in(COORDINATOR)
    refused = portal.client.post(path, data={}, follow_redirects=False)
    assert refused.status_code == 403
    assert _reconciliations(portal) == 0 and _status(portal) == "collecting"
    page = portal.client.get(_paths(portal)[0]).text
    assert "Close collection and reconcile now" in page and "closes collection" in page
    moderation = portal.client.get(f"/coordinator/rounds/{portal.round_id}/moderation").text
    assert "Close collection and reconcile now" in moderation
    done = portal.post(path)
    assert getattr(done, "status_code", None) == 303
    assert getattr(done, "headers", {})["location"] == _paths(portal)[0]
    assert _reconciliations(portal) == 1 and _status(portal) == "reconciling"
    assert [e.actor for e in events(portal, "round.reconciled")] == [
        f"person:{person_id(portal, COORDINATOR)}"
    ]
    assert getattr(portal.post(path), "status_code", None) == 303  # a second press
    assert _reconciliations(portal) == 1 and len(events(portal, "round.reconciled")) == 1
    text = portal.client.get(_paths(portal)[0]).text
    assert "Provisional" in text and "Close collection and reconcile now" not in text
