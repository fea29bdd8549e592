"""A dock import killed half-way (SIGKILL, mid-file) leaves nothing half-written visible,
and running it again completes it."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

BIG = 128 * 1024 * 1024


def run(env, *args):
    argv = [sys.executable, *args]
    return subprocess.run(argv, env=env, capture_output=True, text=True)  # noqa: S603


def report(data: Path) -> dict:
    """The recordings and originals, read from the import's own SQLite database."""
    with sqlite3.connect(data / "quancheng.sqlite3") as db:
        recordings = db.execute(
            "SELECT r.file_name, o.key, r.size FROM media_recording r"
            " JOIN media_original o ON o.id = r.original_id ORDER BY r.file_name"
        ).fetchall()
        originals = dict(db.execute("SELECT key, sha256 FROM media_original").fetchall())
    return {
        "recordings": [{"file_name": f, "key": k, "size": s} for f, k, s in recordings],
        "originals": originals,
    }


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(4 * 1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def test_killed_import_is_completed_by_a_rerun(tmp_path):
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "QUANCHENG_"))}
    env.update(
        QUANCHENG_DATA_DIR=str(data),
        DJANGO_SETTINGS_MODULE="quancheng.settings",
        QUANCHENG_MEDIA_STORAGE="local",
        QUANCHENG_LANGUAGE="en",
    )
    setup = run(env, "-m", "quancheng.media.tests.dockrun", "setup")
    assert setup.returncode == 0, setup.stderr

    dock = tmp_path / "dock"
    dock.mkdir()
    (dock / "A_0001.MP4").write_bytes(b"first clip " * 1000)
    (dock / "A_0002.MP4").write_bytes(b"second clip " * 1000)
    with open(dock / "Z_BIG.MP4", "wb") as f:  # imported last, big enough to be caught
        block = os.urandom(1024 * 1024)
        for _ in range(BIG // len(block)):
            f.write(block)
    command = ["-m", "quancheng.cli", "ingest", str(dock), "--device", "CAM-K", "--officer", "AH-1"]
    proc = subprocess.Popen(  # noqa: S603
        [sys.executable, *command], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    tmp = data / "media" / "tmp"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        temps = list(tmp.glob("*.part")) if tmp.exists() else []
        if any(t.stat().st_size > 1024 * 1024 for t in temps if t.exists()):  # the big one
            break
        assert proc.poll() is None, "the import ended before it could be killed"
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    proc.stderr.close()

    # Killed mid-file: the partial copy is only a temporary file, nothing under a digest is
    # incomplete, and the big file has no recording yet.
    assert list(tmp.glob("*.part"))  # killed mid-copy: its temporary file is left
    stored = [p for p in (data / "media" / "sha256").rglob("*") if p.is_file()]
    assert all(sha256_of(p) == p.name for p in stored)
    state = report(data)
    assert "Z_BIG.MP4" not in {r["file_name"] for r in state["recordings"]}

    rerun = run(env, *command, "--no-progress")
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr  # 1 if any file failed
    state = report(data)
    assert sorted(r["file_name"] for r in state["recordings"]) == [
        "A_0001.MP4",
        "A_0002.MP4",
        "Z_BIG.MP4",
    ]
    # every recording's bytes are there, under their digest
    for recording in state["recordings"]:
        path = data / "media" / recording["key"]
        assert path.stat().st_size == recording["size"]
        assert state["originals"][recording["key"]] == sha256_of(path)
    assert sha256_of(data / "media" / state["recordings"][2]["key"]) == sha256_of(
        dock / "Z_BIG.MP4"
    )
    # no orphan: every stored file has its row; the killed run's temporary file is gone
    stored = {
        p.relative_to(data / "media").as_posix()
        for p in (data / "media" / "sha256").rglob("*")
        if p.is_file()
    }
    assert stored == set(state["originals"])
    assert list(tmp.glob("*.part")) == []
