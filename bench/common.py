"""What the benchmarks share: running the measured part in a fresh database per backend."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def machine_line() -> str:
    """How fast this machine is on one core, to compare figures measured on other machines:
    plain SHA-256 of 256 MiB in memory, and a pure-Python loop."""
    import hashlib
    import time

    block = bytes(256 << 20)
    started = time.perf_counter()
    hashlib.sha256(block).digest()
    sha = len(block) / (time.perf_counter() - started) / 1e9
    started = time.perf_counter()
    total = 0
    for i in range(2_000_000):
        total += i & 7
    loop = (time.perf_counter() - started) / 2_000_000 * 1e9
    load = os.getloadavg()[0]
    return (
        f"Machine: SHA-256 {sha:.2f} GB/s on one core, pure-Python loop {loop:.0f} ns per turn,"
        f" {os.cpu_count()} cores, load average {load:.1f}"
    )


def reset_postgres(url: str) -> bool:
    """Drop and create the benchmark database; False when PostgreSQL is not reachable."""
    import psycopg

    base, name = url.rsplit("/", 1)
    try:
        with psycopg.connect(base + "/postgres", autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError:
        return False
    return True


def reachable(url: str) -> bool:
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


def run_worker(
    script: str,
    backend: str,
    args: list[str],
    pg_url: str,
    env: dict[str, str] | None = None,
    keep: Path | None = None,
) -> dict | None:
    """Run ``script --worker BACKEND ARGS`` in a fresh data directory (and, for PostgreSQL, a
    fresh database); its last line of output is the JSON result. None when PostgreSQL is not
    reachable. ``keep``: a data directory kept between runs instead (the PostgreSQL database is
    then reset only when the directory is new), for a worker that reuses what it generated."""
    with tempfile.TemporaryDirectory(prefix="qc-bench-") as fresh_dir:
        data_dir = fresh_dir
        reset = True
        if keep is not None:
            reset = not keep.exists()
            keep.mkdir(parents=True, exist_ok=True)
            data_dir = str(keep)
        worker_env = dict(os.environ, QUANCHENG_DATA_DIR=data_dir, **(env or {}))
        if backend == "postgresql":
            if not (reset_postgres(pg_url) if reset else reachable(pg_url)):
                return None
            worker_env["DATABASE_URL"] = pg_url
        else:
            worker_env.pop("DATABASE_URL", None)
        out = subprocess.run(  # noqa: S603 - our own script
            [sys.executable, script, "--worker", backend, *args],
            env=worker_env,
            capture_output=True,
            text=True,
            check=False,
            cwd=ROOT,
        )
        if out.returncode != 0:
            sys.stderr.write(out.stderr)
            raise SystemExit(f"{backend} run failed")
        return json.loads(out.stdout.strip().splitlines()[-1])
