"""The report's front sheet and commentary: versioned edits, audited, with partnership defaults."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session, col, func, select

from flows.report.model import FrontSheet
from models.audit_log import record_event
from models.errors import InputError
from models.partnership import Partnership
from models.report_settings import (
    FRONT_SHEET_FIELDS,
    HIGHLIGHT_PREFIX,
    MAX_TEXT,
    SECTIONS,
    ReportText,
)

LABELS = {
    "meeting": "Report for (the meeting)",
    "meeting_date": "Meeting date",
    "item_number": "Item number",
    "title": "Title",
    "authorised_by": "Report authorised by",
    "lead_officer": "Lead officer",
    "wards": "Ward(s) affected",
    "decision_type": "Decision type",
}
BUILT_IN = {"wards": "All", "decision_type": "Non-key decision"}
DEFAULT_FIELDS = ("meeting", "authorised_by", "lead_officer", "wards", "decision_type")


def check_text(field: str, text: str) -> str:
    """The text as it will be stored, or InputError saying what is wrong with it."""
    known = field in FRONT_SHEET_FIELDS or field in SECTIONS or field.startswith(HIGHLIGHT_PREFIX)
    if not known:
        raise InputError(
            f"unknown report field {field!r}: choose from {', '.join(FRONT_SHEET_FIELDS)}, "
            f"{', '.join(SECTIONS)} or highlight:QUESTION"
        )
    text = text.replace("\r\n", "\n").strip()
    label = LABELS.get(field, field)
    if len(text) > MAX_TEXT:
        raise InputError(f"{label} must be {MAX_TEXT} characters or fewer ({len(text)} given)")
    if field == "meeting_date" and text:
        try:
            date.fromisoformat(text)
        except ValueError:
            raise InputError(
                f"{label} must be a date as YYYY-MM-DD, for example 2027-03-06"
            ) from None
    return text


def latest_texts(*, session: Session, round_id: int | None) -> dict[str, str]:
    """The latest version of every field of a round (or of the partnership defaults)."""
    where = (
        col(ReportText.round_id).is_(None)
        if round_id is None
        else col(ReportText.round_id) == round_id
    )
    rows = session.exec(select(ReportText).where(where).order_by(col(ReportText.version))).all()
    return {row.field: row.text for row in rows}


def set_report_texts(
    *,
    session: Session,
    round_id: int | None,
    values: dict[str, str],
    now: datetime,
    actor: str,
) -> list[str]:
    """Store a new version of each changed field (audited); returns the fields changed."""
    checked = {field: check_text(field, text) for field, text in values.items()}
    current = latest_texts(session=session, round_id=round_id)
    changed = [f for f, text in checked.items() if current.get(f, "") != text]
    for field in changed:
        where = (
            col(ReportText.round_id).is_(None)
            if round_id is None
            else col(ReportText.round_id) == round_id
        )
        last = session.exec(
            select(func.max(ReportText.version)).where(where, col(ReportText.field) == field)
        ).one()
        session.add(
            ReportText(
                round_id=round_id,
                field=field,
                version=(last or 0) + 1,
                text=checked[field],
                at=now,
                by=actor,
            )
        )
    if changed:
        record_event(
            session=session,
            actor=actor,
            action="report.text_changed",
            entity_type="round" if round_id is not None else "partnership",
            entity_id=round_id,
            now=now,
            details={"fields": ",".join(changed)},
        )
    return changed


def text_history(*, session: Session, round_id: int, field: str) -> list[ReportText]:
    """Every version of one field of a round, oldest first."""
    return list(
        session.exec(
            select(ReportText)
            .where(col(ReportText.round_id) == round_id, col(ReportText.field) == field)
            .order_by(col(ReportText.version))
        )
    )


def built_in_defaults(*, session: Session, round_title: str) -> dict[str, str]:
    """Our front-sheet defaults, before the partnership sets its own."""
    partnership = session.exec(select(Partnership)).first()
    name = partnership.name if partnership else "Safeguarding partnership"
    return {**BUILT_IN, "meeting": f"{name} board", "title": f"Joint case audit: {round_title}"}


def front_sheet_defaults(*, session: Session, round_title: str) -> dict[str, str]:
    """What an empty front-sheet field of a round shows: the partnership's default, else ours."""
    partnership = {k: v for k, v in latest_texts(session=session, round_id=None).items() if v}
    return {**built_in_defaults(session=session, round_title=round_title), **partnership}


def front_sheet(*, session: Session, round_id: int, round_title: str) -> FrontSheet:
    """The round's front sheet: its own fields, else the partnership's defaults, else built-in."""
    found = {
        **front_sheet_defaults(session=session, round_title=round_title),
        **{k: v for k, v in latest_texts(session=session, round_id=round_id).items() if v},
    }
    day = found.get("meeting_date")
    return FrontSheet(
        **{f: found.get(f, "") for f in FRONT_SHEET_FIELDS if f != "meeting_date"},
        meeting_date=date.fromisoformat(day) if day else None,
    )


def commentary(*, session: Session, round_id: int) -> dict[str, str]:
    """The round's section narratives and highlight notes (non-empty ones)."""
    texts = latest_texts(session=session, round_id=round_id)
    return {
        k: v for k, v in texts.items() if v and (k in SECTIONS or k.startswith(HIGHLIGHT_PREFIX))
    }
