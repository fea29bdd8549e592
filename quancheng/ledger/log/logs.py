"""Which log a fact goes to, its position there, and the lock that makes one writer per log.

This is the hot path of every action, so it speaks SQL directly. On PostgreSQL one round trip
per fact: a database function locks the log, reads its head, finishes the leaf and inserts
(``append_at_head``). Elsewhere two: lock the log and read its head; insert the fact.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper

from quancheng.ledger.log import leaf
from quancheng.ledger.log.canonical import canonical_json
from quancheng.ledger.models import SYSTEM_LOG_KEY, Fact, Log
from quancheng.prepared import logged, run_statement

if TYPE_CHECKING:
    from django.db.models import Field

    from quancheng.agencies.models import Agency

# The head of a log as seen under its lock: its last seq, and the leaf of the last fact on
# the subject being written (the state the new fact replaces).
_HEAD_SQL = (
    "SELECT l.id, l.agency_code,"
    " (SELECT seq FROM ledger_fact WHERE log_id = l.id ORDER BY seq DESC LIMIT 1),"
    " (SELECT leaf_hash FROM ledger_fact WHERE subject_type = %s AND subject_id = %s"
    " AND log_id + 0 = l.id ORDER BY seq DESC LIMIT 1)"  # "+ 0": by subject, not log
    " FROM ledger_log l WHERE l.key = %s"
)
# PostgreSQL: a function (migration 0005) locks the log's row (SELECT … FOR UPDATE) and then
# reads the head; in READ COMMITTED each statement of a volatile function takes a fresh
# snapshot, so the head is read after the previous writer's commit released the lock.
_PG_HEAD_SQL = "SELECT * FROM quancheng_ledger_head(%s, %s, %s)"

# PostgreSQL: lock, head, leaf and insert in one statement (migration 0007).
_PG_APPEND_COLUMNS = (
    "agency_id",
    "kind",
    "subject_type",
    "subject_id",
    "payload",
    "actor_id",
    "actor_label",
    "channel",
    "remote_addr",
)
_PG_APPEND_SQL = f"SELECT * FROM quancheng_ledger_append({', '.join(['%s'] * 16)})"  # noqa: S608

_PREVIOUS_SQL = (
    "SELECT leaf_hash FROM ledger_fact WHERE subject_type = %s AND subject_id = %s"
    " AND log_id + 0 = %s ORDER BY seq DESC LIMIT 1"
)

# PostgreSQL: the same lookup for every subject of a batch, in one statement
_PG_PREVIOUS_SQL = (
    "SELECT s.type, s.id, (SELECT leaf_hash FROM ledger_fact WHERE subject_type = s.type"
    " AND subject_id = s.id AND log_id + 0 = %s ORDER BY seq DESC LIMIT 1)"
    " FROM unnest(%s::text[], %s::text[]) AS s(type, id)"
)

_COLUMNS = (
    "log_id",
    "seq",
    "agency_id",
    "kind",
    "subject_type",
    "subject_id",
    "payload",
    "actor_id",
    "actor_label",
    "channel",
    "remote_addr",
    "created_at",
    "prev_leaf",
    "leaf_hash",
    "field_digests",
)
_ADAPTED = {"payload", "remote_addr", "created_at"}  # need the field's database form


@dataclass(frozen=True)
class Head:
    log_id: int
    agency_code: str | None
    next_seq: int
    prev_leaf: bytes | None


def log_key(agency: Agency | None) -> str:
    return SYSTEM_LOG_KEY if agency is None else f"agency:{agency.pk}"


def origin_for(agency: Agency | None) -> str:
    """The checkpoint origin of a log: ``<installation origin>/agency/<code>`` or ``…/system``."""
    base = settings.QUANCHENG_LEDGER_ORIGIN.rstrip("/")
    return f"{base}/system" if agency is None else f"{base}/agency/{agency.code}"


def _create_log(agency: Agency | None) -> None:
    Log.objects.bulk_create(
        [
            Log(
                key=log_key(agency),
                agency=agency,
                agency_code=agency.code if agency else None,
                origin=origin_for(agency),
            )
        ],
        ignore_conflicts=True,  # another writer may have created it meanwhile
    )


def lock_head(agency: Agency | None, subject_type: str, subject_id: str) -> Head:
    """Lock the agency's log until the transaction ends and read where the next fact goes.

    PostgreSQL: ``SELECT … FOR UPDATE`` on the log's row, so appends to one log queue while
    other logs are written in parallel. SQLite: the database's single write lock, taken at
    ``BEGIN IMMEDIATE`` (settings), already orders every writer.
    """
    key = log_key(agency)
    postgres = connection.vendor == "postgresql"
    sql = _PG_HEAD_SQL if postgres else _HEAD_SQL
    params = [key, subject_type, subject_id] if postgres else [subject_type, subject_id, key]
    for _attempt in range(2):
        row = _execute(sql, params)
        if row is not None and row[0] is not None:
            log_id, code, last, prev = row
            return Head(log_id, code, 0 if last is None else last + 1, _bytes(prev))
        _create_log(agency)
    raise RuntimeError(f"ledger log {key} could not be created (is its origin taken?)")


def lock_log(agency: Agency | None) -> Log:
    """The agency's log, locked until the transaction ends (created on first use)."""
    head = lock_head(agency, "", "")
    return Log.objects.get(pk=head.log_id)


