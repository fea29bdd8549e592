"""Queries the ORM builds and compiles once, then runs again with another id.

Django builds and compiles a query anew every time it runs one: for the small queries that
read one case, 0.2–0.5 ms of Python against the 0.02 ms SQLite takes to answer. A page that
reads a case in a fixed set of such queries (its engine snapshot) spends most of its time
there. A ``Prepared`` keeps, per process and database, the compiled SQL of a ``.values()``
or ``.values_list()`` query built for one id, with the converters Django applies to its
columns, and runs it again for another id with that id in the id's place, on the connection
of the thread that asks (a server's 64 threads share one compiling); on PostgreSQL as a
statement prepared on the server, which then parses and plans it once per connection too
(``QUANCHENG_DB_PREPARE``, as the ledger's statements). Queries for several ids run through
the ORM as built, so both paths give the same rows (tested).

No maintained library does this: django-prepared-queries, the one that did, stops at
Django 2.1.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import QuerySet
from django.db.models.query import FlatValuesListIterable, ValuesIterable, ValuesListIterable

# An id no table holds: where it shows in the compiled parameters, the id of a run goes.
_MARK = -982_451_653


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    at: tuple[int, ...]  # where the id goes in params
    converters: dict[int, Any]  # column → (converters, expression), as Django's compiler has them
    names: tuple[str, ...] | None  # the keys of .values() rows; None for tuples
    flat: bool

    def run(self, connection: BaseDatabaseWrapper, value: int) -> list[Any]:
        params = list(self.params)
        for i in self.at:
            params[i] = value
        rows = run_statement(connection, self.sql, params, lambda cursor: cursor.fetchall())
        if self.converters:
            rows = [self._converted(row, connection) for row in rows]
        if self.flat:
            return [row[0] for row in rows]
        if self.names is not None:
            return [dict(zip(self.names, row, strict=True)) for row in rows]
        return [tuple(row) for row in rows]

    def _converted(self, row: Sequence[Any], connection: BaseDatabaseWrapper) -> list[Any]:
        """The row's values as the ORM gives them (what ``SQLCompiler.apply_converters``
        does), with the connection of the thread that ran the query."""
        values = list(row)
        for position, (converters, expression) in self.converters.items():
            value = values[position]
            for convert in converters:
                value = convert(value, expression, connection)
            values[position] = value
        return values


class Prepared:
    """``build(ids)`` gives a ``.values()``/``.values_list()`` queryset filtered by ``ids``;
    ``rows(ids)`` its rows. For one id the query is compiled once per process and database
    (every thread of a server runs the same SQL, each on its own connection)."""

    def __init__(self, build: Callable[[list[int]], QuerySet[Any, Any]]) -> None:
        self._build = build
        self._compiled: dict[tuple[str, str], _Compiled] = {}
        self._lock = threading.Lock()

    def rows(self, ids: Sequence[int]) -> list[Any]:
        if len(ids) != 1:
            return list(self._build(list(ids)))
        alias = DEFAULT_DB_ALIAS
        connection = connections[alias]
        key = (alias, connection.vendor)
        compiled = self._compiled.get(key)
        if compiled is None:
            queryset = self._build([_MARK])
            if queryset.db != alias:
                return list(self._build(list(ids)))  # routed elsewhere: as built
            with self._lock:
                compiled = self._compiled.setdefault(key, _compile(queryset, connection))
        return compiled.run(connection, ids[0])


def _compile(queryset: QuerySet[Any, Any], connection: BaseDatabaseWrapper) -> _Compiled:
    kind = queryset._iterable_class  # noqa: SLF001 - which of values()/values_list() it is
    if kind not in (ValuesIterable, ValuesListIterable, FlatValuesListIterable):
        raise TypeError("Prepared runs .values() and .values_list() querysets only")
    query = queryset.query
    compiler = query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    at = tuple(i for i, p in enumerate(params) if p == _MARK)
    if not at or compiler.has_extra_select:
        raise TypeError("a prepared query filters by its ids and selects only its values")
    fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
    names = None
    if kind is ValuesIterable:
        names = tuple(
            query.selected or [*query.extra_select, *query.values_select, *query.annotation_select]
        )
    return _Compiled(
        sql,
        tuple(params),
        at,
        compiler.get_converters(fields),
        names,
        kind is FlatValuesListIterable,
    )


_ONLY_WHEN_ASKED = 2**62  # runs before psycopg prepares a statement by itself


def run_statement(
    db: BaseDatabaseWrapper, sql: str, params: Sequence[Any], fetch: Callable[[Any], Any]
) -> Any:
    """``fetch(cursor)`` after running ``sql``: on PostgreSQL prepared once per connection
    (unless ``QUANCHENG_DB_PREPARE`` is off), elsewhere through Django's cursor."""
    if db.vendor != "postgresql":
        with db.cursor() as cursor:
            cursor.execute(sql, params)
            return fetch(cursor)
    import psycopg

    db.ensure_connection()
    prepare = settings.QUANCHENG_DB_PREPARE
    if prepare and db.connection.prepare_threshold is None:
        # Django turns psycopg's automatic preparing off (for poolers), and with it
        # ``prepare=True``: a threshold never reached prepares only what asks for it (Django's
        # own cursors bind parameters on the client and are never prepared)
        db.connection.prepare_threshold = _ONLY_WHEN_ASKED
    started = time.monotonic()
    # errors as Django's own (IntegrityError …), as through Django's cursor
    with db.wrap_database_errors, psycopg.Cursor(db.connection) as cursor:
        cursor.execute(sql, params, prepare=prepare)
        result = fetch(cursor)
    logged(db, sql, started)
    return result


def logged(db: BaseDatabaseWrapper, sql: str, started: float) -> None:
    """Count a statement run past Django's cursor as Django counts its own (DEBUG,
    ``assertNumQueries``)."""
    if db.queries_logged:
        elapsed = time.monotonic() - started
        db.queries_log.append({"sql": sql, "time": f"{elapsed:.3f}"})
