"""The changes of an upload's life that matter, each written to the ledger: created,
completed (its bytes stored as an Original and described as a Recording), aborted, expired.
Bytes arriving in between only move the offset (``receive.py``)."""

from __future__ import annotations

import datetime as dt
import fcntl
from dataclasses import replace
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from quancheng.agencies.models import User
from quancheng.errors import ActionError
from quancheng.ledger.public import Actor, append_fact
from quancheng.media.actions import add_recording_metadata
from quancheng.media.models import Original, Recording
from quancheng.media.store import StoreError, get_store
from quancheng.uploads.choices import UploadState
from quancheng.uploads.errors import UploadError
from quancheng.uploads.metadata import Described, describe
from quancheng.uploads.models import UNFINISHED, Upload


def upload_dir() -> Path:
    path = Path(settings.DATA_DIR) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def expiry_from(now: dt.datetime) -> dt.datetime:
    return now + dt.timedelta(hours=settings.QUANCHENG_UPLOAD_EXPIRY_HOURS)


@transaction.atomic
def create_upload(actor: Actor, owner: User, length: int, metadata: dict[str, str]) -> Upload:
    """Open an upload of ``length`` bytes whose metadata describes a recording of a case
    ``owner`` may add to. Refuses (UploadError) before writing anything."""
    if length <= 0:
        raise UploadError(400, _("The file is empty."), "Upload-Length")
    if length > settings.QUANCHENG_UPLOAD_MAX_SIZE:
        raise UploadError(
            413,
            _("The file is larger than this server accepts (%(n)s bytes).")
            % {"n": settings.QUANCHENG_UPLOAD_MAX_SIZE},
            "Upload-Length",
        )
    described = describe(owner, metadata)
    now = timezone.now()
    upload = Upload(
        owner=owner,
        agency=described.case.agency,
        case=described.case,
        length=length,
        metadata=metadata,
        expires_at=expiry_from(now),
    )
    upload.part_path = str(upload_dir() / f"{upload.key}.part")
    upload.save()
    upload.part.touch(exist_ok=False)
    try:
        append_fact(
            actor,
            "upload.created",
            ("upload", upload.pk),
            {
                "key": str(upload.key),
                "case": described.case.pk,
                "length": length,
                "metadata": metadata,
            },
            upload.agency,
        )
    except BaseException:
        upload.part.unlink(missing_ok=True)  # the row rolls back; leave no empty part file
        raise
    return upload


class _DryRun(Exception):
    pass


def complete_upload(actor: Actor, upload: Upload) -> Recording:
    """Store the received bytes as an Original and describe them as a Recording of the case.

    Everything the recording action would refuse is refused first (a dry run), so nothing
    is stored for metadata that no longer holds. The store then hashes and keeps the bytes
    (its own short transaction at the end: a database write lock is not held while a large
    file is hashed); the Recording, the upload's new state and its ledger fact follow in one
    transaction. On a refusal nothing is visible in the case, the part file (or the stored
    Original, remembered by the upload) stays, and the upload can be completed again (an
    empty PATCH) or aborted.
    """
    try:
        described = describe(upload.owner, upload.metadata)
        _check_recording(actor, described)
        original = _store_original(actor, upload, described)
        recording = _record_completion(actor, upload, described, original)
    except StoreError as exc:
        _fail(actor, upload, exc.message)
        declared = described.declared_sha256
        mismatch = declared is not None and declared in exc.message
        raise UploadError(
            460 if mismatch else 422, exc.message, "metadata.sha256" if mismatch else ""
        ) from None
    except ActionError as exc:
        _fail(actor, upload, exc.message)
        raise UploadError(422, exc.message, f"metadata.{exc.path}" if exc.path else "") from None
    except UploadError as exc:
        _fail(actor, upload, exc.message)
        raise
    return recording


def _store_original(actor: Actor, upload: Upload, described: Described) -> Original:
    """The upload's Original: the one a previous attempt stored, or the part file's bytes
    moved into the store now (and remembered by the upload)."""
    original = upload.original
    if original is None:
        original = get_store().save_file(
            upload.part, declared_sha256=described.declared_sha256, move=True, actor=actor
        )
        upload.original = original
        Upload.objects.filter(pk=upload.pk).update(original=original)
    return original


