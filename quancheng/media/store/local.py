"""Originals in a local directory: ``<root>/sha256/ab/cd/<hex>``, read-only, written through
a temporary file in ``<root>/tmp`` on the same file system and linked into place only once
complete, flushed to disk and hashed."""

from __future__ import annotations

import contextlib
import errno
import os
import socket
import stat
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO

from django.db import transaction
from django.utils.translation import gettext as _

from quancheng.ledger.public import Actor
from quancheng.media.models import Original
from quancheng.media.store.base import (
    CHUNK,
    Digests,
    Progress,
    StoreError,
    check_declared,
    existing_original,
    hash_only,
    key_for,
    normalise_declared,
    read_into,
    record_original,
)

_DISK_FULL = {errno.ENOSPC, errno.EDQUOT}
KERNEL_CHUNK = 8 * 1024 * 1024
_TEMP_SUFFIX = ".part"
STALE_AFTER = 24 * 3600  # seconds without a write before a temp file of a live process is stale


def _disk_full() -> StoreError:
    return StoreError(
        _("The media disk is full: the file was not stored. Free space and send it again.")
    )


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_all(fd: int, data: memoryview) -> None:
    while data:
        written = os.write(fd, data)
        data = data[written:]


class LocalStore:
    backend = "local"

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.tmp = self.root / "tmp"

    # -- writing -------------------------------------------------------------------------

    def _new_temp(self) -> tuple[int, Path]:
        self.tmp.mkdir(parents=True, exist_ok=True)
        name = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex}{_TEMP_SUFFIX}"
        path = self.tmp / name
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        return fd, path

    def save_stream(
        self,
        stream: BinaryIO,
        *,
        declared_sha256: str | None = None,
        progress: Progress | None = None,
        actor: Actor | None = None,
    ) -> Original:
        """Store the bytes of ``stream``, read once: hashed while written to a temporary
        file, then linked under their digest. The same bytes again give the same Original."""
        declared = normalise_declared(declared_sha256)
        present = existing_original(declared) if declared is not None else None
        if present is not None and present.backend == self.backend and self.exists(present):
            # Announced as bytes we have: check the claim, write nothing.
            digests = hash_only(stream, progress)
            check_declared(declared, digests.hexdigests()[0], digests.size)
            return present
        fd, temp = self._new_temp()
        try:
            try:
                digests = self._copy(stream, fd, progress)
                os.fsync(fd)
            finally:
                os.close(fd)
            sha256, sm3 = digests.hexdigests()
            check_declared(declared, sha256, digests.size)
            return self._install(temp, sha256, sm3, digests.size, actor)
        except OSError as exc:
            if exc.errno in _DISK_FULL:
                raise _disk_full() from exc
            raise
        finally:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()

    def _copy(self, stream: BinaryIO, fd: int, progress: Progress | None) -> Digests:
        source = _regular_file_descriptor(stream)
        if source is not None:
            digests = _copy_in_kernel(source, stream, fd, progress)
            if digests is not None:
                return digests
        return _copy_through_buffers(stream, fd, progress)

    def _install(
        self, temp: Path, sha256: str, sm3: str, size: int, actor: Actor | None
    ) -> Original:
        key = key_for(sha256)
        target = self.root / key
        target.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(temp, 0o444)
        try:
            os.link(temp, target)  # atomic; refuses to replace anything already there
        except FileExistsError:
            self._check_present(target, size)
        else:
            _fsync_dir(target.parent)
        original = existing_original(sha256)
        if original is not None:
            return original
        return record_original(self.backend, key, sha256, sm3, size, actor)

    def _check_present(self, target: Path, size: int) -> None:
        """The bytes are already stored (an earlier save, or one cut off before its row was
        written): it is the same content if the size agrees, by the digest in its name."""
        if target.stat().st_size != size:
            raise StoreError(
                _("The stored file %(key)s does not have the size its digest promises.")
                % {"key": str(target.relative_to(self.root))}
            )

    def save_file(
        self,
        path: Path,
        *,
        declared_sha256: str | None = None,
        move: bool = False,
        progress: Progress | None = None,
        actor: Actor | None = None,
    ) -> Original:
        """Store a complete local file. With ``move`` on the same file system the file is
        hashed in place and linked under its digest instead of copied; its own name is
        removed when the current transaction commits (at once outside a transaction)."""
        path = Path(path)
        if not move or not self._same_filesystem(path):
            with open(path, "rb", buffering=0) as stream:
                original = self.save_stream(
                    stream, declared_sha256=declared_sha256, progress=progress, actor=actor
                )
            if move:
                transaction.on_commit(lambda: path.unlink(missing_ok=True))
            return original
        declared = normalise_declared(declared_sha256)
        fd, temp = self._new_temp()
        os.close(fd)
        os.unlink(temp)
        # A second name for the staged file, hashed and linked under its digest; the staged
        # name goes only when the caller's transaction commits, so an action that fails
        # after this save can be retried from the same staged file.
        os.link(path, temp)
        try:
            with open(temp, "rb", buffering=0) as stream:
                digests = hash_only(stream, progress)
                os.fsync(stream.fileno())
            sha256, sm3 = digests.hexdigests()
            check_declared(declared, sha256, digests.size)
            original = self._install(temp, sha256, sm3, digests.size, actor)
        finally:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
        transaction.on_commit(lambda: path.unlink(missing_ok=True))
        return original

    def _same_filesystem(self, path: Path) -> bool:
        self.tmp.mkdir(parents=True, exist_ok=True)
        return path.stat().st_dev == self.tmp.stat().st_dev

    # -- reading -------------------------------------------------------------------------

    def path_of(self, original: Original) -> Path:
        return self.root / original.key

    def open(self, original: Original) -> BinaryIO:
        return open(self.path_of(original), "rb")

    def local_path(self, original: Original) -> Path | None:
        return self.path_of(original)

    def exists(self, original: Original) -> bool:
        path = self.path_of(original)
        return path.is_file() and path.stat().st_size == original.size

    # -- housekeeping --------------------------------------------------------------------

    def stored_keys(self) -> Iterator[str]:
        """Every key under ``sha256/`` in the backend, with or without its row."""
        base = self.root / "sha256"
        if base.is_dir():
            for path in sorted(base.rglob("*")):
                if path.is_file():
                    yield path.relative_to(self.root).as_posix()

    def cleanup(self, stale_after: float = STALE_AFTER) -> int:
        """Remove temporary files left by a crashed or killed save: those of a process on
        this host that no longer runs, and any not written to for ``stale_after`` seconds.
        Returns how many were removed. Stored originals are never touched."""
        if not self.tmp.is_dir():
            return 0
        removed = 0
        host = socket.gethostname()
        now = time.time()
        for entry in self.tmp.iterdir():
            if not entry.name.endswith(_TEMP_SUFFIX):
                continue
            try:
                age = now - entry.stat().st_mtime
            except FileNotFoundError:
                continue
            if age > stale_after or _dead_here(entry.name, host):
                with contextlib.suppress(FileNotFoundError):
                    entry.unlink()
                    removed += 1
        return removed


