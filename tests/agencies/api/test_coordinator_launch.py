"""POST /api/v1/rounds: the CLI's dry run and launch, for coordinators' keys."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session, col, select

from models.case import Case
from models.round import AuditRound, RoundCase
from tests.agencies.api.conftest import Api
from tests.cli import Run

LAUNCH: dict[str, Any] = {
    "title": "Domestic abuse re-check",
    "tool": "domestic-abuse",
    "agencies": ["police", "csc", "health"],
    "criteria": {"flags": ["domestic_abuse"]},
    "sample_size": 4,
    "quota_by": "category",
    "quotas": {"CP": 1, "CIN": 2, "EH": 1},
    "seed": 2026,
    "due_date": "2027-01-15",
}


def _rounds(api: Api) -> list[int]:
    with Session(api.portal.engine) as session:
        return [r.id or 0 for r in session.exec(select(AuditRound).order_by(col(AuditRound.id)))]


def _cases(api: Api, round_id: int) -> list[str]:
    with Session(api.portal.engine) as session:
        return list(
            session.exec(
                select(Case.case_ref)
                .join(RoundCase, col(RoundCase.case_id) == col(Case.id))
                .where(col(RoundCase.round_id) == round_id)
                .order_by(col(Case.case_ref))
            )
        )


def test_a_dry_run_is_the_clis_dry_run_and_creates_nothing(api: Api, run: Run) -> None:
    code, out, err = run(
        "round", "launch", "--tool", "domestic-abuse", "--agencies", "police,csc,health",
        "--sample", "4", "--where", "flag=domestic_abuse", "--quota", "category=CP:1,CIN:2,EH:1",
        "--due", "2027-01-15", "--seed", "2026", "--dry-run", "--json",
    )  # fmt: skip
    assert code == 0, err
    response = api.call("POST", "/rounds", agency="coordinator", json={**LAUNCH, "dry_run": True})
    assert response.status_code == 200, response.text
    assert response.json() == json.loads(out)
    assert _rounds(api) == [api.portal.round_id] and len(api.events("round.launched")) == 1


def test_a_launch_picks_the_dry_runs_cases_once_per_idempotency_key(api: Api) -> None:
    checked = api.call("POST", "/rounds", agency="coordinator", json={**LAUNCH, "dry_run": True})
    body = {**LAUNCH, "seed": checked.json()["seed"], "idempotency_key": "council-2027-01"}
    launched = api.call("POST", "/rounds", agency="coordinator", json=body)
    assert launched.status_code == 201, launched.text
    result = launched.json()
    assert result["created"] is True and result["invitations"] > 0
    assert result["case_refs"] == checked.json()["case_refs"] == _cases(api, result["round_id"])
    assert result["selection"] == checked.json()["selection"]
    again = api.call("POST", "/rounds", agency="coordinator", json=body)
    assert again.status_code == 200 and again.json()["created"] is False
    assert again.json()["round_id"] == result["round_id"]
    assert _rounds(api) == [api.portal.round_id, result["round_id"]]
    [event] = api.events("round.launched")[1:]
    assert event.actor == f"api-key:{api.key_ids['coordinator']}"
    listed = api.call("GET", "/rounds", agency="coordinator").json()["rounds"]
    assert [r["id"] for r in listed] == [result["round_id"], api.portal.round_id]


def test_a_launch_without_an_idempotency_key_is_refused_and_creates_nothing(api: Api) -> None:
    response = api.call("POST", "/rounds", agency="coordinator", json=LAUNCH)
    assert response.status_code == 422
    [problem] = response.json()["detail"]
    assert problem["msg"].startswith("a launch needs an idempotency_key")
    assert _rounds(api) == [api.portal.round_id]


def test_parameters_that_cannot_be_launched_are_422_with_the_clis_message(api: Api) -> None:
    for change, message in (
        ({"due_date": "2027-01-16"}, "due date 2027-01-16: "),
        ({"agencies": ["police", "fire"]}, "unknown agency fire"),
        ({"baseline_round_id": 999}, "no round 999"),
        ({"sample_size": 50, "quotas": {}, "quota_by": None}, "eligible"),
    ):
        body = {**LAUNCH, **change, "idempotency_key": "k"}
        response = api.call("POST", "/rounds", agency="coordinator", json=body)
        assert response.status_code == 422, change
        assert message in response.json()["detail"][0]["msg"], response.json()
    bad = {**LAUNCH, "quotas": {"CP": 1}, "dry_run": True}
    assert api.call("POST", "/rounds", agency="coordinator", json=bad).status_code == 422
    assert _rounds(api) == [api.portal.round_id] and len(api.events("round.launched")) == 1


def test_an_agency_key_cannot_launch_a_round(api: Api) -> None:
    response = api.call("POST", "/rounds", json={**LAUNCH, "idempotency_key": "k"})
    assert response.status_code == 404 and _rounds(api) == [api.portal.round_id]


def test_numbers_no_launch_could_use_are_refused_before_any_work(api: Api) -> None:
    for change in (
        {"baseline_round_id": 2**31},
        {"same_cases_as_round": 0},
        {"criteria": {"exclude_audited_within_months": 10**9}},
        {"chase": {"reminder_days_before_due": 10**6}},
        {"due_date": "9999-12-31"},
    ):
        body = {**LAUNCH, **change, "dry_run": True}
        response = api.call("POST", "/rounds", agency="coordinator", json=body)
        assert response.status_code == 422, change


def test_named_cases_are_launched_as_listed_and_each_bad_reference_is_located(api: Api) -> None:
    named = _cases(api, api.portal.round_id)[:2]
    body = {**LAUNCH, "named_cases": True, "case_refs": named, "quotas": {}, "quota_by": None}
    checked = api.call("POST", "/rounds", agency="coordinator", json={**body, "dry_run": True})
    assert checked.status_code == 200, checked.text
    assert checked.json()["case_refs"] == sorted(named)
    wrong = {**body, "case_refs": [named[0], "NO-SUCH-CASE", named[0]], "idempotency_key": "n"}
    response = api.call("POST", "/rounds", agency="coordinator", json=wrong)
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "loc": ["body", "case_refs", 1],
            "msg": "no case with this reference in the register",
            "type": "launch",
        },
        {"loc": ["body", "case_refs", 2], "msg": "repeats the case on line 1", "type": "launch"},
    ]
    assert "NO-SUCH-CASE" not in response.text
    assert _rounds(api) == [api.portal.round_id]
