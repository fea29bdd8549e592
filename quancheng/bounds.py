"""What every input of Quancheng is bounded by, wherever it comes from (API, web forms,
exchange files, tus metadata): one range of times, integers within their columns, text
within its column and without NUL characters. See docs/api.md, "Ranges and bounds".

Times lie in the years 1970–2100 (UTC), which holds every enforcement record a system of
this kind will keep (the regulations it implements are of this century) and keeps clear of
the ends where the server's local time has odd offsets (Asia/Shanghai was +08:05:43 before
1901) or a conversion to UTC overflows (years 1 and 9999). A time carries its offset in
whole minutes, as RFC 3339 writes it, within ±14:00, the range of real timezones.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from quancheng.errors import ActionError

FIRST_YEAR = 1970
LAST_YEAR = 2100
EARLIEST = dt.datetime(FIRST_YEAR, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(LAST_YEAR, 12, 31, 23, 59, 59, 999999, tzinfo=dt.UTC)
MAX_OFFSET = dt.timedelta(hours=14)

# The columns integers land in: PositiveIntegerField / IntegerField on SQLite and PostgreSQL,
# and BigIntegerField / BigAutoField (ids).
INT_MAX = 2**31 - 1
BIGINT_MAX = 2**63 - 1

# A text field without a column length (TextField, a record's long-text field) is bounded
# by QUANCHENG_MAX_TEXT characters; this is its default.
DEFAULT_MAX_TEXT = 65_536


def moment_problem(value: dt.datetime) -> str | None:
    """Why ``value`` is not an acceptable time, or None when it is."""
    offset = value.utcoffset() if value.tzinfo is not None else None
    if offset is None:
        return _("A time must carry its timezone.")
    # The year first: comparing a year-1 time with EARLIEST must not be the first thing done.
    if not FIRST_YEAR - 1 <= value.year <= LAST_YEAR + 1 or not EARLIEST <= value <= LATEST:
        return range_message()
    if offset.seconds % 60 or offset.microseconds or abs(offset) > MAX_OFFSET:
        return _("The timezone offset must be whole minutes between -14:00 and +14:00.")
    return None


def date_problem(value: dt.date) -> str | None:
    """Why ``value`` is not an acceptable date, or None."""
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        return _("Must be a date in the years %(first)s to %(last)s.") % {
            "first": FIRST_YEAR,
            "last": LAST_YEAR,
        }
    return None


def range_message() -> str:
    return _("Must be a time in the years %(first)s to %(last)s (UTC).") % {
        "first": FIRST_YEAR,
        "last": LAST_YEAR,
    }


def not_a_time_message() -> str:
    return _("Must be a time such as 2026-03-01T09:30:00+08:00.")


def not_a_day_message() -> str:
    return _("Must be a date such as 2026-03-01.")


def parse_moment(text: str) -> tuple[dt.datetime | None, str | None]:
    """An ISO 8601 / RFC 3339 time with its offset, or (None, why not)."""
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        return None, not_a_time_message()
    problem = moment_problem(value)
    return (None, problem) if problem else (value, None)


def max_text() -> int:
    """The most characters a text without a column length may hold (QUANCHENG_MAX_TEXT)."""
    return int(getattr(settings, "QUANCHENG_MAX_TEXT", DEFAULT_MAX_TEXT))


def text_problem(value: str, max_length: int | None = None) -> str | None:
    """Why ``value`` cannot be stored as text of at most ``max_length`` characters (the
    QUANCHENG_MAX_TEXT cap when None), or None."""
    if "\x00" in value:
        return nul_message()
    limit = max_length if max_length is not None else max_text()
    if len(value) > limit:
        return _("At most %(n)s characters.") % {"n": limit}
    return None


def nul_message() -> str:
    return _("Must not contain the NUL character (\\u0000).")


def nul_path(value: Any, path: str = "") -> str | None:
    """The dotted path of the first string (or key) holding a NUL character in a JSON-like
    value, or None. ``""`` means the value itself."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and "\x00" in key:
                return where
            found = nul_path(item, where)
            if found is not None:
                return found
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found = nul_path(item, f"{path}.{index}" if path else str(index))
            if found is not None:
                return found
    return None


def require_aware(value: dt.datetime | None, path: str) -> None:
    """Refuse a time without its timezone, or outside the accepted range (above)."""
    if value is None:
        return
    problem = moment_problem(value)
    if problem:
        raise ActionError(problem, path)


def require_text(value: str, path: str, max_length: int | None = None) -> None:
    """Refuse text with a NUL character or longer than its column (``max_length``) or,
    without one, than QUANCHENG_MAX_TEXT."""
    problem = text_problem(value, max_length)
    if problem:
        raise ActionError(problem, path)
