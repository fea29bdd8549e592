"""Rows to grow the lists with, for the tests that pin a page's number of queries
(``quancheng/web/tests/test_queries.py``, ``quancheng/api/tests/test_queries.py``)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from types import SimpleNamespace

from django.utils import timezone

from quancheng.agencies.models import User
from quancheng.cases.actions import add_record
from quancheng.cases.models import Case
from quancheng.cases.signing import SignatureInput
from quancheng.devices.actions import lend_device, register_device
from quancheng.devices.models import Device
from quancheng.ledger.context import Actor
from quancheng.media.actions import RecordingInput, add_recording_metadata

START = {"source": "complaint", "reason": "x"}
_serials = itertools.count(1)


def device_maker(world: SimpleNamespace, keeper: User) -> Callable[..., Device]:
    """``make(lent=True)``: a new camera of agency A registered by its ``keeper``
    (``personas["keeper"]``), lent to its officer unless ``lent`` is False."""

    def make(lent: bool = True) -> Device:
        camera = register_device(
            Actor(keeper, "web"), world.a, serial=f"AH-Q{next(_serials)}", kind="body_camera"
        )
        if lent:
            lend_device(Actor(keeper, "web"), camera, world.officer.officer)
        return camera

    return make


def late_recording(world: SimpleNamespace, case: Case, camera: Device) -> None:
    """A recording of ``case`` by two officers, stored five days after it ended (a finding
    of the due list)."""
    now = timezone.now()
    ended = now - dt.timedelta(days=5)
    add_recording_metadata(
        Actor(world.officer, "web"),
        case,
        RecordingInput(
            device=camera,
            started_at=ended - dt.timedelta(minutes=20),
            ended_at=ended,
            officers=[world.officer.officer, world.officer2.officer],
            uploaded_at=now,
        ),
    )


def records(world: SimpleNamespace, case: Case, n: int) -> None:
    """``n`` signed start records in ``case``."""
    now = timezone.now()
    for _ in range(n):
        add_record(
            Actor(world.officer, "web"),
            case,
            "ex_officio_start",
            START,
            now,
            signatures=[SignatureInput("party", "张三", now)],
        )
