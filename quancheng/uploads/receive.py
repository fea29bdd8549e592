"""Appending a PATCH body to an upload's part file: streamed in chunks (memory stays flat
whatever the size), fsynced, and the offset moved to what is durably on disk.

The database offset is the truth. A process killed after writing but before recording the
offset leaves a longer part file; the next PATCH cuts it back to the recorded offset. An
interrupted request keeps what arrived, except when it carried ``Upload-Checksum``: then
nothing of it is kept unless all of it arrived and matched.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO, Protocol

from django.utils.translation import gettext as _

from quancheng.uploads.errors import UploadError
from quancheng.uploads.models import Upload

READ_SIZE = 1024 * 1024  # one read from the request at a time
SYNC_EVERY = 64 * 1024 * 1024  # fsync and record the offset this often within one PATCH
CHECKSUM_ALGORITHMS = ("sha256", "sha1")


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class _Hasher(Protocol):
    """What ``append`` needs of a ``hashlib`` object."""

    def update(self, data: bytes, /) -> None: ...

    def digest(self) -> bytes: ...


@dataclass(frozen=True)
class Checksum:
    algorithm: str
    digest: bytes


@contextmanager
def locked_part(upload: Upload) -> Iterator[BinaryIO]:
    """The part file, opened for writing and locked against a concurrent request for the
    same upload (423 while another PATCH or DELETE is running)."""
    try:
        handle = upload.part.open("r+b", buffering=0)  # our own 1 MiB writes, no buffer
    except FileNotFoundError:
        raise UploadError(410, _("This upload's received bytes are gone; start again.")) from None
    with handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UploadError(
                423, _("Another request is writing this upload; try again shortly.")
            ) from None
        try:
            yield handle
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def append(
    upload: Upload,
    handle: BinaryIO,
    body: Readable,
    length: int,
    checksum: Checksum | None = None,
) -> int:
    """Write ``length`` bytes of ``body`` at ``upload.offset``; return the new offset.

    The caller holds the lock and has checked the client's offset against ``upload.offset``.
    """
    start = upload.offset
    _check_fits(upload, start, length)
    hasher = hashlib.new(checksum.algorithm) if checksum else None
    handle.truncate(start)
    handle.seek(start)
    written, broken = _write_body(upload, handle, body, length, start, hasher)
    _discard_unverified(upload, handle, start, checksum, hasher, broken)
    return _sync(upload, handle, start + written)


def _check_fits(upload: Upload, start: int, length: int) -> None:
    """Refuse (413) ``length`` bytes at ``start`` that would go past the declared length."""
    if start + length > upload.length:
        raise UploadError(
            413,
            _("These bytes would go past the declared length of %(n)s bytes.")
            % {"n": upload.length},
            "Content-Length",
        )


def _write_body(
    upload: Upload,
    handle: BinaryIO,
    body: Readable,
    length: int,
    start: int,
    hasher: _Hasher | None,
) -> tuple[int, bool]:
    """Copy up to ``length`` bytes of ``body`` to ``handle`` from ``start`` and fsync them;
    return how many were written and whether the body ended (or broke) before all arrived.

    Without a hasher the offset is recorded every ``SYNC_EVERY`` bytes. When the disk
    refuses, the file is cut back to the last recorded offset and the error raised (507 for
    a full disk)."""
    written = 0
    synced = start
    broken = False
    try:
        while written < length:
            try:
                data = body.read(min(READ_SIZE, length - written))
            except Exception:  # noqa: BLE001 - a broken connection, in whichever form the server gives it
                broken = True
                break
            if not data:
                broken = True
                break
            write_all(handle, data)
            written += len(data)
            if hasher is not None:
                hasher.update(data)
            elif start + written - synced >= SYNC_EVERY:
                synced = _sync(upload, handle, start + written)
        os.fsync(handle.fileno())
    except OSError as exc:
        # The disk refused: keep what was durably written before, and say why.
        handle.truncate(synced)
        _sync(upload, handle, synced)
        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            raise UploadError(
                507, _("The server's disk is full; resume the upload later.")
            ) from None
        raise
    return written, broken


def _discard_unverified(
    upload: Upload,
    handle: BinaryIO,
    start: int,
    checksum: Checksum | None,
    hasher: _Hasher | None,
    broken: bool,
) -> None:
    """A request carrying ``Upload-Checksum`` keeps nothing unless all of it arrived and
    matched: otherwise cut the file back to ``start``, record that offset and refuse (400 for
    a request that ended early, 460 for a mismatch)."""
    if hasher is not None and (broken or hasher.digest() != checksum.digest):  # type: ignore[union-attr]
        handle.truncate(start)
        _sync(upload, handle, start)
        if broken:
            raise UploadError(400, _("The request ended before all its bytes arrived."))
        raise UploadError(
            460,
            _("The bytes of this request do not match its Upload-Checksum; they were discarded."),
            "Upload-Checksum",
        )


def write_all(handle: BinaryIO, data: bytes) -> None:
    """Write all of ``data`` to an unbuffered file (a raw write may take only part)."""
    view = memoryview(data)
    while view:
        n = handle.write(view)
        if n is None or n <= 0:
            raise OSError(errno.EIO, "short write")
        view = view[n:]


def _sync(upload: Upload, handle: BinaryIO, offset: int) -> int:
    os.fsync(handle.fileno())
    upload.offset = offset
    Upload.objects.filter(pk=upload.pk).update(offset=offset)
    return offset
