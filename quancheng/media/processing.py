"""Work done on an original after it is stored: read its metadata with ffprobe, make a
thumbnail, and a browser-playable proxy where the browser cannot play the original.

``enqueue_processing`` runs in the transaction that stores the original, so the task is
queued exactly when the original exists (and not at all if that transaction rolls back);
``process`` is what the task does, in the worker (``quancheng db_worker``). It is
idempotent: it skips what is already done, so a task run twice, or rerun after the
worker crashed half-way, finishes the job without duplicating it.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction

from quancheng.ledger.public import Actor
from quancheng.media.derive import DeriveError, make_proxy, make_thumbnail, proxy_name
from quancheng.media.models import Derivative, MediaInfo, Original
from quancheng.media.probe import Kind, ProbeResult, probe

logger = logging.getLogger(__name__)

WORKER = Actor.system(channel="task")


def derived_root() -> Path:
    """Where thumbnails and proxies live: ``<media dir>/derived/<sha256>/``."""
    media = getattr(settings, "QUANCHENG_MEDIA_DIR", None) or settings.DATA_DIR / "media"
    return Path(media) / "derived"


def derived_dir(original: Original) -> Path:
    return derived_root() / original.sha256


def enqueue_processing(original: Original) -> None:
    """Queue ``process_original`` for ``original``, inside the current transaction.

    With the database queue (``django_tasks_db``) the queued task is a row written in the
    same transaction as the original: both are committed, or neither. Other backends (the
    immediate one in development) run the task only once the transaction has committed.
    """
    from django_tasks import task_backends
    from django_tasks_db import DatabaseBackend

    from quancheng.media.tasks import process_original

    if original.media_infos.exists():
        return  # probed already (the same bytes stored for an earlier recording)
    backend = task_backends[process_original.backend]
    if isinstance(backend, DatabaseBackend):
        process_original.enqueue(original.pk)
    else:
        transaction.on_commit(lambda: process_original.enqueue(original.pk))


@dataclass
class Outcome:
    """What one run of ``process`` did (also the task's JSON result)."""

    original: int
    readable: bool = True
    probed: bool = False
    made: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, object]:
        return {
            "original": self.original,
            "readable": self.readable,
            "probed": self.probed,
            "made": self.made,
            "failed": self.failed,
        }


def process(original: Original, *, reprobe: bool = False) -> Outcome:
    """Probe ``original`` (unless probed before) and make the derived files it lacks."""
    from quancheng.media.actions import record_derivative, record_media_info

    outcome = Outcome(original=original.pk)
    with source_file(original) as path:
        info_row = None if reprobe else latest_info(original)
        if info_row is None:
            result = probe(path)
            info_row = record_media_info(WORKER, original, result)
            outcome.probed = True
        if not info_row.readable:
            outcome.readable = False
            logger.warning("original %s is unreadable: %s", original.sha256, info_row.error)
            return outcome
        result = info_row.as_probe_result()
        for kind, make, name in _wanted(result):
            if has_derivative(original, kind):
                continue
            target = derived_dir(original) / name
            try:
                make(path, target, result)
            except DeriveError as error:
                outcome.failed[kind] = str(error)
                logger.warning("%s of %s failed: %s", kind, original.sha256, error)
                continue
            record_derivative(WORKER, original, kind, target)
            outcome.made.append(kind)
    return outcome


Maker = Callable[[Path, Path, ProbeResult], Path]


def _wanted(result: ProbeResult) -> list[tuple[str, Maker, str]]:
    wanted: list[tuple[str, Maker, str]] = []
    if result.kind in (Kind.VIDEO, Kind.PHOTO):
        wanted.append((Derivative.Kind.THUMBNAIL, make_thumbnail, "thumbnail.jpg"))
    if result.kind in (Kind.VIDEO, Kind.AUDIO) and not result.browser_playable:
        wanted.append((Derivative.Kind.PROXY, make_proxy, proxy_name(result)))
    return wanted


def latest_info(original: Original) -> MediaInfo | None:
    return original.media_infos.order_by("-probed_at", "-id").first()


def has_derivative(original: Original, kind: str) -> bool:
    """A derivative of ``kind`` whose file is still there (a lost one is made again)."""
    row = latest_derivative(original, kind)
    return row is not None and row.file_path().is_file()


def latest_derivative(original: Original, kind: str) -> Derivative | None:
    return original.derivatives.filter(kind=kind).order_by("-created_at", "-id").first()


@contextmanager
def source_file(original: Original) -> Iterator[Path]:
    """A real file with the original's bytes for ffmpeg: the stored file itself (only ever
    read), or for a store without local files a temporary copy, removed afterwards."""
    from quancheng.media.store import store_of

    store = store_of(original)
    path = store.local_path(original)
    if path is not None:
        yield path
        return
    scratch = Path(settings.DATA_DIR) / "tmp"
    scratch.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=scratch, prefix="probe-") as copy:
        with store.open(original) as stream:
            shutil.copyfileobj(stream, copy, 4 * 1024 * 1024)
        copy.flush()
        yield Path(copy.name)
