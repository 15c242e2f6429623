"""The partnership page: who sees it, the registry upload (all or nothing) and its download."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import yaml
from sqlmodel import Session, col, select

from agencies.registry import list_agencies, load_registry_file
from models.audit_log import AuditEvent
from tests.agencies.portal.conftest import Portal
from tests.agencies.portal.plan_helpers import BOARD, add_board_reader
from tests.agencies.test_registry import line_of
from tests.builders import NOW, agency_entry, registry_data, write_yaml

COORDINATOR = "casey@testshire.example.org"
LEAD = "lead@police.example.org"
PAGES = (
    "/coordinator/partnership",
    "/coordinator/partnership/registry.yaml",
    "/coordinator/partnership/add-agency",
    "/coordinator/partnership/agencies/police",
    "/coordinator/partnership/agencies/police/deactivate",
)
ACTIONS = (
    "/coordinator/partnership/registry",
    "/coordinator/partnership/add-agency",
    "/coordinator/partnership/agencies/police",
    "/coordinator/partnership/agencies/police/deactivate",
)


def upload(portal: Portal, content: bytes) -> Any:
    """Upload a registry file from the partnership page."""
    return portal.client.post(
        "/coordinator/partnership/registry",
        data={"csrf_token": portal.csrf("/coordinator/partnership")},
        files={"registry_file": ("agencies.yaml", content, "application/yaml")},
        follow_redirects=False,
    )


def events(portal: Portal, action: str) -> list[AuditEvent]:
    """The audit log's events of one kind."""
    with Session(portal.engine) as session:
        return list(session.exec(select(AuditEvent).where(col(AuditEvent.action) == action)))


def _active_codes(portal: Portal) -> list[str]:
    with Session(portal.engine) as session:
        return [a.code for a in list_agencies(session=session)]


def test_a_coordinator_sees_the_agencies_contacts_people_and_front_door(portal: Portal) -> None:
    portal.sign_in(COORDINATOR)
    assert 'href="/coordinator/partnership"' in portal.client.get("/coordinator/rounds").text
    page = html.unescape(portal.client.get("/coordinator/partnership").text)
    assert '<h1 class="govuk-heading-l">Partnership</h1>' in page
    assert "Testshire Safeguarding Children Partnership" in page
    for text in ("Police agency", "Police Lead", "lead@police.example.org", "Police Deputy"):
        assert text in page
    assert "Police Manager" in page and "Messages by Email" in page
    assert "Casey Coordinator" in page and "Testshire MASH" in page and "01632 960 123" in page


def test_a_lead_and_a_board_reader_get_404_on_every_partnership_page_and_action(
    portal: Portal,
) -> None:
    add_board_reader(portal)
    for email in (LEAD, BOARD):
        portal.sign_in(email)
        for path in PAGES:
            assert portal.client.get(path).status_code == 404, path
        for path in ACTIONS:
            assert portal.post(path, {"name": "Taken over"}).status_code == 404, path  # type: ignore[attr-defined]
    assert len(_active_codes(portal)) == 5 and events(portal, "agency.deactivated") == []


def test_a_signed_out_visitor_is_sent_to_sign_in_from_every_partnership_page(
    portal: Portal,
) -> None:
    for path in PAGES:
        response = portal.client.get(path, follow_redirects=False)
        assert (response.status_code, response.headers["location"]) == (303, "/"), path


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(portal: Portal) -> None:
    portal.sign_in(COORDINATOR)
    for path in ACTIONS:
        response = portal.client.post(path, data={"name": "X"}, follow_redirects=False)
        assert response.status_code == 403, path
    bad_token = {"csrf_token": "0" * 64}
    response = portal.client.post(ACTIONS[-1], data=bad_token, follow_redirects=False)
    assert response.status_code == 403
    assert len(_active_codes(portal)) == 5


def test_an_invalid_registry_changes_nothing_and_each_problem_shows_its_line_and_path(
    portal: Portal, tmp_path: Path
) -> None:
    portal.sign_in(COORDINATOR)
    loads = len(events(portal, "agencies.loaded"))
    data = registry_data(codes=("police", "csc"))
    data["agencies"][1]["lead"]["email"] = "not-an-email"
    data["agencies"][0]["colour"] = "blue"
    path = write_yaml(tmp_path / "bad.yaml", data)
    response = upload(portal, path.read_bytes())
    assert response.status_code == 400
    page = html.unescape(response.text)
    assert "<title>Error: Partnership" in page and "govuk-error-summary" in page
    assert "The file has 2 problems: nothing was loaded" in page
    colour, email = line_of(path, "colour"), line_of(path, "not-an-email")
    assert f"Line {colour}, agencies[0].colour: Extra inputs are not permitted" in page
    assert f"Line {email}, agencies[1].lead.email: value is not a valid email" in page
    assert page.count('href="#registry_file"') == 3
    assert _active_codes(portal) == ["csc", "education", "health", "police", "probation"]
    syntax = upload(portal, b"agencies:\n  - code: police\n   name: [unclosed\n")
    assert syntax.status_code == 400 and "Line 3: YAML syntax error" in syntax.text
    assert len(events(portal, "agencies.loaded")) == loads


