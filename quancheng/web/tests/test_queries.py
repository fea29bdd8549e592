"""Every list page and the case page cost the same number of queries for 2 rows as for 10:
no query per case, record, recording or device (``bench/web.py`` measures the speed)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from quancheng.agencies.models import User
from quancheng.cases.actions import correct_record
from quancheng.cases.signing import SignatureInput
from quancheng.devices.actions import check_device, lend_device, return_device
from quancheng.ledger.public import Actor
from quancheng.ledger.tests.conftest import key_file  # noqa: F401 - a fixture
from tests.query_rows import START, device_maker, late_recording, records


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def same_for_more(client, url: str, grow, django_assert_num_queries) -> None:
    client.get(url)  # what a first request does once (the session's first write) stays out
    few = queries(client, url)
    grow()
    with django_assert_num_queries(few):
        client.get(url)


@pytest.fixture
def device(world, personas):
    return device_maker(world, personas["keeper"])


def test_case_list_page(client, world, new_case, django_assert_num_queries):
    for _ in range(2):
        new_case()
    client.force_login(world.supervisor)

    def grow():
        for _ in range(4):
            new_case()
            new_case(user=world.other_officer)

    same_for_more(client, reverse("cases:list"), grow, django_assert_num_queries)
    assert client.get(reverse("cases:list")).content.decode().count("无照经营") == 10


def test_case_page(client, world, new_case, device, django_assert_num_queries, settings):
    # Every view loads the snapshot: the kept one (casefile/snapshot_cache.py) would hide its
    # queries on the first count and not on the second.
    settings.QUANCHENG_SNAPSHOT_CACHE_MB = 0
    case = new_case()
    camera = device()
    records(world, case, 2)
    for _ in range(2):
        late_recording(world, case, camera)
    client.force_login(world.officer)

    def grow():
        records(world, case, 8)
        for _ in range(8):
            late_recording(world, case, device())

    url = reverse("cases:detail", args=[case.pk])
    same_for_more(client, url, grow, django_assert_num_queries)
    assert case.records.count() == 10 and case.recordings.count() == 10


def test_device_list_page(client, world, device, django_assert_num_queries):
    device()
    device(lent=False)
    client.force_login(world.officer)

    def grow():
        for i in range(8):
            device(lent=i % 2 == 0)

    same_for_more(client, reverse("devices:list"), grow, django_assert_num_queries)
    page = client.get(reverse("devices:list")).content.decode()
    assert page.count(">AH-Q") == 10 and page.count(str(world.officer.officer)) == 5


def test_due_list_page(client, world, new_case, device, django_assert_num_queries):
    camera = device()
    for _ in range(2):
        late_recording(world, new_case(), camera)
    client.force_login(world.officer)

    def grow():
        for _ in range(8):
            late_recording(world, new_case(), device())

    same_for_more(client, reverse("recordings_due"), grow, django_assert_num_queries)
    assert client.get(reverse("recordings_due")).content.decode().count("AH-Q") >= 10


def test_record_history_page(client, world, new_case, django_assert_num_queries):
    case = new_case()
    records(world, case, 1)
    record = case.records.get()

    def correct(n: int) -> None:
        for i in range(n):
            correct_record(
                Actor(world.officer, "web"),
                record,
                START,
                timezone.now(),
                f"更正{i}",
                signatures=[SignatureInput("party", "张三", timezone.now())],
            )

    correct(1)
    client.force_login(world.officer)
    url = reverse("cases:record", args=[case.pk, record.pk])
    same_for_more(client, url, lambda: correct(8), django_assert_num_queries)
    assert record.versions.count() == 10
    assert client.get(url).content.decode().count("更正") >= 9


def test_device_detail_page(client, world, device, django_assert_num_queries):
    camera = device(lent=False)
    keeper = Actor(User.objects.get(username="a_keeper"), "web")

    def history(n: int) -> None:
        for _ in range(n):
            lend_device(keeper, camera, world.officer.officer)
            check_device(
                Actor(world.officer, "web"),
                camera,
                battery_percent=80,
                free_storage_mb=900,
                ok=True,
            )
            return_device(keeper, camera)

    history(2)
    client.force_login(world.officer)
    url = reverse("devices:detail", args=[camera.serial])
    same_for_more(client, url, lambda: history(8), django_assert_num_queries)
    assert camera.loans.count() == 10
    assert client.get(url).content.decode().count(str(world.officer.officer)) >= 10


@pytest.mark.usefixtures("key_file")
def test_checkpoints_page(client, world, new_case, django_assert_num_queries):
    """The supervisor's page of the logs below: the same queries for more logs and more
    checkpoints each (agency B's log joins agency A's and the system's)."""
    call_command("keys", "init", stdout=io.StringIO())

    def checkpoint() -> None:
        call_command("checkpoint", stdout=io.StringIO(), stderr=io.StringIO())

    new_case()
    checkpoint()
    client.force_login(world.supervisor)

    def grow():
        for _ in range(3):
            new_case()
            new_case(user=world.other_officer)
            checkpoint()

    same_for_more(client, reverse("checkpoints"), grow, django_assert_num_queries)
    assert client.get(reverse("checkpoints")).content.decode().count("note.txt") >= 6
