"""The SQLite backend (``quancheng/sqlite``): threads of one process that write at once each
get the write lock in turn, a failed transaction gives it back, and a wait for it ends in
"database is locked" after the configured timeout."""

from __future__ import annotations

import threading

import pytest
from django.db import OperationalError, connection, connections, transaction

from quancheng.policies.models import CalendarYear
from quancheng.sqlite import base

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the SQLite backend (PostgreSQL has row locks)"
)


def write_years(first: int, errors: list[BaseException]) -> None:
    try:
        for year in range(first, first + 20):
            with transaction.atomic():
                CalendarYear.objects.create(year=year, holidays=[], workdays=[], source="t")
    except BaseException as exc:  # noqa: BLE001 - reported by the test
        errors.append(exc)
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_threads_writing_at_once_all_succeed():
    errors: list[BaseException] = []
    threads = [
        threading.Thread(target=write_years, args=(3000 + 100 * i, errors)) for i in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert CalendarYear.objects.filter(source="t").count() == 160
    assert not base._write_lock.locked()


@pytest.mark.django_db(transaction=True)
def test_a_failed_transaction_gives_the_lock_back():
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        CalendarYear.objects.create(year=3500, holidays=[], workdays=[], source="t")
        1 / 0  # noqa: B018
    assert not base._write_lock.locked()
    with transaction.atomic():
        CalendarYear.objects.create(year=3501, holidays=[], workdays=[], source="t")
    assert list(CalendarYear.objects.filter(source="t").values_list("year", flat=True)) == [3501]


@pytest.mark.django_db(transaction=True)
def test_a_writer_waits_no_longer_than_the_timeout():
    options = connection.settings_dict["OPTIONS"]
    connection.settings_dict["OPTIONS"] = {**options, "timeout": 0.2}  # shared by threads
    outcome: list[BaseException] = []

    def other() -> None:
        try:
            with transaction.atomic():
                CalendarYear.objects.create(year=3600, holidays=[], workdays=[], source="t")
        except OperationalError as exc:
            outcome.append(exc)
        finally:
            connections.close_all()

    try:
        with transaction.atomic():
            CalendarYear.objects.create(year=3601, holidays=[], workdays=[], source="t")
            thread = threading.Thread(target=other)
            thread.start()
            thread.join(timeout=10)
    finally:
        connection.settings_dict["OPTIONS"] = options
    assert [str(e) for e in outcome] == ["database is locked"]
