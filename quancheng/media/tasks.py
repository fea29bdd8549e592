"""Background tasks of the media app (Django's Tasks API, the ``django-tasks`` backport).

Run the worker with ``quancheng db_worker`` (see docs/media-processing.md).
"""

from __future__ import annotations

from django_tasks import task

from quancheng.media.models import Original
from quancheng.media.processing import process


@task()
def process_original(original_id: int, reprobe: bool = False) -> dict[str, object]:
    """Probe a stored original and make its thumbnail and, if needed, its proxy."""
    original = Original.objects.get(pk=original_id)
    return process(original, reprobe=reprobe).as_json()
