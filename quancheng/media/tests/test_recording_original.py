"""A recording points at its stored original; size and digest come from it."""

from __future__ import annotations

import io

import pytest

from conftest import at
from quancheng.devices.actions import register_device
from quancheng.errors import ActionError
from quancheng.ledger.models import Fact
from quancheng.ledger.public import Actor
from quancheng.media.actions import RecordingInput, add_recording, add_recording_metadata

SYSTEM = Actor.system()


@pytest.fixture
def camera(world):
    return register_device(SYSTEM, world.a, serial="CAM-1", kind="body_camera")


def test_recording_takes_size_and_digest_from_original(world, new_case, store, camera):
    case = new_case()
    original = store.save_stream(io.BytesIO(b"video bytes"))
    data = RecordingInput(
        device=camera,
        started_at=at("2026-03-02 09:00"),
        ended_at=at("2026-03-02 09:10"),
        officers=[world.officer.officer],
        original=original,
        file_name="a.mp4",
    )
    recording = add_recording_metadata(Actor(world.officer, "web"), case, data)
    assert recording.original == original
    assert (recording.size, recording.sha256) == (original.size, original.sha256)
    fact = Fact.objects.get(kind="recording.described", subject_id=str(recording.pk))
    assert fact.payload["sha256"] == original.sha256 and fact.payload["original"] == original.pk


def test_digest_contradicting_original_refused(world, new_case, store, camera):
    original = store.save_stream(io.BytesIO(b"video bytes"))
    data = RecordingInput(
        device=camera,
        started_at=at("2026-03-02 09:00"),
        ended_at=at("2026-03-02 09:10"),
        original=original,
        sha256="0" * 64,
    )
    with pytest.raises(ActionError) as info:
        add_recording_metadata(Actor(world.officer, "web"), new_case(), data)
    assert info.value.path == "sha256"


def test_recording_without_case(world, store, camera):
    original = store.save_stream(io.BytesIO(b"dock"))
    data = RecordingInput(
        device=camera,
        started_at=at("2026-03-02 09:00"),
        ended_at=at("2026-03-02 09:10"),
        original=original,
    )
    recording = add_recording(SYSTEM, world.a, data)
    assert recording.case is None and recording.agency == world.a
    with pytest.raises(ActionError):
        add_recording(Actor(world.other_officer, "web"), world.a, data)
