"""The real tuspy client against the real server (gunicorn, as ``quancheng serve`` runs
it) over a fresh SQLite database and data directory: an upload stopped half-way and
resumed by a new client from its URL, a request whose connection breaks mid-body, and the
same bytes uploaded twice."""

from __future__ import annotations

import hashlib
import io
import os
import socket
import time
from collections.abc import Iterator
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from tusclient.client import TusClient

from quancheng.uploads.tests.live import db, live_server

CHUNK = 256 * 1024
DATA = os.urandom(5 * CHUNK + 12345)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[SimpleNamespace]:
    with live_server(tmp_path_factory.mktemp("tus-site")) as running:
        yield running


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
