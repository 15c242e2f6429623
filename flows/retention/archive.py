"""Everything about one round in one zip, pseudonymised (before a purge, or for the record)."""

from __future__ import annotations

import json
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from flows.action_plan.manage import list_actions
from flows.answers.export import answer_rows, write_csv
from flows.rounds.views import round_detail
from models.audit_log import AuditEvent, record_event
from models.moderation import Reconciliation
from models.outbox import OutboxMessage


def _dump(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


def export_round_zip(
    *, session: Session, round_id: int, out_dir: Path, now: datetime, actor: str
) -> Path:
    """round.json, answers.csv, findings.json, actions.json, messages.json and audit.json."""
    detail = round_detail(session=session, round_id=round_id, now=now)
    latest = session.exec(
        select(Reconciliation)
        .where(col(Reconciliation.round_id) == round_id)
        .order_by(col(Reconciliation.id).desc())
    ).first()
    messages = session.exec(
        select(OutboxMessage)
        .where(col(OutboxMessage.round_id) == round_id)
        .order_by(col(OutboxMessage.id))
    ).all()
    events = session.exec(
        select(AuditEvent)
        .where(col(AuditEvent.entity_type) == "round", col(AuditEvent.entity_id) == str(round_id))
        .order_by(col(AuditEvent.id))
    ).all()
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"round-{round_id}-export.zip"
    with (
        tempfile.TemporaryDirectory() as scratch,
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive,
    ):
        archive.writestr("round.json", _dump(detail.model_dump(mode="json")))
        answers = write_csv(
            answer_rows(session=session, round_id=round_id), Path(scratch) / "answers.csv"
        )
        archive.write(answers, "answers.csv")
        archive.writestr("findings.json", _dump(latest.findings if latest else None))
        archive.writestr(
            "actions.json",
            _dump(
                [
                    a.model_dump(mode="json")
                    for a in list_actions(session=session, round_id=round_id)
                ]
            ),
        )
        archive.writestr(
            "messages.json",
            _dump(
                [
                    {
                        "id": m.id,
                        "template": m.template,
                        "status": m.status,
                        "channel": m.channel,
                        "created_at": m.created_at,
                        "sent_at": m.sent_at,
                    }
                    for m in messages
                ]
            ),
        )
        archive.writestr(
            "audit.json",
            _dump(
                [
                    {"at": e.at, "actor": e.actor, "action": e.action, "details": e.details}
                    for e in events
                ]
            ),
        )
    record_event(
        session=session,
        actor=actor,
        action="round.exported",
        entity_type="round",
        entity_id=round_id,
        now=now,
        details={"file": path.name},
    )
    return path
