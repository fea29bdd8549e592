"""The local content-addressed store: digests while writing, dedupe, nothing half-written."""

from __future__ import annotations

import errno
import hashlib
import io
import os
import stat
import sys

import pytest
from django.db import DatabaseError, connection, transaction

from quancheng.ledger.models import Fact
from quancheng.media.models import Original
from quancheng.media.store import StoreError, get_store
from quancheng.media.store import local as local_module

pytestmark = pytest.mark.usefixtures("english")

DATA = os.urandom(9 * 1024 * 1024 + 17)  # more than two chunks, not a multiple of one
SHA = hashlib.sha256(DATA).hexdigest()


def visible_files(media_dir):
    return sorted(p for p in (media_dir / "sha256").rglob("*") if p.is_file())


def temp_files(media_dir):
    tmp = media_dir / "tmp"
    return sorted(tmp.iterdir()) if tmp.exists() else []


def test_stores_under_digest_read_only_with_fact(store, media_dir):
    seen = []
    original = store.save_stream(io.BytesIO(DATA), progress=seen.append)
    assert original.sha256 == SHA and original.size == len(DATA) and original.sm3 == ""
    assert original.backend == "local"
    assert original.key == f"sha256/{SHA[:2]}/{SHA[2:4]}/{SHA}"
    path = media_dir / original.key
    assert path.read_bytes() == DATA
    assert stat.S_IMODE(path.stat().st_mode) == 0o444
    assert sum(seen) == len(DATA)
    assert store.local_path(original) == path
    with store.open(original) as f:
        f.seek(len(DATA) - 17)
        assert f.read() == DATA[-17:]
    fact = Fact.objects.get(kind="original.stored")
    assert fact.payload["sha256"] == SHA and fact.subject_id == str(original.pk)
    assert temp_files(media_dir) == []


def test_same_bytes_twice_stored_once(store, media_dir):
    first = store.save_stream(io.BytesIO(DATA))
    second = store.save_stream(io.BytesIO(DATA), declared_sha256=SHA.upper())
    assert first.pk == second.pk
    assert Original.objects.count() == 1
    assert Fact.objects.filter(kind="original.stored").count() == 1
    assert len(visible_files(media_dir)) == 1
    assert temp_files(media_dir) == []


def test_guomi_mode_adds_sm3(store, settings):
    settings.QUANCHENG_GUOMI = True
    original = store.save_stream(io.BytesIO(DATA))
    assert original.sm3 == hashlib.new("sm3", DATA).hexdigest()
    assert original.sha256 == SHA


def test_declared_digest_mismatch_stores_nothing(store, media_dir):
    wrong = hashlib.sha256(b"other").hexdigest()
    with pytest.raises(StoreError, match="not the"):
        store.save_stream(io.BytesIO(DATA), declared_sha256=wrong)
    with pytest.raises(StoreError, match="64 hexadecimal"):
        store.save_stream(io.BytesIO(DATA), declared_sha256="abc")
    assert Original.objects.count() == 0
    assert not (media_dir / "sha256").exists() or visible_files(media_dir) == []
    assert temp_files(media_dir) == []


def test_empty_file_refused(store, media_dir):
    with pytest.raises(StoreError, match="empty"):
        store.save_stream(io.BytesIO(b""))
    assert Original.objects.count() == 0 and temp_files(media_dir) == []


def test_disk_full_clear_message_and_temp_removed(store, media_dir, monkeypatch):
    written = []

    def write(fd, data):
        if written:
            raise OSError(errno.ENOSPC, "No space left on device")
        written.append(len(data))
        return os.write(fd, data)

    monkeypatch.setattr(local_module, "_write_all", lambda fd, data: write(fd, data))
    with pytest.raises(StoreError, match="disk is full"):
        store.save_stream(io.BytesIO(DATA))
    assert Original.objects.count() == 0
    assert temp_files(media_dir) == []


def test_stream_error_midway_leaves_nothing(store, media_dir):
    class Broken(io.RawIOBase):
        sent = 0

        def readable(self):
            return True

        def readinto(self, buffer):
            if self.sent > 5_000_000:
                raise ConnectionResetError("client went away")
            n = min(len(buffer), 1_000_000)
            buffer[:n] = DATA[self.sent : self.sent + n]
            self.sent += n
            return n

    with pytest.raises(ConnectionResetError):
        store.save_stream(Broken())
    assert Original.objects.count() == 0
    assert temp_files(media_dir) == []
    assert not (media_dir / "sha256").exists()


def test_file_without_row_is_adopted(store, media_dir, monkeypatch):
    """A crash after the link but before the row: the bytes wait, harmless, and the next
    save of them writes the row."""
    from quancheng.media.store import local

    def crash(*args, **kwargs):
        raise DatabaseError("connection lost")

    monkeypatch.setattr(local, "record_original", crash)
    with pytest.raises(DatabaseError):
        store.save_stream(io.BytesIO(DATA))
    assert Original.objects.count() == 0
    assert len(visible_files(media_dir)) == 1
    monkeypatch.undo()
    original = get_store().save_stream(io.BytesIO(DATA))
    assert (media_dir / original.key).read_bytes() == DATA
    assert temp_files(media_dir) == []


def test_missing_bytes_are_restored_by_the_next_save(store, media_dir):
    original = store.save_stream(io.BytesIO(DATA))
    path = media_dir / original.key
    path.unlink()
    assert not store.exists(original)
    again = store.save_stream(io.BytesIO(DATA))
    assert again.pk == original.pk and store.exists(original)


