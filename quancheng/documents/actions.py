"""Issuing documents: render and seal, then officers' and the party's signatures, each a new
immutable PDF with its row and ledger fact, written together or not at all."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from quancheng.agencies.models import Officer
from quancheng.cases.guards import ensure_writable
from quancheng.cases.models import RecordVersion
from quancheng.cases.signing import RefusalInput, note_refusal
from quancheng.documents import keys, store
from quancheng.documents.content import content_of, document_kind
from quancheng.documents.models import Document, Step
from quancheng.documents.pdfsign import SigningFailed, sign_pdf, tsa_url
from quancheng.documents.render import render_pdf
from quancheng.errors import ActionError
from quancheng.ledger.public import Actor, append_fact


def _field(prefix: str, label: str) -> str:
    return f"{prefix}-{re.sub(r'[^A-Za-z0-9_-]', '_', label)}"


def _signed(make: Callable[[], bytes]) -> bytes:
    try:
        return make()
    except (SigningFailed, keys.SigningKeyError) as exc:
        raise ActionError(str(exc), "document") from exc


def _save(
    actor: Actor,
    version: RecordVersion,
    previous: Document | None,
    step: str,
    signer: str,
    pdf: bytes,
    extra: dict[str, object] | None = None,
) -> Document:
    """Store ``pdf`` and write its row and ledger fact in one transaction; the stored bytes
    are discarded again (if this call stored them) when the writing fails."""
    case = version.record.case
    digest, created = store.put(pdf)
    try:
        with transaction.atomic():
            row = Document.objects.create(
                case=case,
                version=version,
                previous=previous,
                step=step,
                signer=signer,
                sha256=digest,
                size=len(pdf),
                timestamped=tsa_url() is not None,
                created_by=actor.user,
            )
            _append_document_fact(actor, row, previous, extra)
    except IntegrityError:
        if created:
            store.discard(digest)
        raise ActionError(
            _("This document was sealed or signed meanwhile; reload and try again."), "document"
        ) from None
    except BaseException:
        if created:
            store.discard(digest)
        raise
    return row


def _append_document_fact(
    actor: Actor, row: Document, previous: Document | None, extra: dict[str, object] | None
) -> None:
    """The ledger fact of a new PDF row: ``document.sealed`` for the first of a version,
    ``document.signed`` for each one after."""
    case = row.case
    append_fact(
        actor,
        "document.sealed" if previous is None else "document.signed",
        ("document", row.pk),
        {
            "case": case.pk,
            "record_version": row.version.pk,
            "sha256": row.sha256,
            "size": row.size,
            "previous_sha256": previous.sha256 if previous else None,
            "step": row.step,
            "signer": row.signer,
            "timestamped": row.timestamped,
            **(extra or {}),
        },
        case.agency,
    )


def latest_pdf(version: RecordVersion) -> Document | None:
    """The newest PDF of a version: the end of the chain that starts with its seal."""
    return version.documents.filter(next__isnull=True).order_by("-id").first()


def _stored_bytes(document: Document) -> bytes:
    try:
        data = store.read(document.sha256)
    except OSError:
        raise ActionError(_("The stored PDF of this document is missing."), "document") from None
    if store.digest_of(data) != document.sha256:
        raise ActionError(_("The stored PDF of this document was changed."), "document")
    return data


def seal_document(actor: Actor, version: RecordVersion) -> Document:
    """Render the version as PDF and seal it with the agency's certificate."""
    case = version.record.case
    ensure_writable(actor, case, "document.seal")
    kind = document_kind(version)
    if kind is None:
        raise ActionError(_("Records of this kind are not documents."), "kind")
    if version.documents.exists():
        raise ActionError(_("This document has already been sealed."), "document")
    agency = case.agency.enforcement_agency
    pair = keys.agency_pair(agency.code)
    seal_image = pair.key.parent / "seal.png"
    pdf = render_pdf(content_of(version, kind), seal_image if seal_image.exists() else None)
    signed = _signed(
        lambda: sign_pdf(pdf, pair, "seal", f"{agency.name} 盖章", certify=True, name=agency.name)
    )
    with transaction.atomic():
        return _save(
            actor,
            version,
            None,
            Step.SEALED,
            agency.name,
            signed,
            {"doc_number": version.doc_number, "kind": kind.id},
        )


def sign_as_officer(actor: Actor, document: Document, officer: Officer) -> Document:
    """The officer signs the newest PDF with their personal key."""
    case = document.case
    ensure_writable(actor, case, "document.sign_officer")
    _require_latest(document)
    if not officer.agency.path.startswith(case.agency.enforcement_agency.path):
        raise ActionError(_("This officer does not belong to the case's agency."), "officer")
    if document.version.documents.filter(step=Step.OFFICER, signer=str(officer)).exists():
        raise ActionError(_("This officer has already signed the document."), "officer")
    pair = keys.officer_pair(case.agency.enforcement_agency.code, officer.cert_no)
    pdf = _stored_bytes(document)
    signed = _signed(
        lambda: sign_pdf(
            pdf,
            pair,
            _field("officer", officer.cert_no),
            f"执法人员 {officer} 签名",
            name=officer.name,
        )
    )
    with transaction.atomic():
        return _save(
            actor,
            document.version,
            document,
            Step.OFFICER,
            str(officer),
            signed,
            {"officer": officer.cert_no},
        )


def sign_as_party(actor: Actor, document: Document, name: str, image: bytes) -> Document:
    """The party signed on a tablet: the handwriting image (PNG) is stored beside the PDFs
    and the agency's key witnesses it, naming the signer and the image's SHA-256."""
    if not name.strip():
        raise ActionError(_("A signature needs the signer's name."), "name")
    if not image.startswith(b"\x89PNG\r\n\x1a\n"):
        raise ActionError(_("The handwritten signature must be a PNG image."), "image")
    digest = store.digest_of(image)
    reason = f"当事人 {name.strip()} 签名（手写签名图像 SHA-256 {digest}）"
    digest, created = store.put(image, "png")
    try:
        return _witness(actor, document, Step.PARTY, name.strip(), reason, {"image_sha256": digest})
    except BaseException:
        if created:
            store.discard(digest, "png")
        raise


def note_party_refusal(actor: Actor, document: Document, refusal: RefusalInput) -> Document:
    """The party refuses: the refusal is noted on the record (``note_refusal``) and the
    agency's key witnesses it on the PDF."""
    with transaction.atomic():
        row = note_refusal(actor, document.version, refusal)
        return _witness(
            actor,
            document,
            Step.REFUSAL,
            row.note,
            f"当事人拒绝签名：{row.note}",
            {"refusal": row.pk},
            "document.note_refusal",
        )


def _witness(
    actor: Actor,
    document: Document,
    step: str,
    signer: str,
    reason: str,
    extra: dict[str, object],
    action: str = "document.sign_party",
) -> Document:
    case = document.case
    ensure_writable(actor, case, action)
    _require_latest(document)
    agency = case.agency.enforcement_agency
    pair = keys.agency_pair(agency.code)
    pdf = _stored_bytes(document)
    count = document.version.documents.filter(step=step).count() + 1
    signed = _signed(
        lambda: sign_pdf(pdf, pair, _field(step, str(count)), reason, name=agency.name)
    )
    with transaction.atomic():
        return _save(actor, document.version, document, step, signer, signed, extra)


def _require_latest(document: Document) -> None:
    if Document.objects.filter(previous=document).exists():
        raise ActionError(_("A newer PDF of this document exists; sign that one."), "document")
