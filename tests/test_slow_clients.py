"""Slow clients do not stall the server: fifty requests whose bodies stop after one byte
(as a phone on a weak network sends an upload, or a client that means harm) leave
``quancheng serve`` answering everyone else at once."""

from __future__ import annotations

import socket
import time
import urllib.request

from tests.servers import SERVE, running, server_env

STALLED = 50


def stalled_body(port: int, path: str) -> socket.socket:
    """A connection that sent a request announcing 100 bytes of body, and one of them."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.sendall(
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        "Content-Length: 100\r\n\r\nx".encode()
    )
    return sock


def timed_get(url: str) -> float:
    started = time.monotonic()
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - our own server
        response.read()
        assert response.status == 200
    return time.monotonic() - started


def test_fifty_stalled_bodies_do_not_delay_other_requests(tmp_path):
    env = server_env(tmp_path)
    serve = [a for a in SERVE if a != "--no-migrate"]  # a fresh, empty site
    with running(serve, env, tmp_path / "server.log", "/accounts/login/") as (base, _):
        port = int(base.rsplit(":", 1)[1])
        timed_get(base + "/accounts/login/")  # warm: the first request loads the templates
        sockets: list[socket.socket] = []
        try:
            for _ in range(STALLED):
                sockets.append(stalled_body(port, "/accounts/login/"))
            time.sleep(1)  # the server has read their headers and waits for the rest
            slowest = max(timed_get(base + "/accounts/login/") for _ in range(5))
        finally:
            for sock in sockets:
                sock.close()
    assert slowest < 1, f"a request took {slowest:.1f} s beside {STALLED} stalled bodies"
