"""Reading a year of the working-day calendar from a file, and describing any year: loaded
by an administrator, known to chinese-calendar, or not covered."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import chinese_calendar
import yaml
from django.utils.translation import gettext as _

from quancheng.errors import ActionError
from quancheng.policies.actions import CalendarInput
from quancheng.policies.models import CalendarYear

KEYS = ("year", "holidays", "workdays", "source")


class _TextDatesLoader(yaml.SafeLoader):
    """YAML with dates left as text, so a bad one is reported with its path, not by PyYAML."""


_TextDatesLoader.yaml_implicit_resolvers = {
    first: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_calendar_file(path: Path) -> CalendarInput:
    """A year from a JSON or YAML file: ``year``, ``holidays`` and ``workdays`` (ISO dates, or
    ranges ``2027-02-06..2027-02-12``), ``source`` (the announcement it comes from)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ActionError(
            _("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc}
        ) from exc
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.load(text, _TextDatesLoader)  # noqa: S506
    except (ValueError, yaml.YAMLError) as exc:
        raise ActionError(
            _("%(path)s is not valid JSON or YAML: %(error)s") % {"path": path, "error": exc}
        ) from exc
    if not isinstance(data, dict):
        raise ActionError(_("The file must hold an object with a year and its days."))
    for key in data:
        if key not in KEYS:
            raise ActionError(_("Unknown key “%(key)s”.") % {"key": key}, str(key))
    year = data.get("year")
    if not isinstance(year, int) or isinstance(year, bool):
        raise ActionError(_("The year must be a number such as 2027."), "year")
    source = data.get("source", "")
    if not isinstance(source, str):
        raise ActionError(_("Must be text."), "source")
    return CalendarInput(
        year=year,
        holidays=_days(data.get("holidays"), "holidays"),
        workdays=_days(data.get("workdays", []), "workdays"),
        source=source,
    )


def _days(value: Any, path: str) -> list[dt.date]:
    if not isinstance(value, list):
        raise ActionError(_("Must be a list of dates."), path)
    days: list[dt.date] = []
    for index, item in enumerate(value):
        days.extend(_day_or_range(item, f"{path}.{index}"))
    return days


def _day_or_range(item: Any, path: str) -> list[dt.date]:
    if isinstance(item, str):
        first, _sep, last = item.partition("..")
        try:
            start = dt.date.fromisoformat(first.strip())
            end = dt.date.fromisoformat(last.strip()) if last else start
        except ValueError:
            pass
        else:
            if end >= start:
                return [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
    raise ActionError(
        _("“%(value)s” is not a date such as 2027-01-01 or a range such as 2027-02-06..2027-02-12.")
        % {"value": item},
        path,
    )


def _off(day: dt.date) -> bool:
    return not chinese_calendar.is_workday(day)


@dataclass
class YearCoverage:
    year: int
    covered: bool
    origin: str  # "loaded", "chinese-calendar" or ""
    holidays: list[dt.date]
    workdays: list[dt.date]
    row: CalendarYear | None = None


def describe_year(year: int) -> YearCoverage:
    """Where the calendar's knowledge of ``year`` comes from, and its special days: the days
    off for a holiday and the weekend days worked instead."""
    row = CalendarYear.objects.filter(year=year).order_by("-id").first()
    if row is not None:
        return YearCoverage(
            year,
            True,
            "loaded",
            [dt.date.fromisoformat(d) for d in row.holidays],
            [dt.date.fromisoformat(d) for d in row.workdays],
            row,
        )
    try:
        chinese_calendar.is_workday(dt.date(year, 1, 1))
    except NotImplementedError:
        return YearCoverage(year, False, "", [], [])
    days = [dt.date(year, 1, 1) + dt.timedelta(n) for n in range(366)]
    days = [d for d in days if d.year == year]
    return YearCoverage(
        year,
        True,
        f"chinese-calendar {version('chinesecalendar')}",
        [d for d in days if chinese_calendar.get_holiday_detail(d)[1] and _off(d)],
        [d for d in days if d.weekday() >= 5 and chinese_calendar.is_workday(d)],
    )
