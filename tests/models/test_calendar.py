from __future__ import annotations

from datetime import UTC, datetime

from models.calendar import long_day, long_moment


def test_a_moment_reads_in_london_time_in_winter_and_in_summer() -> None:
    assert long_moment(datetime(2026, 11, 25, 10, 0, tzinfo=UTC)) == "25 November 2026 at 10:00"
    assert long_moment(datetime(2027, 6, 30, 23, 30, tzinfo=UTC)) == "1 July 2027 at 00:30"


def test_another_partnership_time_zone_is_honoured() -> None:
    moment = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    assert long_moment(moment, "America/New_York") == "25 November 2026 at 05:00"


def test_the_day_of_a_late_summer_evening_is_the_next_day_in_london() -> None:
    assert long_day(datetime(2027, 6, 30, 23, 30, tzinfo=UTC)) == "1 July 2027"
    assert long_day(datetime(2026, 11, 30, 23, 30, tzinfo=UTC)) == "30 November 2026"
