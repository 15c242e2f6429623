from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from flows.programme.plan_file import read_programme
from flows.programme.store import launch_due_rounds, load_programme, programme_status
from flows.rounds.views import get_round
from models.calendar import WorkingDayCalendar
from models.errors import ImportFileError
from models.round_parameters import LaunchParameters
from models.settings import Settings
from tests.builders import NOW, import_register, load_agencies, register_of, write_yaml

AGENCIES = ["police", "csc", "health"]


def programme(**changes: Any) -> dict[str, Any]:
    plan: dict[str, Any] = {
        "year": 2026,
        "rounds": [
            {
                "key": "da-spring",
                "theme": "domestic abuse",
                "tool": "domestic-abuse",
                "launch": "2026-05-05",
                "sample": 4,
                "agencies": AGENCIES,
                "where": {"flags": ["domestic_abuse"]},
                "quota_by": "category",
                "quotas": {"CP": 2, "CIN": 2},
            },
            {
                "key": "s47-summer",
                "theme": "s47",
                "tool": "s47-strategy",
                "launch": "2026-06-02",
                "sample": 3,
                "agencies": AGENCIES,
                "where": {"flags": ["s47"]},
            },
            {"key": "da-reaudit", "reaudit_of": "da-spring", "launch": "2026-11-03"},
        ],
    }
    plan.update(changes)
    return plan


def problems_of(tmp_path: Path, data: dict[str, Any]) -> list[str]:
    with pytest.raises(ImportFileError) as caught:
        read_programme(write_yaml(tmp_path / "programme.yaml", data), calendar=WorkingDayCalendar())
    return [str(p) for p in caught.value.problems]


def test_a_valid_programme_reads(tmp_path: Path) -> None:
    plan = read_programme(
        write_yaml(tmp_path / "p.yaml", programme()), calendar=WorkingDayCalendar()
    )
    assert [r.key for r in plan.rounds] == ["da-spring", "s47-summer", "da-reaudit"]
    assert plan.window() == (date(2026, 4, 1), date(2027, 3, 31))


def test_programme_errors_are_located(tmp_path: Path) -> None:
    data = programme()
    data["rounds"][1]["tool"] = "no-such-tool"
    data["rounds"][2]["launch"] = "2027-05-04"
    data["rounds"].append({"key": "da-clash", "reaudit_of": "da-spring", "launch": "2026-05-12"})
    data["rounds"].append({"key": "bank", "reaudit_of": "nothing", "launch": "2026-05-25"})
    problems = problems_of(tmp_path, data)
    assert any("rounds[1].tool: no audit tool named 'no-such-tool'" in p for p in problems)
    assert any(
        "rounds[2].launch: 2027-05-04 is outside the programme year 2026-04-01 to 2027-03-31" in p
        for p in problems
    )
    assert any(
        "rounds[3].launch: its response window" in p
        and "overlaps 'da-spring' of the same theme (domestic abuse)" in p
        for p in problems
    )
    assert any("rounds[4].launch: Monday 25 May 2026 is a bank holiday" in p for p in problems)
    assert any("rounds[4].reaudit_of: no earlier round 'nothing'" in p for p in problems)
    assert all(p.startswith("line ") for p in problems)


@pytest.fixture
def loaded(session: Session, settings: Settings, tmp_path: Path) -> None:
    load_agencies(session=session, tmp_path=tmp_path)
    rows = register_of(counts={"CP": 4, "CIN": 6}) + register_of(
        counts={"CIN": 5}, flags="s47", prefix="S"
    )
    import_register(session=session, tmp_path=tmp_path, rows=rows)
    load_programme(
        session=session,
        path=write_yaml(tmp_path / "p.yaml", programme()),
        settings=settings,
        now=NOW,
        actor="c",
    )
    session.commit()


@pytest.mark.usefixtures("loaded")
def test_over_a_year_each_planned_round_launches_once_on_its_day(
    session: Session, settings: Settings
) -> None:
    launched: dict[str, tuple[date, int]] = {}
    day = datetime(2026, 4, 1, 7, 0, tzinfo=UTC)
    while day.date() <= date(2027, 3, 31):
        for moment in (day, day + timedelta(hours=3)):  # the schedule and a manual re-run
            for key, round_id in launch_due_rounds(
                session=session, now=moment, settings=settings, actor="t"
            ):
                assert key not in launched
                launched[key] = (moment.date(), round_id)
        session.commit()
        day += timedelta(days=1)
    assert {k: d for k, (d, _) in launched.items()} == {
        "da-spring": date(2026, 5, 5),
        "s47-summer": date(2026, 6, 2),
        "da-reaudit": date(2026, 11, 3),
    }
    baseline = get_round(session=session, round_id=launched["da-spring"][1])
    reaudit = get_round(session=session, round_id=launched["da-reaudit"][1])
    assert reaudit.baseline_round_id == baseline.id
    before = LaunchParameters.model_validate(baseline.parameters)
    after = LaunchParameters.model_validate(reaudit.parameters)
    assert (after.quotas, after.criteria, after.agencies) == (
        before.quotas,
        before.criteria,
        before.agencies,
    )
    from sqlmodel import col, select

    from models.outbox import OutboxMessage

    told = session.exec(
        select(OutboxMessage).where(col(OutboxMessage.dedupe_key).like("programme:%"))
    ).all()
    assert sorted(m.dedupe_key.split(":")[1] for m in told) == sorted(launched)
    assert all(m.address == "casey@testshire.example.org" for m in told)
    rows = {r.key: r for r in programme_status(session=session, now=day)}
    assert rows["da-spring"].status == "collecting" and rows["da-spring"].response_rate == "0 of 12"


@pytest.mark.usefixtures("loaded")
def test_a_missed_day_launches_late_and_show_says_late_before(
    session: Session, settings: Settings
) -> None:
    rows = {
        r.key: r.status
        for r in programme_status(session=session, now=datetime(2026, 5, 6, 9, tzinfo=UTC))
    }
    assert rows == {"da-spring": "late to launch", "s47-summer": "planned", "da-reaudit": "planned"}
    saturday = datetime(2026, 5, 9, 9, tzinfo=UTC)
    assert launch_due_rounds(session=session, now=saturday, settings=settings, actor="t") == []
    late = launch_due_rounds(
        session=session, now=datetime(2026, 5, 11, 9, tzinfo=UTC), settings=settings, actor="t"
    )
    assert [key for key, _ in late] == ["da-spring"]


def test_the_example_programme_is_valid() -> None:
    example = Path(__file__).parents[2] / "agencies" / "example" / "programme.yaml"
    plan = read_programme(example, calendar=WorkingDayCalendar())
    assert [r.key for r in plan.rounds] == ["da-q1", "s47-q2", "neglect-q3", "da-reaudit"]
    assert {r.key: r.tool for r in plan.rounds}["neglect-q3"] == "neglect"
