"""Reconciling the rows users see with the facts (``quancheng.ledger.reconcile`` holds what
the apps declared): every fact of a folded kind is folded, in log order, into the rows it
describes; each declared table is then read with one query (and one per link table) and
compared in memory, field by field, as each field's declaration says.
"""

from __future__ import annotations

import datetime as dt
import json
import json.scanner
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

from django.db import connection, models
from django.db.models.functions import Cast

from quancheng.ledger.reconcile import (
    CHANGED,
    DATE,
    FACT_WITHOUT_ROW,
    JSON,
    ROW_WITHOUT_FACT,
    SET,
    TEXT,
    TIME,
    UUID,
    Expected,
    Many,
    Mismatch,
    Table,
    _registry,
)


class Collector:
    """Folds facts into ``expected`` one at a time, as a pass over the facts reads them
    (verify's own pass hands each over: the payloads are read once)."""

    def __init__(self) -> None:
        self.expected = Expected()
        self.folds = dict(_registry.folds)

    def add(self, log_id: int, kind: str, subject_id: str, payload: Any) -> None:
        fold = self.folds.get(kind)
        if fold is None:
            return
        if isinstance(payload, str):
            try:
                payload = _loads(payload)
            except ValueError:
                return  # not JSON: the fact's own check names it
        if not isinstance(payload, dict):
            return
        self.expected.log_id = log_id
        try:
            fold(self.expected, subject_id, payload)
        except (KeyError, TypeError, ValueError, AttributeError):
            return  # a payload rewritten out of shape: the fact's own check names it


def expected_rows() -> Expected:
    """Every fact of a folded kind, in log order, folded into the rows it describes."""
    collector = Collector()
    kinds = sorted(collector.folds)
    if not kinds:
        return collector.expected
    # jsonb comes as its text (Django's loader): ``Collector.add`` parses it
    marks = ", ".join(["%s"] * len(kinds))
    sql = (
        f"SELECT log_id, kind, subject_id, payload FROM ledger_fact "  # noqa: S608
        f"WHERE kind IN ({marks}) ORDER BY log_id, seq"
    )
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, kinds)
        while rows := cursor.fetchmany(5000):
            for row in rows:
                collector.add(*row)
    return collector.expected


def reconcile(
    advance: Callable[[str], None] | None = None,
    origins: dict[int, str] | None = None,
    expected: Expected | None = None,
) -> list[Mismatch]:
    """Every declared table against the facts, one query per table (and per link table);
    ``advance(table)`` is called after each. ``expected``: the facts already folded (by
    verify's pass over them); else they are read here. Mismatches come in table, key,
    field order."""
    if expected is None:
        expected = expected_rows()
    if origins is None:
        from quancheng.ledger.models import Log

        origins = dict(Log.objects.values_list("id", "origin"))
    agency_logs = _agency_logs()
    mismatches: list[Mismatch] = []
    for table in _registry.tables.values():
        mismatches += _compare(table, expected, origins, agency_logs)
        if advance:
            advance(table.name)
    return mismatches


def _agency_logs() -> dict[int, str]:
    from quancheng.ledger.models import Log

    return dict(Log.objects.filter(agency__isnull=False).values_list("agency_id", "origin"))


def _compare(
    table: Table, expected: Expected, origins: dict[int, str], agency_logs: dict[int, str]
) -> list[Mismatch]:
    described = expected.rows.get(table.name, {})
    lookups: list[Any] = [lookup for lookup, _how in table.fields.values()]
    if connection.vendor == "sqlite":
        # times as the text SQLite keeps (UTC): Django's parsing would cost more than the check
        lookups = [
            Cast(lookup, output_field=models.TextField()) if how == TIME else lookup
            for lookup, how in table.fields.values()
        ]
    elif connection.vendor == "postgresql":
        # times spelled by the database as a fact's JSON spells them, UUIDs as their text: the
        # driver's timestamptz loader (and the comparison of its datetime) would cost more
        lookups = [_postgres_text(lookup, how) for lookup, how in table.fields.values()]
    # where each field is in a row: its column (else its link table), and how it compares
    columns = {
        name: (index + 1, how, _SAME.get(how, _different))
        for index, (name, (_lookup, how)) in enumerate(table.fields.items())
    }
    many = {name: _links(spec) for name, spec in table.many.items()}
    out: list[Mismatch] = []
    keys: list[str] = []
    unrecorded: list[str] = []
    model = table.model()
    # the loop runs once per field a fact records, millions of times: the common case (equal
    # as handed over) costs one lookup and one comparison
    for values in _raw_rows(model._default_manager.order_by().values_list(table.key, *lookups)):
        key = values[0]
        if not isinstance(key, str):
            key = str(key)
        keys.append(key)
        facts = described.get(key)
        if facts is None:
            unrecorded.append(key)
            continue
        for name, recorded in facts.items():
            where = columns.get(name)
            if where is not None:
                index, how, same = where
                have = values[index]
                if recorded == have:
                    continue
            elif name in many:
                how, have, same = SET, many[name].get(key, []), _same_set
            else:
                continue
            if same(recorded, have):
                continue
            left, right = _spelled(how, recorded), _spelled(how, _loaded(how, have, recorded))
            if left != right:
                log = origins.get(expected.log_of(table.name, key))
                out.append(Mismatch(table.name, key, name, left, right, CHANGED, log))
    if unrecorded:
        out += _without_facts(table, model, unrecorded, agency_logs)
    for key in sorted(described.keys() - set(keys), key=_order):
        log = origins.get(expected.log_of(table.name, key))
        out.append(Mismatch(table.name, key, "", None, None, FACT_WITHOUT_ROW, log))
    return out


