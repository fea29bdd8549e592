"""The whole verification: the ledger (``quancheng.ledger.verify``) and the stored files.

Every original in the media store is re-hashed from its bytes (the store's own check,
``quancheng.media.verify.check_original``) and every document PDF from its file. Progress
is reported as ``(phase, done, total)`` over all facts, originals and documents, so a bar
(the CLI's tqdm, the web page) moves evenly.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from quancheng.ledger.actions import append_fact
from quancheng.ledger.choices import Channel
from quancheng.ledger.context import Actor
from quancheng.ledger.logs import origin_for
from quancheng.ledger.models import Fact, Log, VerificationRun
from quancheng.ledger.verify import Report, verify_ledger
from quancheng.ledger.verify_held import Held

Tick = Callable[[str, int, int], None]  # phase ("facts", "originals", "documents"), done, total

CHUNK = 1 << 20


def run(tick: Tick | None = None, held: list[Held] | None = None) -> Report:
    """Verify everything; ``tick`` is called as work is done (at most every few thousand facts
    and after each file); ``held``: checkpoints kept elsewhere the logs must agree with."""
    from quancheng.documents.models import Document
    from quancheng.media.models import Original

    total = Fact.objects.count() + Original.objects.count() + Document.objects.count()
    done = 0

    def advance(phase: str, count: int) -> None:
        nonlocal done
        done += count
        if tick:
            tick(phase, done, max(total, done))

    report = Report()
    verify_ledger(advance=lambda n: advance("facts", n), report=report, held=held)
    _check_originals(report, lambda: advance("originals", 1))
    _check_documents(report, lambda: advance("documents", 1))
    return report


def _check_originals(report: Report, step: Callable[[], None]) -> None:
    from quancheng.media.models import Original
    from quancheng.media.store import StoreError
    from quancheng.media.verify import check_original

    recorded = _recorded_digests("original", ["original.stored"])
    for original in Original.objects.order_by("id").iterator():
        _check_recorded(report, "original", original.pk, original.sha256, recorded)
        try:
            problem = check_original(original, full=True)
        except (OSError, StoreError) as exc:
            problem = _("it cannot be read: %(e)s") % {"e": exc}
        report.originals += 1
        if problem is not None:
            report.add(
                "files",
                "original",
                _("Original sha256:%(sha)s (%(key)s): %(problem)s.")
                % {"sha": original.sha256, "key": original.key, "problem": problem},
            )
        step()


def _check_documents(report: Report, step: Callable[[], None]) -> None:
    from quancheng.documents import store
    from quancheng.documents.models import Document

    recorded = _recorded_digests("document", ["document.sealed", "document.signed"])
    origins = dict(Log.objects.filter(agency__isnull=False).values_list("agency_id", "origin"))
    documents = Document.objects.select_related("case__agency").order_by("id")
    for document in documents.iterator():
        # a case's PDF is a problem for those who see its agency's log
        log = origins.get(document.case.agency_id) or origin_for(document.case.agency)
        _check_recorded(report, "document", document.pk, document.sha256, recorded, log)
        path = store.path_for(document.sha256)
        args: dict[str, Any] = {"id": document.pk, "case": document.case_id, "path": path}
        report.checked("documents", log)
        try:
            digest = hashlib.sha256()
            with path.open("rb") as handle:
                while chunk := handle.read(CHUNK):
                    digest.update(chunk)
        except FileNotFoundError:
            report.add(
                "files",
                "document",
                _("Document PDF #%(id)s (case #%(case)s, %(path)s): the file is missing.") % args,
                log=log,
            )
        except OSError as exc:
            report.add(
                "files",
                "document",
                _("Document PDF #%(id)s (case #%(case)s, %(path)s): it cannot be read: %(e)s.")
                % {**args, "e": exc.strerror},
                log=log,
            )
        else:
            if digest.hexdigest() != document.sha256:
                report.add(
                    "files",
                    "document",
                    _(
                        "Document PDF #%(id)s (case #%(case)s, %(path)s): its bytes have "
                        "changed: SHA-256 is now %(sha)s."
                    )
                    % {**args, "sha": digest.hexdigest()},
                    log=log,
                )
        step()


def _recorded_digests(subject_type: str, kinds: list[str]) -> dict[str, str]:
    """The SHA-256 the ledger recorded for each stored file when it was stored, by row id.
    The facts are checked by the ledger pass; a row rewritten to match changed bytes is not."""
    facts = Fact.objects.filter(subject_type=subject_type, kind__in=kinds).order_by("id")
    recorded: dict[str, str] = {}
    for subject_id, payload in facts.values_list("subject_id", "payload").iterator():
        if isinstance(payload, str):  # the stored text, where the driver hands it back so
            payload = json.loads(payload)
        recorded.setdefault(subject_id, str(payload.get("sha256", "")))
    return recorded


def _check_recorded(
    report: Report,
    code: str,
    pk: int,
    sha256: str,
    recorded: dict[str, str],
    log: str | None = None,
) -> None:
    args = {"id": pk, "sha": sha256, "fact": recorded.get(str(pk))}
    if args["fact"] is None:
        if code == "original":
            message = _(
                "Original #%(id)s (sha256:%(sha)s) has no fact in the ledger: its row was "
                "written outside the application."
            )
        else:
            message = _(
                "Document PDF #%(id)s (sha256:%(sha)s) has no fact in the ledger: its row was "
                "written outside the application."
            )
    elif args["fact"] != sha256:
        if code == "original":
            message = _(
                "Original #%(id)s: its row says SHA-256 %(sha)s but the ledger recorded "
                "%(fact)s when it was stored: the row was changed."
            )
        else:
            message = _(
                "Document PDF #%(id)s: its row says SHA-256 %(sha)s but the ledger recorded "
                "%(fact)s when it was stored: the row was changed."
            )
    else:
        return
    report.add("files", code, message % args, log=log)


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
        "problems": [{"code": p.code, "message": p.message, "log": p.log} for p in report.problems],
        "more": dict(sorted(report.more.items())),
        "more_by_log": [
            {"log": log, "code": code, "count": n}
            for (log, code), n in sorted(report.more_by_log.items(), key=str)
        ],
        "problem_count": len(report.problems) + sum(report.more.values()),
        "by_log": {log: dict(sorted(c.items())) for log, c in sorted(report.by_log.items())},
        "seconds": round(seconds, 3),
    }


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
    last = 0.0

    def tick(phase: str, done: int, total: int) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last >= PROGRESS_EVERY or done >= total:
            last = now
            VerificationRun.objects.filter(pk=run_id).update(
                phase=phase, done=done, total=total, updated_at=timezone.now()
            )

    try:
        report = run(tick)
    except Exception as exc:
        VerificationRun.objects.filter(pk=run_id).update(
            state=VerificationRun.State.FAILED, error=str(exc), finished_at=timezone.now()
        )
        raise
    result = as_json(report, time.perf_counter() - started)
    problems = result.pop("problems")
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
    return {"run": run_id, "ok": report.ok, "problems": result["problem_count"]}


# --- what each administrator sees of a run --------------------------------------------------


@dataclass
class ScopedProblems:
    """A run's problems as one user sees them: those of the logs they may see (all for an
    installation administrator), and how many others were left out."""

    problems: list[dict[str, Any]]
    more: dict[str, int]  # code: count beyond the messages shown
    count: int  # problems shown or counted in ``more``
    hidden: int  # problems of other agencies' logs, or of the installation


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
