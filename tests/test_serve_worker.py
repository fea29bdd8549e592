"""``quancheng serve`` keeps its task worker alive: a SQLite write lock held longer than the
busy timeout makes ``db_worker`` exit ("database is locked"); serve's supervisor starts it
again, and once the lock is gone the queued recording is probed."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from quancheng.agencies.supervisor import Backoff
from quancheng.media.tests.samples import make
from tests.servers import SERVE, running, server_env

E2E = Path(__file__).parent / "e2e"


def wait_for(what: str, check, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s: {what}")
        time.sleep(0.2)


def test_worker_is_restarted_after_a_lock_and_the_recording_is_probed(tmp_path):
    env = server_env(tmp_path, QUANCHENG_SQLITE_TIMEOUT="1")  # the worker gives up after 1 s
    subprocess.run([sys.executable, str(E2E / "seed_site.py")], env=env, check=True)  # noqa: S603
    video = make("gps.mp4", tmp_path)
    subprocess.run(  # noqa: S603 - a recording stored, its processing queued
        [sys.executable, str(E2E / "seed_media.py"), str(video)], env=env, check=True
    )
    database = tmp_path / "quancheng.sqlite3"
    log = tmp_path / "server.log"

    def probed() -> bool:
        with sqlite3.connect(database) as conn:
            return conn.execute("SELECT count(*) FROM media_mediainfo").fetchone()[0] == 1

    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock
    try:
        with running(SERVE, env, log, "/accounts/login/"):
            wait_for(
                "the worker exits on the lock and is started again",
                lambda: "task worker exited with code 1" in log.read_text(errors="replace"),
                60,
            )
            assert "database is locked" in log.read_text(errors="replace")
            assert not probed()
            holder.execute("ROLLBACK")
            wait_for("the recording is probed", probed, 60)
    finally:
        holder.close()


def test_backoff_doubles_up_to_its_cap_and_resets_after_a_long_run():
    backoff = Backoff(first=1, cap=8, healthy=60)
    assert [backoff.after_run(0.5) for _ in range(5)] == [1, 2, 4, 8, 8]
    assert backoff.after_run(61) == 1
    assert backoff.after_run(3) == 2
