"""Document PDFs as immutable files, named by their SHA-256, under ``DATA_DIR/documents/``."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from django.conf import settings


def documents_dir() -> Path:
    return Path(settings.DATA_DIR) / "documents"


def path_for(digest: str, suffix: str = "pdf") -> Path:
    return documents_dir() / digest[:2] / f"{digest}.{suffix}"


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def put(data: bytes, suffix: str = "pdf") -> tuple[str, bool]:
    """Store ``data``; returns its digest and whether this call created the file."""
    digest = digest_of(data)
    path = path_for(digest, suffix)
    if path.exists():
        return digest, False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{digest}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    tmp.chmod(0o444)
    os.replace(tmp, path)
    return digest, True


def discard(digest: str, suffix: str = "pdf") -> None:
    """Remove a file this process has just created and whose row was not written."""
    path_for(digest, suffix).unlink(missing_ok=True)


def read(digest: str) -> bytes:
    return path_for(digest).read_bytes()
