"""The case page's 文书 section and the download of a document PDF."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from quancheng.agencies.models import Officer
from quancheng.agencies.requests import signed_in_user
from quancheng.cases.access import get_case_for_user, get_record_in, log_view, require_write
from quancheng.cases.models import Case
from quancheng.documents import store
from quancheng.documents.actions import latest_pdf, seal_document, sign_as_officer
from quancheng.documents.models import Document
from quancheng.documents.verify import PdfReport, verify_stored
from quancheng.errors import ActionError
from quancheng.ledger.public import Actor
from quancheng.media.serving import media_headers
from quancheng.policies.registry import get_pack
from quancheng.policies.schema import RecordKind
from quancheng.policies.snapshot import VersionSnap


@dataclass(frozen=True)
class DocumentEntry:
    document: Document
    title: str
    latest: bool
    report: PdfReport


@dataclass(frozen=True)
class Unsealed:
    record_id: int
    url: str  # the record's page
    title: str
    number: str


class CurrentRecord(Protocol):
    """A record as the case page's timeline holds it, with its current version."""

    record_id: int
    kind: str
    url: str

    @property
    def current(self) -> VersionSnap: ...


def _document_kinds(case: Case) -> dict[str, RecordKind]:
    return {k.id: k for k in get_pack(case.pack_id).record_kinds if k.document is not None}


def unsealed_documents(
    case: Case, records: Iterable[CurrentRecord], documents: list[DocumentEntry]
) -> list[Unsealed]:
    """Document records whose current version has no PDF yet, from what the case page has
    already read: its records with their current versions (in record order) and the case's
    PDFs (``case_documents``). No query of its own."""
    kinds = _document_kinds(case)
    sealed = {(e.document.version.record_id, e.document.version.number) for e in documents}
    return [
        Unsealed(r.record_id, r.url, kinds[r.kind].label, r.current.doc_number)
        for r in records
        if r.kind in kinds and (r.record_id, r.current.number) not in sealed
    ]


def case_documents(case: Case) -> list[DocumentEntry]:
    """Every PDF of the case, each with the result of a real verification (cached by digest)."""
    kinds = _document_kinds(case)
    rows = list(
        Document.objects.filter(case=case)
        .select_related("version__record", "case")
        .order_by("version_id", "id")
    )
    superseded = {row.previous_id for row in rows}
    return [
        DocumentEntry(
            document=row,
            title=kinds[row.version.record.kind].label
            if row.version.record.kind in kinds
            else row.version.record.kind,
            latest=row.pk not in superseded,
            report=verify_stored(row.sha256),
        )
        for row in rows
    ]


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
    # An attachment, not the browser's PDF viewer: the saved file is what a reader verifies
    # (its signatures, in a PDF reader that checks them), and PDF viewers run PDF scripts.
    response = FileResponse(
        handle, as_attachment=True, filename=document.filename, content_type="application/pdf"
    )
    for header, value in media_headers("application/pdf", document.filename).items():
        response[header] = value  # attachment (not in INLINE_TYPES), sandboxed, not sniffed
    return response


@login_required
@require_POST
def seal(request: HttpRequest, pk: int, record_id: int) -> HttpResponse:
    """Render the record's current version and seal it with the agency's certificate."""
    case = get_case_for_user(request, pk)
    require_write(request, case, "document.seal")
    record = get_record_in(case, record_id)
    try:
        seal_document(Actor.from_request(request), record.latest_version())
    except ActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The document was sealed."))
    return redirect(case.get_absolute_url() + "#documents")


@login_required
@require_POST
def sign(request: HttpRequest, pk: int, doc_id: int) -> HttpResponse:
    """The signed-in officer signs the newest PDF of a document with their own key."""
    case = get_case_for_user(request, pk)
    require_write(request, case, "document.sign_officer")
    document = get_object_or_404(Document.objects.filter(case=case), pk=doc_id)
    officer = Officer.objects.filter(user=signed_in_user(request)).first()
    try:
        if officer is None:
            raise ActionError(_("Only an officer signs a document."), "officer")
        newest = latest_pdf(document.version)
        sign_as_officer(Actor.from_request(request), newest or document, officer)
    except ActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("You signed the document."))
    return redirect(case.get_absolute_url() + "#documents")
