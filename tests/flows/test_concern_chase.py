from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from flows.answers.concerns import acknowledge, concern_state_wording
from flows.chase.concerns import chase_concerns, concern_steps_due, working_hours
from models.answers import Concern
from models.audit_log import AuditEvent
from models.calendar import LONDON
from models.outbox import OutboxMessage
from models.partnership import Person
from models.settings import Settings
from notifications.contexts import context_from_stored
from notifications.render import MessageRenderer
from tests.builders import launch_chase_round, raise_test_concern

FRIDAY_LATE = datetime(2026, 12, 4, 16, 30, tzinfo=LONDON)  # half an hour before 17:00
MONDAY = date(2026, 12, 7)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


@pytest.fixture
def round_id(session: Session, settings: Settings, tmp_path: Path) -> int:
    return launch_chase_round(
        session=session, settings=settings, tmp_path=tmp_path, due=date(2026, 12, 18), key="cc"
    )


def _chasers(session: Session) -> list[tuple[str, str]]:
    rows = session.exec(
        select(OutboxMessage)
        .where(col(OutboxMessage.dedupe_key).startswith("concern-chase:"))
        .order_by(col(OutboxMessage.id))
    ).all()
    names = {p.id: p.email for p in session.exec(select(Person))}
    return [(row.context["step"], names[row.person_id]) for row in rows if row.person_id]


def test_working_hours_skip_nights_weekends_and_bank_holidays(settings: Settings) -> None:
    hours = working_hours(settings)
    assert hours.add(FRIDAY_LATE, 1) == _at(MONDAY, 9, 30).astimezone(UTC)
    christmas_eve = datetime(2026, 12, 24, 16, 45, tzinfo=LONDON)  # 25 and 28 Dec: holidays
    assert hours.add(christmas_eve, 1) == datetime(2026, 12, 29, 9, 45, tzinfo=LONDON)
    assert hours.add(datetime(2026, 12, 5, 22, 0, tzinfo=LONDON), 2) == _at(MONDAY, 11)
    assert hours.add(_at(MONDAY, 7), 1) == _at(MONDAY, 10)
    assert hours.contains(_at(MONDAY, 9)) and not hours.contains(_at(MONDAY, 17))
    assert not hours.contains(datetime(2026, 12, 5, 10, 0, tzinfo=LONDON))  # a Saturday


def test_steps_are_due_only_in_working_hours_and_follow_the_settings(settings: Settings) -> None:
    hours = working_hours(settings)

    def due(now: datetime, chosen: Settings = settings) -> list[str]:
        return list(concern_steps_due(raised_at=FRIDAY_LATE, now=now, hours=hours, settings=chosen))

    assert due(FRIDAY_LATE + timedelta(minutes=29)) == []
    assert due(datetime(2026, 12, 5, 12, 0, tzinfo=LONDON)) == []  # Saturday: not in hours
    assert due(_at(MONDAY, 9, 29)) == []
    assert due(_at(MONDAY, 9, 30)) == ["escalation"]
    assert due(_at(MONDAY, 10, 30)) == ["escalation", "coordinator"]
    assert due(_at(MONDAY, 17, 30)) == []  # after hours nothing is sent, even when overdue
    quicker = settings.model_copy(update={"concern_escalation_after_hours": 0.25})
    assert due(FRIDAY_LATE + timedelta(minutes=15), quicker) == ["escalation"]


