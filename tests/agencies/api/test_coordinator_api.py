"""The coordinator API: its keys, the round's findings, the rounds and their progress."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from sqlmodel import Session

from agencies.registry import load_registry_file
from flows.reconcile.schema import SCHEMA_PATH
from models.api_key import revoke_api_key
from tests.agencies.api.conftest import COORDINATOR, Api
from tests.agencies.portal.plan_helpers import reconciled
from tests.builders import NOW, registry_data, write_yaml
from tests.cli import Run

COORDINATOR_PATHS = ("/rounds", "/rounds/{id}", "/rounds/{id}/findings")


def _paths(api: Api) -> list[str]:
    return [path.format(id=api.portal.round_id) for path in COORDINATOR_PATHS]


def test_a_rounds_findings_are_the_document_the_cli_prints_and_follow_the_schema(
    api: Api, run: Run
) -> None:
    reconciled(api.portal)
    response = api.call("GET", f"/rounds/{api.portal.round_id}/findings", agency="coordinator")
    assert response.status_code == 200, response.text
    code, out, _ = run("round", "findings", str(api.portal.round_id), "--json")
    assert code == 0 and response.json() == json.loads(out)
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(response.json())
    assert response.json()["discrepancies"] and response.json()["provisional"] is True
    [viewed] = api.events("api.findings_viewed")
    assert viewed.actor == f"api-key:{api.key_ids['coordinator']}"
    assert viewed.entity_id == str(api.portal.round_id)


def test_findings_of_an_unreconciled_or_unknown_round_are_404_saying_why(api: Api) -> None:
    response = api.call("GET", f"/rounds/{api.portal.round_id}/findings", agency="coordinator")
    assert response.status_code == 404
    assert f"jointaudit round reconcile {api.portal.round_id}" in response.json()["detail"]
    for path in ("/rounds/999/findings", "/rounds/999"):
        response = api.call("GET", path, agency="coordinator")
        assert response.status_code == 404 and response.json()["detail"].startswith("no round 999")
    assert api.events("api.findings_viewed") == []


def test_an_agency_key_finds_no_coordinator_endpoint_and_a_coordinator_key_no_agency_one(
    api: Api,
) -> None:
    reconciled(api.portal)
    for path in _paths(api):
        response = api.call("GET", path, agency="police")
        assert response.status_code == 404, path
        assert response.json() == {"detail": "not found"}
    case = api.portal.assignments("police")[0]
    for method, path in (
        ("GET", "/assignments"),
        ("GET", f"/assignments/{case}"),
        ("PUT", f"/assignments/{case}/answers"),
        ("POST", f"/assignments/{case}/submit"),
    ):
        response = api.call(method, path, agency="coordinator", json={"answers": {}})
        assert response.status_code == 404, path
    assert api.events("api.findings_viewed") == api.events("api.assignments_listed") == []


def test_a_coordinator_endpoint_without_a_live_key_is_401_with_a_bearer_challenge(
    api: Api,
) -> None:
    forged = api.keys["coordinator"][:-4] + "AAAA"
    for header in ({}, {"Authorization": f"Bearer {forged}"}, {"Authorization": "Basic eDp5"}):
        response = api.call("GET", "/rounds", agency=None, headers=header)
        assert response.status_code == 401, header
        assert response.headers["WWW-Authenticate"] == "Bearer"
    with Session(api.portal.engine) as session:
        revoke_api_key(session=session, key_id=api.key_ids["coordinator"], actor="c", now=NOW)
        session.commit()
    response = api.call("GET", "/rounds", agency="coordinator")
    assert response.status_code == 401
    assert response.json() == {"detail": "this API key has been revoked"}
    [refused] = api.events("api_key.refused")
    assert refused.details == {"reason": "revoked"}


def test_the_key_of_someone_who_is_no_longer_a_coordinator_is_refused(
    api: Api, tmp_path: Path
) -> None:
    assert api.call("GET", "/rounds", agency="coordinator").status_code == 200
    registry = registry_data()
    registry["partnership"]["coordinators"] = [
        {"name": "Nia New", "email": "nia@testshire.example.org"}
    ]
    with Session(api.portal.engine) as session:  # the registry names a new coordinator
        load_registry_file(
            session=session, path=write_yaml(tmp_path / "new.yaml", registry), actor="c", now=NOW
        )
        session.commit()
    for path in _paths(api):
        response = api.call("GET", path, agency="coordinator")
        assert response.status_code == 401, path
        assert response.json() == {"detail": "this API key's holder is no longer a coordinator"}
    assert [e.details for e in api.events("api_key.refused")] == [
        {"reason": "not a coordinator"}
    ] * 3


def test_coordinator_endpoints_neither_read_nor_set_a_cookie(api: Api) -> None:
    api.portal.sign_in(COORDINATOR)
    assert api.portal.client.get("/coordinator").status_code == 200
    response = api.call("GET", "/rounds", agency=None)
    assert response.status_code == 401  # the coordinator's portal session opens nothing here
    api.portal.client.cookies.clear()
    for path in _paths(api)[:2]:
        response = api.call("GET", path, agency="coordinator")
        assert response.status_code == 200 and "set-cookie" not in response.headers
        assert response.headers["Cache-Control"] == "no-store"


def test_the_rounds_are_listed_newest_first_with_their_progress(api: Api) -> None:
    case = api.portal.assignments("police")[0]
    api.call("POST", f"/assignments/{case}/submit", json={"answers": {"known_to_agency": "no"}})
    response = api.call("GET", "/rounds", agency="coordinator")
    assert response.status_code == 200
    assert response.json() == {
        "rounds": [
            {
                "id": api.portal.round_id,
                "title": "Domestic abuse joint audit",
                "status": "collecting",
                "tool": "domestic-abuse",
                "due_date": "2026-12-16",
                "cases": 6,
                "agencies": 3,
                "answered": 1,
                "assignments": 18,
                "baseline_round_id": None,
            }
        ]
    }
    [listed] = api.events("api.rounds_listed")
    assert listed.actor == f"api-key:{api.key_ids['coordinator']}"


def test_a_round_shows_each_agencys_progress_by_name_without_codes_or_cases(api: Api) -> None:
    police = api.portal.assignments("police")
    api.call(
        "POST", f"/assignments/{police[0]}/submit", json={"answers": {"known_to_agency": "no"}}
    )
    api.call("PUT", f"/assignments/{police[1]}/answers", json={"answers": {"child_safer": 7}})
    response = api.call("GET", f"/rounds/{api.portal.round_id}", agency="coordinator")
    assert response.status_code == 200
    body = response.json()
    assert body["answered"] == 1 and body["assignments"] == 18 and body["tool_version"]
    assert [p["agency"] for p in body["progress"]] == [
        "Csc agency",
        "Health agency",
        "Police agency",
    ]
    assert body["progress"][2] == {
        "agency": "Police agency",
        "status": "active",
        "due_date": "2026-12-16",
        "submitted": 0,
        "in_progress": 1,
        "not_started": 4,
        "not_known": 1,
        "overdue": 0,
    }
    for code in ('"police"', '"csc"', '"health"', "C-0", "POL-", "Child "):
        assert code not in response.text, code
    [viewed] = api.events("api.round_viewed")
    assert viewed.entity_id == str(api.portal.round_id)


def test_an_agency_lists_one_rounds_assignments_with_round_id(api: Api) -> None:
    own = sorted(api.portal.assignments("police"))
    listed = api.call("GET", f"/assignments?round_id={api.portal.round_id}").json()
    assert sorted(a["id"] for a in listed["assignments"]) == own
    assert api.call("GET", "/assignments?round_id=999").json()["assignments"] == []
    assert api.call("GET", "/assignments?round_id=0").status_code == 422
