"""One agency changed outside a registry load, as the CLI or the portal would."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session

from agencies.registry import list_agencies
from agencies.registry_edit import add_agency, change_agency, deactivate_agency
from agencies.registry_file import AgencyEntry
from models.errors import ConflictError, NotFoundError
from tests.builders import NOW, agency_entry, load_agencies


def test_a_changed_lead_is_saved_and_an_unchanged_entry_changes_nothing(
    session: Session, tmp_path: Path
) -> None:
    load_agencies(session=session, tmp_path=tmp_path, codes=("police", "csc"))
    entry = agency_entry(code="police")
    entry["lead"] = {"name": "Nia New", "email": "nia@police.example.org"}
    assert change_agency(session=session, entry=AgencyEntry(**entry), actor="t", now=NOW)
    assert not change_agency(session=session, entry=AgencyEntry(**entry), actor="t", now=NOW)
    [police] = [a for a in list_agencies(session=session) if a.code == "police"]
    assert police.contacts[0].name == "Nia New"


def test_the_last_active_agency_cannot_be_deactivated_nor_a_missing_one_changed(
    session: Session, tmp_path: Path
) -> None:
    load_agencies(session=session, tmp_path=tmp_path, codes=("police", "csc"))
    deactivate_agency(session=session, code="csc", actor="t", now=NOW)
    with pytest.raises(ConflictError, match="already inactive"):
        deactivate_agency(session=session, code="csc", actor="t", now=NOW)
    with pytest.raises(ConflictError, match="at least one active agency"):
        deactivate_agency(session=session, code="police", actor="t", now=NOW)
    with pytest.raises(NotFoundError):
        change_agency(
            session=session, entry=AgencyEntry(**agency_entry(code="nobody")), actor="t", now=NOW
        )
    with pytest.raises(ConflictError, match="inactive: add it again"):
        change_agency(
            session=session, entry=AgencyEntry(**agency_entry(code="csc")), actor="t", now=NOW
        )
    add_agency(session=session, entry=AgencyEntry(**agency_entry(code="csc")), actor="t", now=NOW)
    assert [a.code for a in list_agencies(session=session)] == ["csc", "police"]
