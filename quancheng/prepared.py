"""Queries the ORM builds and compiles once, then runs again with another id.

Django builds and compiles a query anew every time it runs one: for the small queries that
read one case, 0.2–0.5 ms of Python against the 0.02 ms SQLite takes to answer. A page that
reads a case in a fixed set of such queries (its engine snapshot) spends most of its time
there. A ``Prepared`` keeps, per database connection, the compiled SQL of a ``.values()`` or
``.values_list()`` query built for one id, with the converters Django applies to its
columns, and runs it again for another id with that id in the id's place; on PostgreSQL as
a statement prepared on the server, which then parses and plans it once per connection too
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
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import QuerySet
from django.db.models.query import FlatValuesListIterable, ValuesIterable, ValuesListIterable
from django.db.models.sql.compiler import SQLCompiler

# An id no table holds: where it shows in the compiled parameters, the id of a run goes.
_MARK = -982_451_653


@dataclass(frozen=True)
class _Compiled:
    alias: str
    connection: BaseDatabaseWrapper
    compiler: SQLCompiler
    sql: str
    params: tuple[Any, ...]
    at: tuple[int, ...]  # where the id goes in params
    converters: dict[int, Any]
    names: tuple[str, ...] | None  # the keys of .values() rows; None for tuples
    flat: bool

    def run(self, value: int) -> list[Any]:
        params = list(self.params)
        for i in self.at:
            params[i] = value
        rows = run_statement(self.connection, self.sql, params, lambda cursor: cursor.fetchall())
        if self.converters:
            rows = list(self.compiler.apply_converters(rows, self.converters))
        if self.flat:
            return [row[0] for row in rows]
        if self.names is not None:
            return [dict(zip(self.names, row, strict=True)) for row in rows]
        return [tuple(row) for row in rows]


class Prepared:
    """``build(ids)`` gives a ``.values()``/``.values_list()`` queryset filtered by ``ids``;
    ``rows(ids)`` its rows, compiled once per connection when ``ids`` holds one id."""

    def __init__(self, build: Callable[[list[int]], QuerySet[Any, Any]]) -> None:
        self._build = build
        self._local = threading.local()  # Django's connections are per thread

    def rows(self, ids: Sequence[int]) -> list[Any]:
        if len(ids) != 1:
            return list(self._build(list(ids)))
        return self._compiled().run(ids[0])

    def _compiled(self) -> _Compiled:
        compiled: _Compiled | None = getattr(self._local, "compiled", None)
        if compiled is None or compiled.connection is not connections[compiled.alias]:
            queryset = self._build([_MARK])
            compiled = _compile(queryset, connections[queryset.db], queryset.db)
            self._local.compiled = compiled
        return compiled


def _compile(
    queryset: QuerySet[Any, Any], connection: BaseDatabaseWrapper, alias: str
) -> _Compiled:
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
        alias,
        connection,
        compiler,
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
