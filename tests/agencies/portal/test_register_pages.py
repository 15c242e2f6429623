"""The register page: an extract imported in the request, all or nothing, values never shown."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from models.case import Case
from tests.agencies.portal.conftest import Portal
from tests.agencies.portal.plan_helpers import BOARD, add_board_reader
from tests.builders import register_of, write_csv

COORDINATOR = "casey@testshire.example.org"
LEAD = "lead@police.example.org"


def _upload(portal: Portal, path: Path) -> Any:
    return portal.client.post(
        "/coordinator/register",
        data={"csrf_token": portal.csrf("/coordinator/register")},
        files={"register_file": (path.name, path.read_bytes(), "text/csv")},
        follow_redirects=False,
    )


def _active(portal: Portal) -> int:
    with Session(portal.engine) as session:
        return len(list(session.exec(select(Case.id).where(col(Case.active)))))


def test_a_register_with_a_bad_row_imports_nothing_and_shows_no_value(
    portal: Portal, tmp_path: Path
) -> None:
    portal.sign_in(COORDINATOR)
    rows = register_of(counts={"CP": 3, "CIN": 3})
    rows[2]["category"] = "SECRET-VALUE"
    rows[4]["referral_date"] = "31/31/2026"
    response = _upload(portal, write_csv(tmp_path / "bad.csv", rows))
    assert response.status_code == 400
    text = response.text
    assert "The file has 2 problems: nothing was imported" in text
    assert "SECRET-VALUE" not in text and "31/31/2026" not in text
    assert '>4</th><td class="govuk-table__cell">category</td>' in text
    assert '>6</th><td class="govuk-table__cell">referral_date</td>' in text
    assert _active(portal) == 8


def test_a_register_upload_shows_new_updated_unchanged_and_inactive_counts(
    portal: Portal, tmp_path: Path
) -> None:
    portal.sign_in(COORDINATOR)
    rows = register_of(counts={"CP": 2, "CIN": 4, "EH": 1})
    for index, row in enumerate(rows):  # as the portal fixture imported them
        row.update(
            child_name=f"Child {index}",
            date_of_birth="2015-04-0" + str(index % 9 + 1),
            ref_police=f"POL-{index}",
            ref_csc=f"CSC-{index}",
        )
    rows[0]["category"] = "CIN"
    rows += register_of(counts={"CIN": 2}, prefix="N")
    response = _upload(portal, write_csv(tmp_path / "extract.csv", rows))
    assert response.status_code == 303
    page = portal.client.get(response.headers["location"]).text
    assert "The register was imported" in page and "extract.csv" in page
    figures = {
        label: page.split(f">{label}</dt>", 1)[1].split("</dd>", 1)[0].rsplit(">", 1)[1]
        for label in ("New cases", "Updated", "Unchanged", "Marked inactive (not in the file)")
    }
    assert figures == {
        "New cases": "2",
        "Updated": "1",
        "Unchanged": "6",
        "Marked inactive (not in the file)": "1",
    }
    assert "Domestic abuse" in page and _active(portal) == 9


def test_only_a_coordinator_reaches_the_register(portal: Portal) -> None:
    assert (
        portal.client.get("/coordinator/register", follow_redirects=False).headers["location"]
        == "/"
    )
    add_board_reader(portal)
    for email in (LEAD, BOARD):
        portal.sign_in(email)
        assert portal.client.get("/coordinator/register").status_code == 404
        assert portal.post("/coordinator/register").status_code == 404  # type: ignore[attr-defined]
    assert _active(portal) == 8


def test_a_100000_row_register_is_over_the_general_body_limit_yet_imported(
    portal: Portal, tmp_path: Path
) -> None:
    portal.sign_in(COORDINATOR)
    rows = register_of(counts={"CP": 30_000, "CIN": 40_000, "EH": 30_000}, prefix="L")
    path = write_csv(tmp_path / "large.csv", rows)
    assert path.stat().st_size > 2 * 1024 * 1024  # JOINTAUDIT_MAX_BODY_BYTES' default
    response = _upload(portal, path)
    assert response.status_code == 303, response.text[:500]
    assert _active(portal) == 100_000
