"""Deadlines counted in a pack's units: hours, days, or PRC working days.

Days follow the usual reading of Chinese law on periods (民法典 §201, §203): the day the
period starts is not counted, and a period in days ends at 24:00 of its last day.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from quancheng.policies.choices import DeadlineUnit
from quancheng.policies.schema import Deadline
from quancheng.policies.workdays import WorkCalendar

CHINA = ZoneInfo("Asia/Shanghai")


def due_at(start: dt.datetime, deadline: Deadline, calendar: WorkCalendar) -> dt.datetime:
    """When a period of ``deadline`` that starts at ``start`` runs out.

    Raises ``CalendarGap`` when working days must be counted through a year the calendar
    does not cover.
    """
    if start.tzinfo is None:
        raise ValueError("deadlines need timezone-aware datetimes")
    if deadline.unit == DeadlineUnit.HOURS:
        return start + dt.timedelta(hours=deadline.amount)
    local_day = start.astimezone(CHINA).date()
    if deadline.unit == DeadlineUnit.DAYS:
        last_day = local_day + dt.timedelta(days=deadline.amount)
    else:
        last_day = calendar.nth_workday_after(local_day, deadline.amount)
    return dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(0), tzinfo=CHINA)
