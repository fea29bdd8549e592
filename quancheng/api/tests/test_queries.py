"""Lists cost a fixed number of queries however many cases or records there are."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from quancheng.cases.actions import add_record
from quancheng.cases.signing import SignatureInput
from quancheng.ledger.public import Actor
from tests.query_rows import device_maker, late_recording

START = {"source": "complaint", "reason": "x"}


def queries(call):
    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code == 200, response.json()
    return len(captured)


def test_case_list_queries_do_not_grow(world, new_case, api, django_assert_max_num_queries):
    def listing():
        return api.get(world.supervisor, "/cases?page_size=200")

    for _ in range(3):
        new_case()
    listing()  # the token's last use is noted once a minute; leave that write out
    few = queries(listing)
    for _ in range(30):
        new_case()
        new_case(user=world.other_officer)
    with django_assert_max_num_queries(few):
        response = listing()
    assert response.json()["count"] == 63
    assert len(response.json()["items"]) == 63
    assert few <= 6


def test_record_list_queries_do_not_grow(world, new_case, api, django_assert_max_num_queries):
    case = new_case()
    officer = Actor(world.officer, "web")
    now = timezone.now()

    def add(n):
        for _ in range(n):
            add_record(
                officer,
                case,
                "ex_officio_start",
                START,
                now,
                signatures=[SignatureInput("party", "张三", now)],
            )

    def listing():
        return api.get(world.officer, f"/cases/{case.pk}/records")

    add(2)
    listing()
    few = queries(listing)
    add(20)
    with django_assert_max_num_queries(few):
        response = listing()
    assert len(response.json()) == 22


def test_device_list_queries_do_not_grow(world, personas, api, django_assert_num_queries):
    make = device_maker(world, personas["keeper"])
    make()
    make(lent=False)

    def listing():
        return api.get(world.officer, "/devices")

    listing()
    few = queries(listing)
    for i in range(8):
        make(lent=i % 2 == 0)
    with django_assert_num_queries(few):
        response = listing()
    assert len(response.json()) == 10
    assert sum(d["lent_to"] == "AH-0001" for d in response.json()) == 5


def test_recordings_due_queries_do_not_grow(
    world, personas, new_case, api, django_assert_num_queries
):
    make = device_maker(world, personas["keeper"])
    camera = make()
    for _ in range(2):
        late_recording(world, new_case(), camera)

    def listing():
        return api.get(world.officer, "/recordings/due")

    listing()
    few = queries(listing)
    for _ in range(8):
        late_recording(world, new_case(), make())
    with django_assert_num_queries(few):
        response = listing()
    assert len(response.json()) == 10
