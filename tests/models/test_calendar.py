from __future__ import annotations

from datetime import UTC, datetime

from models.calendar import long_moment


def test_a_moment_reads_in_london_time_in_winter_and_in_summer() -> None:
    assert long_moment(datetime(2026, 11, 25, 10, 0, tzinfo=UTC)) == "25 November 2026 at 10:00"
    assert long_moment(datetime(2027, 6, 30, 23, 30, tzinfo=UTC)) == "1 July 2027 at 00:30"


def test_another_partnership_time_zone_is_honoured() -> None:
    moment = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    assert long_moment(moment, "America/New_York") == "25 November 2026 at 05:00"
