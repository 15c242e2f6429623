"""Importing an upload the portal or the API stored for the `import-case-register` deployment.

The same `import_case_file` as in the request; the outcome (counts, or problems as line, column
and rule) is written back beside the upload, and the stored file is deleted in the same step.
"""

from __future__ import annotations

import tempfile
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session

from flows.register.importer import import_case_file
from flows.register.problems import problem_rows
from flows.register.store import CaseImportSummary
from models.audit_log import record_event
from models.crypto import load_cipher
from models.errors import ImportFileError
from models.register_import import (
    FINISHED,
    ImportStatus,
    RegisterImport,
    get_register_import,
    record_problems,
    stored_file,
)
from models.settings import Settings


def start_stored_import(*, session: Session, import_id: int) -> RegisterImport:
    """Mark a queued import as running (a finished one is left as it is)."""
    upload = get_register_import(session=session, import_id=import_id)
    if upload.status not in FINISHED:
        upload.status = ImportStatus.running
        session.add(upload)
    return upload


def _finish(
    session: Session, upload: RegisterImport, status: ImportStatus, now: datetime, **counts: int
) -> None:
    upload.status = status
    upload.data = None  # the file is not kept once it has been read
    upload.finished_at = now
    for name, value in counts.items():
        setattr(upload, name, value)
    session.add(upload)
    record_event(
        session=session,
        actor=upload.actor,
        action=f"register.import_{status.value}",
        entity_type="register_import",
        entity_id=upload.id,
        now=now,
        details={"batch_id": upload.batch_id, **counts},
    )


def import_stored_file(
    *, session: Session, import_id: int, settings: Settings, now: datetime
) -> CaseImportSummary:
    """Import the stored upload in the session's transaction, record the counts and delete the
    file; ImportFileError (nothing written) when any row is wrong."""
    upload = get_register_import(session=session, import_id=import_id)
    data = stored_file(upload=upload, cipher=load_cipher(settings))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / upload.source_name
        path.write_bytes(data)
        del data
        summary = import_case_file(
            session=session, path=path, settings=settings, actor=upload.actor, now=now
        )
    upload.batch_id = summary.batch_id
    counts = asdict(summary)
    counts.pop("batch_id")
    _finish(session, upload, ImportStatus.done, now, **counts)
    return summary


def fail_stored_import(
    *,
    session: Session,
    import_id: int,
    problems: list[tuple[str, str, str]],
    count: int,
    now: datetime,
) -> None:
    """Record why an import imported nothing (line, column, rule) and delete the file."""
    upload = get_register_import(session=session, import_id=import_id)
    if upload.status in FINISHED:
        return
    record_problems(session=session, import_id=import_id, problems=problems)
    _finish(session, upload, ImportStatus.failed, now, problem_count=count)


def finished_outcome(upload: RegisterImport) -> dict[str, Any]:
    """What the flow returns for an import that had already finished (counts and lines only)."""
    if upload.status == ImportStatus.done:
        counts = ("rows", "created", "updated", "unchanged", "deactivated")
        return {
            "imported": True,
            "batch_id": upload.batch_id,
            **{k: getattr(upload, k) for k in counts},
        }
    return {"imported": False, "problems": upload.problem_count, "locations": []}


def refused_problems(error: ImportFileError) -> tuple[list[tuple[str, str, str]], int]:
    """A refused file's problems to keep, and how many there were in all."""
    return problem_rows(error), len(error.problems) + error.omitted
