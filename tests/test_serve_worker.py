"""``quancheng serve`` keeps its task worker alive: a SQLite write lock held longer than the
busy timeout makes ``db_worker`` exit ("database is locked"); serve's supervisor starts it
again, and once the lock is gone the queued recording is probed."""

from __future__ import annotations

import os
import signal
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


CHILD = """
import signal, sys, time
terms = 0
def on_term(signum, frame):
    global terms
    terms += 1
    print("term", terms, flush=True)
    if terms == 1:
        time.sleep(0.5)  # finishing its task
        sys.exit(0)
signal.signal(signal.SIGTERM, on_term)
if len(sys.argv) > 1:
    sys.exit(int(sys.argv[1]))
print("ready", flush=True)
while True:
    time.sleep(0.1)
"""


def supervise(tmp_path: Path, *child_args: str) -> tuple[subprocess.Popen, Path]:
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    log = tmp_path / "supervisor.log"
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - our own module and script
            [sys.executable, "-m", "quancheng.agencies.supervisor", "test child", "--"]
            + [sys.executable, str(script), *child_args],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return process, log


def test_supervisor_restarts_an_exiting_child_with_a_line_each_time(tmp_path):
    process, log = supervise(tmp_path, "3")
    try:
        wait_for(
            "two restarts",
            lambda: "restart 2 in 2 s" in log.read_text(errors="replace"),
            30,
        )
        assert "test child exited with code 3 after 0 s; restart 1 in 1 s" in log.read_text()
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        assert process.wait(timeout=10) == 3  # stopped in its pause: the last exit code


def test_supervisor_passes_a_signal_to_the_whole_group_on_once(tmp_path):
    process, log = supervise(tmp_path)
    try:
        wait_for("the child runs", lambda: "ready" in log.read_text(errors="replace"), 30)
        os.killpg(process.pid, signal.SIGTERM)  # as systemd or the tests stop the server
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    text = log.read_text()
    assert "term 1" in text and "term 2" not in text
    assert "restart" not in text