def test_save_file_move_links_in_place(
    store, media_dir, tmp_path, django_capture_on_commit_callbacks
):
    staged = media_dir.parent / "staged.bin"
    media_dir.mkdir(parents=True, exist_ok=True)
    staged.write_bytes(DATA)
    with django_capture_on_commit_callbacks(execute=True):
        original = store.save_file(staged, declared_sha256=SHA, move=True)
    assert not staged.exists()
    path = media_dir / original.key
    assert path.read_bytes() == DATA and stat.S_IMODE(path.stat().st_mode) == 0o444
    kept = tmp_path / "kept.bin"
    kept.write_bytes(DATA)
    assert store.save_file(kept).pk == original.pk
    assert kept.exists()
    assert temp_files(media_dir) == []


def test_save_file_move_refuses_mismatch_and_keeps_source(
    store, media_dir, django_capture_on_commit_callbacks
):
    media_dir.mkdir(parents=True, exist_ok=True)
    staged = media_dir.parent / "staged.bin"
    staged.write_bytes(DATA)
    with pytest.raises(StoreError):
        store.save_file(staged, declared_sha256="0" * 64, move=True)
    assert staged.read_bytes() == DATA
    empty = media_dir.parent / "empty.bin"
    empty.write_bytes(b"")
    with pytest.raises(StoreError, match="empty"):
        store.save_file(empty, move=True)
    assert empty.exists()
    assert Original.objects.count() == 0 and temp_files(media_dir) == []
    # the same bytes staged again: the staged copy goes, the stored one stays
    with django_capture_on_commit_callbacks(execute=True):
        first = store.save_file(staged, move=True)
    staged.write_bytes(DATA)
    with django_capture_on_commit_callbacks(execute=True):
        assert store.save_file(staged, move=True).pk == first.pk
    assert not staged.exists() and store.exists(first)


def test_save_file_move_in_a_failed_action_can_be_retried(
    store, media_dir, django_capture_on_commit_callbacks
):
    """An upload's action fails after the save (say, the case was closed meanwhile): the
    transaction rolls back, the staged file is still there, and a retry stores it."""
    media_dir.mkdir(parents=True, exist_ok=True)
    staged = media_dir.parent / "staged.bin"
    staged.write_bytes(DATA)
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            store.save_file(staged, declared_sha256=SHA, move=True)
            raise RuntimeError("the action refused")
        assert staged.read_bytes() == DATA and Original.objects.count() == 0
        original = store.save_file(staged, declared_sha256=SHA, move=True)
    assert not staged.exists() and store.exists(original)
    assert Original.objects.get().pk == original.pk


def test_cleanup_removes_temps_of_dead_processes_only(store, media_dir):
    import socket
    import subprocess

    media_dir.joinpath("tmp").mkdir(parents=True)
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    host = socket.gethostname()
    stale = media_dir / "tmp" / f"{host}-{proc.pid}-abc.part"
    live = media_dir / "tmp" / f"{host}-{os.getpid()}-def.part"
    stale.write_bytes(b"half")
    live.write_bytes(b"busy")
    assert store.cleanup() == 1
    assert not stale.exists() and live.exists()
    original = store.save_stream(io.BytesIO(DATA))
    assert store.cleanup(stale_after=-1) == 1  # old enough: gone, whoever wrote it
    assert store.exists(original)


def test_original_rows_are_append_only(store):
    original = store.save_stream(io.BytesIO(DATA))
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE media_original SET size = 1 WHERE id = %s", [original.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        Original.objects.filter(pk=original.pk).delete()


def test_regular_file_copied_in_kernel_from_its_position(store, media_dir, tmp_path):
    source = tmp_path / "clip.bin"
    source.write_bytes(b"HEADER" + DATA)
    seen = []
    with open(source, "rb") as f:
        f.seek(6)
        original = store.save_stream(f, progress=seen.append)
        assert f.tell() == 6 + len(DATA)
    assert original.sha256 == SHA and sum(seen) == len(DATA)
    assert (media_dir / original.key).read_bytes() == DATA


@pytest.mark.parametrize("code", [errno.EXDEV, errno.ENOSYS, errno.EINVAL])
def test_without_kernel_copy_falls_back_to_buffers(store, media_dir, tmp_path, monkeypatch, code):
    def refuse(*args):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(local_module.os, "copy_file_range", refuse)
    source = tmp_path / "clip.bin"
    source.write_bytes(DATA)
    with open(source, "rb") as f:
        assert store.save_stream(f).sha256 == SHA


def test_disk_full_during_kernel_copy(store, media_dir, tmp_path, monkeypatch):
    real = os.copy_file_range
    calls = []

    def copy(*args):
        calls.append(args)
        if len(calls) > 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(*args)

    monkeypatch.setattr(local_module.os, "copy_file_range", copy)
    source = tmp_path / "clip.bin"
    source.write_bytes(DATA)
    with pytest.raises(StoreError, match="disk is full"), open(source, "rb") as f:
        store.save_stream(f)
    assert Original.objects.count() == 0 and temp_files(media_dir) == []


def test_declared_digest_of_stored_bytes_is_checked_not_rewritten(store, monkeypatch):
    original = store.save_stream(io.BytesIO(DATA))

    def no_writing(self):
        raise AssertionError("nothing should be written")

    monkeypatch.setattr(local_module.LocalStore, "_new_temp", no_writing)
    assert store.save_stream(io.BytesIO(DATA), declared_sha256=SHA).pk == original.pk
    with pytest.raises(StoreError, match="not the"):
        store.save_stream(io.BytesIO(DATA[:-1]), declared_sha256=SHA)
