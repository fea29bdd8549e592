"""The real tuspy client against the real server (gunicorn, as ``quancheng serve`` runs
it) over a fresh SQLite database and data directory: an upload stopped half-way and
resumed by a new client from its URL, a request whose connection breaks mid-body, and the
same bytes uploaded twice."""

from __future__ import annotations

import hashlib
import io
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
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from tusclient.client import TusClient

SEED = Path(__file__).with_name("live_seed.py")
CHUNK = 256 * 1024
DATA = os.urandom(5 * CHUNK + 12345)


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


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[SimpleNamespace]:
    data = tmp_path_factory.mktemp("tus-site")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="quancheng.settings",
        QUANCHENG_DATA_DIR=str(data),
        QUANCHENG_SECRET_KEY="tus-not-secret",
        QUANCHENG_MEDIA_STORAGE="local",
    )
    env.pop("QUANCHENG_MEDIA_DIR", None)
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
        yield SimpleNamespace(
            base=base,
            uploads=f"{base}/api/v1/uploads/",
            data=data,
            case=facts["case"],
            token=facts["token"],
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # the server we started, and its workers
        server.wait(timeout=10)
        log.close()


def client(site: SimpleNamespace) -> TusClient:
    return TusClient(site.uploads, headers={"Authorization": f"Bearer {site.token}"})


def metadata(site: SimpleNamespace, name: str = "TUS-CAM-1_0900.mp4") -> dict[str, str]:
    return {
        "filename": name,
        "case": str(site.case),
        "device": "TUS-CAM-1",
        "officers": "TUS-0001",
        "started_at": "2026-03-02T09:00:00+08:00",
        "ended_at": "2026-03-02T09:30:00+08:00",
        "place": "合肥市包河区某街",
        "sha256": hashlib.sha256(DATA).hexdigest(),
    }


def db(site: SimpleNamespace) -> sqlite3.Connection:
    return sqlite3.connect(site.data / "quancheng.sqlite3")


def recording_of(site: SimpleNamespace, url: str) -> tuple:
    key = url.rsplit("/", 1)[1].replace("-", "")
    with db(site) as conn:
        return conn.execute(
            "SELECT r.id, r.file_name, r.size, r.sha256, o.sha256, o.size, o.key, u.state"
            " FROM uploads_upload u JOIN media_recording r ON r.id = u.recording_id"
            " JOIN media_original o ON o.id = r.original_id WHERE u.key = ?",
            (key,),
        ).fetchone()


def test_stopped_half_way_then_resumed_by_a_new_client(site):
    first = client(site).uploader(
        file_stream=io.BytesIO(DATA),
        chunk_size=CHUNK,
        metadata=metadata(site),
        upload_checksum=True,
    )
    first.upload_chunk()
    first.upload_chunk()
    url = first.url
    assert first.offset == 2 * CHUNK
    del first  # the client goes away half-way

    second = client(site).uploader(file_stream=io.BytesIO(DATA), url=url, chunk_size=CHUNK)
    assert second.offset == 2 * CHUNK  # asked the server (HEAD) where to go on
    second.upload()
    row = recording_of(site, url)
    assert row is not None, "no recording after the upload"
    _, name, size, sha, original_sha, original_size, key, state = row
    assert (name, state) == ("TUS-CAM-1_0900.mp4", "completed")
    assert size == original_size == len(DATA)
    assert sha == original_sha == hashlib.sha256(DATA).hexdigest()
    stored = site.data / "media" / key
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == original_sha


def test_connection_broken_mid_request_keeps_what_arrived(site):
    uploader = client(site).uploader(
        file_stream=io.BytesIO(DATA), chunk_size=CHUNK, metadata=metadata(site, "broken.mp4")
    )
    uploader.upload_chunk()
    url = uploader.url
    # A PATCH announcing everything that is left, cut off after 300 000 bytes.
    parts = urlsplit(url)
    sent = 300_000
    with socket.create_connection((parts.hostname, parts.port)) as sock:
        head = (
            f"PATCH {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
            f"Authorization: Bearer {site.token}\r\nTus-Resumable: 1.0.0\r\n"
            f"Upload-Offset: {CHUNK}\r\nContent-Type: application/offset+octet-stream\r\n"
            f"Content-Length: {len(DATA) - CHUNK}\r\n\r\n"
        )
        sock.sendall(head.encode() + DATA[CHUNK : CHUNK + sent])
        time.sleep(0.5)
    offset = None
    for _ in range(50):  # the server notices the broken connection, then records the offset
        resumed = client(site).uploader(file_stream=io.BytesIO(DATA), url=url, chunk_size=CHUNK)
        offset = resumed.offset
        if offset > CHUNK:
            break
        time.sleep(0.1)
    assert offset == CHUNK + sent
    resumed.upload()
    row = recording_of(site, url)
    assert row is not None
    assert row[4] == hashlib.sha256(DATA).hexdigest()


def test_same_bytes_twice_one_original_two_recordings(site):
    urls = []
    for name in ("twice-1.mp4", "twice-2.mp4"):
        uploader = client(site).uploader(
            file_stream=io.BytesIO(DATA), chunk_size=2 * CHUNK, metadata=metadata(site, name)
        )
        uploader.upload()
        urls.append(uploader.url)
    rows = [recording_of(site, url) for url in urls]
    assert rows[0][0] != rows[1][0]  # two recordings
    assert rows[0][6] == rows[1][6]  # one original key
    with db(site) as conn:
        count = conn.execute(
            "SELECT count(*) FROM media_original WHERE sha256 = ?",
            (hashlib.sha256(DATA).hexdigest(),),
        ).fetchone()[0]
    assert count == 1
