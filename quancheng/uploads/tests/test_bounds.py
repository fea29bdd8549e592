"""tus input outside the bounds every input has (quancheng.bounds): times out of range
or with an offset in seconds, text over its column or with NUL, numbers that are not ASCII
digits or do not fit a column. Each is refused with its status and path, never a 500."""

from __future__ import annotations

import base64

import pytest

from quancheng.uploads.models import Upload
from quancheng.uploads.tests.conftest import BASE, encode

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path


@pytest.mark.parametrize(
    "value, message",
    [
        ("0001-01-01T00:00:00+08:00", "Must be a time in the years 1970 to 2100 (UTC)."),
        ("9999-12-31T23:59:59+08:00", "Must be a time in the years 1970 to 2100 (UTC)."),
        ("2026-03-02T09:00:00+08:05:43", "whole minutes"),
    ],
)
def test_time_out_of_range_is_422(tus, world, meta, value, message):
    meta["started_at"] = value
    response = tus.create(world.officer, 10, meta)
    assert response.status_code == 422, response.content
    assert response.json()["path"] == "metadata.started_at"
    assert message in response.json()["detail"]
    assert not Upload.objects.exists()


def test_label_longer_than_its_column_is_422(tus, world, meta):
    meta["place"] = "地" * 301
    response = tus.create(world.officer, 10, meta)
    assert response.status_code == 422
    assert response.json() == {"detail": "At most 300 characters.", "path": "metadata.place"}


def test_nul_in_metadata_is_400(tus, world, meta):
    meta["session"] = "a\x00b"
    response = tus.create(world.officer, 10, meta)
    assert response.status_code == 400
    assert response.json()["path"] == "metadata.session"


def test_metadata_value_not_ascii_is_400(tus, world, meta):
    header = encode(meta) + ",place ä="
    response = tus.client.generic(
        "POST",
        BASE,
        headers=tus.headers(world.officer, {"Upload-Length": "10", "Upload-Metadata": header}),
    )
    assert response.status_code == 400, response.content
    assert response.json()["path"] == "metadata.place"


@pytest.mark.parametrize("value", ["²", "1" * 40, "١٢"])
def test_length_that_is_not_a_count_of_bytes_is_400(tus, world, meta, value):
    response = tus.client.generic(
        "POST",
        BASE,
        headers=tus.headers(
            world.officer, {"Upload-Length": value, "Upload-Metadata": encode(meta)}
        ),
    )
    assert response.status_code == 400, response.content
    assert response.json()["path"] == "Upload-Length"


def test_offset_of_40_digits_is_400(tus, world, meta):
    url = tus.create(world.officer, 10, meta)["Location"]
    response = tus.patch(world.officer, url, 0, b"abc", **{"Upload-Offset": "9" * 40})
    assert response.status_code == 400
    assert response.json()["path"] == "Upload-Offset"


def test_checksum_not_ascii_is_400(tus, world, meta):
    url = tus.create(world.officer, 10, meta)["Location"]
    digest = base64.b64encode(b"x" * 32).decode()
    response = tus.patch(world.officer, url, 0, b"abc", **{"Upload-Checksum": f"sha256 ä{digest}"})
    assert response.status_code == 400
    assert response.json()["path"] == "Upload-Checksum"
