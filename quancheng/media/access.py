"""Which recordings a user may read: those of the cases they may read
(``Case.objects.visible_to``, the rule of ``cases/access.py``)."""

from __future__ import annotations

from quancheng.agencies.models import User
from quancheng.cases.models import Case
from quancheng.media.models import Recording


def readable_recording(user: User, recording_id: int, *related: str) -> Recording | None:
    """Recording ``recording_id`` if ``user`` may read its case, else None (whether it exists
    elsewhere or not at all)."""
    return (
        Recording.objects.filter(pk=recording_id, case__in=Case.objects.visible_to(user))
        .select_related(*related)
        .first()
    )
