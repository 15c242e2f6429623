"""A round's dates as an iCalendar file (RFC 5545): each agency due date and the meeting."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session

from flows.report.settings import front_sheet
from flows.rounds.views import active_members, get_round


def _text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> list[str]:
    """Lines longer than 75 octets continue on the next line after a space."""
    parts: list[str] = []
    data = line.encode()
    while len(data) > 75:
        cut = 75 if not parts else 74
        while cut and (data[cut] & 0xC0) == 0x80:  # never split a UTF-8 character
            cut -= 1
        parts.append(data[:cut].decode())
        data = data[cut:]
    parts.append(data.decode())
    return [parts[0], *(" " + part for part in parts[1:])]


def _event(uid: str, day: date, summary: str, description: str, stamp: datetime) -> list[str]:
    return [
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTAMP:{stamp:%Y%m%dT%H%M%SZ}",
        f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
        f"DTEND;VALUE=DATE:{day + timedelta(days=1):%Y%m%d}",
        f"SUMMARY:{_text(summary)}",
        f"DESCRIPTION:{_text(description)}",
        "TRANSP:TRANSPARENT",
        "END:VEVENT",
    ]


HEADER = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//jointaudit//joint case audit//EN",
    "CALSCALE:GREGORIAN",
    "METHOD:PUBLISH",
]


def _calendar(
    session: Session, round_id: int, now: datetime, host: str, agency_ids: set[int] | None
) -> str:
    round_ = get_round(session=session, round_id=round_id)
    by_day: dict[date, list[str]] = defaultdict(list)
    for member, agency in active_members(session=session, round_id=round_id):
        if agency_ids is None or agency.id in agency_ids:
            by_day[member.effective_due_date(round_)].append(agency.name)
    stamp = now.astimezone(UTC)
    lines = list(HEADER)
    for day, names in sorted(by_day.items()):
        lines += _event(
            f"round-{round_id}-due-{day:%Y%m%d}@{host}",
            day,
            f"Joint audit due: {round_.title}",
            "Answers due from " + ", ".join(names),
            stamp,
        )
    meeting = front_sheet(session=session, round_id=round_id, round_title=round_.title)
    if meeting.meeting_date:
        lines += _event(
            f"round-{round_id}-meeting@{host}",
            meeting.meeting_date,
            f"Moderation meeting: {round_.title}",
            meeting.meeting or "The moderation meeting",
            stamp,
        )
    lines.append("END:VCALENDAR")
    return "".join(part + "\r\n" for line in lines for part in _fold(line))


def round_calendar(*, session: Session, round_id: int, now: datetime, host: str) -> str:
    """The due date of each active agency (one event per day) and the moderation meeting."""
    return _calendar(session, round_id, now, host, None)


def agency_calendar(
    *, session: Session, round_id: int, agency_ids: set[int], now: datetime, host: str
) -> str:
    """A lead's own: their agencies' due dates (with any extension) and the moderation meeting."""
    return _calendar(session, round_id, now, host, agency_ids)
