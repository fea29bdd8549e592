"""The tus 1.0.0 protocol as the server speaks it (Django's test client, real files)."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest

from quancheng.ledger.models import Fact
from quancheng.media.models import Original, Recording
from quancheng.uploads.choices import UploadState
from quancheng.uploads.models import Upload
from quancheng.uploads.tests.conftest import BASE, encode, sha256

pytestmark = pytest.mark.django_db

DATA = bytes(range(256)) * 4096 + b"tail"  # 1 MiB and 4 bytes


@pytest.fixture(autouse=True)
def _data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.QUANCHENG_MEDIA_STORAGE = "local"
    settings.QUANCHENG_MEDIA_DIR = tmp_path / "media"


def test_options_tells_version_extensions_and_limits(tus, world):
    response = tus.client.options(BASE)
    assert response.status_code == 204
    assert response["Tus-Resumable"] == "1.0.0"
    assert response["Tus-Version"] == "1.0.0"
    extensions = response["Tus-Extension"].split(",")
    for name in ("creation", "creation-with-upload", "termination", "checksum", "expiration"):
        assert name in extensions
    assert int(response["Tus-Max-Size"]) > 0
    assert "sha256" in response["Tus-Checksum-Algorithm"].split(",")


def test_upload_in_two_requests_becomes_a_recording_with_its_original(
    tus, world, meta, django_capture_on_commit_callbacks
):
    created = tus.create(world.officer, len(DATA), meta)
    assert created.status_code == 201, created.content
    url = created["Location"]
    assert url.startswith("http://testserver/api/v1/uploads/")
    assert created["Tus-Resumable"] == "1.0.0"
    assert created["Upload-Expires"]
    upload = Upload.objects.get()
    assert Path(upload.part_path).exists()

    head = tus.head(world.officer, url)
    assert head.status_code == 200
    assert (head["Upload-Offset"], head["Upload-Length"]) == ("0", str(len(DATA)))
    assert head["Cache-Control"] == "no-store"

    first = tus.patch(world.officer, url, 0, DATA[:600_000])
    assert first.status_code == 204, first.content
    assert first["Upload-Offset"] == "600000"
    assert tus.head(world.officer, url)["Upload-Offset"] == "600000"
    assert not Recording.objects.exists()

    # the part file goes when the completing transaction commits
    with django_capture_on_commit_callbacks(execute=True):
        last = tus.patch(world.officer, url, 600_000, DATA[600_000:])
    assert last.status_code == 204, last.content
    assert last["Upload-Offset"] == str(len(DATA))
    recording = Recording.objects.get(pk=int(last["Quancheng-Recording"]))
    assert recording.original.sha256 == sha256(DATA)
    assert recording.original.size == len(DATA)
    assert (recording.sha256, recording.size) == (sha256(DATA), len(DATA))
    assert recording.file_name == meta["filename"]
    assert recording.device.serial == "DSJ-A-001"
    assert [o.cert_no for o in recording.officers.all()] == ["AH-0001"]
    assert recording.place == meta["place"]
    assert recording.uploaded_at is not None
    upload.refresh_from_db()
    assert upload.state == UploadState.COMPLETED
    assert upload.recording == recording
    assert not Path(upload.part_path).exists()
    kinds = list(Fact.objects.filter(subject_type="upload").values_list("kind", flat=True))
    assert kinds == ["upload.created", "upload.completed"]

    # The client missed the last answer and asks again: the upload is done.
    again = tus.head(world.officer, url)
    assert again["Upload-Offset"] == str(len(DATA))
    assert again["Quancheng-Recording"] == str(recording.pk)
    assert tus.patch(world.officer, url, len(DATA), b"").status_code == 204


def test_metadata_is_echoed_on_head(tus, world, meta):
    url = tus.create(world.officer, 10, meta)["Location"]
    echoed = tus.head(world.officer, url)["Upload-Metadata"]
    pairs = dict(item.split(" ") for item in echoed.split(","))
    assert base64.b64decode(pairs["place"]).decode() == meta["place"]


def test_creation_with_upload_takes_the_first_bytes_in_the_post(tus, world, meta):
    response = tus.client.post(
        BASE,
        data=DATA[:1000],
        content_type="application/offset+octet-stream",
        headers=tus.headers(
            world.officer, {"Upload-Length": str(len(DATA)), "Upload-Metadata": encode(meta)}
        ),
    )
    assert response.status_code == 201, response.content
    assert response["Upload-Offset"] == "1000"
    done = tus.patch(world.officer, response["Location"], 1000, DATA[1000:])
    assert done.status_code == 204
    assert Recording.objects.get().original.sha256 == sha256(DATA)


def test_an_interrupted_patch_keeps_what_arrived_and_resumes(tus, world, meta):
    data = DATA * 3
    url = tus.create(world.officer, len(data), meta)["Location"]
    # The client announced all of it but the connection broke after 1.5 MiB.
    broken = tus.patch(world.officer, url, 0, data[: 3 * 2**19], CONTENT_LENGTH=str(len(data)))
    assert broken.status_code == 204
    kept = int(tus.head(world.officer, url)["Upload-Offset"])
    assert 0 < kept < len(data)
    assert Path(Upload.objects.get().part_path).stat().st_size == kept
    assert not Recording.objects.exists()
    done = tus.patch(world.officer, url, kept, data[kept:])
    assert done.status_code == 204
    assert Recording.objects.get().original.sha256 == sha256(data)


def test_a_longer_part_file_than_the_recorded_offset_is_cut_back(tus, world, meta):
    """A server killed after writing but before recording the offset."""
    url = tus.create(world.officer, len(DATA), meta)["Location"]
    tus.patch(world.officer, url, 0, DATA[:100])
    with open(Upload.objects.get().part_path, "ab") as part:
        part.write(b"garbage that was never acknowledged")
    assert tus.head(world.officer, url)["Upload-Offset"] == "100"
    assert tus.patch(world.officer, url, 100, DATA[100:]).status_code == 204
    assert Original.objects.get().sha256 == sha256(DATA)


def test_same_bytes_twice_is_one_original_and_two_recordings(tus, world, meta):
    for _ in range(2):
        url = tus.create(world.officer, len(DATA), meta)["Location"]
        assert tus.patch(world.officer, url, 0, DATA).status_code == 204
    assert Original.objects.count() == 1
    recordings = list(Recording.objects.all())
    assert len(recordings) == 2
    assert {r.original_id for r in recordings} == {Original.objects.get().pk}


def test_upload_checksum_per_request(tus, world, meta):
    url = tus.create(world.officer, len(DATA), meta)["Location"]
    chunk = DATA[:5000]
    good = "sha256 " + base64.b64encode(hashlib.sha256(chunk).digest()).decode()
    bad = "sha256 " + base64.b64encode(hashlib.sha256(b"other").digest()).decode()
    refused = tus.patch(world.officer, url, 0, chunk, **{"Upload-Checksum": bad})
    assert refused.status_code == 460
    assert refused.json()["path"] == "Upload-Checksum"
    assert tus.head(world.officer, url)["Upload-Offset"] == "0"
    assert Path(Upload.objects.get().part_path).stat().st_size == 0
    accepted = tus.patch(world.officer, url, 0, chunk, **{"Upload-Checksum": good})
    assert accepted.status_code == 204
    assert accepted["Upload-Offset"] == "5000"
    sha1 = "sha1 " + base64.b64encode(hashlib.sha1(DATA[5000:]).digest()).decode()  # noqa: S324
    assert (
        tus.patch(world.officer, url, 5000, DATA[5000:], **{"Upload-Checksum": sha1}).status_code
        == 204
    )
    unknown = tus.patch(world.officer, url, 0, b"x", **{"Upload-Checksum": "crc32 AAAA"})
    assert unknown.status_code == 400
    assert unknown.json()["path"] == "Upload-Checksum"


def test_termination_removes_the_part_file(tus, world, meta, django_capture_on_commit_callbacks):
    url = tus.create(world.officer, len(DATA), meta)["Location"]
    tus.patch(world.officer, url, 0, DATA[:10])
    part = Path(Upload.objects.get().part_path)
    with django_capture_on_commit_callbacks(execute=True):
        response = tus.delete(world.officer, url)
    assert response.status_code == 204
    assert not part.exists()
    assert Upload.objects.get().state == UploadState.ABORTED
    assert Fact.objects.filter(kind="upload.aborted").count() == 1
    assert tus.head(world.officer, url).status_code == 410
    assert tus.patch(world.officer, url, 10, DATA[10:]).status_code == 410
    assert not Recording.objects.exists()


def test_a_completed_upload_cannot_be_terminated(tus, world, meta):
    url = tus.create(world.officer, len(DATA), meta)["Location"]
    tus.patch(world.officer, url, 0, DATA)
    response = tus.delete(world.officer, url)
    assert response.status_code == 409
    assert Recording.objects.count() == 1


def test_method_override_for_clients_without_patch(tus, world, meta):
    url = tus.create(world.officer, 4, meta)["Location"]
    response = tus.client.post(
        url,
        data=b"abcd",
        content_type="application/offset+octet-stream",
        headers=tus.headers(
            world.officer, {"Upload-Offset": "0", "X-HTTP-Method-Override": "PATCH"}
        ),
    )
    assert response.status_code == 204
    assert Recording.objects.get().size == 4


def test_status_as_json(tus, world, meta):
    url = tus.create(world.officer, len(DATA), meta)["Location"]
    tus.patch(world.officer, url, 0, DATA[:7])
    status = tus.client.get(url, headers=tus.headers(world.officer)).json()
    assert status["state"] == "receiving"
    assert (status["offset"], status["length"]) == (7, len(DATA))
    assert status["case"] == int(meta["case"])


def test_the_body_is_streamed_not_loaded(tus, world, meta, settings, monkeypatch):
    """Django's in-memory body limit does not apply: the body is read in chunks, never
    whole (``request.body`` would refuse a body this much over the limit)."""
    from quancheng.uploads import receive

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    monkeypatch.setattr(receive, "READ_SIZE", 4096)
    reads = []
    original_append = receive.append

    def counting_append(upload, handle, body, length, checksum=None):
        class Counting:
            def read(self, size=-1):
                data = body.read(size)
                reads.append(len(data))
                return data

        return original_append(upload, handle, Counting(), length, checksum)

    monkeypatch.setattr("quancheng.uploads.views.append", counting_append)
    url = tus.create(world.officer, len(DATA), meta)["Location"]
    assert tus.patch(world.officer, url, 0, DATA).status_code == 204
    assert max(reads) <= 4096
    assert sum(reads) == len(DATA)
    assert Recording.objects.get().size == len(DATA)


def test_other_methods_are_405_with_allow(tus, world, meta):
    response = tus.client.put(BASE, headers=tus.headers(world.officer))
    assert response.status_code == 405
    assert response["Allow"] == "OPTIONS, POST"
    url = tus.create(world.officer, 10, meta)["Location"]
    response = tus.client.put(url, headers=tus.headers(world.officer))
    assert response.status_code == 405
    assert "PATCH" in response["Allow"]


def test_creation_with_upload_refused_bytes_still_give_the_location(tus, world, meta):
    bad = "sha256 " + base64.b64encode(hashlib.sha256(b"not these").digest()).decode()
    response = tus.client.post(
        BASE,
        data=DATA[:1000],
        content_type="application/offset+octet-stream",
        headers=tus.headers(
            world.officer,
            {
                "Upload-Length": str(len(DATA)),
                "Upload-Metadata": encode(meta),
                "Upload-Checksum": bad,
            },
        ),
    )
    assert response.status_code == 460
    url = response["Location"]
    assert tus.head(world.officer, url)["Upload-Offset"] == "0"
    assert tus.patch(world.officer, url, 0, DATA).status_code == 204


def test_uploads_list_command(tus, world, meta):
    from io import StringIO

    from django.core.management import call_command

    url = tus.create(world.officer, len(DATA), meta)["Location"]
    tus.patch(world.officer, url, 0, DATA[:99])
    out = StringIO()
    call_command("uploads", "list", stdout=out)
    line = out.getvalue().strip()
    assert url.rsplit("/", 1)[1] in line
    assert f"99/{len(DATA)}" in line and "officer" in line and meta["filename"] in line
