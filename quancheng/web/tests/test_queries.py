"""Every list page and the case page cost the same number of queries for 2 rows as for 10:
no query per case, record, recording or device (``bench/web.py`` measures the speed)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.query_rows import device_maker, late_recording, records


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
def device(world):
    return device_maker(world)


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
