"""The real server in a subprocess, for the browser and live-protocol tests.

pytest-django's ``live_server`` cannot serve here (its flush between tests runs into the
append-only triggers), so these tests start ``quancheng serve`` (gunicorn, and its task
worker) on a free port over a fresh data directory they seeded through the actions.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(data: Path, **extra: str) -> dict[str, str]:
    """This process's environment for a server over ``data`` on SQLite with local media."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "QUANCHENG_MEDIA_DIR")}
    env.update(
        DJANGO_SETTINGS_MODULE="quancheng.settings",
        QUANCHENG_DATA_DIR=str(data),
        QUANCHENG_SECRET_KEY="test-not-secret",  # noqa: S106 - a throwaway site
        QUANCHENG_MEDIA_STORAGE="local",
        **extra,
    )
    return env


def wait_until_up(
    url: str, server: subprocess.Popen, seconds: float = 120, method: str = "GET"
) -> int:
    """The status of the first answer from ``url``; raises if the server exits or is silent."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with {server.returncode}")
        try:
            request = urllib.request.Request(url, method=method)  # noqa: S310 - our own server
            with urllib.request.urlopen(request, timeout=2) as response:  # noqa: S310
                return response.status
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the server did not answer at {url}")


def stop(process: subprocess.Popen) -> None:
    """SIGTERM to the process group (the server and its workers); SIGKILL if it hangs."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:  # a request still hanging: no graceful end
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@contextmanager
def running(
    command: list[str],
    env: dict[str, str],
    log: Path,
    ready: str,
    port: int | None = None,
    method: str = "GET",
) -> Iterator[tuple[str, subprocess.Popen]]:
    """Run ``quancheng COMMAND`` (``{port}`` in it is replaced by a free port) until the
    block ends; yields the base URL, once ``ready`` (a path) answers, and the process."""
    port = port or free_port()
    argv = [a.replace("{port}", str(port)) for a in command]
    with log.open("ab") as out:
        process = subprocess.Popen(  # noqa: S603 - our own command
            [sys.executable, "-m", "quancheng.cli", *argv],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base + ready, process, method=method)
        yield base, process
    finally:
        stop(process)


SERVE = ["serve", "--no-migrate", "--workers", "1", "--bind", "127.0.0.1:{port}"]
