"""tus 1.0.0 endpoints: ``/api/v1/uploads/`` (OPTIONS, POST) and ``/api/v1/uploads/<key>``
(HEAD, PATCH, DELETE, GET for a JSON status). See docs/uploads.md."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from quancheng.agencies.models import User
from quancheng.ledger.public import Actor, Channel
from quancheng.uploads import actions, protocol
from quancheng.uploads.auth import upload_user
from quancheng.uploads.choices import UploadState
from quancheng.uploads.errors import UploadError
from quancheng.uploads.metadata import parse_metadata
from quancheng.uploads.models import Upload
from quancheng.uploads.receive import append, locked_part

logger = logging.getLogger(__name__)


def _tus(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Turn UploadError into the API's JSON error, with the tus headers."""

    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except UploadError as exc:
            headers = dict(exc.headers)
            if exc.status == 412:
                headers.update(protocol.capabilities())
            return _error(request, exc.status, exc.message, exc.path, headers)
        except Exception:
            logger.exception("Upload request failed: %s %s", request.method, request.path)
            message = _("Internal error; the bytes acknowledged so far are kept.")
            return _error(request, 500, message, "", {})

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return csrf_exempt(wrapped)


def _error(
    request: HttpRequest, status: int, message: str, path: str, headers: dict[str, str]
) -> HttpResponse:
    """The API's error shape (no body for HEAD)."""
    body = None if request.method == "HEAD" else {"detail": message, "path": path or None}
    return protocol.response(status, headers, body)


def _not_allowed(allow: str) -> UploadError:
    error = UploadError(405, _("Method not allowed."))
    error.headers["Allow"] = allow
    return error


@_tus
def collection(request: HttpRequest) -> HttpResponse:
    method = protocol.method_of(request)
    if method == "OPTIONS":
        return protocol.response(204, protocol.capabilities())
    if method != "POST":
        raise _not_allowed("OPTIONS, POST")
    protocol.require_tus(request)
    user = upload_user(request)
    if "Upload-Defer-Length" in request.headers:
        raise UploadError(
            400,
            _("Declare the length with Upload-Length; deferred length is not supported."),
            "Upload-Defer-Length",
        )
    length = protocol.whole_number(request, "Upload-Length")
    metadata = parse_metadata(request.headers.get("Upload-Metadata", ""))
    body_length = protocol.content_length(request)
    checksum = None
    if body_length:
        protocol.require_octets(request)
        checksum = protocol.checksum(request)
    upload = actions.create_upload(_actor(request, user), user, length, metadata)
    headers = {"Location": request.build_absolute_uri(_url(upload))}
    if body_length:  # creation-with-upload
        try:
            headers.update(_receive(request, user, upload, upload.offset, body_length, checksum))
        except UploadError as exc:
            exc.headers.update(headers)  # the upload exists: the client may resume it
            raise
    headers.update(_expires(upload))
    return protocol.response(201, headers)


@_tus
def resource(request: HttpRequest, key: uuid.UUID) -> HttpResponse:
    method = protocol.method_of(request)
    if method == "OPTIONS":
        return protocol.response(204, protocol.capabilities())
    if method not in ("HEAD", "PATCH", "DELETE", "GET"):
        raise _not_allowed("OPTIONS, HEAD, PATCH, DELETE, GET")
    if method != "GET":
        protocol.require_tus(request)
    user = upload_user(request)
    upload = Upload.objects.filter(key=key, owner=user).select_related("case").first()
    if upload is None:
        raise UploadError(404, _("No such upload."))
    if method == "GET":
        return _status(upload)
    if method == "DELETE":
        if not upload.is_unfinished:
            actions.abort_upload(_actor(request, user), upload)  # refuses, saying why
        if upload.original_id is not None:  # the part file went into the store already
            actions.abort_upload(_actor(request, user), upload)
            return protocol.response(204)
        with locked_part(upload):
            upload.refresh_from_db()
            actions.abort_upload(_actor(request, user), upload)
        return protocol.response(204)
    _require_live(upload)
    if method == "HEAD":
        headers = {
            "Upload-Offset": str(upload.offset),
            "Upload-Length": str(upload.length),
            "Upload-Metadata": protocol.encode_metadata(upload.metadata),
            **_done(upload),
            **_state(upload),
        }
        headers.update(_expires(upload))
        return protocol.response(200, headers)
    offset = protocol.whole_number(request, "Upload-Offset")
    protocol.require_octets(request)
    checksum = protocol.checksum(request)
    body_length = protocol.content_length(request)
    headers = _receive(request, user, upload, offset, body_length, checksum)
    headers.update(_expires(upload))
    return protocol.response(204, headers)


