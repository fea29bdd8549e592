"""The S3 backend against moto's S3-compatible server on loopback."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import socket
import uuid

import boto3
import pytest
from django.utils import timezone
from moto.server import ThreadedMotoServer

from quancheng.ledger.models import Fact
from quancheng.media.models import Original
from quancheng.media.store import StoreError, get_store, key_for, store_of
from quancheng.media.store.s3 import PART

pytestmark = pytest.mark.usefixtures("english")

DATA = os.urandom(PART + 12345)  # two parts, the last one short
SHA = hashlib.sha256(DATA).hexdigest()


@pytest.fixture(scope="session")
def s3_endpoint():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3_env(s3_endpoint, monkeypatch, settings):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    settings.QUANCHENG_MEDIA_STORAGE = "s3"
    settings.QUANCHENG_S3_ENDPOINT_URL = s3_endpoint
    settings.QUANCHENG_S3_REGION = "us-east-1"
    settings.QUANCHENG_S3_PREFIX = "originals/"
    settings.QUANCHENG_S3_RETENTION_DAYS = 30
    return boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")


def make_bucket(client, settings, *, lock: bool) -> str:
    name = f"qc-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=name, ObjectLockEnabledForBucket=lock)
    settings.QUANCHENG_S3_BUCKET = name
    return name


def keys(client, bucket):
    return sorted(o["Key"] for o in client.list_objects_v2(Bucket=bucket).get("Contents", []))


def pending_uploads(client, bucket):
    return client.list_multipart_uploads(Bucket=bucket).get("Uploads", [])


def test_multipart_upload_under_digest_and_read_back(db, s3_env, settings):
    bucket = make_bucket(s3_env, settings, lock=False)
    store = get_store()
    seen = []
    original = store.save_stream(io.BytesIO(DATA), progress=seen.append)
    assert (original.backend, original.sha256, original.size) == ("s3", SHA, len(DATA))
    assert original.key == "originals/" + key_for(SHA)
    assert keys(s3_env, bucket) == [original.key]  # the temporary object is gone
    assert pending_uploads(s3_env, bucket) == []
    assert sum(seen) == len(DATA) and len(seen) == 2
    assert store.local_path(original) is None and store.exists(original)
    with store_of(original).open(original) as f:
        assert f.read() == DATA
        f.seek(PART - 3)
        assert f.read(6) == DATA[PART - 3 : PART + 3]
    assert Fact.objects.filter(kind="original.stored", subject_id=str(original.pk)).exists()
    # no Object Lock on this bucket: nothing asked of it
    assert "ObjectLockMode" not in s3_env.head_object(Bucket=bucket, Key=original.key)


def test_same_bytes_twice_stored_once_with_or_without_declared_digest(db, s3_env, settings):
    bucket = make_bucket(s3_env, settings, lock=False)
    store = get_store()
    first = store.save_stream(io.BytesIO(DATA))
    second = store.save_stream(io.BytesIO(DATA))
    third = store.save_stream(io.BytesIO(DATA), declared_sha256=SHA)
    assert first.pk == second.pk == third.pk
    assert keys(s3_env, bucket) == [first.key]
    assert Original.objects.count() == 1


def test_declared_digest_goes_straight_to_its_key_and_mismatch_leaves_nothing(db, s3_env, settings):
    bucket = make_bucket(s3_env, settings, lock=False)
    store = get_store()
    other = hashlib.sha256(b"something else").hexdigest()
    with pytest.raises(StoreError, match="not the"):
        store.save_stream(io.BytesIO(DATA), declared_sha256=other)
    assert keys(s3_env, bucket) == [] and pending_uploads(s3_env, bucket) == []
    original = store.save_stream(io.BytesIO(DATA), declared_sha256=SHA)
    assert keys(s3_env, bucket) == [original.key]


def test_empty_and_broken_streams_leave_nothing(db, s3_env, settings):
    bucket = make_bucket(s3_env, settings, lock=False)
    store = get_store()
    with pytest.raises(StoreError, match="empty"):
        store.save_stream(io.BytesIO(b""))

    class Broken(io.RawIOBase):
        sent = 0

        def readable(self):
            return True

        def readinto(self, buffer):
            if self.sent >= PART + 100:
                raise ConnectionResetError("client went away")
            data = DATA[self.sent : self.sent + min(len(buffer), 100_000)]
            n = len(data)
            buffer[:n] = data
            self.sent += n
            return n

    with pytest.raises(ConnectionResetError):
        store.save_stream(Broken())
    assert keys(s3_env, bucket) == [] and pending_uploads(s3_env, bucket) == []
    assert Original.objects.count() == 0


def test_object_lock_compliance_retention(db, s3_env, settings):
    bucket = make_bucket(s3_env, settings, lock=True)
    store = get_store()
    assert store.lock_enabled()
    before = timezone.now()
    for declared in (None, hashlib.sha256(b"declared").hexdigest()):
        data = DATA if declared is None else b"declared"
        original = store.save_stream(io.BytesIO(data), declared_sha256=declared)
        head = s3_env.head_object(Bucket=bucket, Key=original.key)
        assert head["ObjectLockMode"] == "COMPLIANCE"
        until = head["ObjectLockRetainUntilDate"]
        assert before + dt.timedelta(days=29) < until < before + dt.timedelta(days=31)
    # a locked original cannot be deleted (by its version)
    version = s3_env.head_object(Bucket=bucket, Key=original.key)["VersionId"]
    with pytest.raises(s3_env.exceptions.ClientError):
        s3_env.delete_object(Bucket=bucket, Key=original.key, VersionId=version)


def test_cleanup_aborts_stale_uploads_only(db, s3_env, settings):
    bucket = make_bucket(s3_env, settings, lock=False)
    store = get_store()
    original = store.save_stream(io.BytesIO(b"kept"))
    s3_env.create_multipart_upload(Bucket=bucket, Key="originals/tmp/crashed")
    s3_env.put_object(Bucket=bucket, Key="originals/tmp/left", Body=b"x")
    # (moto dates every multipart upload 2010, so only the temporary object's age is real)
    assert len(keys(s3_env, bucket)) == 2
    assert store.cleanup(stale_after=-60) == 2
    assert pending_uploads(s3_env, bucket) == []
    assert keys(s3_env, bucket) == [original.key]


def test_dock_import_into_s3(world, s3_env, settings, camera, dock):
    bucket = make_bucket(s3_env, settings, lock=True)
    from django.core.management import call_command

    out = io.StringIO()
    args = [str(dock), "--device", "CAM-7", "--officer", "AH-0001", "--no-progress"]
    call_command("ingest", *args, stdout=out)
    assert "Imported 3, skipped 0, failed 0." in out.getvalue()
    from quancheng.media.models import Recording

    for recording in Recording.objects.select_related("original"):
        assert recording.original.backend == "s3"
        head = s3_env.head_object(Bucket=bucket, Key=recording.original.key)
        assert head["ContentLength"] == recording.size
        assert head["ObjectLockMode"] == "COMPLIANCE"
    call_command("ingest", *args, stdout=(again := io.StringIO()))
    assert "Imported 0, skipped 3, failed 0." in again.getvalue()


def test_verify_finds_missing_and_unaccounted_objects(db, s3_env, settings):
    from quancheng.media.verify import verify

    bucket = make_bucket(s3_env, settings, lock=False)
    store = get_store()
    kept = store.save_stream(io.BytesIO(b"kept"))
    gone = store.save_stream(io.BytesIO(b"gone"))
    assert list(verify(full=True)) == []
    s3_env.delete_object(Bucket=bucket, Key=gone.key)
    s3_env.put_object(Bucket=bucket, Key="originals/" + key_for("e" * 64), Body=b"?")
    problems = {p.key: p.message for p in verify(full=True)}
    assert set(problems) == {gone.key, "originals/" + key_for("e" * 64)}
    assert kept.key not in problems
