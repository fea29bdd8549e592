"""The tus 1.0.0 vocabulary: versions, extensions, headers and their parsing."""

from __future__ import annotations

import base64
import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from quancheng.uploads.errors import UploadError
from quancheng.uploads.receive import CHECKSUM_ALGORITHMS, Checksum

TUS_VERSION = "1.0.0"
EXTENSIONS = "creation,creation-with-upload,termination,checksum,expiration"
OCTETS = "application/offset+octet-stream"

# Offsets and lengths are BigIntegerFields: 2**63 - 1 has 19 digits.
MAX_DIGITS = 18


def response(
    status: int, headers: dict[str, str] | None = None, body: dict[str, Any] | None = None
) -> HttpResponse:
    """A response with ``Tus-Resumable`` and, for errors, the API's JSON error shape."""
    if body is None:
        result = HttpResponse(status=status)
    else:
        result = HttpResponse(
            json.dumps(body, ensure_ascii=False),
            status=status,
            content_type="application/json; charset=utf-8",
        )
    result["Tus-Resumable"] = TUS_VERSION
    result["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        result[name] = value
    return result


def capabilities() -> dict[str, str]:
    return {
        "Tus-Version": TUS_VERSION,
        "Tus-Extension": EXTENSIONS,
        "Tus-Max-Size": str(settings.QUANCHENG_UPLOAD_MAX_SIZE),
        "Tus-Checksum-Algorithm": ",".join(CHECKSUM_ALGORITHMS),
    }


def require_tus(request: HttpRequest) -> None:
    if request.headers.get("Tus-Resumable") != TUS_VERSION:
        raise UploadError(
            412,
            _("Send the header “Tus-Resumable: %(v)s”; this server speaks tus %(v)s.")
            % {"v": TUS_VERSION},
            "Tus-Resumable",
        )


def method_of(request: HttpRequest) -> str:
    """The method, honouring ``X-HTTP-Method-Override`` on POST (for clients that can only
    send GET and POST)."""
    override = request.headers.get("X-HTTP-Method-Override", "").upper()
    if request.method == "POST" and override in ("PATCH", "DELETE", "HEAD"):
        return override
    return request.method or "GET"


def whole_number(request: HttpRequest, header: str) -> int:
    raw = request.headers.get(header)
    if raw is None:
        raise UploadError(400, _("The header %(h)s is missing.") % {"h": header}, header)
    if not _is_count(raw):
        raise UploadError(
            400, _("The header %(h)s must be a whole number of bytes.") % {"h": header}, header
        )
    return int(raw)


def _is_count(raw: str) -> bool:
    """ASCII digits that fit a BigIntegerField (``"²".isdigit()`` is true, ``int`` refuses)."""
    return raw.isascii() and raw.isdigit() and len(raw) <= MAX_DIGITS


def content_length(request: HttpRequest) -> int:
    """The body's length. A chunked body (no length) is refused: WSGI would not pass it on."""
    if "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
        raise UploadError(411, _("Send the body with a Content-Length header."), "Content-Length")
    raw = request.META.get("CONTENT_LENGTH") or "0"
    if not _is_count(raw):
        raise UploadError(400, _("Content-Length must be a whole number."), "Content-Length")
    return int(raw)


def require_octets(request: HttpRequest) -> None:
    if request.content_type != OCTETS:
        raise UploadError(
            415,
            _("Send the bytes as Content-Type: %(t)s.") % {"t": OCTETS},
            "Content-Type",
        )


def checksum(request: HttpRequest) -> Checksum | None:
    """The ``Upload-Checksum: <algorithm> <base64 digest>`` of the request's body, if sent."""
    raw = request.headers.get("Upload-Checksum")
    if raw is None:
        return None
    parts = raw.strip().split(" ")
    if len(parts) != 2:
        raise UploadError(400, _("Upload-Checksum is malformed."), "Upload-Checksum")
    algorithm, encoded = parts[0].lower(), parts[1]
    if algorithm not in CHECKSUM_ALGORITHMS:
        raise UploadError(
            400,
            _("Unsupported checksum algorithm “%(a)s”; use one of %(list)s.")
            % {"a": algorithm, "list": ", ".join(CHECKSUM_ALGORITHMS)},
            "Upload-Checksum",
        )
    try:
        digest = base64.b64decode(encoded, validate=True)
    except ValueError:  # binascii.Error, or not ASCII
        raise UploadError(400, _("Upload-Checksum is malformed."), "Upload-Checksum") from None
    return Checksum(algorithm, digest)


def encode_metadata(metadata: dict[str, str]) -> str:
    return ",".join(
        f"{key} {base64.b64encode(value.encode()).decode()}" if value else key
        for key, value in metadata.items()
    )
