"""Handing large register uploads over: the estimate, the encrypted store, the outcome written
back (without Prefect: the plain functions the flow's task calls)."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlmodel import Session, select

from flows.register.handoff import estimated_rows, hand_over
from flows.register.stored import (
    fail_stored_import,
    finished_outcome,
    import_stored_file,
    refused_problems,
    start_stored_import,
)
from models.crypto import load_cipher
from models.errors import ImportFileError
from models.register_import import (
    ImportStatus,
    RegisterImport,
    import_problems,
    queue_register_import,
    stored_file,
)
from models.settings import Settings
from tests.builders import NOW, identified_rows, load_agencies, write_csv


def _stored(session: Session, settings: Settings, data: bytes) -> int:
    upload = queue_register_import(
        session=session,
        data=data,
        source_name="register.csv",
        rows_estimated=100,
        cipher=load_cipher(settings),
        actor="person:1",
        now=NOW,
    )
    session.commit()
    return upload.id or 0


def test_rows_are_estimated_from_a_csvs_lines_and_a_workbooks_first_sheet() -> None:
    assert estimated_rows(b"a,b\n1,2\n3,4\n", name="r.csv") == 3
    book = Workbook()
    for row in range(250):
        book.active.append([row, "x"])  # type: ignore[union-attr]
    data = io.BytesIO()
    book.save(data)
    assert estimated_rows(data.getvalue(), name="R.XLSX") == 250
    assert estimated_rows(b"not a workbook", name="r.xlsx") == 0


def test_an_upload_is_stored_encrypted_and_read_back(
    session: Session, settings: Settings, tmp_path: Path
) -> None:
    rows = identified_rows(count=5)
    data = write_csv(tmp_path / "r.csv", rows).read_bytes()
    import_id = _stored(session, settings, data)
    upload = session.get(RegisterImport, import_id)
    assert upload is not None and upload.data is not None
    assert rows[0]["child_name"].encode() not in upload.data
    assert stored_file(upload=upload, cipher=load_cipher(settings)) == data


def test_small_files_and_no_prefect_api_mean_importing_in_the_request(
    session: Session, settings: Settings
) -> None:
    large = b"case_ref\n" + b"C-1\n" * 30
    for rows in (20_000, 5):  # small for the setting; large, but no Prefect API configured
        small = settings.model_copy(update={"register_deployment_rows": rows})
        queued = asyncio.run(
            hand_over(
                session=session, data=large, source_name="r.csv", settings=small, actor="a", now=NOW
            )
        )
        assert queued is None
    assert session.exec(select(RegisterImport)).all() == []


def test_a_stored_import_writes_its_counts_and_deletes_the_file(
    session: Session, settings: Settings, tmp_path: Path
) -> None:
    load_agencies(session=session, tmp_path=tmp_path)
    data = write_csv(tmp_path / "r.csv", identified_rows(count=6)).read_bytes()
    import_id = _stored(session, settings, data)
    start_stored_import(session=session, import_id=import_id)
    session.commit()
    summary = import_stored_file(session=session, import_id=import_id, settings=settings, now=NOW)
    session.commit()
    upload = session.get(RegisterImport, import_id)
    assert upload is not None
    assert (upload.status, upload.data, upload.created) == (ImportStatus.done, None, 6)
    assert upload.batch_id == summary.batch_id and upload.finished_at == NOW


def test_a_refused_stored_import_keeps_its_problems_without_values(
    session: Session, settings: Settings, tmp_path: Path
) -> None:
    load_agencies(session=session, tmp_path=tmp_path)
    rows = identified_rows(count=6)
    rows[2]["category"] = "SECRET-VALUE"
    import_id = _stored(session, settings, write_csv(tmp_path / "r.csv", rows).read_bytes())
    with pytest.raises(ImportFileError) as refused:
        import_stored_file(session=session, import_id=import_id, settings=settings, now=NOW)
    session.rollback()
    problems, count = refused_problems(refused.value)
    fail_stored_import(
        session=session, import_id=import_id, problems=problems, count=count, now=NOW
    )
    session.commit()
    upload = session.get(RegisterImport, import_id)
    assert upload is not None and (upload.status, upload.data) == (ImportStatus.failed, None)
    kept = import_problems(session=session, import_id=import_id)
    assert [(line, column) for line, column, _ in kept] == [("4", "category")]
    assert "SECRET-VALUE" not in str(kept)


def test_a_rerun_of_a_finished_import_returns_its_outcome_and_changes_nothing(
    session: Session, settings: Settings, tmp_path: Path
) -> None:
    load_agencies(session=session, tmp_path=tmp_path)
    data = write_csv(tmp_path / "r.csv", identified_rows(count=3)).read_bytes()
    import_id = _stored(session, settings, data)
    import_stored_file(session=session, import_id=import_id, settings=settings, now=NOW)
    session.commit()
    upload = start_stored_import(session=session, import_id=import_id)
    assert upload.status == ImportStatus.done
    outcome = finished_outcome(upload)
    assert outcome["imported"] is True and outcome["created"] == 3
