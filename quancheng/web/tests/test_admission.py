"""Admission (``web/admission.py``): at most so many requests of a process run at once, in
the order they asked; a small body is read before queueing, a large one streams unqueued."""

from __future__ import annotations

import io
import threading
import time

from quancheng.web.admission import Admission, Places


class App:
    """A WSGI app that notes how many of its calls overlap and what body each read."""

    def __init__(self, hold: float = 0.05) -> None:
        self.hold = hold
        self.running = 0
        self.most = 0
        self.bodies: list[bytes] = []
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self._lock:
            self.running += 1
            self.most = max(self.most, self.running)
        try:
            time.sleep(self.hold)
            self.bodies.append(environ["wsgi.input"].read())
            start_response("200 OK", [])
            return [b"ok"]
        finally:
            with self._lock:
                self.running -= 1


def environ(body: bytes = b"", length: str | None = None) -> dict:
    return {"wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": length or str(len(body))}


def call_all(wrapped, environs):
    threads = [threading.Thread(target=wrapped, args=(env, lambda *a: None)) for env in environs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)


def test_no_more_than_the_slots_run_at_once():
    app = App()
    call_all(Admission(app, slots=3, body_limit=1024), [environ() for _ in range(12)])
    assert app.most == 3
    assert len(app.bodies) == 12


def test_no_slots_admits_everyone():
    app = App()
    call_all(Admission(app, slots=0, body_limit=1024), [environ() for _ in range(8)])
    assert app.most == 8


class Trickle(io.RawIOBase):
    """A body that arrives slowly, as from a phone on a weak network."""

    def __init__(self, data: bytes, delay: float) -> None:
        self.data, self.delay = data, delay

    def read(self, n: int = -1) -> bytes:
        time.sleep(self.delay)
        data, self.data = self.data, b""
        return data


def test_a_slow_small_body_is_read_before_it_takes_a_place():
    app = App(hold=0.0)
    wrapped = Admission(app, slots=1, body_limit=1024)
    slow = {"wsgi.input": Trickle(b"a=1", delay=1.0), "CONTENT_LENGTH": "3"}
    started = threading.Thread(target=wrapped, args=(slow, lambda *a: None))
    started.start()
    time.sleep(0.1)  # the slow body is being read
    begun = time.monotonic()
    wrapped(environ(b"b=2"), lambda *a: None)  # the one place is free meanwhile
    assert time.monotonic() - begun < 0.5
    started.join()
    assert sorted(app.bodies) == [b"a=1", b"b=2"]


def test_a_large_chunked_or_tus_body_streams_without_a_place():
    app = App(hold=0.2)
    wrapped = Admission(app, slots=1, body_limit=4)
    large = environ(b"0123456789")
    chunked = environ(b"", length="")
    chunked["HTTP_TRANSFER_ENCODING"] = "chunked"
    tus = environ(b"01")
    tus["CONTENT_TYPE"] = "application/offset+octet-stream"
    tus_input = tus["wsgi.input"]
    call_all(wrapped, [large, chunked, tus, environ()])
    assert app.most == 4  # none of the four waited for the one place
    assert tus["wsgi.input"] is tus_input  # the tus chunk reached the view unread


def test_places_are_given_in_the_order_asked():
    places = Places(1)
    order: list[int] = []
    places.__enter__()  # taken: everyone below waits

    def wait(i: int) -> None:
        with places:
            order.append(i)

    threads = []
    for i in range(6):
        thread = threading.Thread(target=wait, args=(i,))
        thread.start()
        threads.append(thread)
        time.sleep(0.02)  # each asks after the one before
    places.__exit__(None, None, None)
    for thread in threads:
        thread.join(timeout=5)
    assert order == list(range(6))
