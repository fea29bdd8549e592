"""A tus upload completing into the S3 store (moto's S3-compatible server on loopback)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from quancheng.media.models import Recording
from quancheng.media.tests.test_store_s3 import keys, make_bucket, s3_endpoint, s3_env  # noqa: F401
from quancheng.uploads.models import Upload

pytestmark = pytest.mark.django_db

DATA = os.urandom(300_000)


def test_upload_completes_into_s3(
    tus,
    world,
    meta,
    s3_env,  # noqa: F811
    settings,
    tmp_path,
    django_capture_on_commit_callbacks,
):
    settings.DATA_DIR = tmp_path
    bucket = make_bucket(s3_env, settings, lock=True)
    url = tus.create(world.officer, len(DATA), meta)["Location"]
    assert tus.patch(world.officer, url, 0, DATA[:100_000]).status_code == 204
    with django_capture_on_commit_callbacks(execute=True):  # the part goes on commit
        assert tus.patch(world.officer, url, 100_000, DATA[100_000:]).status_code == 204
    recording = Recording.objects.get()
    assert recording.original.backend == "s3"
    assert recording.original.sha256 == hashlib.sha256(DATA).hexdigest()
    assert keys(s3_env, bucket) == [recording.original.key]
    assert not Path(Upload.objects.get().part_path).exists()
