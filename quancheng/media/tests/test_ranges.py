"""Range semantics of ``ranged_response``, on a real file."""

from __future__ import annotations

import io

import pytest
from django.test import RequestFactory

from quancheng.media.ranges import ByteRange, Unsatisfiable, parse_range, ranged_response

DATA = bytes(range(256)) * 40  # 10 240 bytes, every offset distinguishable


def answer(range_header: str | None = None, method: str = "GET", **headers):
    extra = {"HTTP_RANGE": range_header} if range_header else {}
    extra.update({f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()})
    request = RequestFactory().generic(method, "/x", **extra)
    stream = io.BytesIO(DATA)
    response = ranged_response(request, stream, len(DATA), "video/mp4", "abc", last_modified=0)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body, stream


def test_no_range_sends_everything():
    response, body, stream = answer()
    assert response.status_code == 200
    assert body == DATA
    assert response["Content-Length"] == str(len(DATA))
    assert response["Accept-Ranges"] == "bytes"
    assert stream.closed


def test_first_bytes():
    response, body, _ = answer("bytes=0-99")
    assert response.status_code == 206
    assert body == DATA[:100]
    assert response["Content-Range"] == f"bytes 0-99/{len(DATA)}"
    assert response["Content-Length"] == "100"


def test_middle_range_spans_blocks():
    response, body, _ = answer("bytes=1000-9999")
    assert response.status_code == 206
    assert body == DATA[1000:10000]


def test_suffix_range():
    response, body, _ = answer("bytes=-500")
    assert response.status_code == 206
    assert body == DATA[-500:]
    assert response["Content-Range"] == f"bytes {len(DATA) - 500}-{len(DATA) - 1}/{len(DATA)}"


def test_suffix_longer_than_the_file_is_the_whole_file():
    response, body, _ = answer("bytes=-999999")
    assert response.status_code == 206
    assert body == DATA


def test_open_ended_range():
    response, body, _ = answer("bytes=10000-")
    assert response.status_code == 206
    assert body == DATA[10000:]
    assert response["Content-Range"] == f"bytes 10000-{len(DATA) - 1}/{len(DATA)}"


def test_end_past_the_file_is_clipped():
    response, body, _ = answer("bytes=10200-20000")
    assert response.status_code == 206
    assert body == DATA[10200:]


@pytest.mark.parametrize("header", [f"bytes={len(DATA)}-", "bytes=999999-1000000", "bytes=-0"])
def test_unsatisfiable_is_416(header):
    response, body, stream = answer(header)
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(DATA)}"
    assert body == b""
    assert stream.closed


@pytest.mark.parametrize("header", ["items=0-5", "bytes=5-3", "bytes=0-1,5-9", "bytes=x-"])
def test_ranges_we_do_not_serve_get_the_whole_file(header):
    response, body, _ = answer(header)
    assert response.status_code == 200
    assert body == DATA


def test_if_range_with_the_current_etag_gets_the_range():
    response, body, _ = answer("bytes=0-9", **{"If-Range": '"abc"'})
    assert response.status_code == 206
    assert body == DATA[:10]


def test_if_range_with_another_etag_gets_the_whole_file():
    response, body, _ = answer("bytes=0-9", **{"If-Range": '"old"'})
    assert response.status_code == 200
    assert body == DATA


def test_head_sends_headers_only():
    response, body, stream = answer("bytes=0-9", method="HEAD")
    assert response.status_code == 206
    assert response["Content-Length"] == "10"
    assert body == b""
    assert stream.closed


def test_parse_range_edges():
    assert parse_range(None, 10) is None
    assert parse_range("bytes=0-0", 10) == ByteRange(0, 0)
    assert parse_range("bytes=9-", 10) == ByteRange(9, 9)
    with pytest.raises(Unsatisfiable):
        parse_range("bytes=0-", 0)


def test_memory_stays_flat_for_a_large_file(tmp_path):
    import tracemalloc

    big = tmp_path / "big.bin"
    size = 64 * 1024 * 1024
    with big.open("wb") as f:
        f.truncate(size)  # sparse: quick to make, read like any file
    request = RequestFactory().get("/x", HTTP_RANGE="bytes=1-")
    tracemalloc.start()
    response = ranged_response(request, big.open("rb"), size, "video/mp4", "big")
    total = largest = 0
    for chunk in response.streaming_content:
        total += len(chunk)
        largest = max(largest, len(chunk))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert total == size - 1
    assert largest <= 256 * 1024
    assert peak < 4 * 1024 * 1024
