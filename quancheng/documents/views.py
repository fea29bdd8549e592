"""The case page's 文书 section and the download of a document PDF."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from quancheng.cases.models import Case
from quancheng.documents import store
from quancheng.documents.content import document_kind
from quancheng.documents.models import Document
from quancheng.documents.verify import PdfReport, verify_stored
from quancheng.web.access import get_case_for_user, log_view


@dataclass(frozen=True)
class DocumentEntry:
    document: Document
    title: str
    latest: bool
    report: PdfReport


def case_documents(case: Case) -> list[DocumentEntry]:
    """Every PDF of the case, each with the result of a real verification (cached by digest)."""
    rows = list(
        Document.objects.filter(case=case)
        .select_related("version__record__case", "next")
        .order_by("version_id", "id")
    )
    entries = []
    for row in rows:
        kind = document_kind(row.version)
        has_next = Document.objects.filter(previous=row).exists()
        entries.append(
            DocumentEntry(
                document=row,
                title=kind.label if kind else row.version.record.kind,
                latest=not has_next,
                report=verify_stored(row.sha256),
            )
        )
    return entries


@login_required
@require_GET
def download(request: HttpRequest, pk: int, doc_id: int) -> FileResponse:
    case = get_case_for_user(request, pk)
    document = get_object_or_404(Document.objects.filter(case=case), pk=doc_id)
    log_view(request, case, f"document {document.sha256}")
    try:
        handle = store.path_for(document.sha256).open("rb")
    except OSError:
        raise Http404 from None
    return FileResponse(
        handle, as_attachment=True, filename=document.filename, content_type="application/pdf"
    )
