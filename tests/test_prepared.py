"""quancheng/prepared.py: a query compiled once gives, for each id, the rows the ORM gives."""

from __future__ import annotations

import threading
from unittest import mock

import pytest
from django.db import connection, connections
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext

from quancheng import prepared
from quancheng.cases.actions import add_record
from quancheng.cases.models import Case, RecordVersion
from quancheng.ledger.context import Actor
from quancheng.policies.models import CalendarYear
from quancheng.prepared import Prepared

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(world, new_case):
    """Two cases, each with records whose versions hold JSON and datetimes (converted columns)."""
    made = []
    for title in ("无照经营", "占道经营"):
        case = new_case(title=title)
        for n in range(2):
            add_record(
                Actor(world.officer, "web"),
                case,
                "ex_officio_start",
                {"source": "complaint", "reason": f"{title}{n}"},
                case.opened_at,
            )
        made.append(case.pk)
    return made


VERSIONS = Prepared(
    lambda ids: (
        RecordVersion.objects.filter(record__case_id__in=ids)
        .values("id", "record_id", "fields", "occurred_at")
        .order_by("id")
    )
)
TITLES = Prepared(lambda ids: Case.objects.filter(id__in=ids).values_list("id", "title"))
OPENED = Prepared(lambda ids: Case.objects.filter(id__in=ids).values_list("opened_at", flat=True))


def orm(prepared: Prepared, ids: list[int]) -> list:
    return list(prepared._build(ids))


@pytest.mark.parametrize("prepared", [VERSIONS, TITLES, OPENED], ids=["values", "list", "flat"])
def test_each_id_gets_the_rows_the_orm_gives(cases, prepared):
    for case_id in [*cases, cases[0], 10**9]:  # the second run substitutes; an id with no row
        assert prepared.rows([case_id]) == orm(prepared, [case_id])
    first = prepared.rows([cases[0]])
    assert first and first != prepared.rows([cases[1]])


def test_values_rows_keep_their_types(cases):
    rows = VERSIONS.rows([cases[0]])
    assert isinstance(rows[0]["fields"], dict)
    assert rows[0]["occurred_at"].tzinfo is not None


def test_a_second_run_is_one_query_and_compiles_nothing(cases):
    VERSIONS.rows([cases[0]])
    with (
        mock.patch.object(
            SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql
        ) as c,
        CaptureQueriesContext(connection) as queries,
    ):
        VERSIONS.rows([cases[1]])
    assert c.call_count == 0
    assert len(queries) == 1


def test_several_ids_run_through_the_orm(cases):
    assert VERSIONS.rows(cases) == orm(VERSIONS, cases)
    assert {r["record_id"] for r in VERSIONS.rows(cases)} > {
        r["record_id"] for r in VERSIONS.rows(cases[:1])
    }


def test_threads_share_the_compiled_query_each_on_its_own_connection(db):
    # A table the test leaves alone: in-memory SQLite locks those it wrote to other connections.
    years = Prepared(lambda ids: CalendarYear.objects.filter(id__in=ids).values_list("year"))
    assert years.rows([1]) == []
    mine = connections["default"]
    seen, used = [], []
    real = prepared.run_statement

    def spy(db, *args):
        used.append(db)
        return real(db, *args)

    def read() -> None:
        try:
            seen.append(years.rows([1]))
        finally:
            connection.close()

    with (
        mock.patch.object(prepared, "run_statement", spy),
        mock.patch.object(
            SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql
        ) as c,
    ):
        thread = threading.Thread(target=read)
        thread.start()
        thread.join()
    assert seen == [[]]
    assert c.call_count == 0  # compiled once, by the first thread
    assert used and used[0] is not mine


def test_only_values_querysets_are_prepared(cases):
    with pytest.raises(TypeError):
        Prepared(lambda ids: Case.objects.filter(id__in=ids)).rows([cases[0]])
    with pytest.raises(TypeError):
        Prepared(lambda ids: Case.objects.values("id")).rows([cases[0]])  # not filtered by id


def test_on_postgresql_the_statement_is_prepared_on_the_server(cases):
    if connection.vendor != "postgresql":
        pytest.skip("server-side prepared statements are PostgreSQL's")
    TITLES.rows([cases[0]])
    TITLES.rows([cases[1]])
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = {row[0] for row in cursor.fetchall()}
    assert TITLES._compiled[("default", "postgresql")].sql.replace("%s", "$1") in prepared
