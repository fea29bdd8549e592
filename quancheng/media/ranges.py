"""HTTP Range requests (RFC 9110 §14) for playing and downloading stored files.

Django's ``FileResponse`` sends whole files only. ``ranged_response`` answers a single
byte range with 206 and ``Content-Range``, an unsatisfiable one with 416, and everything
else with 200; the body is streamed in fixed-size blocks, so memory stays flat whatever
the file size. Several ranges in one request (multipart/byteranges) are answered with the
whole file, which RFC 9110 allows and browsers never need for media.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.utils.http import http_date, parse_http_date_safe, quote_etag

BLOCK = 256 * 1024
RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class Unsatisfiable(Exception):
    """The Range header names no byte of the file (416)."""


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int  # inclusive, as in Content-Range

    @property
    def length(self) -> int:
        return self.end - self.start + 1


def parse_range(header: str | None, size: int) -> ByteRange | None:
    """The one range asked for, ``None`` to send the whole file, or ``Unsatisfiable``.

    A header we do not understand (another unit, several ranges, bad syntax) is ignored
    as RFC 9110 §14.2 allows: the whole file is sent.
    """
    if not header:
        return None
    match = RANGE.match(header.strip().replace(" ", ""))
    if not match:
        return None
    first, last = match[1], match[2]
    if not first and not last:
        return None
    if not first:  # suffix: the last N bytes
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise Unsatisfiable
        return ByteRange(max(size - suffix, 0), size - 1)
    start = int(first)
    end = size - 1 if not last else min(int(last), size - 1)
    if last and int(last) < start:
        return None  # invalid syntax: ignored, whole file
    if start >= size:
        raise Unsatisfiable
    return ByteRange(start, end)


def iter_file(stream: BinaryIO, start: int, length: int, block: int = BLOCK) -> Iterator[bytes]:
    """``length`` bytes of ``stream`` from ``start``, in blocks; closes the stream."""
    try:
        stream.seek(start)
        remaining = length
        while remaining > 0:
            chunk = stream.read(min(block, remaining))
            if not chunk:
                break  # the file is shorter than we were told: stop, never pad
            remaining -= len(chunk)
            yield chunk
    finally:
        stream.close()


def ranged_response(
    request: HttpRequest,
    stream: BinaryIO,
    size: int,
    content_type: str,
    etag: str,
    *,
    last_modified: float | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponseBase:
    """A 200, 206 or 416 answer for ``stream`` of ``size`` bytes (closed when sent).

    ``etag`` must change whenever the bytes do (the SHA-256 of an original serves, as it
    never changes); ``If-Range`` with another validator gets the whole file.
    """
    tag = quote_etag(etag)
    common = {"Accept-Ranges": "bytes", "ETag": tag, **(headers or {})}
    if last_modified is not None:
        common["Last-Modified"] = http_date(last_modified)
    header = request.headers.get("Range") if request.method in ("GET", "HEAD") else None
    if header and not _if_range_holds(request.headers.get("If-Range"), tag, last_modified):
        header = None
    response: HttpResponseBase
    try:
        byte_range = parse_range(header, size)
    except Unsatisfiable:
        stream.close()
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        for key, value in common.items():
            response[key] = value
        return response
    if request.method == "HEAD":
        stream.close()
        response = HttpResponse(status=200 if byte_range is None else 206)
        body_length = size if byte_range is None else byte_range.length
    else:
        start, length = (0, size) if byte_range is None else (byte_range.start, byte_range.length)
        response = StreamingHttpResponse(
            iter_file(stream, start, length), status=200 if byte_range is None else 206
        )
        body_length = length
    response["Content-Type"] = content_type
    response["Content-Length"] = str(body_length)
    if byte_range is not None:
        response["Content-Range"] = f"bytes {byte_range.start}-{byte_range.end}/{size}"
    for key, value in common.items():
        response[key] = value
    return response


def _if_range_holds(value: str | None, tag: str, last_modified: float | None) -> bool:
    """RFC 9110 §13.1.5: the range applies only if the validator still matches."""
    if not value:
        return True
    value = value.strip()
    if value.startswith(('"', "W/")):
        return value == tag  # strong comparison: a weak tag never matches
    moment = parse_http_date_safe(value)
    return moment is not None and last_modified is not None and int(last_modified) == moment
