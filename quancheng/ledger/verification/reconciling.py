"""Reconciling the rows users see with the facts (``quancheng.ledger.reconcile`` holds what
the apps declared): every fact of a folded kind is folded, in log order, into the rows it
describes; each declared table is then read with one query (and one per link table) and
compared in memory, field by field, as each field's declaration says.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

from django.db import connection, models
from django.db.models.functions import Cast

from quancheng.ledger.reconcile import (
    CHANGED,
    DATE,
    FACT_WITHOUT_ROW,
    ROW_WITHOUT_FACT,
    SET,
    TIME,
    UUID,
    Expected,
    Many,
    Mismatch,
    Table,
    _registry,
)
from quancheng.ledger.verification.values import SAME, different, loaded, loads, same_set, spelled


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
                payload = loads(payload)
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
    """The table's rows against the facts about them: fields changed, rows no fact
    describes, then rows the facts describe that are gone."""
    described = expected.rows.get(table.name, {})
    lookups = _lookups(table)
    model = table.model()
    query = model._default_manager.order_by().values_list(table.key, *lookups)
    out, keys, unrecorded = _changed(table, expected, origins, described, _raw_rows(query))
    if unrecorded:
        out += _without_facts(table, model, unrecorded, agency_logs)
    for key in sorted(described.keys() - set(keys), key=_order):
        log = origins.get(expected.log_of(table.name, key))
        out.append(Mismatch(table.name, key, "", None, None, FACT_WITHOUT_ROW, log))
    return out


def _lookups(table: Table) -> list[Any]:
    """What the table's query selects for each field, in the spelling the comparison reads."""
    if connection.vendor == "sqlite":
        # times as the text SQLite keeps (UTC): Django's parsing would cost more than the check
        return [
            Cast(lookup, output_field=models.TextField()) if how == TIME else lookup
            for lookup, how in table.fields.values()
        ]
    if connection.vendor == "postgresql":
        # times spelled by the database as a fact's JSON spells them, UUIDs as their text: the
        # driver's timestamptz loader (and the comparison of its datetime) would cost more
        return [_postgres_text(lookup, how) for lookup, how in table.fields.values()]
    return [lookup for lookup, _how in table.fields.values()]


def _changed(
    table: Table,
    expected: Expected,
    origins: dict[int, str],
    described: dict[str, dict[str, Any]],
    rows: Iterator[tuple[Any, ...]],
) -> tuple[list[Mismatch], list[str], list[str]]:
    """The fields of ``rows`` (key first, then the table's fields) that differ from what the
    facts recorded, with the keys of every row read and of those no fact describes, in row
    order. The link tables are read before the first row."""
    columns = _columns(table)
    many = {name: _links(spec) for name, spec in table.many.items()}
    out: list[Mismatch] = []
    keys: list[str] = []
    unrecorded: list[str] = []
    # the loop runs once per field a fact records, millions of times: the common case (equal
    # as handed over) costs one lookup and one comparison
    for values in rows:
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
                how, have, same = SET, many[name].get(key, []), same_set
            else:
                continue
            if same(recorded, have):
                continue
            left, right = spelled(how, recorded), spelled(how, loaded(how, have, recorded))
            if left != right:
                log = origins.get(expected.log_of(table.name, key))
                out.append(Mismatch(table.name, key, name, left, right, CHANGED, log))
    return out, keys, unrecorded


def _columns(table: Table) -> dict[str, tuple[int, str, Callable[[Any, Any], bool]]]:
    """Where each field is in a row (its column; a field not there is in its link table),
    how it compares, and its quick comparison."""
    return {
        name: (index + 1, how, SAME.get(how, different))
        for index, (name, (_lookup, how)) in enumerate(table.fields.items())
    }


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
    PostgreSQL JSON, times, dates and UUIDs as text; ``SAME`` and ``loaded`` read them so."""
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