def test_a_registry_upload_is_loaded_revokes_who_it_drops_and_is_audited(portal: Portal) -> None:
    portal.sign_in(COORDINATOR)
    before = len(events(portal, "agencies.loaded"))
    data = registry_data(codes=("police", "csc", "health"))
    data["agencies"].append(agency_entry(code="youth-justice", name="Youth Justice Service"))
    response = upload(portal, yaml.safe_dump(data).encode())
    assert response.status_code == 303
    page = html.unescape(portal.client.get(response.headers["location"]).text)
    assert "The registry was loaded: 1 agency added, 0 changed, 2 deactivated" in page
    assert "Youth Justice Service" in page and "Inactive agencies" in page
    assert _active_codes(portal) == ["csc", "health", "police", "youth-justice"]
    assert len(events(portal, "agencies.loaded")) == before + 1
    assert events(portal, "access.revoked")


def test_an_upload_that_drops_the_coordinator_themself_is_refused(portal: Portal) -> None:
    portal.sign_in(COORDINATOR)
    data = registry_data(codes=("police",))
    data["partnership"]["coordinators"] = [{"name": "Other", "email": "other@example.org"}]
    response = upload(portal, yaml.safe_dump(data).encode())
    assert response.status_code == 400
    assert "does not list you (casey@testshire.example.org)" in response.text
    assert len(_active_codes(portal)) == 5
    assert portal.client.get("/coordinator/partnership").status_code == 200


def test_an_upload_without_a_file_names_the_field(portal: Portal) -> None:
    portal.sign_in(COORDINATOR)
    response = portal.client.post(
        "/coordinator/partnership/registry",
        data={"csrf_token": portal.csrf("/coordinator/partnership")},
    )
    assert response.status_code == 400
    assert '<a href="#registry_file">Choose a registry file (YAML)</a>' in response.text


def test_the_downloaded_registry_loads_back_unchanged_and_the_download_is_audited(
    portal: Portal, tmp_path: Path
) -> None:
    portal.sign_in(COORDINATOR)
    response = portal.client.get("/coordinator/partnership/registry.yaml")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="agencies.yaml"'
    assert yaml.safe_load(response.text) == registry_data()
    assert len(events(portal, "agencies.exported")) == 1
    path = tmp_path / "downloaded.yaml"
    path.write_text(response.text, encoding="utf-8")
    with Session(portal.engine) as session:
        summary = load_registry_file(session=session, path=path, actor="test", now=NOW)
    assert not summary.changed and summary.departures == []
    again = upload(portal, response.content)
    assert again.status_code == 303
    page = html.unescape(portal.client.get(again.headers["location"]).text)
    assert "0 agencies added, 0 changed, 0 deactivated" in page


def test_the_download_gives_the_agencies_an_upload_loaded(portal: Portal, tmp_path: Path) -> None:
    portal.sign_in(COORDINATOR)
    path = write_yaml(tmp_path / "a.yaml", registry_data(codes=("police", "csc")))
    assert upload(portal, path.read_bytes()).status_code == 303
    downloaded = portal.client.get("/coordinator/partnership/registry.yaml").text
    assert [a["code"] for a in yaml.safe_load(downloaded)["agencies"]] == ["police", "csc"]


def test_a_registry_upload_is_capped_by_the_yaml_setting_like_agencies_load(
    portal: Portal,
) -> None:
    portal.sign_in(COORDINATOR)
    content = yaml.safe_dump(registry_data()).encode()
    padded = content + b"#" * (1_010_000 - len(content)) + b"\n"  # over 1 MB, under 1 MiB
    assert upload(portal, padded).status_code == 303
    settings = portal.client.app.state.settings  # type: ignore[attr-defined]
    portal.client.app.state.settings = settings.model_copy(update={"max_yaml_bytes": 2048})  # type: ignore[attr-defined]
    big = content + b"#" * (3000 - len(content)) + b"\n"
    before = len(events(portal, "agencies.loaded"))
    refused = upload(portal, big)
    assert refused.status_code == 400
    assert "The file must be at most 2,048 bytes" in refused.text
    assert len(events(portal, "agencies.loaded")) == before
