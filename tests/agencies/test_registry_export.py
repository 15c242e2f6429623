"""The registry read back from the database: a file that loads back with no change."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session

from agencies.registry import load_registry_file
from agencies.registry_export import current_registry, export_registry
from agencies.registry_file import read_registry
from tests.builders import NOW, agency_entry, registry_data, write_yaml


def test_an_exported_registry_reads_as_the_loaded_one_and_loads_back_unchanged(
    session: Session, tmp_path: Path
) -> None:
    data = registry_data(codes=("police", "csc"))
    data["partnership"]["board_readers"] = [{"name": "Dr Board", "email": "board@example.org"}]
    hooked = agency_entry(code="idva", deputy=False)
    hooked["lead"].update(channel="webhook", webhook_url="https://hooks.example.org/audit")
    data["agencies"].append(hooked)
    loaded = write_yaml(tmp_path / "loaded.yaml", data)
    load_registry_file(session=session, path=loaded, actor="test", now=NOW)
    text = export_registry(session=session, actor="test", now=NOW)
    assert text is not None and text.startswith("# Agency registry, exported 25 November 2026")
    exported = tmp_path / "exported.yaml"
    exported.write_text(text, encoding="utf-8")
    assert read_registry(exported) == read_registry(loaded)
    summary = load_registry_file(session=session, path=exported, actor="test", now=NOW)
    assert not summary.changed and summary.departures == []


def test_there_is_no_registry_to_export_before_any_agency(session: Session) -> None:
    assert current_registry(session=session) is None
    assert export_registry(session=session, actor="test", now=NOW) is None
