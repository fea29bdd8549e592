"""A real server for the live tests: ``quancheng serve`` (gunicorn) on a free port over a
fresh SQLite database and data directory, seeded through the actions (``live_seed.py``)."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

SEED = Path(__file__).with_name("live_seed.py")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, server: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with {server.returncode}")
        try:
            request = urllib.request.Request(url, method="OPTIONS")  # noqa: S310
            with urllib.request.urlopen(request, timeout=2):  # noqa: S310 - our own server
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the server did not answer at {url}")


@contextmanager
def live_server(data: Path) -> Iterator[SimpleNamespace]:
    """The running server, with the seeded case id, the officer's API token and login."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "QUANCHENG_MEDIA_DIR")}
    env.update(
        DJANGO_SETTINGS_MODULE="quancheng.settings",
        QUANCHENG_DATA_DIR=str(data),
        QUANCHENG_SECRET_KEY="tus-not-secret",
        QUANCHENG_MEDIA_STORAGE="local",
    )
    seeded = subprocess.run(  # noqa: S603
        [sys.executable, str(SEED)], env=env, check=True, capture_output=True, text=True
    )
    facts = json.loads(seeded.stdout.strip().splitlines()[-1])
    port = free_port()
    log = (data / "server.log").open("wb")
    server = subprocess.Popen(  # noqa: S603 - fixed arguments
        [sys.executable, "-m", "quancheng.cli", "serve", "--no-migrate", "--workers", "1"]
        + ["--bind", f"127.0.0.1:{port}"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/api/v1/uploads/", server)
        yield SimpleNamespace(base=base, uploads=f"{base}/api/v1/uploads/", data=data, **facts)
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # the server we started, and its workers
        server.wait(timeout=10)
        log.close()


def db(site: SimpleNamespace) -> sqlite3.Connection:
    return sqlite3.connect(site.data / "quancheng.sqlite3")
