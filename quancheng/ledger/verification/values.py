"""How reconciling (``quancheng.ledger.verification.reconciling``) compares the value a fact
recorded with a row's value as the driver hands it over (``SAME``, by how the field compares), and
the one spelling both are compared again and reported in (``loaded``, ``spelled``); with
``loads``, the quick JSON parser of payloads and JSON fields.
"""

from __future__ import annotations

import datetime as dt
import json
import json.scanner
import uuid
from collections.abc import Callable
from typing import Any

from quancheng.ledger.reconcile import DATE, JSON, SET, TEXT, TIME, UUID


def _same_time(recorded: Any, have: Any) -> bool:
    """An instant to the millisecond; the row's as a datetime, SQLite's text of it, or
    PostgreSQL's in the fact's spelling (which ``_text_encoded`` leaves as it is)."""
    if not isinstance(recorded, str) or have is None:
        return False
    if isinstance(have, str):
        if _text_encoded(have) == recorded:
            return True  # the common case: the fact was written in UTC
    elif _as_encoded(have) == recorded:
        return True
    try:
        when = dt.datetime.fromisoformat(recorded)
        if isinstance(have, str):
            have = dt.datetime.fromisoformat(have)
    except ValueError:
        return False
    if have.tzinfo is None:
        have = have.replace(tzinfo=dt.UTC)  # Django keeps UTC in SQLite
    if when.tzinfo is None:
        return False
    return bool(when == have.replace(microsecond=have.microsecond // 1000 * 1000))


def _same_json(recorded: Any, have: Any) -> bool:
    return isinstance(have, str) and _json(have) == recorded


def _same_date(recorded: Any, have: Any) -> bool:
    """A date as the driver hands it over (PostgreSQL spells it as text: equal, or not)."""
    return isinstance(have, dt.date) and have.isoformat() == recorded


def same_set(recorded: Any, have: Any) -> bool:
    if not isinstance(recorded, list) or not isinstance(have, list):
        return False
    return len(recorded) == len(have) and sorted(recorded, key=str) == sorted(have, key=str)


def _same_uuid(recorded: Any, have: Any) -> bool:
    return recorded is not None and have is not None and _uuid(recorded) == _uuid(have)


def different(recorded: Any, have: Any) -> bool:
    return False


# The quick comparison of a recorded value with a row's raw one, by how the field compares
# (after plain equality failed).
SAME: dict[str, Callable[[Any, Any], bool]] = {
    TIME: _same_time,
    JSON: _same_json,
    DATE: _same_date,
    SET: same_set,
    UUID: _same_uuid,
}


def _as_encoded(when: dt.datetime) -> str:
    """A UTC time as Django's JSON encoder writes it (milliseconds, ``Z``), else ``""``."""
    text = when.isoformat()
    if when.tzinfo is not None:
        if not text.endswith("+00:00"):
            return ""
        text = text[:-6]
    return (text[:23] if when.microsecond else text) + "Z"


def _text_encoded(text: str) -> str:
    """SQLite's text of a UTC time (``2026-03-02 01:30:00.123456``) as Django's JSON encoder
    writes the time (``2026-03-02T01:30:00.123Z``)."""
    return text[:10] + "T" + text[11:23] + "Z"


_scan: Any = json.scanner.make_scanner(json.JSONDecoder())  # type: ignore[arg-type]


def loads(text: str) -> Any:
    """``json.loads``, without its wrapper's cost where the text is one value and nothing else
    (as the database hands a column over): once per fact and per JSON field."""
    try:
        value, end = _scan(text, 0)
    except StopIteration:
        end = -1
    return value if end == len(text) else json.loads(text)


def _json(text: str) -> Any:
    try:
        return loads(text)
    except ValueError:
        return text


def _uuid(value: Any) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return str(value)


def loaded(how: str, have: Any, recorded: Any) -> Any:
    """A row's raw value as the application reads it, for the report."""
    if have is None:
        return None
    if how == DATE and isinstance(have, str):
        try:
            return dt.date.fromisoformat(have)
        except ValueError:
            return have
    if how == TIME and isinstance(have, str):
        try:
            return dt.datetime.fromisoformat(have)
        except ValueError:
            return have
    if how == JSON and isinstance(have, str):
        return _json(have)
    if how == UUID:
        return _uuid(have)
    if isinstance(recorded, bool) and isinstance(have, int) and not isinstance(have, bool):
        return bool(have)
    return have


def spelled(how: str, value: Any) -> Any:
    """One spelling of a value for comparing and reporting (JSON-ready)."""
    if value is None:
        return None
    if how == TIME:
        return _instant(value)
    if how == DATE:
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    if how == SET:
        return sorted((_plain(v) for v in value), key=str) if isinstance(value, list) else value
    if how == TEXT:
        return str(value)
    if how == UUID:
        return _uuid(value)
    return _plain(value)


def _instant(value: Any) -> str:
    """An instant as UTC to the millisecond (the precision a fact's JSON keeps)."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if not isinstance(value, dt.datetime):
        return str(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    value = value.astimezone(dt.UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return _instant(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str | int | float | bool | list | dict) or value is None:
        return value
    return str(value)
