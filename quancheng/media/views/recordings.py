"""Playing, downloading and previewing a case's recordings.

Playback and download answer HTTP Range requests (seeking in the browser, resumed
downloads) with constant memory. Each playback start and each download is logged
(``record_case_viewed``); the further Range requests a player makes while it plays or
seeks are not, so the ledger holds one fact per viewing, not one per chunk.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import BinaryIO

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponseBase
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from quancheng.cases.access import get_case_for_user, log_view
from quancheng.cases.models import Case
from quancheng.media.models import Derivative, MediaInfo, Original, Recording
from quancheng.media.processing import latest_derivative, latest_info
from quancheng.media.ranges import ranged_response
from quancheng.media.serving import (
    OCTET_STREAM,
    awaits_proxy,
    inline_type,
    media_headers,
    served_type,
)
from quancheng.media.store import store_of

CACHE_PRIVATE = "private, max-age=3600"


def _recording(
    request: HttpRequest, pk: int, recording_id: int
) -> tuple[Case, Recording, Original]:
    """The case, one of its recordings, and the recording's original (404 if it has none)."""
    case = get_case_for_user(request, pk)
    recording = get_object_or_404(
        case.recordings.select_related("original").filter(original__isnull=False),
        pk=recording_id,
    )
    if recording.original is None:  # excluded by the query: for the type checker
        raise Http404
    return case, recording, recording.original


def _starts_viewing(request: HttpRequest) -> bool:
    """A request without Range, or for the first byte on: a new viewing, not a seek."""
    header = request.headers.get("Range", "").replace(" ", "")
    return request.method == "GET" and (not header or header.startswith("bytes=0-"))


def _content_type(info: MediaInfo | None) -> str:
    """The probed type if the original plays as stored, else ``application/octet-stream``
    (never a type guessed from the file name: see ``quancheng.media.serving``)."""
    return inline_type(info) or OCTET_STREAM


def _digest_headers(original: Original) -> dict[str, str]:
    sha = base64.b64encode(bytes.fromhex(original.sha256)).decode()
    headers = {"Repr-Digest": f"sha-256=:{sha}:", "X-Content-SHA256": original.sha256}
    if original.sm3:
        headers["X-Content-SM3"] = original.sm3
    return headers


@login_required
@require_safe
def recording_play(request: HttpRequest, pk: int, recording_id: int) -> HttpResponseBase:
    """The proxy if one was made, else the original: inline if it is audio, video or a photo
    a browser plays as probed, else as an attachment (``quancheng.media.serving``)."""
    case, recording, original = _recording(request, pk, recording_id)
    stream: BinaryIO
    proxy = latest_derivative(original, Derivative.Kind.PROXY)
    if proxy is not None and proxy.file_path().is_file():
        path = proxy.file_path()
        stream, size, content_type = path.open("rb"), proxy.size, served_type(proxy.content_type)
        etag, name = f"{original.sha256}-proxy-{proxy.pk}", path.name
    else:
        info = latest_info(original)
        if awaits_proxy(info):
            raise Http404  # its playable copy is still being made
        stream, size = store_of(original).open(original), original.size
        content_type, etag = _content_type(info), original.sha256
        name = recording.file_name or f"{original.sha256}.bin"
    if _starts_viewing(request):
        log_view(request, case, f"recording:{recording.pk}:play")
    headers = media_headers(content_type, name)
    response = ranged_response(request, stream, size, content_type, etag, headers=headers)
    response["Cache-Control"] = CACHE_PRIVATE
    return response


@login_required
@require_safe
def recording_download(request: HttpRequest, pk: int, recording_id: int) -> HttpResponseBase:
    """The original byte for byte, its digest in the headers; Range resumes a download."""
    case, recording, original = _recording(request, pk, recording_id)
    name = recording.file_name or f"{original.sha256}.bin"
    headers = {**media_headers(OCTET_STREAM, name), **_digest_headers(original)}
    if _starts_viewing(request):
        log_view(request, case, f"recording:{recording.pk}:download")
    return ranged_response(
        request,
        store_of(original).open(original),
        original.size,
        OCTET_STREAM,
        original.sha256,
        headers=headers,
    )


@login_required
@require_safe
def recording_thumbnail(request: HttpRequest, pk: int, recording_id: int) -> HttpResponseBase:
    """The thumbnail shown on the case page (part of the case page's logged view)."""
    *_, original = _recording(request, pk, recording_id)
    thumbnail = latest_derivative(original, Derivative.Kind.THUMBNAIL)
    if thumbnail is None or not thumbnail.file_path().is_file():
        raise Http404
    response = FileResponse(thumbnail.file_path().open("rb"), content_type="image/jpeg")
    for header, value in media_headers("image/jpeg", "thumbnail.jpg").items():
        response[header] = value
    response["Cache-Control"] = CACHE_PRIVATE
    return response


@dataclass(frozen=True)
class RecordingRow:
    """A recording as the case page shows it."""

    recording: Recording
    officers: list[str]
    info: MediaInfo | None
    has_thumbnail: bool
    state: str  # "no-file" | "processing" | "unreadable" | "converting" | "download-only" | "ready"
    media_type: str  # the <video>/<audio> type attribute

    @property
    def is_audio(self) -> bool:
        return self.info is not None and self.info.kind == "audio"

    @property
    def is_photo(self) -> bool:
        return self.info is not None and self.info.kind == "photo"


def recording_rows(case: Case) -> list[RecordingRow]:
    """The case's recordings with what the page needs, in a fixed number of queries."""
    recordings = case.recordings.select_related("device", "original").prefetch_related(
        "officers", "original__media_infos", "original__derivatives"
    )
    return [_row(recording) for recording in recordings]


def _row(recording: Recording) -> RecordingRow:
    original = recording.original
    officers = [str(officer) for officer in recording.officers.all()]
    if original is None:
        return RecordingRow(recording, officers, None, False, "no-file", "")
    infos = sorted(original.media_infos.all(), key=lambda i: (i.probed_at, i.pk))
    info = infos[-1] if infos else None
    kinds = {d.kind: d for d in original.derivatives.all()}  # ordered: the latest wins
    proxy = kinds.get(Derivative.Kind.PROXY)
    if info is None:
        state = "processing"
    elif not info.readable:
        state = "unreadable"
    elif info.browser_playable or proxy is not None:
        state = "ready"
    elif awaits_proxy(info):
        state = "converting"
    else:
        state = "download-only"  # readable, but nothing a browser shows (an SVG, a BMP)
    media_type = served_type(proxy.content_type) if proxy is not None else _content_type(info)
    return RecordingRow(
        recording, officers, info, Derivative.Kind.THUMBNAIL in kinds, state, media_type
    )
