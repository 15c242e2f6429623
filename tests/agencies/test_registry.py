from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from agencies.registry import list_agencies, load_registry_file
from agencies.registry_file import read_registry
from models.errors import ImportFileError
from models.partnership import Partnership, Person, PersonRole
from tests.builders import NOW, agency_entry, registry_data, write_yaml

EXAMPLE = Path(__file__).parents[2] / "agencies" / "example" / "agencies.yaml"


def line_of(path: Path, needle: str, occurrence: int = 1) -> int:
    """The line number of the n-th line containing needle."""
    found = [n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line]
    return found[occurrence - 1]


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ImportFileError) as caught:
        read_registry(path)
    return [str(p) for p in caught.value.problems]


def test_the_shipped_example_registry_is_valid() -> None:
    registry = read_registry(EXAMPLE)
    codes = {a.code for a in registry.agencies}
    assert {"police", "csc", "icb", "nhs-trust", "education", "probation", "camhs", "idva"} <= codes


def test_a_bad_email_is_reported_with_file_line_and_yaml_path(tmp_path: Path) -> None:
    data = registry_data()
    data["agencies"][3]["lead"]["email"] = "not-an-email"
    path = write_yaml(tmp_path / "agencies.yaml", data)
    [problem] = problems_of(path)
    line = line_of(path, "not-an-email")
    assert problem.startswith(f"line {line}, agencies[3].lead.email: value is not a valid email")
    with pytest.raises(ImportFileError, match=r"agencies.yaml: 1 problem, nothing was imported"):
        read_registry(path)


def test_missing_fields_unknown_keys_and_bad_codes_are_each_located(tmp_path: Path) -> None:
    data = registry_data()
    del data["agencies"][0]["lead"]
    data["agencies"][1]["colour"] = "blue"
    data["agencies"][2]["code"] = "Health Service"
    path = write_yaml(tmp_path / "a.yaml", data)
    assert problems_of(path) == [
        f"line {line_of(path, 'code: police')}, agencies[0].lead: Field required",
        f"line {line_of(path, 'colour')}, agencies[1].colour: Extra inputs are not permitted",
        f"line {line_of(path, 'Health Service')}, agencies[2].code: String should match "
        "pattern '^[a-z][a-z0-9_-]{1,39}$'",
    ]


def test_duplicate_codes_and_one_address_with_two_names_are_refused(tmp_path: Path) -> None:
    data = registry_data(codes=("police", "csc", "police"))
    data["agencies"][1]["deputy"] = {"name": "Someone Else", "email": "lead@police.example.org"}
    path = write_yaml(tmp_path / "a.yaml", data)
    assert problems_of(path) == [
        f"line {line_of(path, 'code: police', 2)}, agencies[2].code: duplicate agency code "
        "'police' (first at agencies[0])",
        f"line {line_of(path, 'Someone Else')}, agencies[1].deputy.name: lead@police.example.org"
        " is named 'Police Lead' elsewhere in the file; one address, one person: use the same "
        "name",
    ]


def test_a_webhook_contact_needs_a_url_and_yaml_syntax_errors_are_located(
    tmp_path: Path,
) -> None:
    data = registry_data(codes=("police",))
    data["agencies"][0]["lead"]["channel"] = "webhook"
    path = write_yaml(tmp_path / "a.yaml", data)
    assert problems_of(path) == [
        f"line {line_of(path, 'lead:')}, agencies[0].lead: channel webhook needs a webhook_url"
    ]
    broken = tmp_path / "b.yaml"
    broken.write_text("agencies:\n  - code: police\n    name: [unclosed\n")
    [problem] = problems_of(broken)
    assert problem.startswith("line 4: YAML syntax error")
    assert problems_of(tmp_path / "none.yaml") == ["file: not found"]
    write_yaml(tmp_path / "empty.yaml", {"agencies": []})
    assert problems_of(tmp_path / "empty.yaml") == [
        "line 1, agencies: List should have at least 1 item after validation, not 0"
    ]


def test_loading_the_same_registry_twice_changes_nothing(session: Session, tmp_path: Path) -> None:
    path = write_yaml(tmp_path / "a.yaml", registry_data())
    first = load_registry_file(session=session, path=path, actor="t", now=NOW)
    assert (first.agencies_created, first.people_created) == (5, 16)
    session.commit()
    people = session.execute(select(func.count()).select_from(Person)).scalar_one()
    second = load_registry_file(session=session, path=path, actor="t", now=NOW)
    session.commit()
    assert not second.changed
    assert session.execute(select(func.count()).select_from(Person)).scalar_one() == people
    assert session.execute(select(func.count()).select_from(PersonRole)).scalar_one() == 1
    partnership = session.get(Partnership, 1)
    assert partnership is not None and partnership.front_door_email == "mash@testshire.example.org"


def test_a_changed_registry_updates_contacts_and_deactivates_missing_agencies(
    session: Session, tmp_path: Path
) -> None:
    load_registry_file(
        session=session, path=write_yaml(tmp_path / "a.yaml", registry_data()), actor="t", now=NOW
    )
    session.commit()
    data = registry_data(codes=("police", "csc"))
    data["agencies"][0] = agency_entry(code="police", name="Renamed Police", deputy=False)
    summary = load_registry_file(
        session=session, path=write_yaml(tmp_path / "b.yaml", data), actor="t", now=NOW
    )
    session.commit()
    assert (summary.agencies_updated, summary.agencies_deactivated) == (1, 3)
    listed = list_agencies(session=session)
    assert [a.code for a in listed] == ["csc", "police"]
    police = listed[1]
    assert police.name == "Renamed Police"
    assert [c.role.value for c in police.contacts] == ["lead", "escalation"]
    assert len(list_agencies(session=session, include_inactive=True)) == 5


def test_a_bad_registry_writes_nothing(session: Session, tmp_path: Path) -> None:
    data = registry_data()
    data["agencies"][4]["escalation"]["email"] = "nope"
    with pytest.raises(ImportFileError):
        load_registry_file(
            session=session, path=write_yaml(tmp_path / "a.yaml", data), actor="t", now=NOW
        )
    session.rollback()
    assert list_agencies(session=session, include_inactive=True) == []
