"""A case's engine snapshot, kept between page views until the case changes.

Loading a snapshot is the costliest part of the case page and the API's detail (sixteen
queries). ``CaseCompliance.revision`` is the invalidation rule: every action that changes
what a snapshot reads (the case, its parties, records, versions, signatures, recordings,
interruptions, evidence notes and the devices it used) refreshes the case's compliance
summary, which the case list already depends on, and each refresh adds one to the revision.
A snapshot is kept under ``(case id, revision, refreshed at)``; a write makes the next view
miss and load afresh. Only the snapshot is kept: the findings are evaluated at every view,
because they depend on the moment and the working-day calendar.

Entries are pickled so that no two requests share objects, and bounded in bytes per process
(``QUANCHENG_SNAPSHOT_CACHE_MB``, default 32; 0 turns the cache off).
"""

from __future__ import annotations

import datetime as dt
import pickle
import threading
from collections import OrderedDict

from django.conf import settings

from quancheng.casefile.snapshots import load_snapshots
from quancheng.cases.models import Case, CaseCompliance
from quancheng.policies.snapshot import CaseSnap

_lock = threading.Lock()
_entries: OrderedDict[tuple[int, int, dt.datetime], bytes] = OrderedDict()
_size = 0


def _limit() -> int:
    return int(getattr(settings, "QUANCHENG_SNAPSHOT_CACHE_MB", 32)) * 1024 * 1024


def revision_of(case_id: int) -> tuple[int, dt.datetime] | None:
    """The case's revision as stored now (never a copy held by a ``Case`` object, which an
    action in the same request may have outdated), with the moment of the refresh that set
    it (a database restored from a backup counts revisions again, never at the same
    moments); None if the case has no summary yet."""
    return (
        CaseCompliance.objects.filter(case_id=case_id)
        .values_list("revision", "evaluated_at")
        .first()
    )


def case_snapshot(case: Case) -> CaseSnap:
    """The case's snapshot, from the cache if it has not changed since it was last loaded."""
    limit = _limit()
    revision = revision_of(case.pk) if limit > 0 else None  # no query when the cache is off
    if revision is None:
        return load_snapshots([case.pk])[case.pk]
    key = (case.pk, *revision)
    with _lock:
        data = _entries.get(key)
        if data is not None:
            _entries.move_to_end(key)
    if data is not None:
        return pickle.loads(data)  # noqa: S301 - bytes this process pickled itself
    snapshot = load_snapshots([case.pk])[case.pk]
    _store(key, pickle.dumps(snapshot, protocol=pickle.HIGHEST_PROTOCOL), limit)
    return snapshot


def _store(key: tuple[int, int, dt.datetime], data: bytes, limit: int) -> None:
    global _size
    if len(data) > limit:
        return
    with _lock:
        old = _entries.pop(key, None)
        if old is not None:
            _size -= len(old)
        _entries[key] = data
        _size += len(data)
        while _size > limit:
            _, evicted = _entries.popitem(last=False)
            _size -= len(evicted)


def clear() -> None:
    """Forget every kept snapshot (tests that change rows behind the actions' back)."""
    global _size
    with _lock:
        _entries.clear()
        _size = 0
