"""Evaluating stored cases, and keeping each case's compliance summary current."""

from __future__ import annotations

import datetime as dt

from django.db.models import F
from django.utils import timezone

from quancheng.casefile.snapshot_cache import case_snapshot
from quancheng.casefile.snapshots import load_snapshots
from quancheng.cases.compliance import gap_tolerance
from quancheng.cases.models import Case, CaseCompliance
from quancheng.policies.engine import Evaluation, evaluate
from quancheng.policies.registry import get_pack
from quancheng.policies.snapshot import CaseSnap
from quancheng.policies.workdays import WorkCalendar, default_calendar


def evaluate_case(
    case: Case, at: dt.datetime | None = None, calendar: WorkCalendar | None = None
) -> Evaluation:
    """The findings for a stored case at ``at`` (now by default)."""
    return snapshot_and_evaluation(case, at, calendar)[1]


def snapshot_and_evaluation(
    case: Case, at: dt.datetime | None = None, calendar: WorkCalendar | None = None
) -> tuple[CaseSnap, Evaluation]:
    """The case as the engine reads it, and its findings at ``at`` (now by default): the case
    page shows the records from the same snapshot it evaluates, read once (and kept until
    the case changes, ``snapshot_cache``)."""
    snapshot = case_snapshot(case)
    evaluation = evaluate(
        snapshot,
        get_pack(case.pack_id),
        at or timezone.now(),
        calendar or default_calendar(),
        gap_tolerance(),
    )
    return snapshot, evaluation


def refresh_compliance(case_ids: list[int], calendar: WorkCalendar | None = None) -> None:
    """Re-evaluate cases now and store their summaries."""
    calendar = calendar or default_calendar()
    now = timezone.now()
    snapshots = load_snapshots(case_ids)
    for case_id, snapshot in snapshots.items():
        result = evaluate(snapshot, get_pack(snapshot.pack_id), now, calendar, gap_tolerance())
        summary = {
            "errors": result.errors,
            "warnings": result.warnings,
            "next_deadline_at": result.next_deadline_at,
            "evaluated_at": now,
        }
        # The revision is what ``snapshot_cache`` keys on: each refresh moves it on.
        CaseCompliance.objects.update_or_create(
            case_id=case_id,
            defaults={**summary, "revision": F("revision") + 1},
            create_defaults={**summary, "revision": 1},
        )
