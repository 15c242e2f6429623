from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session

from models.api_key import revoke_api_key
from models.round import AuditRound, RoundStatus
from tests.agencies.api.conftest import Api


def test_a_request_without_a_key_is_refused_with_401_and_a_bearer_challenge(api: Api) -> None:
    for method, path in (
        ("GET", "/assignments"),
        ("GET", f"/assignments/{api.portal.assignments('police')[0]}"),
        ("PUT", f"/assignments/{api.portal.assignments('police')[0]}/answers"),
    ):
        response = api.call(method, path, agency=None, json={"answers": {}})
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == "Bearer"
        assert response.json() == {"detail": "send an API key: Authorization: Bearer <key>"}


def test_an_unknown_or_malformed_key_is_refused_with_401(api: Api) -> None:
    forged = api.keys["police"][:-4] + "AAAA"
    for header in (f"Bearer {forged}", "Bearer ja_nothing", "Bearer ", "Basic dXNlcjpwYXNz"):
        response = api.call("GET", "/assignments", agency=None, headers={"Authorization": header})
        assert response.status_code == 401, header
        assert response.headers["WWW-Authenticate"] == "Bearer"


def test_a_body_or_path_that_fails_its_checks_is_refused_for_the_key_first(api: Api) -> None:
    case = api.portal.assignments("police")[0]
    forged = {"Authorization": "Bearer " + api.keys["police"][:-4] + "AAAA"}
    for path, body in (
        (f"/assignments/{case}/answers", {"answers": "not a mapping"}),
        (f"/assignments/{case}/answers", None),  # no body at all
        ("/assignments/0/answers", {"answers": {}}),  # an id below the first
    ):
        refused = api.call("PUT", path, agency=None, headers=dict(forged), json=body)
        assert refused.status_code == 401 and "answers" not in refused.text, path
        checked = api.call("PUT", path, json=body)  # a live key: now the body's problems
        assert checked.status_code == 422, path
    coordinator = api.call("PUT", f"/assignments/{case}/answers", agency="coordinator", json={})
    assert coordinator.status_code == 404  # a coordinator's key opens no agency endpoint


def test_a_revoked_key_is_refused_and_the_refusal_is_in_the_audit_log(api: Api) -> None:
    assert api.call("GET", "/assignments").status_code == 200
    with Session(api.portal.engine) as session:
        revoke_api_key(
            session=session,
            key_id=api.key_ids["police"],
            actor="cli:c",
            now=datetime(2026, 11, 25, 11, tzinfo=UTC),
        )
        session.commit()
    response = api.call("GET", "/assignments")
    assert (
        response.status_code == 401 and response.json()["detail"] == "this API key has been revoked"
    )
    [refused] = api.events("api_key.refused")
    assert refused.actor == f"api-key:{api.key_ids['police']}"
    assert api.call("GET", "/assignments", agency="csc").status_code == 200


def test_the_list_holds_the_agencys_own_assignments_only_with_their_statuses(api: Api) -> None:
    response = api.call("GET", "/assignments")
    assert response.status_code == 200
    body = response.json()
    assert body["agency"] == "police"
    ids = [a["id"] for a in body["assignments"]]
    assert sorted(ids) == sorted(api.portal.assignments("police"))
    first = body["assignments"][0]
    assert first["status"] == "not_started" and first["collecting"] is True
    assert (
        first["due_date"] == "2026-12-16" and first["round_title"] == "Domestic abuse joint audit"
    )
    assert [e.actor for e in api.events("api.assignments_listed")] == [
        f"api-key:{api.key_ids['police']}"
    ]


def test_another_agencys_assignment_is_not_found_for_every_endpoint(api: Api) -> None:
    other = api.portal.assignments("csc")[0]
    answers = {"answers": {"known_to_agency": "no"}}
    for method, path, body in (
        ("GET", f"/assignments/{other}", None),
        ("PUT", f"/assignments/{other}/answers", answers),
        ("POST", f"/assignments/{other}/submit", answers),
        ("POST", f"/assignments/{other}/amend", None),
        ("GET", "/assignments/999999", None),
    ):
        response = api.call(method, path, json=body)
        assert response.status_code == 404, (method, path)
        assert response.json() == {"detail": "no such assignment for your agency"}
    assert api.events("answers.draft_saved") == api.events("answers.submitted") == []


def test_a_cancelled_round_disappears_from_the_api(api: Api) -> None:
    case = api.portal.assignments("police")[0]
    with Session(api.portal.engine) as session:
        round_ = session.get(AuditRound, api.portal.round_id)
        assert round_ is not None
        round_.status = RoundStatus.cancelled
        session.add(round_)
        session.commit()
    assert api.call("GET", "/assignments").json()["assignments"] == []
    assert api.call("GET", f"/assignments/{case}").status_code == 404


