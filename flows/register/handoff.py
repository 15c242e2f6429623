"""Handing a large register upload to the `import-case-register` deployment, when one can run it.

Only the import's id reaches Prefect: the file waits, encrypted, in our own database. With no
Prefect API configured, no such deployment, no worker or runner polling it, or no answer within
a few seconds, the caller imports in the request as before.
"""

from __future__ import annotations

import asyncio
import io
import re
from datetime import datetime
from pathlib import Path

from sqlmodel import Session

from flows.register.importer import import_uploaded_file
from flows.register.store import CaseImportSummary
from models.audit_log import record_event
from models.crypto import load_cipher
from models.register_import import RegisterImport, queue_register_import
from models.settings import Settings

DEPLOYMENT = "import-case-register/import-case-register"
CHECK_SECONDS = 3.0
SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def upload_name(filename: str) -> str:
    """An uploaded file's name, safe as a file name (its suffix says CSV or XLSX)."""
    return SAFE_NAME.sub("-", Path(filename).name)[-100:] or "register.csv"


def estimated_rows(data: bytes, *, name: str) -> int:
    """About how many rows a register file holds (lines of a CSV, a workbook's first sheet)."""
    if Path(name).suffix.lower() != ".xlsx":
        return data.count(b"\n")
    try:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(data), read_only=True)
        try:
            return int(book.worksheets[0].max_row or 0)
        finally:
            book.close()
    except Exception:  # a damaged workbook: the import itself will say where
        return 0


async def _ready() -> str | None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.objects import DeploymentStatus
    from prefect.settings import get_current_settings

    if not get_current_settings().api.url:
        return None  # Prefect would start a temporary server of its own: not for a request
    async with get_client() as client:
        deployment = await client.read_deployment_by_name(DEPLOYMENT)
    return str(deployment.id) if deployment.status == DeploymentStatus.READY else None


async def ready_deployment(*, timeout: float = CHECK_SECONDS) -> str | None:
    """The deployment's id when it exists and a worker or runner is polling for it, else None."""
    try:
        return await asyncio.wait_for(_ready(), timeout)
    except Exception:  # not found, not reachable, too slow: import in the request
        return None


async def _start(deployment_id: str, import_id: int) -> str:
    from uuid import UUID

    from prefect.client.orchestration import get_client

    async with get_client() as client:
        run = await client.create_flow_run_from_deployment(
            UUID(deployment_id),
            parameters={"import_id": import_id},
        )
    return str(run.id)


async def hand_over(
    *,
    session: Session,
    data: bytes,
    source_name: str,
    settings: Settings,
    actor: str,
    now: datetime,
) -> RegisterImport | None:
    """Queue a large upload for the deployment (committed) and start its run; None when the
    file is small or no deployment can take it (then nothing was written)."""
    rows = estimated_rows(data, name=source_name)
    if rows <= settings.register_deployment_rows:
        return None
    deployment_id = await ready_deployment()
    if deployment_id is None:
        return None
    upload = queue_register_import(
        session=session,
        data=data,
        source_name=source_name,
        rows_estimated=rows,
        cipher=load_cipher(settings),
        actor=actor,
        now=now,
    )
    session.commit()
    try:
        upload.flow_run_id = await asyncio.wait_for(
            _start(deployment_id, upload.id or 0), CHECK_SECONDS * 2
        )
    except Exception:
        session.delete(upload)
        session.commit()
        return None
    record_event(
        session=session,
        actor=actor,
        action="register.import_queued",
        entity_type="register_import",
        entity_id=upload.id,
        now=now,
        details={"rows_estimated": rows, "flow_run_id": upload.flow_run_id},
    )
    session.add(upload)
    session.commit()
    return upload


async def receive_upload(
    *,
    session: Session,
    data: bytes,
    source_name: str,
    settings: Settings,
    actor: str,
    now: datetime,
) -> RegisterImport | CaseImportSummary:
    """A register upload from the page or the API: a large one queued for the deployment when
    it can take it, else imported in the request (ImportFileError: nothing written)."""
    queued = await hand_over(
        session=session, data=data, source_name=source_name, settings=settings, actor=actor, now=now
    )
    if queued is not None:
        return queued
    return import_uploaded_file(
        session=session, data=data, name=source_name, settings=settings, actor=actor, now=now
    )