def previous_leaves(log_id: int, subjects: set[tuple[str, str]]) -> dict[tuple[str, str], bytes]:
    """The leaf of the latest fact on each subject in the log (for bulk appends).

    One index lookup per subject (a single query filtering on many subjects makes both
    databases scan far more than they return): on PostgreSQL all in one prepared statement,
    elsewhere a statement each."""
    ordered = sorted(subjects)
    if connection.vendor == "postgresql":
        types, ids = [t for t, _ in ordered], [i for _, i in ordered]
        rows = fetch_all(_PG_PREVIOUS_SQL, [log_id, types, ids])
        return {(t, i): bytes(h) for t, i, h in rows if h is not None}
    found: dict[tuple[str, str], bytes] = {}
    for subject_type, subject_id in ordered:
        row = _execute(_PREVIOUS_SQL, [subject_type, subject_id, log_id])
        if row is not None:
            found[(subject_type, subject_id)] = bytes(row[0])
    return found


_INSERT_SQL = (
    f"INSERT INTO ledger_fact ({', '.join(_COLUMNS)})"  # noqa: S608 - fixed column names
    f" VALUES ({', '.join(['%s'] * len(_COLUMNS))}) RETURNING id"
)


def append_at_head(
    agency: Agency | None,
    values: dict[str, Any],
    template_for: Callable[[str | None], leaf.Template],
) -> Fact:
    """PostgreSQL: lock the agency's log, take its head and insert the fact, in one round trip.

    ``values`` are the fact's columns but those the log decides (``log_id``, ``seq``,
    ``created_at``, ``prev_leaf``, ``leaf_hash``, ``field_digests``); ``template_for(code)``
    gives its entry cut around the late members, for the agency code the log was begun with.
    The leaf the database put together is checked here against ``leaf.fill``: a difference
    raises, and the transaction rolls back."""
    key = log_key(agency)
    code = agency.code if agency else None
    db = _db()
    adapted = [_adapted(column, values[column], db) for column in _PG_APPEND_COLUMNS]
    for _attempt in range(3):
        made = template_for(code)
        row = _execute(_PG_APPEND_SQL, [key, code, *adapted, *made.parts, made.digests])
        fact_id, log_id, log_code, seq, created_at, prev, leaf_hash, digests = row  # type: ignore[misc]
        if log_id is None:
            _create_log(agency)
        elif fact_id is None:
            code = log_code  # the log keeps the code its agency had when it began
        else:
            prev = _bytes(prev)
            stored = (bytes(leaf_hash), bytes(digests))
            if leaf.fill(made, created_at=created_at, prev=prev, seq=seq) != stored:
                raise RuntimeError(f"the database put together another leaf for seq {seq} of {key}")
            return _saved(
                fact_id,
                {
                    **values,
                    "log_id": log_id,
                    "seq": seq,
                    "created_at": created_at,
                    "prev_leaf": prev,
                    "leaf_hash": stored[0],
                    "field_digests": stored[1],
                },
            )
    raise RuntimeError(f"ledger log {key} could not be created (is its origin taken?)")


