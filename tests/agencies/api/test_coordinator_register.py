"""`POST /api/v1/register`: a coordinator's script imports the register as the page does."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, col, select

from models.case import Case
from tests.agencies.api.conftest import Api
from tests.builders import register_of, write_csv


def test_a_coordinator_key_imports_a_register_and_gets_its_counts(api: Api, tmp_path: Path) -> None:
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
    response = api.call(
        "POST",
        "/register",
        agency="coordinator",
        files={"file": ("extract.csv", write_csv(tmp_path / "e.csv", rows).read_bytes())},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert {k: v for k, v in body.items() if k != "batch_id"} == {
        "rows": 9,
        "new": 2,
        "updated": 1,
        "unchanged": 6,
        "marked_inactive": 1,
    }
    imported = api.events("cases.imported")[-1]
    assert imported.actor == f"api-key:{api.key_ids['coordinator']}"
    assert imported.entity_id == str(body["batch_id"])


def test_a_register_with_bad_rows_imports_nothing_and_names_no_value(
    api: Api, tmp_path: Path
) -> None:
    rows = register_of(counts={"CP": 3, "CIN": 3})
    rows[2]["category"] = "SECRET-VALUE"
    rows[4]["referral_date"] = "31/31/2026"
    response = api.call(
        "POST",
        "/register",
        agency="coordinator",
        files={"file": ("bad.csv", write_csv(tmp_path / "bad.csv", rows).read_bytes())},
    )
    assert response.status_code == 422
    assert "SECRET-VALUE" not in response.text and "31/31/2026" not in response.text
    body = response.json()
    assert body["detail"].startswith("The file has 2 problems: nothing was imported")
    assert [(p["line"], p["column"]) for p in body["problems"]] == [
        ("4", "category"),
        ("6", "referral_date"),
    ]
    [refused] = api.events("api.register_refused")
    assert refused.actor == f"api-key:{api.key_ids['coordinator']}"
    with Session(api.portal.engine) as session:
        assert len(session.exec(select(Case.id).where(col(Case.active))).all()) == 8


def test_an_agency_key_or_none_cannot_import_a_register(api: Api, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "r.csv", register_of(counts={"CP": 1}))
    files = {"file": ("r.csv", path.read_bytes())}
    assert api.call("POST", "/register", agency="police", files=files).status_code == 404
    assert api.call("POST", "/register", agency=None, files=files).status_code == 401
    assert api.call("GET", "/register/imports/1", agency="police").status_code == 404
    assert all(event.actor == "test" for event in api.events("cases.imported"))


def test_the_register_endpoints_are_in_the_openapi_schema(api: Api) -> None:
    schema = api.call("GET", "/openapi.json", agency=None).json()
    upload = schema["paths"]["/register"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    assert {"200", "202", "413", "422"} <= set(upload["responses"])
    assert "/register/imports/{import_id}" in schema["paths"]
    response = api.call("GET", "/register/imports/999", agency="coordinator")
    assert response.status_code == 404
