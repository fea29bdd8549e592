"""How the facts of issued documents describe their rows (``quancheng.ledger.reconcile``),
and the PDFs' bytes that verify re-hashes."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from quancheng.ledger.reconcile import TEXT, VALUE, Expected, FileCheck, Table

DOCUMENT = "documents_document"
CHUNK = 1 << 20


def _document_model() -> Any:
    from quancheng.documents.models import Document

    return Document


TABLES = [
    Table(
        DOCUMENT,
        _document_model,
        {
            "case": ("case_id", VALUE),
            "version": ("version_id", VALUE),
            "sha256": ("sha256", TEXT),
            "size": ("size", VALUE),
            "previous": ("previous__sha256", TEXT),
            "step": ("step", TEXT),
            "signer": ("signer", TEXT),
            "timestamped": ("timestamped", VALUE),
        },
        agency="case__agency_id",
    )
]


def _document(expected: Expected, subject: str, p: dict[str, Any]) -> None:
    expected.row(
        DOCUMENT, subject, case=p["case"], version=p["record_version"], sha256=p["sha256"],
        size=p["size"], previous=p["previous_sha256"], step=p["step"], signer=p["signer"],
        timestamped=p["timestamped"],
    )  # fmt: skip


FOLDS = {"document.sealed": _document, "document.signed": _document}


def case_subjects(case_id: int) -> dict[str, list[Any]]:
    from quancheng.documents.models import Document

    return {"document": list(Document.objects.filter(case_id=case_id).values_list("pk", flat=True))}


def _count() -> int:
    from quancheng.documents.models import Document

    return Document.objects.count()


def check_documents(report: Any, step: Callable[[], None]) -> None:
    """Every document PDF re-hashed from its file; a case's PDF is a problem for those who
    see its agency's log."""
    from django.utils.translation import gettext as _

    from quancheng.documents import store
    from quancheng.documents.models import Document
    from quancheng.ledger.models import Log
    from quancheng.ledger.public import origin_for

    origins = dict(Log.objects.filter(agency__isnull=False).values_list("agency_id", "origin"))
    documents = Document.objects.select_related("case__agency").order_by("id")
    for document in documents.iterator():
        log = origins.get(document.case.agency_id) or origin_for(document.case.agency)
        path = store.path_for(document.sha256)
        args: dict[str, Any] = {"id": document.pk, "case": document.case_id, "path": path}
        report.checked("documents", log)
        try:
            digest = hashlib.sha256()
            with path.open("rb") as handle:
                while chunk := handle.read(CHUNK):
                    digest.update(chunk)
        except FileNotFoundError:
            message = _("Document PDF #%(id)s (case #%(case)s, %(path)s): the file is missing.")
            report.add("files", "document", message % args, log=log)
        except OSError as exc:
            message = _(
                "Document PDF #%(id)s (case #%(case)s, %(path)s): it cannot be read: %(e)s."
            )
            report.add("files", "document", message % {**args, "e": exc.strerror}, log=log)
        else:
            if digest.hexdigest() != document.sha256:
                message = _(
                    "Document PDF #%(id)s (case #%(case)s, %(path)s): its bytes have "
                    "changed: SHA-256 is now %(sha)s."
                )
                args["sha"] = digest.hexdigest()
                report.add("files", "document", message % args, log=log)
        step()


def register() -> None:
    from quancheng.ledger import reconcile

    reconcile.register(
        tables=TABLES,
        folds=FOLDS,
        case_subjects=case_subjects,
        files=FileCheck("documents", _count, check_documents),
    )
