"""Changes to the policy data an administrator manages: the working-day calendar."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from quancheng.agencies.roles import require
from quancheng.errors import ActionError
from quancheng.ledger.public import Actor, append_fact
from quancheng.policies.models import CalendarYear

FIRST_YEAR, LAST_YEAR = 2000, 2100


@dataclass
class CalendarInput:
    """One year's arrangement as the State Council announces it: the days off (holidays) and
    the weekend days worked instead (调休)."""

    year: int
    holidays: list[dt.date] = field(default_factory=list)
    workdays: list[dt.date] = field(default_factory=list)
    source: str = ""


@transaction.atomic
def load_calendar_year(actor: Actor, data: CalendarInput) -> CalendarYear:
    """Store a year of the working-day calendar. A later load of the same year takes over
    from an earlier one; the earlier row and its ledger fact stay."""
    user = actor.user
    # the calendar serves the whole installation: any administrator loads it
    require(user, "calendar.load", agency=user.agency if user is not None else None)
    _check_calendar(data)
    row = CalendarYear.objects.create(
        year=data.year,
        holidays=[d.isoformat() for d in sorted(data.holidays)],
        workdays=[d.isoformat() for d in sorted(data.workdays)],
        source=data.source.strip(),
        loaded_by=user,
    )
    append_fact(
        actor,
        "calendar.loaded",
        ("calendar_year", row.pk),
        {
            "year": row.year,
            "holidays": row.holidays,
            "workdays": row.workdays,
            "source": row.source,
        },
        None,
    )
    return row


def _check_calendar(data: CalendarInput) -> None:
    if not isinstance(data.year, int) or not FIRST_YEAR <= data.year <= LAST_YEAR:
        raise ActionError(
            _("The year must be a number from %(first)d to %(last)d.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR},
            "year",
        )
    if not data.holidays:
        raise ActionError(_("A year's arrangement lists at least one holiday."), "holidays")
    if len(data.source) > 300:
        raise ActionError(_("The source is longer than 300 characters."), "source")
    for name, days in (("holidays", data.holidays), ("workdays", data.workdays)):
        for index, day in enumerate(days):
            if day.year != data.year:
                raise ActionError(
                    _("%(day)s is not in %(year)d.") % {"day": day.isoformat(), "year": data.year},
                    f"{name}.{index}",
                )
            if days.index(day) != index:
                raise ActionError(
                    _("%(day)s is listed twice.") % {"day": day.isoformat()}, f"{name}.{index}"
                )
    for index, day in enumerate(data.workdays):
        if day in data.holidays:
            raise ActionError(
                _("%(day)s cannot be both a holiday and a working day.") % {"day": day.isoformat()},
                f"workdays.{index}",
            )
        if day.weekday() < 5:
            raise ActionError(
                _("%(day)s is a weekday; a swapped working day is a Saturday or Sunday.")
                % {"day": day.isoformat()},
                f"workdays.{index}",
            )