def _dead_here(name: str, host: str) -> bool:
    """Whether the temp file ``name`` belongs to a process of this host that has ended."""
    stem = name[: -len(_TEMP_SUFFIX)]
    parts = stem.rsplit("-", 2)
    if len(parts) != 3 or parts[0] != host or not parts[1].isdigit():
        return False
    pid = int(parts[1])
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _regular_file_descriptor(stream: BinaryIO) -> int | None:
    """The descriptor of ``stream`` when it is a regular file (a dock import, a staged
    upload), else None (a network stream)."""
    try:
        fd = stream.fileno()
        return fd if stat.S_ISREG(os.fstat(fd).st_mode) else None
    except (AttributeError, OSError, ValueError):
        return None


def _copy_in_kernel(
    source: int, stream: BinaryIO, fd: int, progress: Progress | None
) -> Digests | None:
    """Copy a regular file with ``copy_file_range`` (no trip through Python's memory),
    hashing what was written: each chunk is read back from the new file, still in the page
    cache, while the kernel copies the next. The digest is therefore that of the stored
    bytes, even if the source changed meanwhile. None if the kernel cannot do it here."""
    if not hasattr(os, "copy_file_range"):
        return None
    start = stream.tell()
    with contextlib.suppress(OSError):
        os.posix_fadvise(source, start, 0, os.POSIX_FADV_SEQUENTIAL)
    try:
        copied = os.copy_file_range(source, fd, KERNEL_CHUNK, start, 0)
    except OSError as exc:
        if exc.errno in _DISK_FULL:
            raise
        return None  # e.g. EXDEV, EINVAL, ENOSYS, EOPNOTSUPP: copy through buffers
    digests = Digests()
    buffer = bytearray(KERNEL_CHUNK)
    view = memoryview(buffer)
    done = 0  # bytes of the new file already hashed
    with ThreadPoolExecutor(max_workers=2) as pool:
        while copied:
            written = done + copied
            copying = pool.submit(
                os.copy_file_range, source, fd, KERNEL_CHUNK, start + written, written
            )
            try:
                hashed_from = done
                while done < written:
                    n = os.preadv(fd, [view[: written - done]], done)
                    if n == 0:
                        raise OSError(errno.EIO, "short read of the file being stored")
                    digests.update(view[:n], pool)
                    done += n
                    if progress is not None:
                        progress(n)
                # Hashed: start writing this range to disk now (so the final fsync finds
                # little left) and let it leave the page cache once written.
                with contextlib.suppress(OSError):
                    os.posix_fadvise(fd, hashed_from, done - hashed_from, os.POSIX_FADV_DONTNEED)
            finally:
                copied = copying.result()
    stream.seek(start + done)
    return digests


def _copy_through_buffers(stream: BinaryIO, fd: int, progress: Progress | None) -> Digests:
    """Copy with the next read, the hashing and the write of the current chunk running
    at once (hashlib and os.write release the GIL)."""
    digests = Digests()
    buffers = (bytearray(CHUNK), bytearray(CHUNK))
    current = 0
    with ThreadPoolExecutor(max_workers=3) as pool:
        n = read_into(stream, buffers[current])
        while n:
            chunk = memoryview(buffers[current])[:n]
            hashing = pool.submit(digests.update, chunk, pool)
            writing = pool.submit(_write_all, fd, chunk)
            current ^= 1
            try:
                n = read_into(stream, buffers[current])
            finally:
                writing.result()
                hashing.result()
            if progress is not None:
                progress(len(chunk))
            chunk.release()
    return digests
