"""What every media store shares: digests computed while copying, the ``Original`` row and
its ledger fact, and the errors a user sees."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO, Protocol

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from quancheng.ledger.public import Actor, append_fact
from quancheng.media.models import Original

CHUNK = 4 * 1024 * 1024  # large reads and writes: fewer system calls, hashing in big blocks
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")

Progress = Callable[[int], None]


class StoreError(Exception):
    """A save the store refused; ``message`` is for the user. Nothing was stored."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def guomi() -> bool:
    return bool(getattr(settings, "QUANCHENG_GUOMI", False))


def key_for(sha256: str) -> str:
    """``sha256/ab/cd/<hex>``: two levels of fan-out keep directories small."""
    return f"sha256/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def normalise_declared(declared: str | None) -> str | None:
    if declared is None or declared == "":
        return None
    value = declared.strip().lower()
    if value.startswith("sha256:"):
        value = value[len("sha256:") :]
    if not SHA256_RE.match(value):
        raise StoreError(_("The declared SHA-256 digest is not 64 hexadecimal digits."))
    return value


class Digests:
    """SHA-256 (and SM3 in 国密 mode) of a byte stream, fed in chunks.

    With two digests each runs in its own thread: hashlib releases the GIL on large buffers,
    so SHA-256 and SM3 cost the time of the slower one, not the sum.
    """

    def __init__(self) -> None:
        self.sha256 = hashlib.sha256()
        self.sm3 = hashlib.new("sm3") if guomi() else None
        self.size = 0

    def update(self, data: memoryview, pool: ThreadPoolExecutor | None = None) -> None:
        self.size += len(data)
        if self.sm3 is None or pool is None:
            self.sha256.update(data)
            if self.sm3 is not None:
                self.sm3.update(data)
            return
        other = pool.submit(self.sm3.update, data)
        self.sha256.update(data)
        other.result()

    def hexdigests(self) -> tuple[str, str]:
        return self.sha256.hexdigest(), self.sm3.hexdigest() if self.sm3 is not None else ""


def read_into(stream: BinaryIO, buffer: bytearray) -> int:
    """Fill ``buffer`` from ``stream`` as far as one read goes; 0 at the end."""
    readinto = getattr(stream, "readinto", None)
    if readinto is not None:
        n = readinto(buffer)
        return n or 0
    data = stream.read(len(buffer))
    if not data:
        return 0
    buffer[: len(data)] = data
    return len(data)


def hash_only(stream: BinaryIO, progress: Progress | None) -> Digests:
    """The digests of what ``stream`` sends, storing nothing (its bytes are stored already)."""
    digests = Digests()
    buffer = bytearray(CHUNK)
    view = memoryview(buffer)
    with ThreadPoolExecutor(max_workers=1) as pool:
        while n := read_into(stream, buffer):
            digests.update(view[:n], pool)
            if progress is not None:
                progress(n)
    return digests


def check_declared(declared: str | None, sha256: str, size: int) -> None:
    if size == 0:
        raise StoreError(_("The file is empty; there is nothing to store."))
    if declared is not None and declared != sha256:
        raise StoreError(
            _(
                "The file's SHA-256 digest is %(actual)s, not the %(declared)s declared: "
                "the bytes were changed or cut short on the way. Nothing was stored."
            )
            % {"actual": sha256, "declared": declared}
        )


class Store(Protocol):
    backend: str

    def save_stream(
        self,
        stream: BinaryIO,
        *,
        declared_sha256: str | None = None,
        progress: Progress | None = None,
        actor: Actor | None = None,
    ) -> Original: ...

    def save_file(
        self,
        path: Path,
        *,
        declared_sha256: str | None = None,
        move: bool = False,
        progress: Progress | None = None,
        actor: Actor | None = None,
    ) -> Original: ...

    def open(self, original: Original) -> BinaryIO: ...

    def local_path(self, original: Original) -> Path | None: ...

    def exists(self, original: Original) -> bool: ...

    def cleanup(self) -> int: ...

    def stored_keys(self) -> Iterator[str]: ...


def record_original(
    backend: str, key: str, sha256: str, sm3: str, size: int, actor: Actor | None
) -> Original:
    """The ``Original`` row for bytes now complete in the backend: created with its ledger
    fact, or the existing one when the same bytes were stored before (or concurrently)."""
    existing = Original.objects.filter(sha256=sha256).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            original = Original.objects.create(
                sha256=sha256,
                sm3=sm3,
                size=size,
                backend=backend,
                key=key,
                stored_at=timezone.now(),
            )
            append_fact(
                actor or Actor.system(),
                "original.stored",
                ("original", original.pk),
                {"sha256": sha256, "sm3": sm3, "size": size, "backend": backend, "key": key},
                None,
            )
            return original
    except IntegrityError:
        # Another save of the same bytes won the race; its row is as good as ours.
        return Original.objects.get(sha256=sha256)


def existing_original(sha256: str) -> Original | None:
    return Original.objects.filter(sha256=sha256).first()
