"""Adds to a seeded site (``seed_site.py``) a case and a body camera, and with ``FILE`` a
recording of it stored through the media store (as the dock-station import stores files).
Run as a script with the server's environment: ``seed_media.py [FILE]``; prints the case's
id."""

from __future__ import annotations

import sys
from pathlib import Path

import django


def seed(path: Path | None) -> int:
    import datetime as dt

    from django.db import transaction
    from django.utils import timezone

    from quancheng.agencies.models import Agency, User
    from quancheng.cases.actions import open_case
    from quancheng.devices.actions import register_device
    from quancheng.ledger.context import Actor
    from quancheng.media.actions import RecordingInput, add_recording_metadata
    from quancheng.media.store import get_store

    agency = Agency.objects.get(code="e2e-agency")
    officer = User.objects.get(username="e2e-officer")
    actor = Actor(officer, "cli")
    now = timezone.now()
    with transaction.atomic():
        case = open_case(
            actor,
            agency,
            number="皖端罚〔2026〕9号",
            title="现场检查",
            action_types=["inspection"],
            start_mode="ex_officio",
            opened_at=now - dt.timedelta(hours=2),
            officers=[officer.officer],
        )
        camera = register_device(Actor.system(), agency, serial="E2E-CAM-1", kind="body_camera")
        if path is None:
            return case.pk
        with path.open("rb") as stream:
            original = get_store().save_stream(stream)
        add_recording_metadata(
            actor,
            case,
            RecordingInput(
                device=camera,
                started_at=now - dt.timedelta(hours=1),
                ended_at=now - dt.timedelta(hours=1) + dt.timedelta(seconds=2),
                officers=[officer.officer],
                original=original,
                file_name=path.name,
                uploaded_at=now,
            ),
        )
    return case.pk


if __name__ == "__main__":
    django.setup()
    print(seed(Path(sys.argv[1]) if len(sys.argv) > 1 else None))  # noqa: T201 - the test reads it
