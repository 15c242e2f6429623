"""Importing a case register file: validate every row, then write it all in one transaction."""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlmodel import Session, col

from flows.register.reader import read_register
from flows.register.rows import Vocabulary
from flows.register.store import CaseImportSummary, Progress, import_register_rows, no_progress
from models.agency import Agency
from models.bulk import collector_paused
from models.crypto import load_cipher
from models.settings import Settings


def register_vocabulary(*, session: Session, settings: Settings) -> Vocabulary:
    """The flags, categories and agency codes a register file may use."""
    codes = frozenset(session.execute(select(col(Agency.code))).scalars())
    return Vocabulary(
        flags=frozenset(settings.case_flags),
        categories=tuple(settings.case_categories),
        agency_codes=codes,
    )


def import_case_file(
    *,
    session: Session,
    path: Path,
    settings: Settings,
    actor: str,
    now: datetime,
    progress: Progress = no_progress,
) -> CaseImportSummary:
    """Validate a CSV or XLSX register and upsert it; any bad row means nothing is written."""
    vocab = register_vocabulary(session=session, settings=settings)
    today = now.astimezone(ZoneInfo(settings.timezone)).date()
    cipher = load_cipher(settings)
    agency_ids = {
        code: agency_id
        for code, agency_id in session.execute(select(col(Agency.code), col(Agency.id)))
        if agency_id is not None
    }
    # A register is many small acyclic lists, tuples and strings; passed straight on, it is
    # freed before the collector resumes (which would otherwise walk it all once).
    with collector_paused():
        return import_register_rows(
            session=session,
            register=read_register(path, vocab=vocab, today=today, max_mb=settings.register_max_mb),
            agency_ids=agency_ids,
            cipher=cipher,
            source_name=path.name,
            actor=actor,
            now=now,
            progress=progress,
        )


def import_uploaded_file(
    *, session: Session, data: bytes, name: str, settings: Settings, actor: str, now: datetime
) -> CaseImportSummary:
    """`import_case_file` of an upload's bytes (a page's or the API's), in the request."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        return import_case_file(session=session, path=path, settings=settings, actor=actor, now=now)
