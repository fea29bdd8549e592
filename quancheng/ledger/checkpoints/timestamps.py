"""Trusted time for checkpoints: RFC 3161 timestamps over each checkpoint's signed note.

The time-stamping authority is the one the documents app uses: ``QUANCHENG_TSA_URL``, and
its roots for verification in the PEM file ``QUANCHENG_TSA_ROOTS`` (same variables as
``quancheng.documents.pdfsign`` / ``quancheng.documents.verify``). ``rfc3161-client`` builds
the request (SHA-256 of the note, with a nonce) and parses and verifies the reply; the
stored token is the reply's TimeStampToken (a CMS ContentInfo, DER).
"""

from __future__ import annotations

import hashlib
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography import x509
from django.utils.translation import gettext as _
from rfc3161_client import (
    HashAlgorithm,
    PKIStatus,
    TimeStampRequest,
    TimestampRequestBuilder,
    TimeStampResponse,
    VerificationError,
    VerifierBuilder,
    decode_timestamp_response,
)

TSA_URL_ENV = "QUANCHENG_TSA_URL"
TSA_ROOTS_ENV = "QUANCHENG_TSA_ROOTS"
TIMEOUT = 10
MAX_REPLY = 1 << 20


class TimestampError(Exception):
    """No valid timestamp: the TSA is down, refused, or answered something that is not one."""


@dataclass(frozen=True)
class Stamp:
    token: bytes  # DER TimeStampToken
    gen_time: datetime  # aware (UTC)
    tsa_url: str


def tsa_url() -> str | None:
    return os.environ.get(TSA_URL_ENV) or None


def tsa_roots() -> list[x509.Certificate]:
    """Roots trusted for timestamps (PEM file ``QUANCHENG_TSA_ROOTS``); empty if unset."""
    path = os.environ.get(TSA_ROOTS_ENV)
    if not path:
        return []
    try:
        return list(x509.load_pem_x509_certificates(Path(path).read_bytes()))
    except (OSError, ValueError) as exc:
        raise TimestampError(
            _("The TSA roots file %(path)s (%(var)s) cannot be read: %(e)s")
            % {"path": path, "var": TSA_ROOTS_ENV, "e": exc}
        ) from None


def checkpoint_digest(note: str) -> bytes:
    """What a checkpoint's timestamp stamps: SHA-256 of its signed note, as stored."""
    return hashlib.sha256(note.encode()).digest()


