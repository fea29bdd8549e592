"""The whole verification: the ledger (``quancheng.ledger.verification.verify``), the rows users see
against the facts about them (``quancheng.ledger.reconcile``) and the stored files.

The apps register what is checked beyond the ledger: their tables and how facts describe
their rows, and their stored files (originals re-hashed from the media store, document PDFs
from their files). Progress is reported as ``(phase, done, total)`` over all facts, tables
and files, so a bar (the CLI's tqdm, the web page) moves evenly.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from quancheng.ledger import reconcile
from quancheng.ledger.actions import append_fact
from quancheng.ledger.choices import Channel
from quancheng.ledger.context import Actor
from quancheng.ledger.models import Fact, Log, VerificationRun
from quancheng.ledger.verification import reconciling
from quancheng.ledger.verification.held import Held
from quancheng.ledger.verification.verify import Problem, Report, verify_ledger

Tick = Callable[[str, int, int], None]  # phase ("facts", "originals", "documents"), done, total


def run(tick: Tick | None = None, held: list[Held] | None = None) -> Report:
    """Verify everything; ``tick`` is called as work is done (at most every few thousand facts
    and after each table and file); ``held``: checkpoints kept elsewhere the logs must agree
    with."""
    checks = reconcile.file_checks()
    tables = reconcile.tables()
    total = Fact.objects.count() + len(tables) + sum(check.count() for check in checks)
    done = 0

    def advance(phase: str, count: int) -> None:
        nonlocal done
        done += count
        if tick:
            tick(phase, done, max(total, done))

    report = Report()
    collector = reconciling.Collector()
    verify_ledger(
        advance=lambda n: advance("facts", n), report=report, held=held, collect=collector.add
    )
    check_rows(report, lambda _table: advance("rows", 1), collector.expected)
    for check in checks:
        check.check(report, functools.partial(advance, check.phase, 1))
    return report


MISMATCHES_KEPT = 10_000  # in the machine report; beyond, they are counted


def check_rows(
    report: Report,
    advance: Callable[[str], None] | None = None,
    expected: reconcile.Expected | None = None,
) -> None:
    """The rows users see against the facts about them (``quancheng.ledger.reconcile``);
    ``expected``: the facts as verify's pass folded them (else they are read again)."""
    origins = dict(Log.objects.values_list("id", "origin"))
    mismatches = reconciling.reconcile(advance, origins, expected)
    report.tables += len(reconcile.tables())
    report.mismatch_count += len(mismatches)
    report.mismatches += mismatches[: MISMATCHES_KEPT - len(report.mismatches)]
    for mismatch in mismatches:
        report.add(
            mismatch.log or "rows",
            "row",
            mismatch_message(mismatch),
            log=mismatch.log,
            detail=mismatch.as_dict(),
        )


MISMATCH_KINDS = {
    reconcile.CHANGED: gettext_lazy("changed"),
    reconcile.ROW_WITHOUT_FACT: gettext_lazy("row without a fact"),
    reconcile.FACT_WITHOUT_ROW: gettext_lazy("fact without a row"),
}


