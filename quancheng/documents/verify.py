"""Verifying a PDF's signatures with pyHanko, trusting the agency CA(s); a status per
signature that says plainly what holds and what does not."""

from __future__ import annotations

import dataclasses
import io
import os
from datetime import datetime
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.core.cache import cache
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.misc import PdfReadError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from quancheng.documents import keys, store

TSA_ROOTS_ENV = "QUANCHENG_TSA_ROOTS"


class NotAPdf(Exception):
    """The bytes are not a PDF that can be read."""


@dataclasses.dataclass
class SignatureStatus:
    field: str
    signer: str
    intact: bool
    valid: bool
    trusted: bool
    signing_time: datetime | None
    timestamp: datetime | None
    timestamp_valid: bool | None
    coverage: str
    modification: str
    # not the bare ``field``: in this class body that names the attribute above (to mypy
    # already; to Python too the moment the attribute gets a default)
    problems: list[str] = dataclasses.field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclasses.dataclass
class PdfReport:
    signatures: list[SignatureStatus]
    problems: list[str] = dataclasses.field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.signatures) and not self.problems and all(s.ok for s in self.signatures)


def _asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def tsa_roots() -> list[x509.Certificate]:
    """Roots trusted for timestamps: those in the PEM file ``QUANCHENG_TSA_ROOTS``."""
    path = os.environ.get(TSA_ROOTS_ENV)
    if not path:
        return []
    return list(x509.load_pem_x509_certificates(Path(path).read_bytes()))


def _contexts() -> tuple[ValidationContext, ValidationContext]:
    roots = [_asn1(c) for c in keys.trust_roots()]
    signer = ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")
    stamps = ValidationContext(
        trust_roots=roots + [_asn1(c) for c in tsa_roots()],
        allow_fetching=False,
        revocation_mode="soft-fail",
    )
    return signer, stamps


def _open(data: bytes) -> PdfFileReader:
    if not data.lstrip()[:5].startswith(b"%PDF-"):
        raise NotAPdf(_("This file is not a PDF."))
    try:
        return PdfFileReader(io.BytesIO(data), strict=False)
    except (PdfReadError, ValueError, KeyError, IndexError) as exc:
        raise NotAPdf(_("This file is not a readable PDF: %(e)s") % {"e": exc}) from exc


def verify_pdf(data: bytes) -> PdfReport:
    """Every signature in ``data`` checked; raises ``NotAPdf`` for bytes that are no PDF."""
    reader = _open(data)
    try:
        embedded = list(reader.embedded_signatures)
    except (PdfReadError, ValueError, KeyError) as exc:
        raise NotAPdf(_("This file is not a readable PDF: %(e)s") % {"e": exc}) from exc
    if not embedded:
        return PdfReport([], [_("The PDF carries no signature.")])
    signer_context, stamp_context = _contexts()
    statuses = [_check(sig, signer_context, stamp_context) for sig in embedded]
    report = PdfReport(statuses)
    last = embedded[-1]
    if last.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        report.problems.append(
            _(
                "The document was changed after its last signature: bytes were added that no "
                "signature covers."
            )
        )
    return report


def _check(
    sig: object, signer_context: ValidationContext, stamp_context: ValidationContext
) -> SignatureStatus:
    name = sig.field_name  # type: ignore[attr-defined]
    try:
        status = validate_pdf_signature(sig, signer_context, stamp_context)  # type: ignore[arg-type]
    except (SignatureValidationError, PdfReadError, ValueError) as exc:
        return SignatureStatus(
            name,
            "",
            False,
            False,
            False,
            None,
            None,
            None,
            "",
            "",
            [_("The signature cannot be checked: %(e)s") % {"e": exc}],
        )
    cert = status.signing_cert
    stamp = status.timestamp_validity
    result = SignatureStatus(
        field=name,
        signer=cert.subject.human_friendly if cert is not None else "",
        intact=status.intact,
        valid=status.valid,
        trusted=status.trusted,
        signing_time=status.signer_reported_dt,
        timestamp=stamp.timestamp if stamp else None,
        timestamp_valid=(stamp.intact and stamp.valid and stamp.trusted) if stamp else None,
        coverage=status.coverage.name if status.coverage else "",
        modification=status.modification_level.name if status.modification_level else "",
    )
    if not status.intact:
        result.problems.append(_("The signed bytes were changed: the digest does not match."))
    elif not status.valid:
        result.problems.append(_("The signature value is not valid."))
    if status.intact and status.valid and not status.trusted:
        result.problems.append(_("The signer's certificate is not from a trusted CA."))
    if stamp is not None and not result.timestamp_valid:
        result.problems.append(_("The timestamp is not valid or not from a trusted TSA."))
    level = status.modification_level
    if level is not None and level > ModificationLevel.FORM_FILLING:
        result.problems.append(
            _("The document was changed after this signature (%(level)s).") % {"level": level.name}
        )
    if status.docmdp_ok is False:
        result.problems.append(_("Changes after sealing go beyond what the seal permits."))
    return result


def verify_stored(digest: str) -> PdfReport:
    """A stored document PDF checked, cached by digest; a changed or missing file says so."""
    try:
        info = store.path_for(digest).stat()
    except OSError:
        return PdfReport([], [_("The stored PDF is missing.")])
    # The file's size and time are in the key: a file changed on disk is verified anew. Only
    # a miss reads the file (a page view with cached reports reads no PDF).
    key = f"documents:verify:{digest}:{info.st_size}:{info.st_mtime_ns}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    try:
        data = store.read(digest)
    except OSError:
        return PdfReport([], [_("The stored PDF is missing.")])
    if store.digest_of(data) != digest:
        return PdfReport([], [_("The stored PDF was changed on disk: its SHA-256 differs.")])
    try:
        report = verify_pdf(data)
    except NotAPdf as exc:
        return PdfReport([], [str(exc)])
    cache.set(key, report, 3600)
    return report
