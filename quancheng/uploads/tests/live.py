"""A real server for the live tests: ``quancheng serve`` (gunicorn) on a free port over a
fresh SQLite database and data directory, seeded through the actions (``live_seed.py``)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

from tests.servers import SERVE, running, server_env

SEED = Path(__file__).with_name("live_seed.py")


@contextmanager
def live_server(data: Path, seed: bool = True) -> Iterator[SimpleNamespace]:
    """The running server, with the seeded case id, the officer's API token and login
    (``seed=False``: serve a data directory seeded before, e.g. after a crash)."""
    env = server_env(data)
    if seed:
        seeded = subprocess.run(  # noqa: S603
            [sys.executable, str(SEED)], env=env, check=True, capture_output=True, text=True
        )
        (data / "seed.json").write_text(seeded.stdout.strip().splitlines()[-1])
    facts = json.loads((data / "seed.json").read_text())
    with running(SERVE, env, data / "server.log", "/api/v1/uploads/", method="OPTIONS") as (
        base,
        server,
    ):
        yield SimpleNamespace(
            base=base, uploads=f"{base}/api/v1/uploads/", data=data, server=server, **facts
        )


def db(site: SimpleNamespace) -> sqlite3.Connection:
    return sqlite3.connect(site.data / "quancheng.sqlite3")
