"""The PRC working-day calendar, with its swapped days (调休).

``chinese-calendar`` knows the years the State Council has announced. An administrator can
load a year it does not know yet (``quancheng calendar load``); for any other year the
calendar refuses to guess and raises ``CalendarGap``, which the engine turns into a finding.
"""

from __future__ import annotations

import datetime as dt

import chinese_calendar


class CalendarGap(Exception):
    """The working-day calendar has no data for this year."""

    def __init__(self, year: int) -> None:
        super().__init__(year)
        self.year = year


class WorkCalendar:
    """Working days from ``chinese-calendar``, overridden year by year by loaded data.

    ``overrides`` maps a year to its special days: ``True`` for a working day (a swapped
    weekend), ``False`` for a day off (a holiday); any other day of a loaded year is a working
    day on Monday to Friday.
    """

    def __init__(self, overrides: dict[int, dict[dt.date, bool]] | None = None) -> None:
        self.overrides = overrides or {}
        self._cache: dict[dt.date, bool] = {}

    def is_workday(self, day: dt.date) -> bool:
        cached = self._cache.get(day)
        if cached is not None:
            return cached
        special = self.overrides.get(day.year)
        if special is not None:
            result = special.get(day, day.weekday() < 5)
        else:
            try:
                result = chinese_calendar.is_workday(day)
            except NotImplementedError:
                raise CalendarGap(day.year) from None
        self._cache[day] = result
        return result

    def covers(self, year: int) -> bool:
        if year in self.overrides:
            return True
        try:
            chinese_calendar.is_workday(dt.date(year, 6, 1))
        except NotImplementedError:
            return False
        return True

    def nth_workday_after(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day after ``start`` (the start day itself is not counted)."""
        day = start
        while n > 0:
            day += dt.timedelta(days=1)
            if self.is_workday(day):
                n -= 1
        return day


def default_calendar() -> WorkCalendar:
    """The calendar with every year an administrator has loaded into the database."""
    from quancheng.policies.models import CalendarYear

    return WorkCalendar(CalendarYear.overrides())
