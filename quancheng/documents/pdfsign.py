"""PAdES signatures with pyHanko: the agency's seal (a certification signature that still
allows further signatures), officers' signatures, and the agency witnessing a party's
signature or refusal. All in memory: nothing is stored until the signed bytes are whole."""

from __future__ import annotations

import io
import os

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfReadError
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.timestamps import TimestampRequestError
from pyhanko.sign.timestamps.requests_client import RequestsHTTPTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

from quancheng.documents.keys import KeyPair, load_cert, load_key

TSA_ENV = "QUANCHENG_TSA_URL"
TSA_TIMEOUT = 10


class SigningFailed(Exception):
    """The PDF could not be signed (TSA down or answering garbage, unreadable PDF)."""


def tsa_url() -> str | None:
    return os.environ.get(TSA_ENV) or None


def signer_for(pair: KeyPair) -> signers.SimpleSigner:
    key = load_key(pair.key)
    cert = load_cert(pair.cert)
    der = serialization.Encoding.DER
    others = []
    for path in pair.chain:
        from cryptography import x509

        others += x509.load_pem_x509_certificates(path.read_bytes())
    key_der = key.private_bytes(
        der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(cert.public_bytes(der)),
        signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
        cert_registry=SimpleCertificateStore.from_certs(
            [asn1_x509.Certificate.load(c.public_bytes(der)) for c in others]
        ),
    )


def sign_pdf(
    pdf: bytes,
    pair: KeyPair,
    field_name: str,
    reason: str,
    *,
    certify: bool = False,
    name: str | None = None,
) -> bytes:
    """``pdf`` with one more signature, added as an incremental update; timestamped
    (PAdES-B-T) when ``QUANCHENG_TSA_URL`` is set."""
    signer = signer_for(pair)
    url = tsa_url()
    timestamper = RequestsHTTPTimeStamper(url, timeout=TSA_TIMEOUT) if url else None
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        reason=reason,
        name=name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        certify=certify,
        docmdp_permissions=fields.MDPPerm.FILL_FORMS,
    )
    out = io.BytesIO()
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        signers.PdfSigner(meta, signer=signer, timestamper=timestamper).sign_pdf(writer, output=out)
    except TimestampRequestError as exc:
        raise SigningFailed(
            _("The time-stamping authority at %(url)s did not give a timestamp: %(e)s")
            % {"url": url, "e": exc}
        ) from exc
    except (PdfReadError, SigningError) as exc:
        raise SigningFailed(_("The PDF cannot be signed: %(e)s") % {"e": exc}) from exc
    except (OSError, ValueError) as exc:
        # Garbage from a TSA surfaces as a parse error of its reply.
        if url:
            raise SigningFailed(
                _("The time-stamping authority at %(url)s did not give a timestamp: %(e)s")
                % {"url": url, "e": exc}
            ) from exc
        raise
    return out.getvalue()