def test_an_unacknowledged_concern_is_chased_once_per_step_by_time_travel(
    session: Session, settings: Settings, round_id: int
) -> None:
    concern_id = raise_test_concern(
        session=session, round_id=round_id, now=FRIDAY_LATE, settings=settings, immediate_risk=True
    )
    timeline = [
        FRIDAY_LATE + timedelta(minutes=20),
        datetime(2026, 12, 4, 18, 0, tzinfo=LONDON),
        datetime(2026, 12, 5, 10, 0, tzinfo=LONDON),
        _at(MONDAY, 9, 15),
    ]
    for moment in timeline:
        assert chase_concerns(session=session, now=moment, settings=settings) == 0, moment
    assert chase_concerns(session=session, now=_at(MONDAY, 9, 30), settings=settings) == 1
    assert chase_concerns(session=session, now=_at(MONDAY, 9, 45), settings=settings) == 0
    assert _chasers(session) == [("escalation", "manager@police.example.org")]
    assert chase_concerns(session=session, now=_at(MONDAY, 10, 30), settings=settings) == 1
    assert chase_concerns(session=session, now=_at(MONDAY, 16, 0), settings=settings) == 0
    session.commit()
    assert _chasers(session) == [
        ("escalation", "manager@police.example.org"),
        ("coordinator", "casey@testshire.example.org"),
    ]
    events = session.exec(
        select(AuditEvent).where(col(AuditEvent.action) == "concern.chased")
    ).all()
    assert [(e.entity_id, e.details["step"]) for e in events] == [
        (str(concern_id), "escalation"),
        (str(concern_id), "coordinator"),
    ]


def test_an_acknowledged_concern_is_not_chased(
    session: Session, settings: Settings, round_id: int
) -> None:
    concern_id = raise_test_concern(
        session=session, round_id=round_id, now=FRIDAY_LATE, settings=settings
    )
    assert chase_concerns(session=session, now=_at(MONDAY, 9, 30), settings=settings) == 1
    concern = session.get(Concern, concern_id)
    assert concern is not None
    acknowledge(session=session, concern=concern, person_id=concern.raised_by, now=_at(MONDAY, 10))
    session.commit()
    assert chase_concerns(session=session, now=_at(MONDAY, 11), settings=settings) == 0
    assert [step for step, _ in _chasers(session)] == ["escalation"]


def test_the_chaser_says_the_concern_is_not_yet_acknowledged_and_leads_to_it(
    session: Session, settings: Settings, round_id: int
) -> None:
    concern_id = raise_test_concern(
        session=session, round_id=round_id, now=FRIDAY_LATE, settings=settings, immediate_risk=True
    )
    chase_concerns(session=session, now=_at(MONDAY, 9, 30), settings=settings)
    row = session.exec(
        select(OutboxMessage).where(col(OutboxMessage.dedupe_key).startswith("concern-chase:"))
    ).one()
    context = context_from_stored(row.template, row.context)
    assert context.landing() == f"/concerns/{concern_id}"
    renderer = MessageRenderer(
        override_dir=None, timezone="Europe/London", portal_base_url="http://127.0.0.1:8000"
    )
    subject, text, _ = renderer.render(context, sign_in_url="http://x/sign-in/t", with_html=False)
    assert subject == f"Not yet acknowledged: immediate concern {concern_id} from Police agency"
    assert concern_state_wording("raised") in text and "escalation contact" in text
    assert "immediate risk of significant harm" in text and "Bruises" not in text


def test_the_chase_concerns_flow_travels_in_time_and_sends_each_step_once(
    session: Session, settings: Settings, round_id: int
) -> None:
    from flows.chase.flow import chase_unacknowledged_concerns
    from flows.orchestration import run_flow

    raise_test_concern(session=session, round_id=round_id, now=FRIDAY_LATE, settings=settings)

    def at(moment: datetime) -> int:
        queued = int(run_flow(chase_unacknowledged_concerns(now=moment.isoformat())))
        session.rollback()  # the flow's writes, read afresh
        return queued

    assert at(FRIDAY_LATE + timedelta(minutes=20)) == 0
    assert [at(_at(MONDAY, 9, 30)), at(_at(MONDAY, 9, 45))] == [1, 0]
    assert [at(_at(MONDAY, 10, 30)), at(_at(MONDAY, 11, 0))] == [1, 0]
    assert _chasers(session) == [
        ("escalation", "manager@police.example.org"),
        ("coordinator", "casey@testshire.example.org"),
    ]
