"""A large register upload waiting for the `import-case-register` deployment, and its outcome.

The file is held encrypted (the identity key, bound to the import's id) only until the flow has
read it; its problems are kept as line, column and rule, never a cell's value.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import LargeBinary, String, UniqueConstraint
from sqlmodel import Field, Session, SQLModel, col, select

from models.crypto import IdentityCipher
from models.errors import NotFoundError
from models.types import UTCDateTime, utcnow


class ImportStatus(StrEnum):
    """Where a handed-over register import has got to."""

    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


FINISHED = (ImportStatus.done, ImportStatus.failed)
WAITING = (ImportStatus.queued, ImportStatus.running)


class RegisterImport(SQLModel, table=True):
    """One register upload handed to the deployment: its state, its counts, who sent it."""

    __tablename__ = "register_import"

    id: int | None = Field(default=None, primary_key=True)
    status: ImportStatus = Field(default=ImportStatus.queued, sa_type=String(20))
    source_name: str = Field(max_length=500)
    rows_estimated: int = 0
    data: bytes | None = Field(default=None, sa_type=LargeBinary)
    key_id: str = Field(default="", max_length=32)
    flow_run_id: str | None = Field(default=None, max_length=36)
    batch_id: int | None = Field(default=None, foreign_key="import_batch.id")
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    problem_count: int = 0
    actor: str = Field(max_length=320)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class RegisterImportProblem(SQLModel, table=True):
    """One problem a handed-over import found: where, and the rule broken."""

    __tablename__ = "register_import_problem"
    __table_args__ = (UniqueConstraint("import_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    import_id: int = Field(foreign_key="register_import.id", index=True)
    position: int
    line: str = Field(default="", max_length=20)
    column_name: str = Field(default="", max_length=200)
    rule: str = Field(max_length=1000)


def _context(import_id: int) -> str:
    return f"register-import:{import_id}"


def queue_register_import(
    *,
    session: Session,
    data: bytes,
    source_name: str,
    rows_estimated: int,
    cipher: IdentityCipher,
    actor: str,
    now: datetime,
) -> RegisterImport:
    """Store an upload, encrypted, for the deployment to import (flushed, not committed)."""
    upload = RegisterImport(
        source_name=source_name, rows_estimated=rows_estimated, actor=actor, created_at=now
    )
    session.add(upload)
    session.flush()
    assert upload.id is not None
    upload.data = cipher.encrypt(data, context=_context(upload.id))
    upload.key_id = cipher.current_key_id
    session.add(upload)
    session.flush()
    return upload


def get_register_import(*, session: Session, import_id: int) -> RegisterImport:
    """One handed-over import, or NotFoundError."""
    upload = session.get(RegisterImport, import_id)
    if upload is None:
        raise NotFoundError(f"no register import {import_id}")
    return upload


def unfinished_imports(*, session: Session) -> list[RegisterImport]:
    """Imports still waiting for the deployment or running, oldest first."""
    query = select(RegisterImport).where(col(RegisterImport.status).in_(WAITING))
    return list(session.exec(query.order_by(col(RegisterImport.id))))


def stored_file(*, upload: RegisterImport, cipher: IdentityCipher) -> bytes:
    """The uploaded file, decrypted; NotFoundError once it has been deleted."""
    if upload.data is None or upload.id is None:
        raise NotFoundError(f"register import {upload.id} no longer holds its file")
    return cipher.decrypt(upload.data, key_id=upload.key_id, context=_context(upload.id))


def import_problems(*, session: Session, import_id: int) -> list[tuple[str, str, str]]:
    """The problems a failed import found, as (line, column, rule), in file order."""
    found = session.exec(
        select(RegisterImportProblem)
        .where(col(RegisterImportProblem.import_id) == import_id)
        .order_by(col(RegisterImportProblem.position))
    )
    return [(p.line, p.column_name, p.rule) for p in found]


def record_problems(
    *, session: Session, import_id: int, problems: list[tuple[str, str, str]]
) -> None:
    """Keep a failed import's problems (line, column, rule) beside it."""
    for position, (line, column, rule) in enumerate(problems):
        session.add(
            RegisterImportProblem(
                import_id=import_id,
                position=position,
                line=line[:20],
                column_name=column[:200],
                rule=rule[:1000],
            )
        )
