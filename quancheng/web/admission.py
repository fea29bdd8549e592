"""Admission: how many requests of one server process run Django's code at once.

``quancheng serve`` runs each worker with many threads so that slow clients (a phone
sending an upload over a weak network) do not stall everyone else: a thread that waits for
a body costs nothing. Threads that all compute at once do cost: they take turns at Python's
interpreter lock, every switch throws away the CPU's caches, and the SQLite writers among
them queue for the database's one write lock; measured with ``bench/web.py`` (20 clients,
2 workers), the case page needs 18 to 22 ms of CPU each with every thread admitted and 15
ms with four. So a request's small body (up to ``DATA_UPLOAD_MAX_MEMORY_SIZE``, which
Django would read into memory anyway) is read first, outside, and the request then waits
for one of ``QUANCHENG_WEB_SLOTS`` places (default 4 per process) to run the view. A large
body, and any tus upload chunk, is read by the view itself as it streams and is admitted at
once, so a stalled upload never holds a place and a broken one keeps the bytes that came.
The response is sent after the place is given back.
"""

from __future__ import annotations

import io
import threading
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

TUS_CHUNK = "application/offset+octet-stream"
StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class Admission:
    """A WSGI wrapper that lets at most ``slots`` requests run ``app`` at once."""

    def __init__(self, app: WSGIApp, slots: int, body_limit: int) -> None:
        self.app = app
        self.body_limit = body_limit
        self._places = Places(slots) if slots > 0 else None

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if self._places is None:
            return self.app(environ, start_response)
        length = _content_length(environ)
        if length is None or length > self.body_limit or _streamed(environ):
            return self.app(environ, start_response)  # streamed by the view, unqueued
        if length:
            # Read before queueing: a slow sender holds a thread, never a place.
            environ["wsgi.input"] = io.BytesIO(environ["wsgi.input"].read(length))
        with self._places:
            return self.app(environ, start_response)


def _streamed(environ: dict[str, Any]) -> bool:
    """A tus upload chunk, which the view writes to disk as it arrives, whatever its size:
    if the connection breaks, the bytes that came are kept for the resume."""
    return environ.get("CONTENT_TYPE", "").startswith(TUS_CHUNK)


def _content_length(environ: dict[str, Any]) -> int | None:
    """The announced body length; 0 for none; None for a body of unknown length (chunked)."""
    if environ.get("HTTP_TRANSFER_ENCODING"):
        return None
    raw = environ.get("CONTENT_LENGTH") or "0"
    try:
        length = int(raw)
    except ValueError:
        return 0  # Django answers a malformed length; no body is read here
    return max(length, 0)


class Places:
    """``n`` places given in order of asking: a freed place goes straight to the longest
    waiter (a semaphore lets a newcomer take it first, and a few unlucky requests wait for
    seconds)."""

    def __init__(self, n: int) -> None:
        self._lock = threading.Lock()
        self._free = n
        self._waiting: deque[threading.Lock] = deque()

    def __enter__(self) -> None:
        with self._lock:
            if self._free and not self._waiting:
                self._free -= 1
                return
            turn = threading.Lock()
            turn.acquire()
            self._waiting.append(turn)
        turn.acquire()  # released by the one who hands its place over

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            if self._waiting:
                self._waiting.popleft().release()
            else:
                self._free += 1
