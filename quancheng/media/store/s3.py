"""Originals in an S3-compatible bucket: ``<prefix>sha256/ab/cd/<hex>``.

Bytes go up as a multipart upload, hashed part by part on the way (constant memory); a
multipart upload is invisible until it is completed, so a broken transfer leaves nothing
under a digest key. With a declared digest the upload goes straight to its final key and is
completed only if the digest agrees; without one it goes to ``<prefix>tmp/…`` and is copied
server-side to its digest key. Where the bucket has Object Lock enabled, each original gets
COMPLIANCE retention until ``QUANCHENG_S3_RETENTION_DAYS`` from now.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from quancheng.ledger.public import Actor
from quancheng.media.models import Original
from quancheng.media.store.base import (
    Digests,
    Progress,
    StoreError,
    check_declared,
    existing_original,
    hash_only,
    key_for,
    normalise_declared,
    record_original,
)

MIB = 1024 * 1024
PART = 8 * MIB  # S3's minimum part is 5 MiB (all but the last); at most 10 000 parts


def part_size(part_number: int) -> int:
    """8 MiB parts, growing by 8 MiB every thousand parts so 10 000 parts hold 440 GiB."""
    return PART * (1 + (part_number - 1) // 1000)


class S3Store:
    backend = "s3"

    def __init__(
        self, client: Any, bucket: str, *, prefix: str = "", retention_days: int = 0
    ) -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix
        self.retention_days = retention_days
        self._lock_enabled: bool | None = None

    @classmethod
    def from_settings(cls) -> S3Store:
        import boto3

        bucket = settings.QUANCHENG_S3_BUCKET
        if not bucket:
            from django.core.exceptions import ImproperlyConfigured

            raise ImproperlyConfigured("QUANCHENG_MEDIA_STORAGE=s3 needs QUANCHENG_S3_BUCKET.")
        client = boto3.client(
            "s3",
            endpoint_url=settings.QUANCHENG_S3_ENDPOINT_URL or None,
            region_name=settings.QUANCHENG_S3_REGION or None,
        )
        return cls(
            client,
            bucket,
            prefix=settings.QUANCHENG_S3_PREFIX,
            retention_days=settings.QUANCHENG_S3_RETENTION_DAYS,
        )

    # -- Object Lock ---------------------------------------------------------------------

    def lock_enabled(self) -> bool:
        """Whether the bucket has Object Lock enabled (asked once per store)."""
        if self._lock_enabled is None:
            from botocore.exceptions import ClientError

            try:
                conf = self.client.get_object_lock_configuration(Bucket=self.bucket)
            except ClientError as exc:
                code = exc.response.get("Error", {}).get("Code", "")
                if code not in {"ObjectLockConfigurationNotFoundError", "NotImplemented"}:
                    raise
                self._lock_enabled = False
            else:
                lock = conf.get("ObjectLockConfiguration", {})
                self._lock_enabled = lock.get("ObjectLockEnabled") == "Enabled"
        return self._lock_enabled

    def _retain_until(self) -> dt.datetime | None:
        if self.retention_days <= 0 or not self.lock_enabled():
            return None
        return (timezone.now() + dt.timedelta(days=self.retention_days)).replace(microsecond=0)

    def _protect(self, key: str, until: dt.datetime | None) -> None:
        if until is not None:
            self.client.put_object_retention(
                Bucket=self.bucket,
                Key=key,
                Retention={"Mode": "COMPLIANCE", "RetainUntilDate": until},
            )

    # -- writing -------------------------------------------------------------------------

    def _object_size(self, key: str) -> int | None:
        from botocore.exceptions import ClientError

        try:
            return self.client.head_object(Bucket=self.bucket, Key=key)["ContentLength"]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                return None
            raise

    def save_stream(
        self,
        stream: BinaryIO,
        *,
        declared_sha256: str | None = None,
        progress: Progress | None = None,
        actor: Actor | None = None,
    ) -> Original:
        declared = normalise_declared(declared_sha256)
        if declared is not None and self._object_size(self.prefix + key_for(declared)):
            return self._verify_only(stream, declared, progress, actor)
        final = declared is not None
        key = self.prefix + (key_for(declared) if declared else f"tmp/{uuid.uuid4().hex}")
        until = self._retain_until() if final else None
        digests = self._upload(stream, key, until, progress, check=declared)
        sha256, sm3 = digests.hexdigests()
        if not final:
            temp_key = key
            try:
                key = self._publish(temp_key, sha256, digests.size)
            finally:
                self.client.delete_object(Bucket=self.bucket, Key=temp_key)
        return self._record(key, sha256, sm3, digests.size, actor)

    def _record(self, key: str, sha256: str, sm3: str, size: int, actor: Actor | None) -> Original:
        original = existing_original(sha256)
        if original is not None:
            return original
        return record_original(self.backend, key, sha256, sm3, size, actor)

    def _verify_only(
        self, stream: BinaryIO, declared: str, progress: Progress | None, actor: Actor | None
    ) -> Original:
        """The bytes are in the bucket already: hash what was sent, store nothing new."""
        digests = hash_only(stream, progress)
        sha256, sm3 = digests.hexdigests()
        check_declared(declared, sha256, digests.size)
        return self._record(self.prefix + key_for(sha256), sha256, sm3, digests.size, actor)

    def _upload(
        self,
        stream: BinaryIO,
        key: str,
        until: dt.datetime | None,
        progress: Progress | None,
        *,
        check: str | None,
    ) -> Digests:
        """Multipart upload of ``stream`` to ``key``, completed only when the bytes are all
        there (and match ``check``); aborted, leaving nothing, on any error."""
        extra: dict[str, Any] = {}
        if until is not None:
            extra = {"ObjectLockMode": "COMPLIANCE", "ObjectLockRetainUntilDate": until}
        upload_id = self.client.create_multipart_upload(Bucket=self.bucket, Key=key, **extra)[
            "UploadId"
        ]
        digests = Digests()
        try:
            parts = self._send_parts(stream, key, upload_id, digests, progress, check)
            sha256, _sm3 = digests.hexdigests()
            check_declared(check, sha256, digests.size)
            self.client.complete_multipart_upload(
                Bucket=self.bucket,
                Key=key,
                UploadId=upload_id,
                MultipartUpload={"Parts": parts},
            )
        except BaseException:
            self.client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)
            raise
        self._protect(key, until)
        return digests

    def _send_parts(
        self,
        stream: BinaryIO,
        key: str,
        upload_id: str,
        digests: Digests,
        progress: Progress | None,
        check: str | None,
    ) -> list[dict[str, Any]]:
        """Read, hash and upload ``stream`` part by part; returns the uploaded parts in order.
        An empty stream is refused (``check_declared``) before any part goes up."""
        parts: list[dict[str, Any]] = []
        # One part goes up while the next is read and hashed: at most two parts' bytes
        # (and the buffer) in memory.
        with ThreadPoolExecutor(max_workers=1) as pool:
            in_flight: Future[dict[str, Any]] | None = None
            number = 1
            buffer = bytearray(part_size(number))
            while True:
                filled = _fill(stream, buffer)
                if filled == 0 and number > 1:
                    break
                chunk = memoryview(buffer)[:filled]
                digests.update(chunk)
                if filled == 0:
                    check_declared(check, "", 0)  # empty: refused, nothing is made
                body = bytes(chunk)
                if in_flight is not None:
                    parts.append(self._part_done(in_flight, progress))
                in_flight = pool.submit(self._put_part, key, upload_id, number, body)
                if filled < len(buffer):
                    break
                number += 1
                if len(buffer) != part_size(number):
                    buffer = bytearray(part_size(number))
            if in_flight is not None:
                parts.append(self._part_done(in_flight, progress))
        return parts

    def _put_part(self, key: str, upload_id: str, number: int, body: bytes) -> dict[str, Any]:
        response = self.client.upload_part(
            Bucket=self.bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=body
        )
        part = {"ETag": response["ETag"], "PartNumber": number, "_size": len(body)}
        part.update({k: v for k, v in response.items() if k.startswith("Checksum")})
        return part

    @staticmethod
    def _part_done(future: Future[dict[str, Any]], progress: Progress | None) -> dict[str, Any]:
        part = future.result()
        size = part.pop("_size")
        if progress is not None:
            progress(size)
        return part

    def _publish(self, temp_key: str, sha256: str, size: int) -> str:
        """Copy the complete temporary object under its digest (unless already there)."""
        key = self.prefix + key_for(sha256)
        present = self._object_size(key)
        if present is not None:
            if present != size:
                raise StoreError(
                    _("The stored object %(key)s does not have the size its digest promises.")
                    % {"key": key}
                )
            return key
        source = {"Bucket": self.bucket, "Key": temp_key}
        if size <= 5 * 1024 * MIB:
            self.client.copy_object(CopySource=source, Bucket=self.bucket, Key=key)
        else:  # CopyObject stops at 5 GiB; the managed copy does it in parts
            self.client.copy(source, self.bucket, key)
        self._protect(key, self._retain_until())
        return key

    def save_file(
        self,
        path: Path,
        *,
        declared_sha256: str | None = None,
        move: bool = False,
        progress: Progress | None = None,
        actor: Actor | None = None,
    ) -> Original:
        path = Path(path)
        with open(path, "rb", buffering=0) as stream:
            original = self.save_stream(
                stream, declared_sha256=declared_sha256, progress=progress, actor=actor
            )
        if move:  # the staged name goes when the caller's transaction commits
            transaction.on_commit(lambda: path.unlink(missing_ok=True))
        return original

    # -- reading -------------------------------------------------------------------------

    def open(self, original: Original) -> BinaryIO:
        raw = S3ObjectReader(self.client, self.bucket, original.key, original.size)
        return io.BufferedReader(raw, buffer_size=MIB)

    def local_path(self, original: Original) -> Path | None:
        return None

    def exists(self, original: Original) -> bool:
        return self._object_size(original.key) == original.size

    # -- housekeeping --------------------------------------------------------------------

    def stored_keys(self) -> Iterator[str]:
        """Every key under ``<prefix>sha256/``, with or without its row."""
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix + "sha256/"):
            for item in page.get("Contents", []):
                yield item["Key"]

    def cleanup(self, stale_after: float = 24 * 3600) -> int:
        """Abort multipart uploads and remove temporary objects older than ``stale_after``
        seconds (left by a killed save). Objects under digest keys are never touched."""
        cutoff = timezone.now() - dt.timedelta(seconds=stale_after)
        removed = 0
        paginator = self.client.get_paginator("list_multipart_uploads")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix):
            for upload in page.get("Uploads", []):
                if upload["Initiated"] < cutoff:
                    self.client.abort_multipart_upload(
                        Bucket=self.bucket, Key=upload["Key"], UploadId=upload["UploadId"]
                    )
                    removed += 1
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix + "tmp/"):
            for item in page.get("Contents", []):
                if item["LastModified"] < cutoff:
                    self.client.delete_object(Bucket=self.bucket, Key=item["Key"])
                    removed += 1
        return removed


def _fill(stream: BinaryIO, buffer: bytearray) -> int:
    """Fill ``buffer`` completely unless the stream ends first (parts must be full-size)."""
    view = memoryview(buffer)
    filled = 0
    while filled < len(buffer):
        n = read_into_view(stream, view[filled:])
        if n == 0:
            break
        filled += n
    return filled


def read_into_view(stream: BinaryIO, view: memoryview) -> int:
    readinto = getattr(stream, "readinto", None)
    if readinto is not None:
        return readinto(view) or 0
    data = stream.read(len(view))
    view[: len(data)] = data
    return len(data)


class S3ObjectReader(io.RawIOBase):
    """A seekable, read-only view of one object, read with HTTP range requests."""

    def __init__(self, client: Any, bucket: str, key: str, size: int) -> None:
        self.client, self.bucket, self.key, self.size = client, bucket, key, size
        self.position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.size}[whence]
        self.position = max(0, base + offset)
        return self.position

    def readall(self) -> bytes:
        if self.position >= self.size:
            return b""
        body = self.client.get_object(
            Bucket=self.bucket, Key=self.key, Range=f"bytes={self.position}-{self.size - 1}"
        )["Body"]
        data = body.read()
        self.position += len(data)
        return data

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        if self.position >= self.size or len(view) == 0:
            return 0
        end = min(self.size, self.position + len(view)) - 1
        body = self.client.get_object(
            Bucket=self.bucket, Key=self.key, Range=f"bytes={self.position}-{end}"
        )["Body"]
        n = 0
        for chunk in body.iter_chunks(MIB):
            view[n : n + len(chunk)] = chunk
            n += len(chunk)
        self.position += n
        return n
