"""Background tasks of the media app (Django's Tasks API, the ``django-tasks`` backport).

Run the worker with ``quancheng db_worker`` (see docs/media-processing.md).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import OperationalError
from django.utils import timezone
from django_tasks import task
from django_tasks_db.utils import is_locked_database_exception

from quancheng.media.models import Original
from quancheng.media.processing import process

logger = logging.getLogger(__name__)

LOCKED_ATTEMPTS = 8
"""How many times a task that met a locked database is run in all before it stays failed."""


class DerivationFailed(Exception):
    """ffmpeg could not make a derived file; the task is marked failed with its message."""


class QueuedAgain(Exception):
    """The database was locked longer than its busy timeout; the task failed and a new
    one was queued (its id in the message) to run after a pause."""


def retry_pause(attempt: int) -> dt.timedelta:
    """The pause before run ``attempt + 1`` of a task that met a locked database:
    5 s, 10 s, 20 s … at most 5 minutes."""
    return dt.timedelta(seconds=min(300, 5 * 2 ** (attempt - 1)))


@task()
def process_original(
    original_id: int, reprobe: bool = False, attempt: int = 1
) -> dict[str, object]:
    """Probe a stored original and make its thumbnail and, if needed, its proxy.

    What succeeded is kept; a derived file ffmpeg could not make fails the task (visible
    with its message in the task results), and running it again retries only that file.
    A database locked for longer than its busy timeout (SQLite) fails this run and queues
    the task again, up to ``LOCKED_ATTEMPTS`` runs in all.
    """
    original = Original.objects.get(pk=original_id)
    try:
        outcome = process(original, reprobe=reprobe)
    except OperationalError as error:
        if not is_locked_database_exception(error) or attempt >= LOCKED_ATTEMPTS:
            raise
        pause = retry_pause(attempt)
        again = process_original.using(run_after=timezone.now() + pause).enqueue(
            original_id, reprobe=reprobe, attempt=attempt + 1
        )
        logger.warning(
            "processing original %s met a locked database (%s); queued again as %s in %s s",
            original.sha256,
            error,
            again.id,
            int(pause.total_seconds()),
        )
        raise QueuedAgain(f"{error}; queued again as task {again.id}") from error
    if outcome.failed:
        details = "; ".join(f"{kind}: {message}" for kind, message in outcome.failed.items())
        raise DerivationFailed(f"original {original.sha256}: {details}")
    return outcome.as_json()
