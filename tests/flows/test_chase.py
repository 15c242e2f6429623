from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from flows.chase.policy import ChaseRules, latest_step
from flows.chase.sweep import cancel_chasers, chase_sweep
from models.calendar import WorkingDayCalendar
from models.outbox import MessageStatus, OutboxMessage
from models.round import Assignment, AssignmentStatus
from models.settings import Settings
from tests.builders import NOW, at_nine, launch_chase_round

DUE = date(2026, 12, 24)  # Thu; Fri 25 and Mon 28 Dec are bank holidays
CLOSURE = date(2026, 12, 29)
CALENDAR = WorkingDayCalendar.with_closures([CLOSURE])


@pytest.fixture
def chase_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"closure_days": (CLOSURE,)})


@pytest.fixture
def round_id(session: Session, settings: Settings, tmp_path: Path) -> int:
    return launch_chase_round(
        session=session, settings=settings, tmp_path=tmp_path, due=DUE, key="chase"
    )


def sweep(session: Session, settings: Settings, day: date) -> list[tuple[str, str]]:
    summary = chase_sweep(session=session, now=at_nine(day), settings=settings)
    session.commit()
    return sorted({(m["kind"], m["step"]) for m in summary.messages})


def chase_rows(session: Session) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(
        col(OutboxMessage.template).in_(("reminder", "overdue", "escalation", "digest"))
    )
    return list(session.exec(query))


def test_a_whole_round_is_chased_across_a_bank_holiday_weekend_and_a_closure_day(
    session: Session, chase_settings: Settings, round_id: int
) -> None:
    seen: dict[date, list[tuple[str, str]]] = {}
    day = date(2026, 12, 14)
    while day <= date(2027, 1, 8):
        seen[day] = [k for k in sweep(session, chase_settings, day) if k[0] != "digest"]
        day += timedelta(days=1)
    sent = {d: kinds for d, kinds in seen.items() if kinds}
    assert sent == {
        date(2026, 12, 21): [("reminder", "reminder")],
        date(2026, 12, 30): [("overdue", "overdue-1")],
        date(2027, 1, 5): [("overdue", "overdue-2")],
        date(2027, 1, 6): [("escalation", "escalation")],
        date(2027, 1, 8): [("overdue", "overdue-3")],
    }
    for day in seen:
        if not CALENDAR.is_working_day(day):
            assert not sweep(session, chase_settings, day)


def test_one_message_per_person_per_step_with_counts_and_a_digest_to_the_coordinator(
    session: Session, chase_settings: Settings, round_id: int
) -> None:
    sweep(session, chase_settings, date(2026, 12, 21))
    rows = chase_rows(session)
    reminders = [r for r in rows if r.template == "reminder"]
    assert len(reminders) == 4  # lead and deputy of two agencies
    assert {r.context["outstanding_count"] for r in reminders} == {4}
    digests = [r for r in rows if r.template == "digest"]
    assert len(digests) == 1 and digests[0].context["outstanding_count"] == 8


def test_a_sweep_run_twice_on_the_same_day_queues_nothing_more(
    session: Session, chase_settings: Settings, round_id: int
) -> None:
    assert sweep(session, chase_settings, date(2026, 12, 21))
    before = len(chase_rows(session))
    assert sweep(session, chase_settings, date(2026, 12, 21)) == []
    assert len(chase_rows(session)) == before


def test_a_missed_week_sends_only_the_latest_step_never_an_overtaken_one(
    session: Session, chase_settings: Settings, round_id: int
) -> None:
    assert sweep(session, chase_settings, date(2027, 1, 7)) == [
        ("digest", "digest"),
        ("escalation", "escalation"),
        ("overdue", "overdue-2"),
    ]
    assert sweep(session, chase_settings, date(2027, 1, 8)) == [
        ("digest", "digest"),
        ("overdue", "overdue-3"),
    ]
    assert not [r for r in chase_rows(session) if r.dedupe_key.endswith(("reminder", "overdue-1"))]


def test_submitting_everything_cancels_pending_chasers_and_stops_the_chasing(
    session: Session, chase_settings: Settings, round_id: int
) -> None:
    sweep(session, chase_settings, date(2026, 12, 30))
    assignments = session.exec(select(Assignment).where(Assignment.round_id == round_id)).all()
    for assignment in assignments:
        assignment.status = AssignmentStatus.submitted
    people = sorted({r.person_id for r in chase_rows(session) if r.person_id is not None})
    assert cancel_chasers(session=session, round_id=round_id, person_ids=people, now=NOW) > 0
    session.commit()
    chasers = [r for r in chase_rows(session) if r.template != "digest"]
    assert {r.status for r in chasers} == {MessageStatus.cancelled}
    assert sweep(session, chase_settings, date(2027, 1, 6)) == []


def test_not_known_counts_as_an_answer(
    session: Session, chase_settings: Settings, round_id: int
) -> None:
    for assignment in session.exec(select(Assignment)).all():
        assignment.status = AssignmentStatus.not_known
    session.commit()
    assert sweep(session, chase_settings, date(2026, 12, 21)) == []


def test_the_reminder_is_due_a_number_of_working_days_before_the_due_date() -> None:
    rules = ChaseRules(reminder_days_before_due=3, overdue_repeat_every=3)
    step = latest_step(due=DUE, rules=rules, calendar=CALENDAR, today=date(2026, 12, 18))
    assert step is None
    assert latest_step(due=DUE, rules=rules, calendar=CALENDAR, today=date(2026, 12, 21)) == (
        "reminder",
        0,
    )


def test_a_round_overrides_the_partnership_defaults_at_launch(settings: Settings) -> None:
    from flows.chase.policy import round_chase_rules
    from models.round import AuditRound

    round_ = AuditRound(
        title="t",
        tool_version_id=1,
        idempotency_key="k",
        seed=1,
        due_date=DUE,
        parameters={"chase": {"reminder_days_before_due": 1, "overdue_repeat_every": None}},
        selection={},
        register_counts={},
        created_by="c",
    )
    rules = round_chase_rules(round_, settings)
    assert (rules.reminder_days_before_due, rules.overdue_repeat_every) == (1, 3)
    assert latest_step(due=DUE, rules=rules, calendar=CALENDAR, today=date(2026, 12, 22)) is None
    assert latest_step(due=DUE, rules=rules, calendar=CALENDAR, today=date(2026, 12, 23)) == (
        "reminder",
        0,
    )
