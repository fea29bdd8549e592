"""Keeping each case's compliance summary current after the changes of every domain app:
``schedule_refresh`` after one change, ``deferred_refresh`` around many. The evaluation
itself is ``casefile.compliance`` (registered here from ``CasefileConfig.ready``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

from quancheng.cases.models import Case
from quancheng.policies.engine import DEFAULT_GAP_TOLERANCE

_deferred: ContextVar[set[int] | None] = ContextVar("deferred_refresh", default=None)


def gap_tolerance() -> dt.timedelta:
    seconds = getattr(settings, "QUANCHENG_GAP_TOLERANCE_SECONDS", None)
    return DEFAULT_GAP_TOLERANCE if seconds is None else dt.timedelta(seconds=seconds)


Refresher = Callable[[list[int]], None]
_refresher: list[Refresher] = []


def register_refresher(refresh: Refresher) -> None:
    """Called by ``casefile``'s ``ready()``: what re-evaluates cases and stores their
    summaries (``casefile.compliance.refresh_compliance``), which this layer cannot import."""
    _refresher[:] = [refresh]


def _refresh(case_ids: list[int]) -> None:
    if not _refresher:
        raise RuntimeError("no compliance refresher registered (is quancheng.casefile installed?)")
    _refresher[0](case_ids)


def schedule_refresh(case: Case) -> None:
    """Refresh the case's summary now, or at the end of the enclosing ``deferred_refresh``."""
    pending = _deferred.get()
    if pending is None:
        _refresh([case.pk])
    else:
        pending.add(case.pk)


@contextmanager
def deferred_refresh() -> Iterator[None]:
    """Collect refreshes (as an import of many records does) and run each case's once."""
    if _deferred.get() is not None:
        yield
        return
    pending: set[int] = set()
    token = _deferred.set(pending)
    try:
        yield
    finally:
        _deferred.reset(token)
    if pending:
        _refresh(sorted(pending))
