"""Working days: no weekends, no England and Wales bank holidays, no partnership closure days."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")
END_OF_DAY = time(23, 59, 59)


@cache
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


@dataclass(frozen=True)
class WorkingDayCalendar:
    """Which days are working days for a partnership."""

    closure_days: frozenset[date] = field(default_factory=frozenset)

    @classmethod
    def with_closures(cls, days: Iterable[date]) -> WorkingDayCalendar:
        """A calendar with the partnership's own closure days."""
        return cls(closure_days=frozenset(days))

    def bank_holiday(self, day: date) -> bool:
        """Whether the day is an England and Wales bank holiday (observed days included)."""
        return day in _bank_holidays(day.year)

    def is_working_day(self, day: date) -> bool:
        """Monday to Friday, not a bank holiday, not a closure day."""
        return day.weekday() < 5 and not self.bank_holiday(day) and day not in self.closure_days

    def why_not_working(self, day: date) -> str | None:
        """Why a day is not a working day, in words; None when it is one."""
        if day.weekday() >= 5:
            return f"{day:%A %d %B %Y} is a weekend day"
        if self.bank_holiday(day):
            name = holidays.country_holidays("GB", subdiv="ENG", years=day.year).get(day)
            return f"{day:%A %d %B %Y} is a bank holiday ({name})"
        if day in self.closure_days:
            return f"{day:%A %d %B %Y} is a closure day of the partnership"
        return None

    def next_working_day(self, day: date) -> date:
        """The day itself when it is a working day, else the next one."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def add_working_days(self, day: date, count: int) -> date:
        """The working day `count` working days after (or, if negative, before) `day`."""
        step = 1 if count >= 0 else -1
        remaining = abs(count)
        while remaining:
            day += timedelta(days=step)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (0 when end <= start)."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += self.is_working_day(day)
        return count


def end_of_day(day: date) -> datetime:
    """23:59:59 Europe/London on the day, as an aware datetime (when a due date ends)."""
    return datetime.combine(day, END_OF_DAY, tzinfo=LONDON)


def london_date(moment: datetime) -> date:
    """The calendar date in England at that moment."""
    return moment.astimezone(LONDON).date()


def long_moment(moment: datetime, timezone: str = "Europe/London") -> str:
    """A moment as people in the partnership read it, in its time zone: 26 November 2026 at
    10:00 (British Summer Time included)."""
    local = moment.astimezone(ZoneInfo(timezone))
    return f"{local.day} {local:%B %Y} at {local:%H:%M}"


def long_day(value: date | datetime, timezone: str = "Europe/London") -> str:
    """A date, or the day of a moment in the partnership's time zone: 26 November 2026."""
    day = value.astimezone(ZoneInfo(timezone)) if isinstance(value, datetime) else value
    return f"{day.day} {day:%B %Y}"