def _record_completion(
    actor: Actor, upload: Upload, described: Described, original: Original
) -> Recording:
    """In one transaction, with the upload's row locked: describe ``original`` as a Recording
    of the case, mark the upload completed and append ``upload.completed``. An upload a
    concurrent retry already completed returns that retry's recording instead."""
    with transaction.atomic():
        current = Upload.objects.select_for_update().get(pk=upload.pk)
        if current.state == UploadState.COMPLETED:  # a concurrent retry finished it
            return current.recording  # type: ignore[return-value]
        recording = add_recording_metadata(
            actor,
            described.case,
            replace(
                described.recording,
                original=original,
                size=original.size,
                sha256=original.sha256,
                uploaded_at=timezone.now(),
            ),
        )
        upload.state = UploadState.COMPLETED
        upload.recording = recording
        upload.error = ""
        upload.save(update_fields=["state", "recording", "error", "updated_at"])
        append_fact(
            actor,
            "upload.completed",
            ("upload", upload.pk),
            {
                "key": str(upload.key),
                "case": described.case.pk,
                "recording": recording.pk,
                "sha256": original.sha256,
                "size": original.size,
            },
            upload.agency,
        )
    return recording


def _check_recording(actor: Actor, described: Described) -> None:
    """Run the recording action and roll it back: whatever it would refuse is refused
    before the bytes move into the store."""
    try:
        with transaction.atomic():
            add_recording_metadata(actor, described.case, described.recording)
            raise _DryRun
    except _DryRun:
        pass


@transaction.atomic
def _fail(actor: Actor, upload: Upload, message: str) -> None:
    """Every byte arrived but the recording was refused: the upload is ``failed``, its error
    says why (HEAD and GET show both) and the ledger records it. It can be retried."""
    changed = Upload.objects.filter(pk=upload.pk, state__in=UNFINISHED).update(
        state=UploadState.FAILED, error=message, updated_at=timezone.now()
    )
    if not changed:  # a concurrent request finished or ended it meanwhile
        return
    upload.state, upload.error = UploadState.FAILED, message
    append_fact(
        actor,
        "upload.failed",
        ("upload", upload.pk),
        {"key": str(upload.key), "case": upload.case_id, "error": message},
        upload.agency,
    )


@transaction.atomic
def abort_upload(actor: Actor, upload: Upload) -> None:
    """Terminate an unfinished upload: its part file is removed (tus termination)."""
    if upload.state == UploadState.COMPLETED:
        raise UploadError(409, _("This upload is complete; its recording is kept as evidence."))
    if not upload.is_unfinished:
        raise UploadError(410, _("This upload has already ended."))
    _end(actor, upload, UploadState.ABORTED, "upload.aborted")


def _end(actor: Actor, upload: Upload, state: str, fact: str) -> None:
    upload.state = state
    upload.save(update_fields=["state", "updated_at"])
    append_fact(
        actor,
        fact,
        ("upload", upload.pk),
        {"key": str(upload.key), "case": upload.case_id, "offset": upload.offset},
        upload.agency,
    )
    transaction.on_commit(lambda: upload.part.unlink(missing_ok=True))


def expire_uploads(actor: Actor, now: dt.datetime | None = None) -> list[Upload]:
    """Every unfinished upload past its expiry moves to ``expired`` and loses its part file."""
    now = now or timezone.now()
    expired = []
    for upload in Upload.objects.filter(state__in=UNFINISHED, expires_at__lt=now):
        if _being_written(upload):
            continue
        with transaction.atomic():
            locked = (
                Upload.objects.select_for_update()
                .filter(pk=upload.pk, state__in=UNFINISHED, expires_at__lt=now)
                .first()
            )
            if locked is None:
                continue
            _end(actor, locked, UploadState.EXPIRED, "upload.expired")
        expired.append(locked)
    return expired


def remove_stray_parts(now: dt.datetime | None = None) -> list[Path]:
    """Part files no unfinished upload owns (a server killed between creating the file and
    committing the row), once older than the expiry time. They were never acknowledged."""
    now = now or timezone.now()
    limit = (now - dt.timedelta(hours=settings.QUANCHENG_UPLOAD_EXPIRY_HOURS)).timestamp()
    live = {
        Path(p).name
        for p in Upload.objects.filter(state__in=UNFINISHED).values_list("part_path", flat=True)
    }
    removed = []
    for part in upload_dir().glob("*.part"):
        if part.name not in live and part.stat().st_mtime < limit:
            part.unlink(missing_ok=True)
            removed.append(part)
    return removed


def _being_written(upload: Upload) -> bool:
    """Whether a request holds the part file's lock right now (a long PATCH under way)."""
    try:
        with upload.part.open("rb") as handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    except FileNotFoundError:
        pass
    return False


def touch(upload: Upload) -> None:
    """Bytes arrived: the upload lives on."""
    now = timezone.now()
    upload.expires_at = expiry_from(now)
    Upload.objects.filter(pk=upload.pk).update(expires_at=upload.expires_at, updated_at=now)