def _without_facts(
    table: Table, model: type[models.Model], keys: list[str], agency_logs: dict[int, str]
) -> list[Mismatch]:
    agencies: dict[str, int | None] = {}
    if table.agency is not None:
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            rows = model._default_manager.filter(**{f"{table.key}__in": chunk})
            for key, agency in rows.values_list(table.key, table.agency):
                agencies[str(key)] = agency
    return [
        Mismatch(
            table.name,
            key,
            "",
            None,
            None,
            ROW_WITHOUT_FACT,
            agency_logs.get(agencies.get(key, 0) or 0),
        )
        for key in sorted(keys, key=_order)
    ]


def _raw_rows(query: models.QuerySet) -> Iterator[tuple[Any, ...]]:
    """The query's rows as the driver hands them over, without Django's conversions (a
    large share of the time): SQLite gives times and JSON as text and booleans as 0 and 1,
    PostgreSQL JSON, times, dates and UUIDs as text; ``_SAME`` and ``_loaded`` read them so."""
    sql, params = query.query.sql_with_params()
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(5000):
            yield from rows


class _UtcMilliseconds(models.Func):
    """A timestamptz as Django's JSON encoder writes an instant in UTC (to the millisecond)."""

    template = """to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')"""
    output_field = models.TextField()


def _postgres_text(lookup: str, how: str) -> Any:
    if how == TIME:
        return _UtcMilliseconds(lookup)
    if how == DATE:
        return models.Func(
            lookup,
            template="to_char(%(expressions)s, 'YYYY-MM-DD')",
            output_field=models.TextField(),
        )
    if how == UUID:
        return Cast(lookup, output_field=models.TextField())
    return lookup


def _links(spec: Many) -> dict[str, list[Any]]:
    links: dict[str, list[Any]] = defaultdict(list)
    through = spec.through()
    for owner, value in through._default_manager.order_by().values_list(spec.owner, spec.value):
        links[str(owner)].append(value)
    return links


def _order(key: str) -> tuple[int, str]:
    return (int(key), "") if key.isdigit() else (1 << 62, key)


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


def _same_set(recorded: Any, have: Any) -> bool:
    if not isinstance(recorded, list) or not isinstance(have, list):
        return False
    return len(recorded) == len(have) and sorted(recorded, key=str) == sorted(have, key=str)


def _same_uuid(recorded: Any, have: Any) -> bool:
    return recorded is not None and have is not None and _uuid(recorded) == _uuid(have)


def _different(recorded: Any, have: Any) -> bool:
    return False


# The quick comparison of a recorded value with a row's raw one, by how the field compares
# (after plain equality failed).
_SAME: dict[str, Callable[[Any, Any], bool]] = {
    TIME: _same_time,
    JSON: _same_json,
    DATE: _same_date,
    SET: _same_set,
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


def _loads(text: str) -> Any:
    """``json.loads``, without its wrapper's cost where the text is one value and nothing else
    (as the database hands a column over): once per fact and per JSON field."""
    try:
        value, end = _scan(text, 0)
    except StopIteration:
        end = -1
    return value if end == len(text) else json.loads(text)


def _json(text: str) -> Any:
    try:
        return _loads(text)
    except ValueError:
        return text


def _uuid(value: Any) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return str(value)


def _loaded(how: str, have: Any, recorded: Any) -> Any:
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


def _spelled(how: str, value: Any) -> Any:
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
