"""The whole verification: the ledger (``quancheng.ledger.verify``) and the stored files.

Every original in the media store is re-hashed from its bytes (the store's own check,
``quancheng.media.verify.check_original``) and every document PDF from its file. Progress
is reported as ``(phase, done, total)`` over all facts, originals and documents, so a bar
(the CLI's tqdm, the web page) moves evenly.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from quancheng.ledger.models import Fact
from quancheng.ledger.verify import Report, verify_ledger

Tick = Callable[[str, int, int], None]  # phase ("facts", "originals", "documents"), done, total

CHUNK = 1 << 20


def run(tick: Tick | None = None) -> Report:
    """Verify everything; ``tick`` is called as work is done (at most every few thousand facts
    and after each file)."""
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
    verify_ledger(advance=lambda n: advance("facts", n), report=report)
    _check_originals(report, lambda: advance("originals", 1))
    _check_documents(report, lambda: advance("documents", 1))
    return report


def _check_originals(report: Report, step: Callable[[], None]) -> None:
    from quancheng.media.models import Original
    from quancheng.media.store import StoreError
    from quancheng.media.verify import check_original

    for original in Original.objects.order_by("id").iterator():
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

    for document in Document.objects.order_by("id").iterator():
        path = store.path_for(document.sha256)
        args: dict[str, Any] = {"id": document.pk, "case": document.case_id, "path": path}
        report.documents += 1
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
            )
        except OSError as exc:
            report.add(
                "files",
                "document",
                _("Document PDF #%(id)s (case #%(case)s, %(path)s): it cannot be read: %(e)s.")
                % {**args, "e": exc.strerror},
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
                )
        step()


def as_json(report: Report, seconds: float) -> dict[str, Any]:
    """The machine report ``quancheng verify --json`` prints and the web page stores."""
    return {
        "ok": report.ok,
        "logs": report.logs,
        "facts": report.facts,
        "checkpoints": report.checkpoints,
        "timestamps": report.timestamps,
        "originals": report.originals,
        "documents": report.documents,
        "problems": [{"code": p.code, "message": p.message} for p in report.problems],
        "more": dict(sorted(report.more.items())),
        "problem_count": len(report.problems) + sum(report.more.values()),
        "seconds": round(seconds, 3),
    }