def _post(url: str, body: bytes) -> bytes:
    request = urllib.request.Request(  # noqa: S310 - the configured TSA's URL
        url,
        data=body,
        headers={"Content-Type": "application/timestamp-query"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
        return response.read(MAX_REPLY + 1)[: MAX_REPLY + 1]


def stamp(note: str, url: str | None = None) -> Stamp:
    """Ask the TSA for a timestamp over ``note`` and check the reply before returning it.

    Raises ``TimestampError`` with one sentence naming the TSA and what went wrong."""
    url = url or tsa_url()
    if not url:
        raise TimestampError(
            _("No time-stamping authority is configured: set %(var)s.") % {"var": TSA_URL_ENV}
        )
    request = (
        TimestampRequestBuilder()
        .data(note.encode())
        .hash_algorithm(HashAlgorithm.SHA256)
        .nonce(nonce=True)
        .cert_request(cert_request=True)
        .build()
    )
    response = _ask(url, request)
    _check_reply(url, response, note, request.nonce)
    return Stamp(response.time_stamp_token(), response.tst_info.gen_time, url)


def _failed(url: str, reason: object) -> TimestampError:
    """The error of the TSA at ``url`` that gave no timestamp, saying why."""
    return TimestampError(
        _("The time-stamping authority at %(url)s did not give a timestamp: %(e)s")
        % {"url": url, "e": reason}
    )


def _ask(url: str, request: TimeStampRequest) -> TimeStampResponse:
    """Send ``request`` to the TSA at ``url``; its reply, parsed as an RFC 3161 timestamp
    response but not yet checked."""
    try:
        reply = _post(url, request.as_bytes())
    except urllib.error.HTTPError as exc:
        raise _failed(url, f"HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise _failed(url, getattr(exc, "reason", exc)) from None
    if len(reply) > MAX_REPLY:
        raise _failed(url, _("the reply is too large"))
    try:
        return decode_timestamp_response(_strict_der(reply))
    except ValueError as exc:
        raise _failed(
            url, _("the reply is not an RFC 3161 timestamp response (%(e)s)") % {"e": exc}
        ) from None


def _check_reply(url: str, response: TimeStampResponse, note: str, nonce: int | None) -> None:
    """Refuse a reply that grants no timestamp, stamps other data than ``note``, carries
    another nonce than the request's, or (roots configured) does not hold under the roots."""
    if PKIStatus(response.status) not in (PKIStatus.GRANTED, PKIStatus.GRANTED_WITH_MODS):
        raise _failed(
            url,
            _("it refused (status %(status)s: %(text)s)")
            % {"status": response.status, "text": "; ".join(response.status_string)},
        )
    digest = checkpoint_digest(note)
    if response.tst_info.message_imprint.message != digest:
        raise _failed(url, _("the timestamp is for other data"))
    if response.tst_info.nonce != nonce:
        raise _failed(url, _("the nonce in the reply is not the one sent"))
    roots = tsa_roots()
    if roots:
        problem = _verify(response, digest, roots)
        if problem:
            raise _failed(url, problem)


def _strict_der(reply: bytes) -> bytes:
    """The reply in strict DER, as ``rfc3161-client`` demands.

    ``openssl ts -reply`` (and TSAs built on it) write the SET OF certificates in the order
    given, not sorted as DER requires, and the strict parser refuses that. The certificate
    set is not covered by the signature, so re-encoding it sorted (asn1crypto) changes no
    signed byte. Anything else that does not parse is left for the parser to refuse."""
    try:
        decode_timestamp_response(reply)
        return reply
    except ValueError:
        pass
    try:
        from asn1crypto import cms, tsp

        resp = tsp.TimeStampResp.load(reply, strict=True)
        signed = resp["time_stamp_token"]["content"]
        if signed["certificates"].native is not None:
            signed["certificates"] = cms.CertificateSet(list(signed["certificates"]))
        return resp.dump()
    except Exception:  # noqa: BLE001 - garbage of any shape: let the strict parser name it
        return reply


def _as_response(token: bytes) -> TimeStampResponse:
    """A stored token wrapped back into a TimeStampResp (status granted) for the verifier."""
    status = b"\x30\x03\x02\x01\x00"
    body = status + token
    return decode_timestamp_response(b"\x30" + _der_length(len(body)) + body)


def _der_length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def _verify(response: TimeStampResponse, digest: bytes, roots: list[x509.Certificate]) -> str:
    builder = VerifierBuilder()
    for root in roots:
        builder = builder.add_root_certificate(root)
    try:
        builder.build().verify(response, digest)
    except VerificationError as exc:
        return str(exc).split(": ErrorStack")[0]
    return ""


@dataclass(frozen=True)
class TokenCheck:
    problem: str  # "" when the token holds
    forged: bool  # the token does not stamp this note, or its signature does not hold
    gen_time: datetime | None


def check_token(token: bytes, note: str) -> TokenCheck:
    """Does ``token`` stamp exactly this note, signed by a TSA under the trusted roots?"""
    try:
        response = _as_response(token)
        info = response.tst_info
    except ValueError as exc:
        return TokenCheck(_("it is not a timestamp token (%(e)s)") % {"e": exc}, True, None)
    digest = checkpoint_digest(note)
    if info.message_imprint.message != digest:
        return TokenCheck(_("it stamps other data, not this checkpoint"), True, info.gen_time)
    try:
        roots = tsa_roots()
    except TimestampError as exc:
        return TokenCheck(str(exc), False, info.gen_time)
    if not roots:
        return TokenCheck(
            _("it cannot be checked: set %(var)s to the TSA's root certificates")
            % {"var": TSA_ROOTS_ENV},
            False,
            info.gen_time,
        )
    problem = _verify(response, digest, roots)
    if problem:
        return TokenCheck(
            _("its signature does not hold under the trusted TSA roots (%(e)s)") % {"e": problem},
            True,
            info.gen_time,
        )
    return TokenCheck("", False, info.gen_time)