def _shown(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= 200 else text[:199] + "…"


def mismatch_message(mismatch: reconcile.Mismatch) -> str:
    args = {
        "table": mismatch.table,
        "id": mismatch.row_id,
        "field": mismatch.field,
        "ledger": _shown(mismatch.ledger),
        "row": _shown(mismatch.row),
    }
    if mismatch.kind == reconcile.ROW_WITHOUT_FACT:
        message = _(
            "Row %(table)s #%(id)s has no fact in the ledger: it was written outside the "
            "application."
        )
    elif mismatch.kind == reconcile.FACT_WITHOUT_ROW:
        message = _("Row %(table)s #%(id)s, described by the ledger, is gone: it was deleted.")
    else:
        message = _(
            "Row %(table)s #%(id)s, field %(field)s: the ledger recorded %(ledger)s, the row "
            "now says %(row)s: the row was changed."
        )
    return message % args


def as_json(report: Report, seconds: float) -> dict[str, Any]:
    """The machine report ``quancheng verify --json`` prints and the web page stores."""
    return {
        "ok": report.ok,
        "logs": report.logs,
        "facts": report.facts,
        "checkpoints": report.checkpoints,
        "timestamps": report.timestamps,
        "cosignatures": report.cosignatures,
        "witnessed": report.witnessed,
        "held": report.held,
        "originals": report.originals,
        "documents": report.documents,
        "tables": report.tables,
        "problems": [_problem(p) for p in report.problems],
        "mismatches": [m.as_dict() | {"log": m.log} for m in report.mismatches],
        "mismatch_count": report.mismatch_count,
        "more": dict(sorted(report.more.items())),
        "more_by_log": [
            {"log": log, "code": code, "count": n}
            for (log, code), n in sorted(report.more_by_log.items(), key=str)
        ],
        "problem_count": len(report.problems) + sum(report.more.values()),
        "by_log": {log: dict(sorted(c.items())) for log, c in sorted(report.by_log.items())},
        "seconds": round(seconds, 3),
    }


def _problem(problem: Problem) -> dict[str, Any]:
    entry: dict[str, Any] = {"code": problem.code, "message": problem.message, "log": problem.log}
    if problem.detail is not None:
        entry["mismatch"] = problem.detail
    return entry


# --- runs from the web page (a background task) -------------------------------------------

PROGRESS_EVERY = 0.5  # seconds between progress writes
STALLED_AFTER = dt.timedelta(minutes=10)  # a running verification silent this long has died


def can_run_verification(user: object) -> bool:
    """Administrators (role ``administrator``) and superusers see and start verifications."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(getattr(user, "is_superuser", False)) or user.has_role("administrator")  # type: ignore[attr-defined]


def request_verification(actor: Actor) -> tuple[VerificationRun, bool]:
    """Queue a verification run; returns it and whether it is new (one runs at a time)."""
    from django_tasks import task_backends
    from django_tasks_db import DatabaseBackend

    from quancheng.ledger.tasks import run_verification

    with transaction.atomic():
        pending = VerificationRun.objects.filter(finished_at__isnull=True).first()
        if pending is not None and _stalled(pending):
            VerificationRun.objects.filter(pk=pending.pk).update(
                state=VerificationRun.State.FAILED,
                error=_("No progress for %(minutes)s minutes: the worker running it stopped.")
                % {"minutes": int(STALLED_AFTER.total_seconds() // 60)},
                finished_at=timezone.now(),
            )
        elif pending is not None:
            return pending, False
        run_row = VerificationRun.objects.create(started_by=actor.user)
        if isinstance(task_backends[run_verification.backend], DatabaseBackend):
            run_verification.enqueue(run_row.pk)  # a row in this transaction
        else:
            pk = run_row.pk
            transaction.on_commit(lambda: run_verification.enqueue(pk))
    return run_row, True


def _stalled(row: VerificationRun) -> bool:
    return (
        row.state == VerificationRun.State.RUNNING
        and row.updated_at < timezone.now() - STALLED_AFTER
    )


def execute_run(run_id: int) -> dict[str, Any]:
    """Run the verification for a queued ``VerificationRun`` and write its result once."""
    row = VerificationRun.objects.get(pk=run_id)
    if row.finished_at is not None:
        return {"run": run_id, "ok": row.ok, "already": True}
    started = time.perf_counter()
    VerificationRun.objects.filter(pk=run_id).update(
        state=VerificationRun.State.RUNNING, started_at=timezone.now(), updated_at=timezone.now()
    )
    try:
        report = run(_progress(run_id))
    except Exception as exc:
        VerificationRun.objects.filter(pk=run_id).update(
            state=VerificationRun.State.FAILED, error=str(exc), finished_at=timezone.now()
        )
        raise
    result = as_json(report, time.perf_counter() - started)
    problems = result.pop("problems")
    _record_result(run_id, row, report, result, problems)
    return {"run": run_id, "ok": report.ok, "problems": result["problem_count"]}


def _progress(run_id: int) -> Tick:
    """The ``tick`` that writes a run's progress to its row: every ``PROGRESS_EVERY``
    seconds at most, and when the work is done."""
    last = 0.0

    def tick(phase: str, done: int, total: int) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last >= PROGRESS_EVERY or done >= total:
            last = now
            VerificationRun.objects.filter(pk=run_id).update(
                phase=phase, done=done, total=total, updated_at=timezone.now()
            )

    return tick


def _record_result(
    run_id: int,
    row: VerificationRun,
    report: Report,
    result: dict[str, Any],
    problems: list[dict[str, Any]],
) -> None:
    """In one transaction: mark the run done with its summary ``result`` and ``problems``,
    and append the ``ledger.verified`` fact with the counts, as the one who started it."""
    counts = Counter(p["code"] for p in problems) + Counter(result["more"])
    actor = Actor(user=row.started_by, channel=Channel.TASK)
    with transaction.atomic():
        VerificationRun.objects.filter(pk=run_id).update(
            state=VerificationRun.State.DONE,
            ok=report.ok,
            summary=result,
            problems=problems,
            finished_at=timezone.now(),
        )
        append_fact(
            actor,
            "ledger.verified",
            ("verification_run", run_id),
            {
                "ok": report.ok,
                "problems": dict(sorted(counts.items())),
                **{k: result[k] for k in ("logs", "facts", "checkpoints", "timestamps")},
                **{k: result[k] for k in ("originals", "documents")},
            },
            None,
        )


# --- what each administrator sees of a run --------------------------------------------------


@dataclass
class ScopedProblems:
    """A run's problems as one user sees them: those of the logs they may see (all for an
    installation administrator), and how many others were left out."""

    problems: list[dict[str, Any]]
    more: dict[str, int]  # code: count beyond the messages shown
    count: int  # problems shown or counted in ``more``
    hidden: int  # problems of other agencies' logs, or of the installation

    @property
    def mismatches(self) -> list[dict[str, Any]]:
        """The rows that disagree with the ledger among the problems shown, for a table:
        table, id, field, what happened, and both values as JSON text."""
        return [
            {
                **p["mismatch"],
                "what": MISMATCH_KINDS.get(p["mismatch"].get("kind"), p["mismatch"].get("kind")),
                "ledger_text": _shown(p["mismatch"].get("ledger")),
                "row_text": _shown(p["mismatch"].get("row")),
            }
            for p in self.problems
            if isinstance(p.get("mismatch"), dict)
        ]


def scoped_problems(run_row: VerificationRun, origins: set[str] | None) -> ScopedProblems:
    """``origins``: the logs the user may see; None for everything. A problem of no log
    (keys, originals) is the installation's; runs stored before problems named their log
    count as the installation's too."""
    summary = run_row.summary or {}
    total = int(summary.get("problem_count", 0))
    if origins is None:
        everything = dict(summary.get("more", {}))
        return ScopedProblems(list(run_row.problems or []), everything, total, 0)
    problems = [p for p in run_row.problems or [] if p.get("log") in origins]
    more: Counter[str] = Counter()
    for entry in summary.get("more_by_log", []):
        if entry["log"] in origins:
            more[entry["code"]] += entry["count"]
    count = len(problems) + sum(more.values())
    return ScopedProblems(problems, dict(sorted(more.items())), count, total - count)


CHECKED = ("logs", "facts", "checkpoints", "timestamps", "documents")


def scoped_checked(run_row: VerificationRun, origins: set[str] | None) -> dict[str, Any] | None:
    """What a run checked, as one user sees it: the whole summary (``origins`` None), or the
    counts of the logs they may see and the run's time; None for a run stored before it
    counted by log."""
    summary = run_row.summary or {}
    if origins is None:
        return summary or None
    by_log = summary.get("by_log")
    if by_log is None:
        return None
    counts: Counter[str] = Counter()
    for origin in origins & by_log.keys():
        counts.update(by_log[origin])
    return {**{what: counts[what] for what in CHECKED}, "seconds": summary.get("seconds")}
