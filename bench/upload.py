"""Benchmark of a resumable (tus) upload through the real server, and its memory.

    .venv/bin/python bench/upload.py [--size 1G] [--part 0]

Generates a file of ``--size`` bytes, starts ``quancheng serve`` (gunicorn, one worker) over
a fresh data directory on the same disk, creates a tus upload and streams the file in PATCH
requests of ``--part`` bytes (0: the whole file in one request) from this process with
``http.client`` (no client-side buffering of the parts). Reports MiB/s from the first byte
sent to the recording made (the last PATCH includes the store hashing and linking the file),
and the peak resident memory (VmHWM) of the gunicorn worker, and the slowest answer to
other requests (the sign-in page, asked every 0.1 s) while the upload runs; then times
``cp`` + ``sync`` of the same file on the same disk for comparison.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
MIB = 1024 * 1024


def parse_size(text: str) -> int:
    units = {"K": 1024, "M": MIB, "G": 1024 * MIB}
    text = text.strip().upper().removesuffix("B").removesuffix("I")
    if text and text[-1] in units:
        return int(float(text[:-1]) * units[text[-1]])
    return int(text)


def make_file(path: Path, size: int) -> None:
    block = os.urandom(16 * MIB)
    with path.open("wb") as f:
        left = size
        while left:
            f.write(block[: min(left, len(block))])
            left -= min(left, len(block))
        f.flush()
        os.fsync(f.fileno())  # its writeback would otherwise compete with the upload's


def worker_peak_rss(server_pid: int) -> int:
    """The high-water mark of resident memory (VmHWM) of the server's worker processes."""
    children = Path(f"/proc/{server_pid}/task/{server_pid}/children").read_text().split()
    peak = 0
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peak = max(peak, int(line.split()[1]) * 1024)
    return peak


def patch(url: str, token: str, src: Path, offset: int, length: int) -> http.client.HTTPResponse:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=600)
    conn.putrequest("PATCH", parts.path)
    for name, value in {
        "Authorization": f"Bearer {token}",
        "Tus-Resumable": "1.0.0",
        "Upload-Offset": str(offset),
        "Content-Type": "application/offset+octet-stream",
        "Content-Length": str(length),
    }.items():
        conn.putheader(name, value)
    conn.endheaders()
    with src.open("rb") as f:
        f.seek(offset)
        left = length
        while left:
            data = f.read(min(left, 4 * MIB))
            conn.send(data)
            left -= len(data)
    response = conn.getresponse()
    response.read()
    conn.close()
    return response


class Poller(threading.Thread):
    """Asks ``url`` every 0.1 s until stopped; keeps the slowest answer's time."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url, self.slowest, self.done = url, 0.0, threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.1):
            started = time.monotonic()
            with urllib.request.urlopen(self.url, timeout=60) as response:  # noqa: S310
                response.read()
            self.slowest = max(self.slowest, time.monotonic() - started)


def main() -> None:
    from quancheng.uploads.tests.live import live_server

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", default="1G")
    parser.add_argument("--part", default="0", help="bytes per PATCH (0: all in one)")
    parser.add_argument("--dir", default=str(ROOT / "var"))
    args = parser.parse_args()
    size, part = parse_size(args.size), parse_size(args.part) or parse_size(args.size)
    Path(args.dir).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=args.dir, prefix="bench-upload-") as tmp:
        src = Path(tmp) / "source.bin"
        make_file(src, size)
        data = Path(tmp) / "data"
        data.mkdir()
        with live_server(data) as site:
            meta = {
                "filename": "bench.mp4",
                "case": str(site.case),
                "device": "TUS-CAM-1",
                "started_at": "2026-03-02T09:00:00+08:00",
                "ended_at": "2026-03-02T09:30:00+08:00",
            }
            encoded = ",".join(
                f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in meta.items()
            )
            parts = urlsplit(site.uploads)
            conn = http.client.HTTPConnection(parts.hostname, parts.port)
            conn.request(
                "POST",
                parts.path,
                headers={
                    "Authorization": f"Bearer {site.token}",
                    "Tus-Resumable": "1.0.0",
                    "Upload-Length": str(size),
                    "Upload-Metadata": encoded,
                },
            )
            created = conn.getresponse()
            created.read()
            url = created.headers["Location"]
            poller = Poller(site.base + "/accounts/login/")
            poller.start()
            offset, started = 0, time.monotonic()
            while offset < size:
                response = patch(url, site.token, src, offset, min(part, size - offset))
                if response.status != 204:
                    raise SystemExit(f"PATCH failed: {response.status}")
                offset = int(response.headers["Upload-Offset"])
            total = time.monotonic() - started
            poller.done.set()
            poller.join()
            peak = worker_peak_rss(site.server.pid)
        copy = data / "copy.bin"
        t0 = time.monotonic()
        subprocess.run(["cp", str(src), str(copy)], check=True)  # noqa: S603, S607
        subprocess.run(["sync", str(copy)], check=True)  # noqa: S603, S607
        cp_seconds = time.monotonic() - t0
    result = {
        "size_mib": round(size / MIB),
        "part_mib": round(part / MIB),
        "upload_with_completion_mib_s": round(size / MIB / total, 1),
        "seconds": round(total, 2),
        "worker_peak_rss_mib": round(peak / MIB, 1),
        "other_request_slowest_ms": round(poller.slowest * 1000),
        "cp_and_sync_mib_s": round(size / MIB / cp_seconds, 1),
        "ratio_upload_to_cp": round(cp_seconds / total, 2),
    }
    print(json.dumps(result, indent=2))  # noqa: T201


if __name__ == "__main__":
    main()
