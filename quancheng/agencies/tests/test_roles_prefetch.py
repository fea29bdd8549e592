"""``roles.on_case`` answers from a case's prefetched officers when a page fetched them."""

from __future__ import annotations

from django.db.models import prefetch_related_objects

from quancheng.agencies.roles import on_case


def test_prefetched_officers_answer_alike_without_a_query(
    world, new_case, django_assert_num_queries
):
    case = new_case(officers=[world.officer.officer])
    assert on_case(world.officer, case) and not on_case(world.officer2, case)
    prefetch_related_objects([case], "officers")
    with django_assert_num_queries(0):
        assert on_case(world.officer, case)
        assert not on_case(world.officer2, case)
        assert not on_case(world.head, case)
