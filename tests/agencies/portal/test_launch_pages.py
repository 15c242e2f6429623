"""Launching and re-auditing rounds from the browser, named cases, and what chasing will send."""

from __future__ import annotations

import json
import re
from typing import Any

from sqlmodel import Session, col, select

from models.case import Case
from models.round import AuditRound, RoundCase
from tests.agencies.portal.conftest import Portal
from tests.agencies.portal.plan_helpers import BOARD, add_board_reader
from tests.cli import Run

COORDINATOR = "casey@testshire.example.org"
LEAD = "lead@police.example.org"


def _gets(round_id: int) -> list[str]:
    return [
        "/coordinator/rounds/new",
        "/coordinator/rounds/new/named",
        "/coordinator/tools/domestic-abuse",
        f"/coordinator/rounds/{round_id}/reaudit",
        f"/coordinator/rounds/{round_id}/calendar.ics",
    ]


def _posts(round_id: int) -> list[str]:
    return [
        "/coordinator/rounds/new",
        "/coordinator/rounds/new/launch",
        f"/coordinator/rounds/{round_id}/reaudit",
        f"/coordinator/rounds/{round_id}/reaudit/launch",
    ]


def _form(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "mode": "criteria",
        "seed": "2026",
        "key": "portal:test-launch",
        "title": "Domestic abuse, January",
        "tool": "domestic-abuse",
        "agencies": ["police", "csc", "health"],
        "flags": ["domestic_abuse"],
        "sample_size": "4",
        "balance": "quotas",
        "quota_by": "category",
        "quota-category-CP": "1",
        "quota-category-CIN": "2",
        "quota-category-EH": "1",
        "due-day": "15",
        "due-month": "1",
        "due-year": "2027",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _rounds(portal: Portal) -> list[AuditRound]:
    with Session(portal.engine) as session:
        return list(session.exec(select(AuditRound).order_by(col(AuditRound.id))))


def _refs_on(page: str) -> list[str]:
    listed = page.split('id="cases">', 1)[1].split("</ul>", 1)[0]
    return [line.strip()[4:-5] for line in listed.splitlines() if line.strip().startswith("<li>")]


def test_a_coordinator_opens_every_launch_page(portal: Portal) -> None:
    portal.sign_in(COORDINATOR)
    for path in _gets(portal.round_id):
        response = portal.client.get(path)
        assert response.status_code == 200, path
    form = portal.client.get("/coordinator/rounds/new").text
    assert "Police" in form and 'value="police"' in form and "Version " in form
    assert "Domestic abuse (8 cases)" in form and "Child protection (CP, 2 cases)" in form
    assert 'href="/coordinator/tools/domestic-abuse"' in form


def test_leads_and_board_readers_get_not_found_and_nothing_is_launched(portal: Portal) -> None:
    add_board_reader(portal)
    for email in (LEAD, BOARD):
        portal.sign_in(email)
        for path in _gets(portal.round_id):
            assert portal.client.get(path).status_code == 404, (email, path)
        for path in _posts(portal.round_id):
            assert portal.post(path, _form()).status_code == 404, (email, path)  # type: ignore[attr-defined]
    assert len(_rounds(portal)) == 1


def test_signed_out_people_are_sent_to_sign_in(portal: Portal) -> None:
    for path in _gets(portal.round_id):
        response = portal.client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/", path
    csrf = portal.csrf("/")
    for path in _posts(portal.round_id):
        response = portal.client.post(path, data={"csrf_token": csrf}, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/", path


def test_the_pages_dry_run_and_launch_pick_the_clis_cases_for_the_same_seed(
    portal: Portal, run: Run
) -> None:
    code, out, err = run(
        "round", "launch", "--tool", "domestic-abuse", "--agencies", "police,csc,health",
        "--sample", "4", "--where", "flag=domestic_abuse", "--quota", "category=CP:1,CIN:2,EH:1",
        "--due", "2027-01-15", "--seed", "2026", "--dry-run", "--json",
    )  # fmt: skip
    assert code == 0, err
    cli = json.loads(out)
    portal.sign_in(COORDINATOR)
    check = portal.post("/coordinator/rounds/new", _form())
    assert check.status_code == 200, check.text  # type: ignore[attr-defined]
    page = check.text  # type: ignore[attr-defined]
    assert _refs_on(page) == cli["case_refs"]
    assert "2026" in page and "Cases left" in page and len(_rounds(portal)) == 1
    for stratum in cli["selection"]["strata"]:
        assert f">{stratum['stratum']}</th>" in page
    launched = portal.post("/coordinator/rounds/new/launch", _form())
    assert launched.status_code == 303  # type: ignore[attr-defined]
    new_id = int(launched.headers["location"].split("/")[-1].split("?")[0])  # type: ignore[attr-defined]
    with Session(portal.engine) as session:
        round_ = session.get(AuditRound, new_id)
        assert round_ is not None and round_.seed == 2026
        assert round_.selection["strata"] == cli["selection"]["strata"]
    shown = portal.client.get(launched.headers["location"]).text  # type: ignore[attr-defined]
    assert "Round launched" in shown and all(ref in shown for ref in cli["case_refs"])
    with Session(portal.engine) as session:
        launched_refs = session.exec(
            select(Case.case_ref)
            .join(RoundCase, col(RoundCase.case_id) == col(Case.id))
            .where(col(RoundCase.round_id) == new_id)
            .order_by(col(Case.case_ref))
        ).all()
    assert list(launched_refs) == cli["case_refs"]


def test_reminder_overrides_entered_at_launch_move_what_chasing_will_send(portal: Portal) -> None:
    portal.sign_in(COORDINATOR)
    form = _form(reminder_days_before_due="1", escalate_after_days_overdue="2")
    launched = portal.post("/coordinator/rounds/new/launch", form)
    page = portal.client.get(launched.headers["location"]).text  # type: ignore[attr-defined]
    chasing = page.split('id="chasing"', 1)[1].split('id="grid"', 1)[0]
    # Due Friday 15 January 2027: reminder Thursday 14th, escalation Tuesday 19th.
    assert "Thursday 14 January 2027" in chasing and "Tuesday 19 January 2027" in chasing
    assert _rounds(portal)[-1].parameters["chase"]["reminder_days_before_due"] == 1
    bad = portal.post("/coordinator/rounds/new", _form(reconcile_grace_days="1"))
    assert bad.status_code == 400 and 'href="#reconcile_grace_days"' in bad.text  # type: ignore[attr-defined]


def test_a_double_press_of_launch_launches_once(portal: Portal) -> None:
    portal.sign_in(COORDINATOR)
    first = portal.post("/coordinator/rounds/new/launch", _form())
    second = portal.post("/coordinator/rounds/new/launch", _form())
    assert first.headers["location"] == second.headers["location"]  # type: ignore[attr-defined]
    assert len(_rounds(portal)) == 2


def test_a_bank_holiday_due_date_names_the_next_working_day_and_writes_nothing(
    portal: Portal,
) -> None:
    portal.sign_in(COORDINATOR)
    response = portal.post(
        "/coordinator/rounds/new", _form(**{"due-day": "25", "due-month": "12", "due-year": "2026"})
    )
    assert response.status_code == 400  # type: ignore[attr-defined]
    text = response.text  # type: ignore[attr-defined]
    assert "There is a problem" in text and 'href="#due-day"' in text
    assert "Christmas Day" in text and "the next working day is Tuesday 29 December 2026" in text
    missing = portal.post("/coordinator/rounds/new", _form(title="", agencies=None))
    assert 'href="#title"' in missing.text and 'href="#agencies"' in missing.text  # type: ignore[attr-defined]
    assert len(_rounds(portal)) == 1


def test_quotas_that_do_not_add_up_are_shown_in_the_registers_table(portal: Portal) -> None:
    portal.sign_in(COORDINATOR)
    shown = portal.post("/coordinator/rounds/new", _form(action="show"))
    assert "Active cases in the register" in shown.text and 'id="quota-category-CIN"' in shown.text  # type: ignore[attr-defined]
    wrong = portal.post("/coordinator/rounds/new", _form(**{"quota-category-EH": "3"}))
    assert wrong.status_code == 400 and "add up to 6 but the sample size is 4" in wrong.text  # type: ignore[attr-defined]


def test_too_few_eligible_cases_says_how_many_and_offers_launching_with_fewer(
    portal: Portal,
) -> None:
    portal.sign_in(COORDINATOR)
    form = _form(**{"sample_size": "6", "quota-category-CP": "3", "quota-category-CIN": "2"})
    short = portal.post("/coordinator/rounds/new", form)
    assert short.status_code == 400  # type: ignore[attr-defined]
    assert "CP: 2 eligible, 3 wanted" in short.text and "with fewer cases" in short.text  # type: ignore[attr-defined]
    fewer = portal.post("/coordinator/rounds/new", {**form, "allow_fewer": "yes"})
    assert fewer.status_code == 200 and len(_refs_on(fewer.text)) == 5  # type: ignore[attr-defined]
    assert len(_rounds(portal)) == 1


def _deactivate(portal: Portal, ref: str) -> None:
    with Session(portal.engine) as session:
        case = session.exec(select(Case).where(col(Case.case_ref) == ref)).one()
        case.active = False
        session.add(case)
        session.commit()


def test_named_cases_locate_each_unknown_or_inactive_reference_by_line(portal: Portal) -> None:
    _deactivate(portal, "C-0003")
    portal.sign_in(COORDINATOR)
    named = _form(mode="named", case_list="C-0001\n\nC-9999\nC-0003\nC-0001")
    response = portal.post("/coordinator/rounds/new", named)
    assert response.status_code == 400  # type: ignore[attr-defined]
    text = response.text  # type: ignore[attr-defined]
    assert "Line 3 of the list of cases: no case with this reference" in text
    assert "Line 4 of the list of cases: this case is inactive" in text
    assert "Line 5 of the list of cases: repeats the case on line 1" in text
    assert "C-9999" not in text.split("<textarea", 1)[0]
    assert len(_rounds(portal)) == 1


def test_a_named_cases_round_defaults_to_five_working_days_and_is_marked(portal: Portal) -> None:
    portal.sign_in(COORDINATOR)
    form = portal.client.get("/coordinator/rounds/new/named").text
    assert 'name="due-day" type="text" inputmode="numeric" value="2"' in form  # 25 Nov + 5
    named = _form(
        mode="named",
        case_list="C-0002\nC-0005",
        **{"due-day": "2", "due-month": "12", "due-year": "2026"},
    )
    check = portal.post("/coordinator/rounds/new", named)
    assert check.status_code == 200 and _refs_on(check.text) == ["C-0002", "C-0005"]  # type: ignore[attr-defined]
    hidden = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', check.text)  # type: ignore[attr-defined]
    carried: dict[str, Any] = {}
    for name, value in hidden:
        carried.setdefault(name, []).append(value)
    assert carried["case_list"] == ["C-0002", "C-0005"]
    change = portal.post("/coordinator/rounds/new", {**carried, "action": "show"})
    assert ">C-0002\nC-0005</textarea>" in change.text  # type: ignore[attr-defined]
    launched = portal.post("/coordinator/rounds/new/launch", carried)
    page = portal.client.get(launched.headers["location"]).text  # type: ignore[attr-defined]
    assert "Named cases (inspection)" in page
    round_ = _rounds(portal)[-1]
    assert round_.parameters["named_cases"] is True and round_.parameters["sample_size"] == 2
    findings = portal.client.get(f"/coordinator/rounds/{round_.id}/findings").text
    assert "Named cases (inspection): the cases were named, not chosen at random" in findings


def test_a_reaudit_shows_what_it_repeats_then_launches_linked_to_its_baseline(
    portal: Portal,
) -> None:
    portal.sign_in(COORDINATOR)
    base = f"/coordinator/rounds/{portal.round_id}"
    assert f'href="{base}/reaudit"' in portal.client.get(base).text
    form = {"seed": "7", "key": "portal:reaudit", "same_cases": "yes", "same_tool_version": "yes",
            "due-day": "15", "due-month": "1", "due-year": "2027"}  # fmt: skip
    holiday = portal.post(f"{base}/reaudit", {**form, "due-day": "1"})
    assert holiday.status_code == 400 and "New Year" in holiday.text  # type: ignore[attr-defined]
    check = portal.post(f"{base}/reaudit", form)
    assert check.status_code == 200  # type: ignore[attr-defined]
    assert f"The same cases as round {portal.round_id}" in check.text  # type: ignore[attr-defined]
    assert "(the baseline's version)" in check.text and len(_rounds(portal)) == 1  # type: ignore[attr-defined]
    baseline_refs = _refs_on(check.text)  # type: ignore[attr-defined]
    for _ in range(2):
        launched = portal.post(f"{base}/reaudit/launch", form)
        assert launched.status_code == 303  # type: ignore[attr-defined]
    rounds = _rounds(portal)
    assert len(rounds) == 2 and rounds[1].baseline_round_id == portal.round_id
    assert len(baseline_refs) == 6


def test_the_round_page_shows_what_chasing_will_send_and_the_calendar(portal: Portal) -> None:
    portal.sign_in(COORDINATOR)
    page = portal.client.get(f"/coordinator/rounds/{portal.round_id}").text
    chasing = page.split('id="chasing"', 1)[1].split('id="grid"', 1)[0]
    # Due Wednesday 16 December: reminder 3 working days before, overdue the day after,
    # escalation 5 working days after (the settings' defaults).
    assert "Friday 11 December 2026" in chasing and "Thursday 17 December 2026" in chasing
    assert "Wednesday 23 December 2026" in chasing
    assert "Police Lead (lead@police.example.org)" in chasing
    police = chasing.split("Police agency", 1)[1]
    escalation = police.split("Escalation", 1)[1].split("</tr>", 1)[0]
    assert "Police Manager (manager@police.example.org)" in escalation and "Casey" in escalation
    ics = portal.client.get(f"/coordinator/rounds/{portal.round_id}/calendar.ics")
    assert ics.headers["content-type"].startswith("text/calendar")
    assert "DTSTART;VALUE=DATE:20261216" in ics.text and ics.text.endswith("END:VCALENDAR\r\n")


def test_a_named_cases_round_is_re_audited_with_its_very_cases(portal: Portal) -> None:
    portal.sign_in(COORDINATOR)
    named = _form(mode="named", case_list="C-0002\nC-0005", key="portal:named")
    launched = portal.post("/coordinator/rounds/new/launch", named)
    base = launched.headers["location"].split("?")[0]  # type: ignore[attr-defined]
    form = portal.client.get(f"{base}/reaudit").text
    assert "This round audited named cases" in form
    dates = {"due-day": "15", "due-month": "1", "due-year": "2027", "same_cases": "no"}
    check = portal.post(f"{base}/reaudit", dates)
    assert check.status_code == 200 and _refs_on(check.text) == ["C-0002", "C-0005"]  # type: ignore[attr-defined]


def test_named_cases_can_be_uploaded_as_a_file(portal: Portal) -> None:
    portal.sign_in(COORDINATOR)
    form = _form(mode="named", **{"due-day": "2", "due-month": "12", "due-year": "2026"})
    form["csrf_token"] = portal.csrf("/coordinator/rounds/new/named")
    response = portal.client.post(
        "/coordinator/rounds/new",
        data=form,
        files={"case_file": ("cases.csv", b"\xef\xbb\xbfC-0004\r\nC-0001\r\n", "text/csv")},
    )
    assert response.status_code == 200 and _refs_on(response.text) == ["C-0001", "C-0004"]
