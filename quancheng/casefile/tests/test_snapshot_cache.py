"""The case snapshot kept between views (``casefile/snapshot_cache.py``): each write moves the
case's revision on, the next view reads the write, and an unchanged case is not read again."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import at, web
from quancheng.casefile import snapshot_cache
from quancheng.casefile.compliance import snapshot_and_evaluation
from quancheng.cases.actions import add_record, move_to_stage
from quancheng.cases.models import CaseCompliance

START = "ex_officio_start"


def add_start(world, case):
    fields = {"source": "complaint", "reason": "举报"}
    add_record(web(world.officer), case, START, fields, at("2026-03-02 09:00"))


def revision(case):
    return CaseCompliance.objects.get(case=case).revision


def test_every_write_moves_the_revision_on(world, new_case):
    case = new_case()
    first = revision(case)
    add_start(world, case)
    assert revision(case) == first + 1
    move_to_stage(web(world.officer), case, "investigation")
    assert revision(case) == first + 2


def test_an_unchanged_case_is_not_read_again_and_a_write_is_seen(world, new_case):
    case = new_case()
    snapshot, _ = snapshot_and_evaluation(case)
    assert snapshot.records == []
    with CaptureQueriesContext(connection) as kept:
        again, _ = snapshot_and_evaluation(case)
    # The revision, and the working-day calendar the findings are evaluated with.
    assert len(kept.captured_queries) == 2
    assert again == snapshot and again is not snapshot  # a copy: requests share no objects
    add_start(world, case)
    # The same Case object, whose loaded state the action did not change: still read anew.
    after, evaluation = snapshot_and_evaluation(case)
    assert [r.kind for r in after.records] == [START]
    assert "record.required/initiation.ex_officio" not in {f.rule_id for f in evaluation.findings}


def test_the_cache_keeps_to_its_size_and_can_be_off(world, new_case, settings):
    cases = [new_case() for _ in range(3)]
    settings.QUANCHENG_SNAPSHOT_CACHE_MB = 0
    for case in cases:
        snapshot_and_evaluation(case)
    assert snapshot_cache._size == 0
    settings.QUANCHENG_SNAPSHOT_CACHE_MB = 32
    for case in cases:
        snapshot_and_evaluation(case)
    assert len(snapshot_cache._entries) == 3
    limit = 32 * 1024**2
    one = len(next(iter(snapshot_cache._entries.values())))
    snapshot_cache._store((0, 0, timezone.now()), b"x" * (limit - one), limit)
    # The oldest entries made room: what is kept never passes the limit.
    assert snapshot_cache._size <= limit
    assert (cases[0].pk,) not in {key[:1] for key in snapshot_cache._entries}
