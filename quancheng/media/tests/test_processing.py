"""Metadata, thumbnail and proxy made by the queued task for a stored recording."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest
from django.db import OperationalError, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from conftest import at
from quancheng.devices.actions import register_device
from quancheng.ledger.models import Fact
from quancheng.ledger.public import Actor
from quancheng.media.actions import RecordingInput, add_recording_metadata
from quancheng.media.models import Derivative, MediaInfo
from quancheng.media.processing import derived_dir, process
from quancheng.media.store.local import LocalStore
from quancheng.media.tests.samples import make, run_queued_tasks

SYSTEM = Actor.system()


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    directory = tmp_path_factory.mktemp("samples")
    return lambda name: make(name, directory)


@pytest.fixture
def record(world, new_case, store, samples):
    """Store a sample file and describe it as a recording of a new case."""
    camera = register_device(SYSTEM, world.a, serial="CAM-1", kind="body_camera")
    case = new_case()

    def add(name: str):
        original = store.save_file(samples(name))
        data = RecordingInput(
            device=camera,
            started_at=at("2026-03-02 09:00"),
            ended_at=at("2026-03-02 09:10"),
            officers=[world.officer.officer],
            original=original,
            file_name=name,
        )
        return add_recording_metadata(Actor(world.officer, "web"), case, data)

    return add


def test_recording_enqueues_one_task_in_its_transaction(record):
    recording = record("gps.mp4")
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "quancheng.media.tasks.process_original"
    assert queued.args_kwargs["args"] == [recording.original.pk]
    assert not MediaInfo.objects.exists()  # nothing done before the worker runs


def test_rollback_enqueues_nothing(world, new_case, store, samples):
    camera = register_device(SYSTEM, world.a, serial="CAM-1", kind="body_camera")
    case = new_case()
    with pytest.raises(RuntimeError), transaction.atomic():
        original = store.save_file(samples("gps.mp4"))
        data = RecordingInput(
            device=camera,
            started_at=at("2026-03-02 09:00"),
            ended_at=at("2026-03-02 09:10"),
            original=original,
        )
        add_recording_metadata(Actor(world.officer, "web"), case, data)
        assert DBTaskResult.objects.count() == 1
        raise RuntimeError("the upload's transaction fails")
    assert DBTaskResult.objects.count() == 0
    assert not case.recordings.exists()


def test_playable_mp4_gets_metadata_and_thumbnail_but_no_proxy(record):
    recording = record("gps.mp4")
    [result] = run_queued_tasks()
    assert result == {
        "original": recording.original.pk,
        "readable": True,
        "probed": True,
        "made": ["thumbnail"],
        "failed": {},
    }
    info = MediaInfo.objects.get(original=recording.original)
    assert info.readable and info.browser_playable
    assert (info.video_codec, info.audio_codec) == ("h264", "aac")
    assert (info.width, info.height) == (320, 240)
    assert (info.latitude, info.longitude) == (31.2304, 121.4737)
    assert info.duration == pytest.approx(2.0, abs=0.1)
    assert info.media_created_at.isoformat() == "2026-03-02T01:00:00+00:00"
    thumbnail = Derivative.objects.get(original=recording.original)
    assert thumbnail.kind == "thumbnail"
    assert thumbnail.file_path() == derived_dir(recording.original) / "thumbnail.jpg"
    assert thumbnail.file_path().read_bytes()[:2] == b"\xff\xd8"  # JPEG
    assert thumbnail.size == thumbnail.file_path().stat().st_size
    kinds = set(Fact.objects.filter(subject_type="original").values_list("kind", flat=True))
    assert {"original.probed", "original.derived"} <= kinds


def test_avi_gets_a_proxy_and_the_original_is_untouched(record, store):
    recording = record("camera.avi")
    original = recording.original
    run_queued_tasks()
    proxy = Derivative.objects.get(original=original, kind="proxy")
    assert proxy.content_type == "video/mp4"
    assert proxy.file_path().name == "proxy.mp4"
    assert proxy.file_path().parent == derived_dir(original)
    with store.open(original) as stream:
        assert hashlib.sha256(stream.read()).hexdigest() == original.sha256
    assert not derived_dir(original).is_relative_to(store.local_path(original).parent)


def test_unreadable_file_is_kept_and_flagged(record, store):
    recording = record("corrupt.mp4")
    [result] = run_queued_tasks()
    assert result["readable"] is False and result["made"] == []
    info = MediaInfo.objects.get(original=recording.original)
    assert not info.readable
    assert "Invalid data" in info.error or "moov atom" in info.error
    assert store.local_path(recording.original).is_file()  # kept as evidence
    fact = Fact.objects.get(kind="original.unreadable")
    assert fact.payload["sha256"] == recording.original.sha256
    assert not Derivative.objects.exists()


def test_running_again_does_nothing_new_but_remakes_a_lost_file(record):
    recording = record("camera.avi")
    run_queued_tasks()
    assert process(recording.original).as_json()["made"] == []
    assert MediaInfo.objects.count() == 1 and Derivative.objects.count() == 2
    Derivative.objects.get(kind="thumbnail").file_path().unlink()
    assert process(recording.original).made == ["thumbnail"]
    assert process(recording.original, reprobe=True).probed
    assert MediaInfo.objects.count() == 2  # a re-probe is a new row, the first one stays


def test_same_bytes_for_a_second_recording_are_not_queued_again(record):
    record("gps.mp4")
    run_queued_tasks()
    record("gps.mp4")
    assert DBTaskResult.objects.count() == 1


def test_store_without_local_files_is_probed_from_a_temporary_copy(
    record, store, monkeypatch, settings, tmp_path
):
    """As for S3: ffmpeg reads a temporary copy made through ``store.open``."""
    record("gps.mp4")

    class RemoteLike(LocalStore):
        def local_path(self, original):
            return None

    monkeypatch.setattr("quancheng.media.store.store_of", lambda o: RemoteLike(store.root))
    settings.DATA_DIR = tmp_path
    run_queued_tasks()
    assert MediaInfo.objects.get().latitude == 31.2304
    assert list((tmp_path / "tmp").iterdir()) == []  # the copy is gone


def test_media_info_rows_cannot_be_changed(record):
    from django.db import DatabaseError

    record("gps.mp4")
    run_queued_tasks()
    with pytest.raises(DatabaseError), transaction.atomic():
        MediaInfo.objects.update(readable=False)


def test_failed_derivation_fails_the_task_and_a_rerun_completes_it(record):
    from django_tasks import TaskResultStatus

    from quancheng.media.tasks import DerivationFailed, process_original

    recording = record("camera.avi")
    blocked = derived_dir(recording.original)
    blocked.parent.mkdir(parents=True, exist_ok=True)
    blocked.write_bytes(b"")  # a file where the directory should be: nothing can be written
    with pytest.raises(DerivationFailed, match="thumbnail: cannot write"):
        run_queued_tasks()
    assert DBTaskResult.objects.get().status == TaskResultStatus.FAILED
    assert MediaInfo.objects.count() == 1  # what worked is kept
    assert not Derivative.objects.exists()
    blocked.unlink()
    result = process_original.enqueue(recording.original.pk)
    assert result.status == TaskResultStatus.READY
    [outcome] = run_queued_tasks()
    assert outcome["made"] == ["thumbnail", "proxy"] and not outcome["probed"]


def test_process_media_command_queues_what_was_never_probed(record):
    from io import StringIO

    from django.core.management import call_command

    first = record("gps.mp4")
    run_queued_tasks()
    second = record("camera.avi")
    DBTaskResult.objects.all().delete()  # as if stored before processing existed
    out = StringIO()
    call_command("process_media", stdout=out)
    assert "1 original(s) queued." in out.getvalue()
    assert DBTaskResult.objects.get().args_kwargs["args"] == [second.original.pk]
    out = StringIO()
    call_command("process_media", first.original.sha256, "--reprobe", "--now", stdout=out)
    assert "1 original(s) processed." in out.getvalue()
    assert MediaInfo.objects.filter(original=first.original).count() == 2


def locked_error(tmp_path) -> OperationalError:
    """The error SQLite gives a writer while another connection holds the write lock."""
    path = tmp_path / "locked.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN IMMEDIATE")
    waiter = sqlite3.connect(path, timeout=0)
    try:
        waiter.execute("INSERT INTO t VALUES (1)")
    except sqlite3.OperationalError as error:
        return OperationalError(*error.args)
    finally:
        waiter.close()
        holder.close()
    raise AssertionError("the second writer was not refused")


def test_a_locked_database_queues_the_task_again_until_the_lock_is_gone(
    record, monkeypatch, tmp_path
):
    from django_tasks import TaskResultStatus

    from quancheng.media import tasks

    recording = record("gps.mp4")
    error = locked_error(tmp_path)

    def locked(original, reprobe=False):
        raise error

    monkeypatch.setattr(tasks, "process", locked)
    with pytest.raises(tasks.QueuedAgain, match="database is locked; queued again"):
        run_queued_tasks()
    failed, again = DBTaskResult.objects.order_by("enqueued_at")
    assert failed.status == TaskResultStatus.FAILED
    assert again.status == TaskResultStatus.READY
    assert again.args_kwargs["kwargs"]["attempt"] == 2
    assert again.run_after > failed.finished_at  # after a pause, not at once
    assert run_queued_tasks() == []  # not due yet

    monkeypatch.setattr(tasks, "process", process)  # the lock is gone
    DBTaskResult.objects.filter(pk=again.pk).update(run_after=timezone.now())
    [outcome] = run_queued_tasks()
    assert outcome["probed"]
    assert MediaInfo.objects.get().original == recording.original


def test_a_database_locked_at_every_attempt_fails_the_task_for_good(record, monkeypatch, tmp_path):
    from quancheng.media import tasks

    record("gps.mp4")
    error = locked_error(tmp_path)

    def locked(original, reprobe=False):
        raise error

    monkeypatch.setattr(tasks, "process", locked)
    for _ in range(tasks.LOCKED_ATTEMPTS - 1):
        with pytest.raises(tasks.QueuedAgain):
            run_queued_tasks()
        DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
    with pytest.raises(OperationalError, match="database is locked"):
        run_queued_tasks()
    assert DBTaskResult.objects.count() == tasks.LOCKED_ATTEMPTS
    assert not DBTaskResult.objects.filter(status="READY").exists()
