"""The programme page: the planned rounds, a programme upload with located problems, launch now."""

from __future__ import annotations

from typing import Any

import yaml
from sqlmodel import Session, col, select

from models.programme import PlannedRound
from models.round import AuditRound
from tests.agencies.portal.conftest import Portal
from tests.agencies.portal.plan_helpers import BOARD, add_board_reader

COORDINATOR = "casey@testshire.example.org"
LEAD = "lead@police.example.org"


def _programme(**changes: Any) -> bytes:
    entry: dict[str, Any] = {
        "key": "da-winter",
        "theme": "domestic abuse",
        "tool": "domestic-abuse",
        "launch": "2027-01-12",
        "sample": 4,
        "agencies": ["police", "csc", "health"],
        "where": {"flags": ["domestic_abuse"]},
        "quota_by": "category",
        "quotas": {"CP": 1, "CIN": 2, "EH": 1},
    }
    entry.update(changes)
    return yaml.safe_dump({"year": 2026, "rounds": [entry]}).encode()


def _upload(portal: Portal, content: bytes) -> Any:
    return portal.client.post(
        "/coordinator/programme",
        data={"csrf_token": portal.csrf("/coordinator/programme")},
        files={"programme_file": ("programme.yaml", content, "application/yaml")},
        follow_redirects=False,
    )


def _planned(portal: Portal) -> list[PlannedRound]:
    with Session(portal.engine) as session:
        return list(session.exec(select(PlannedRound).order_by(col(PlannedRound.id))))


def test_a_bad_programme_file_lists_each_located_problem_and_loads_nothing(
    portal: Portal,
) -> None:
    portal.sign_in(COORDINATOR)
    response = _upload(portal, _programme(tool="no-such-tool", launch="2026-12-25"))
    assert response.status_code == 400
    assert "The file has 2 problems: nothing was loaded" in response.text
    assert "rounds[0].tool" in response.text and "Christmas Day" in response.text
    assert ">line " in response.text
    assert _planned(portal) == []


def test_a_programme_is_loaded_shown_and_a_planned_round_launched_now(portal: Portal) -> None:
    portal.sign_in(COORDINATOR)
    loaded = _upload(portal, _programme())
    assert loaded.status_code == 303
    page = portal.client.get(loaded.headers["location"]).text
    assert "The programme was loaded" in page and "Domestic abuse" in page
    assert "Planned" in page and "12 January 2027" in page
    launch = portal.post("/coordinator/programme/da-winter/launch")
    assert launch.status_code == 303  # type: ignore[attr-defined]
    again = portal.post("/coordinator/programme/da-winter/launch")
    assert again.headers["location"].split("?")[0] == launch.headers["location"].split("?")[0]  # type: ignore[attr-defined]
    with Session(portal.engine) as session:
        rounds = list(session.exec(select(AuditRound)))
    assert len(rounds) == 2 and _planned(portal)[0].round_id == rounds[1].id
    assert "Collecting" in portal.client.get("/coordinator/programme").text


def test_only_a_coordinator_reaches_the_programme(portal: Portal) -> None:
    assert (
        portal.client.get("/coordinator/programme", follow_redirects=False).headers["location"]
        == "/"
    )
    add_board_reader(portal)
    for email in (LEAD, BOARD):
        portal.sign_in(email)
        assert portal.client.get("/coordinator/programme").status_code == 404
        assert portal.post("/coordinator/programme/da-winter/launch").status_code == 404  # type: ignore[attr-defined]
        assert portal.post("/coordinator/programme").status_code == 404  # type: ignore[attr-defined]
    assert _planned(portal) == []


def test_a_programme_upload_is_capped_by_the_yaml_setting_like_programme_load(
    portal: Portal,
) -> None:
    portal.sign_in(COORDINATOR)
    content = _programme()
    padded = content + b"#" * (1_010_000 - len(content)) + b"\n"  # over 1 MB, under 1 MiB
    assert _upload(portal, padded).status_code == 303
    settings = portal.client.app.state.settings  # type: ignore[attr-defined]
    portal.client.app.state.settings = settings.model_copy(update={"max_yaml_bytes": 2048})  # type: ignore[attr-defined]
    refused = _upload(portal, _programme(key="da-spring") + b"#" * 3000 + b"\n")
    assert refused.status_code == 400
    assert "The file must be at most 2,048 bytes" in refused.text
    assert [p.key for p in _planned(portal)] == ["da-winter"]