def _db() -> BaseDatabaseWrapper:
    """The connection itself: each attribute read through ``django.db.connection`` looks it
    up again (a context-local lookup), which the hot path does not need to pay every time."""
    return connections[DEFAULT_DB_ALIAS]


def _adapted(column: str, value: Any, db: BaseDatabaseWrapper) -> Any:
    if column not in _ADAPTED:
        return value
    # a column of Fact's own: a Field, never the reverse relation get_field may also return
    field = cast("Field[Any, Any]", Fact._meta.get_field(column.removesuffix("_id")))
    return field.get_db_prep_save(value, db)


def _params(values: dict[str, Any]) -> list[Any]:
    db = _db()
    params = [_adapted(column, values[column], db) for column in _COLUMNS]
    if db.vendor != "postgresql":
        # stored as its canonical JSON, so verify can hash the text as it is (jsonb
        # keeps its own form on PostgreSQL)
        params[_COLUMNS.index("payload")] = canonical_json(values["payload"]).decode()
    return params


@functools.cache
def _attnames() -> tuple[str, ...]:
    return tuple(field.attname for field in Fact._meta.concrete_fields)


def _saved(pk: int, values: dict[str, Any]) -> Fact:
    """The row as a saved instance (``from_db`` with every field: Django's fast path)."""
    names = _attnames()
    row = [pk if name == "id" else values[name] for name in names]
    return Fact.from_db(DEFAULT_DB_ALIAS, names, row)


def insert_fact(values: dict[str, Any]) -> Fact:
    """Insert a fact row and return it as a saved model instance."""
    (pk,) = _execute(_INSERT_SQL, _params(values))  # type: ignore[misc]
    return _saved(pk, values)


def insert_facts(rows: list[dict[str, Any]]) -> list[Fact]:
    """Insert many fact rows: PostgreSQL pipelines one prepared statement, others bulk-insert."""
    if connection.vendor != "postgresql":
        pks = []
        for start in range(0, len(rows), 500):
            chunk = rows[start : start + 500]
            one = f"({', '.join(['%s'] * len(_COLUMNS))})"
            many = ", ".join([one] * len(chunk))
            sql = _INSERT_SQL.replace(f" VALUES {one} ", f" VALUES {many} ")
            with connection.cursor() as cursor:
                cursor.execute(sql, [p for values in chunk for p in _params(values)])
                pks += [pk for (pk,) in cursor.fetchall()]
        return [_saved(pk, values) for pk, values in zip(pks, rows, strict=True)]
    import psycopg

    connection.ensure_connection()
    started = time.monotonic()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.executemany(_INSERT_SQL, [_params(v) for v in rows], returning=True)
        pks = []
        for _ in cursor.results():
            pks.append(cursor.fetchone()[0])  # type: ignore[index]
    logged(connection, f"{_INSERT_SQL} -- × {len(rows)}", started)
    return [_saved(pk, values) for pk, values in zip(pks, rows, strict=True)]


def _execute(sql: str, params: list[Any]) -> tuple | None:
    """One statement's first row (see ``fetch_all``)."""
    return run_statement(_db(), sql, params, lambda cursor: cursor.fetchone())


def fetch_all(sql: str, params: list[Any]) -> list[tuple]:
    """Every row of one statement, prepared once per connection on PostgreSQL
    (``QUANCHENG_DB_PREPARE``: parsing and planning cost about as much as running the
    ledger's statements); through Django's cursor elsewhere."""
    return run_statement(_db(), sql, params, lambda cursor: cursor.fetchall())


def _bytes(value: bytes | memoryview | None) -> bytes | None:
    return None if value is None else bytes(value)