def _receive(
    request: HttpRequest,
    user: User,
    upload: Upload,
    offset: int,
    body_length: int,
    checksum: object,
) -> dict[str, str]:
    """Append the body, and complete the upload when its last byte has arrived."""
    if upload.state == UploadState.COMPLETED:
        return _patch_completed(upload, offset, body_length)
    if upload.original_id is not None:  # bytes stored, recording refused before: retry it
        _require_live(upload)
        _patch_completed(upload, offset, body_length)  # only an empty PATCH at the end
        return {"Upload-Offset": str(upload.offset), **_complete(request, user, upload)}
    with locked_part(upload) as handle:
        upload.refresh_from_db()
        _require_live(upload)
        if upload.state == UploadState.COMPLETED:
            return _patch_completed(upload, offset, body_length)
        if offset != upload.offset:
            raise UploadError(
                409,
                _("Upload-Offset is %(sent)s but the server has %(have)s bytes; resume from there.")
                % {"sent": offset, "have": upload.offset},
                "Upload-Offset",
            )
        append(upload, handle, request, body_length, checksum)  # type: ignore[arg-type]
        actions.touch(upload)
        headers = {"Upload-Offset": str(upload.offset)}
        if upload.offset == upload.length:
            headers.update(_complete(request, user, upload))
    return headers


def _complete(request: HttpRequest, user: User, upload: Upload) -> dict[str, str]:
    try:
        recording = actions.complete_upload(_actor(request, user), upload)
    except UploadError as exc:
        raise _with_offset(exc, upload) from None
    return {"Quancheng-Recording": str(recording.pk)}


def _patch_completed(upload: Upload, offset: int, body_length: int) -> dict[str, str]:
    """A repeated last PATCH of a finished upload (the client missed the answer)."""
    if offset != upload.length:
        raise UploadError(
            409,
            _("Upload-Offset is %(sent)s but the server has %(have)s bytes; resume from there.")
            % {"sent": offset, "have": upload.offset},
            "Upload-Offset",
        )
    if body_length:
        raise UploadError(
            413,
            _("These bytes would go past the declared length of %(n)s bytes.")
            % {"n": upload.length},
            "Content-Length",
        )
    return {"Upload-Offset": str(upload.offset), **_done(upload)}


def _with_offset(exc: UploadError, upload: Upload) -> UploadError:
    exc.message = _("All bytes arrived but the recording was not stored: %(why)s") % {
        "why": exc.message
    }
    exc.headers["Upload-Offset"] = str(upload.offset)
    return exc


def _require_live(upload: Upload) -> None:
    """Refuse an upload that has ended (aborted, expired) with 410 Gone."""
    if upload.state in (UploadState.ABORTED, UploadState.EXPIRED):
        raise UploadError(
            410, _("This upload has ended (%(state)s).") % {"state": upload.get_state_display()}
        )
    if upload.is_unfinished and upload.expires_at < timezone.now():
        raise UploadError(410, _("This upload has expired; start again."))


def _done(upload: Upload) -> dict[str, str]:
    if upload.state != UploadState.COMPLETED:
        return {}
    return {"Quancheng-Recording": str(upload.recording_id)}


def _state(upload: Upload) -> dict[str, str]:
    """``Quancheng-Upload-State`` and, after a refused completion, ``Quancheng-Upload-Error``
    (the reason, percent-encoded UTF-8: a header is ASCII)."""
    headers = {"Quancheng-Upload-State": str(upload.state)}
    if upload.state == UploadState.FAILED and upload.error:
        headers["Quancheng-Upload-Error"] = quote(upload.error, safe=" ,.:;()")
    return headers


def _status(upload: Upload) -> HttpResponse:
    return protocol.response(
        200,
        body={
            "key": str(upload.key),
            "state": upload.state,
            "offset": upload.offset,
            "length": upload.length,
            "case": upload.case_id,
            "recording": upload.recording_id,
            "error": upload.error or None,
            "expires_at": upload.expires_at.isoformat(),
            "metadata": upload.metadata,
        },
    )


def _expires(upload: Upload) -> dict[str, str]:
    if not upload.is_unfinished:
        return {}
    return {"Upload-Expires": http_date(upload.expires_at.timestamp())}


def _url(upload: Upload) -> str:
    return reverse("uploads:upload", args=[upload.key])


def _actor(request: HttpRequest, user: User) -> Actor:
    return Actor(user, Channel.API, request.META.get("REMOTE_ADDR"))
