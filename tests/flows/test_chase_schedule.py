"""What chasing will send: the schedule replays the policy, so the real sweeps send just that."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session

from flows.chase.outlook import chase_outlook
from flows.chase.schedule import chase_schedule
from flows.chase.sweep import chase_sweep, outstanding_counts, round_facts, sent_keys
from models.calendar import WorkingDayCalendar
from models.round import AuditRound
from models.settings import Settings
from tests.builders import at_nine, launch_chase_round

DUE = date(2026, 12, 24)  # Thu; Fri 25 and Mon 28 Dec are bank holidays
CLOSURE = date(2026, 12, 29)


@pytest.fixture
def chase_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"closure_days": (CLOSURE,)})


def _schedule(session: Session, settings: Settings, round_id: int, day: date) -> dict[int, object]:
    round_ = session.get(AuditRound, round_id)
    assert round_ is not None
    counts = outstanding_counts(session=session).get(round_id, {})
    facts = round_facts(session=session, round_=round_, counts=counts, settings=settings)
    calendar = WorkingDayCalendar.with_closures(settings.closure_days)
    found = chase_schedule(
        facts=facts, sent=sent_keys(session=session, round_id=round_id), calendar=calendar,
        now=at_nine(day),
    )  # fmt: skip
    return {agency: (s.reminder, s.overdue, s.escalation) for agency, s in found.items()}


def test_the_schedule_seen_before_the_round_is_what_the_daily_sweeps_then_send(
    session: Session, chase_settings: Settings, tmp_path: Path
) -> None:
    round_id = launch_chase_round(
        session=session, settings=chase_settings, tmp_path=tmp_path, due=DUE, key="schedule"
    )
    foreseen = _schedule(session, chase_settings, round_id, date(2026, 12, 14))
    sent: dict[tuple[int, str], tuple[date, set[int]]] = {}
    day = date(2026, 12, 14)
    while day <= date(2027, 1, 8):
        summary = chase_sweep(session=session, now=at_nine(day), settings=chase_settings)
        session.commit()
        for message in summary.messages:
            if message["kind"] == "digest":
                continue
            kind = "overdue" if message["step"].startswith("overdue") else message["kind"]
            first_day, people = sent.setdefault((message["agency_id"], kind), (day, set()))
            if first_day == day:
                people.add(message["person_id"])
        day += timedelta(days=1)
    assert len(foreseen) == 2
    for agency_id, steps in foreseen.items():
        for kind, step in zip(("reminder", "overdue", "escalation"), steps, strict=True):
            assert step is not None, (agency_id, kind)
            sent_day, people = sent[(agency_id, kind)]
            assert (step.day, set(step.person_ids)) == (sent_day, people)  # type: ignore[attr-defined]
    reminder_day = next(iter(foreseen.values()))[0].day  # type: ignore[index]
    assert reminder_day == date(2026, 12, 21)


def test_after_the_reminder_the_outlook_shows_it_sent_and_the_overdue_notice_next(
    session: Session, chase_settings: Settings, tmp_path: Path
) -> None:
    round_id = launch_chase_round(
        session=session, settings=chase_settings, tmp_path=tmp_path, due=DUE, key="outlook"
    )
    chase_sweep(session=session, now=at_nine(date(2026, 12, 21)), settings=chase_settings)
    session.commit()
    outlook = chase_outlook(
        session=session, round_id=round_id, now=at_nine(date(2026, 12, 22)), settings=chase_settings
    )
    assert [a.name for a in outlook] == ["Csc agency", "Police agency"]
    police = outlook[1]
    assert [s.kind for s in police.sent] == ["Reminder", "Reminder"]
    assert [(s.kind, s.day) for s in police.coming] == [
        ("Overdue notice", date(2026, 12, 30)),
        ("Escalation", date(2027, 1, 6)),
    ]