def test_one_assignment_shows_the_frozen_tools_questions_and_is_audited(api: Api) -> None:
    case = api.portal.assignments("police")[0]
    response = api.call("GET", f"/assignments/{case}")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == case and body["tool"]["name"] == "domestic-abuse"
    questions = {q["id"]: q for q in body["questions"]}
    assert body["questions"][0]["id"] == "known_to_agency"
    assert {"value": "yes", "label": "Yes"} in questions["known_to_agency"]["choices"]
    assert questions["good_practice"]["type"] == "text"
    assert questions["good_practice"]["max_length"] is not None
    assert body["answers"] == {
        "version": None,
        "status": None,
        "editable": True,
        "updated_at": None,
        "submitted_at": None,
        "values": {},
    }
    assert body["agency_reference"].startswith("POL-")
    [viewed] = api.events("api.assignment_viewed")
    assert viewed.entity_id == str(case) and viewed.actor.startswith("api-key:")
    [revealed] = api.events("identity.viewed")
    assert revealed.actor == viewed.actor and revealed.details == {
        "reason": f"api: assignment {case}"
    }


def test_api_responses_set_no_cookie_and_need_no_csrf_token(api: Api) -> None:
    case = api.portal.assignments("police")[0]
    api.portal.client.cookies.clear()
    response = api.call("PUT", f"/assignments/{case}/answers", json={"answers": {}})
    assert response.status_code == 200
    assert "set-cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"
    assert api.portal.client.cookies.get("jointaudit_session") is None
    page = api.portal.client.get("/")
    assert "set-cookie" in page.headers  # the portal still gives visitors a session


def test_every_api_response_carries_the_portals_security_headers_once(api: Api) -> None:
    from agencies.portal.security import security_headers

    case = api.portal.assignments("police")[0]
    for method, path, agency in (
        ("GET", "/assignments", "police"),
        ("PUT", f"/assignments/{case}/answers", "police"),
        ("GET", f"/assignments/{case}", "csc"),  # 404
        ("GET", "/assignments", None),  # 401
        ("GET", "/no-such-endpoint", "police"),
    ):
        response = api.call(method, path, agency=agency, json={"answers": {}})
        assert response.headers["content-type"] == "application/json", path
        for name, value in security_headers("x").items():
            sent = response.headers.get_list(name)
            assert len(sent) == 1, (path, name)
            if name != "Content-Security-Policy":
                assert sent == [value], (path, name)
        assert "'nonce-" in response.headers["Content-Security-Policy"]
        assert response.headers["Cache-Control"] == "no-store"
        assert "set-cookie" not in response.headers


def test_the_portals_forms_still_refuse_a_post_without_a_csrf_token(api: Api) -> None:
    case = api.portal.assignments("police")[0]
    api.portal.sign_in("lead@police.example.org")
    headers = {"Authorization": f"Bearer {api.keys['police']}"}
    response = api.portal.client.post(f"/cases/{case}", data={"action": "save"}, headers=headers)
    assert response.status_code == 403


def test_the_openapi_schema_describes_every_endpoint_with_the_bearer_scheme(api: Api) -> None:
    schema = api.call("GET", "/openapi.json", agency=None).json()
    assert set(schema["paths"]) == {
        "/assignments",
        "/assignments/{assignment_id}",
        "/assignments/{assignment_id}/answers",
        "/assignments/{assignment_id}/submit",
        "/assignments/{assignment_id}/amend",
        "/rounds",
        "/rounds/{round_id}",
        "/rounds/{round_id}/findings",
        "/register",
        "/register/imports/{import_id}",
    }
    assert schema["components"]["securitySchemes"]["AgencyApiKey"]["scheme"] == "bearer"
    assert schema["components"]["securitySchemes"]["CoordinatorApiKey"]["scheme"] == "bearer"
    findings = schema["paths"]["/rounds/{round_id}/findings"]["get"]
    assert findings["security"] == [{"CoordinatorApiKey": []}]
    assert {"200", "401", "404"} <= set(findings["responses"])
    launch = schema["paths"]["/rounds"]["post"]
    assert {"200", "201", "401", "404", "409", "422"} <= set(launch["responses"])
    register = schema["paths"]["/register"]["post"]
    assert register["security"] == [{"CoordinatorApiKey": []}]
    put = schema["paths"]["/assignments/{assignment_id}/answers"]["put"]
    assert {"200", "401", "404", "409", "422"} <= set(put["responses"])
