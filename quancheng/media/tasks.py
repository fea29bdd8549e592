"""Background tasks of the media app (Django's Tasks API, the ``django-tasks`` backport).

Run the worker with ``quancheng db_worker`` (see docs/media-processing.md).
"""

from __future__ import annotations

from django_tasks import task

from quancheng.media.models import Original
from quancheng.media.processing import process


class DerivationFailed(Exception):
    """ffmpeg could not make a derived file; the task is marked failed with its message."""


@task()
def process_original(original_id: int, reprobe: bool = False) -> dict[str, object]:
    """Probe a stored original and make its thumbnail and, if needed, its proxy.

    What succeeded is kept; a derived file ffmpeg could not make fails the task (visible
    with its message in the task results), and running it again retries only that file.
    """
    original = Original.objects.get(pk=original_id)
    outcome = process(original, reprobe=reprobe)
    if outcome.failed:
        details = "; ".join(f"{kind}: {message}" for kind, message in outcome.failed.items())
        raise DerivationFailed(f"original {original.sha256}: {details}")
    return outcome.as_json()
