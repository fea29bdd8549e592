"""Each bad input gets a clear JSON error in the user's language, and the store stays
consistent: no Upload row or part file for a refused creation, no Original or Recording for
a refused completion."""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.test import Client

from quancheng.cases.models import Case
from quancheng.ledger.models import Fact
from quancheng.ledger.verification.reconciling import reconcile
from quancheng.media.models import Original, Recording
from quancheng.uploads.choices import UploadState
from quancheng.uploads.models import Upload
from quancheng.uploads.tests.conftest import BASE, OCTETS, encode

pytestmark = pytest.mark.django_db

DATA = b"0123456789" * 1000


@pytest.fixture(autouse=True)
def _data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.QUANCHENG_MEDIA_STORAGE = "local"
    settings.QUANCHENG_MEDIA_DIR = tmp_path / "media"


def nothing_stored(tmp_path: Path) -> bool:
    media = tmp_path / "media"
    files = [p for p in media.rglob("*") if p.is_file()] if media.exists() else []
    return not files and not Original.objects.exists() and not Recording.objects.exists()


def refused_creation(response, status: int, path: str | None, tmp_path: Path) -> dict:
    assert response.status_code == status, response.content
    assert response["Tus-Resumable"] == "1.0.0"
    body = response.json()
    assert body["path"] == path
    assert body["detail"]
    assert not Upload.objects.exists()
    uploads = tmp_path / "uploads"
    assert not uploads.exists() or not list(uploads.iterdir())
    assert nothing_stored(tmp_path)
    return body


def test_wrong_offset_is_409_and_changes_nothing(tus, world, meta):
    url = tus.create(world.officer, len(DATA), meta)["Location"]
    tus.patch(world.officer, url, 0, DATA[:100])
    for offset in (0, 50, 200):
        response = tus.patch(world.officer, url, offset, DATA[offset : offset + 100])
        assert response.status_code == 409
        assert response.json()["path"] == "Upload-Offset"
        assert "100" in response.json()["detail"]
    assert tus.head(world.officer, url)["Upload-Offset"] == "100"
    assert Path(Upload.objects.get().part_path).read_bytes() == DATA[:100]


def test_patch_beyond_the_declared_length_is_413(tus, world, meta, tmp_path):
    url = tus.create(world.officer, 100, meta)["Location"]
    response = tus.patch(world.officer, url, 0, DATA[:150])
    assert response.status_code == 413
    assert response.json()["path"] == "Content-Length"
    assert tus.head(world.officer, url)["Upload-Offset"] == "0"
    assert nothing_stored(tmp_path)


def test_missing_tus_resumable_is_412_with_the_version(tus, world, meta, tmp_path):
    headers = tus.headers(world.officer, {"Upload-Length": "10", "Upload-Metadata": encode(meta)})
    del headers["Tus-Resumable"]
    response = tus.client.generic("POST", BASE, headers=headers)
    refused_creation(response, 412, "Tus-Resumable", tmp_path)
    assert response["Tus-Version"] == "1.0.0"


def test_patch_with_another_content_type_is_415(tus, world, meta):
    url = tus.create(world.officer, len(DATA), meta)["Location"]
    response = tus.client.generic(
        "PATCH",
        url,
        data=DATA,
        content_type="application/octet-stream",
        headers=tus.headers(world.officer, {"Upload-Offset": "0"}),
    )
    assert response.status_code == 415
    assert tus.head(world.officer, url)["Upload-Offset"] == "0"


def test_empty_file_is_refused(tus, world, meta, tmp_path):
    body = refused_creation(tus.create(world.officer, 0, meta), 400, "Upload-Length", tmp_path)
    assert "empty" in body["detail"]


def test_too_large_is_413(tus, world, meta, tmp_path, settings):
    settings.QUANCHENG_UPLOAD_MAX_SIZE = 1000
    refused_creation(tus.create(world.officer, 1001, meta), 413, "Upload-Length", tmp_path)


def test_deferred_length_is_refused(tus, world, meta, tmp_path):
    headers = tus.headers(
        world.officer, {"Upload-Defer-Length": "1", "Upload-Metadata": encode(meta)}
    )
    response = tus.client.generic("POST", BASE, headers=headers)
    refused_creation(response, 400, "Upload-Defer-Length", tmp_path)


@pytest.mark.parametrize(
    "name",
    ["../../etc/passwd", "dir/clip.mp4", "C:\\clip.mp4", "clip\x00.mp4", "clip\n.mp4", "..", " "],
)
def test_file_names_with_separators_or_control_characters(tus, world, meta, tmp_path, name):
    meta["filename"] = name
    refused_creation(tus.create(world.officer, 10, meta), 400, "metadata.filename", tmp_path)


def test_unknown_device(tus, world, meta, tmp_path):
    meta["device"] = "NO-SUCH-CAMERA"
    body = refused_creation(tus.create(world.officer, 10, meta), 422, "metadata.device", tmp_path)
    assert "NO-SUCH-CAMERA" in body["detail"]


def test_device_of_another_agency_is_unknown(tus, world, meta, tmp_path):
    from quancheng.devices.actions import register_device
    from quancheng.ledger.context import Actor

    register_device(Actor.system(), world.b, serial="DSJ-B-001", kind="body_camera")
    meta["device"] = "DSJ-B-001"
    refused_creation(tus.create(world.officer, 10, meta), 422, "metadata.device", tmp_path)


def test_only_an_officer_on_the_case_uploads(tus, world, meta, tmp_path):
    # a reviewer holds no certificate and records nothing (agencies/roles.py: upload.create)
    del meta["officers"]
    refused_creation(tus.create(world.reviewer, 10, meta), 403, "metadata.case", tmp_path)
    refused_creation(tus.create(world.officer2, 10, meta), 403, "metadata.case", tmp_path)


def test_an_officer_without_a_certificate_number(tus, world, meta, tmp_path):
    meta["officers"] = "AH-0001, "
    body = refused_creation(tus.create(world.officer, 10, meta), 422, "metadata.officers", tmp_path)
    assert "certificate number" in body["detail"]


def test_an_unknown_certificate_number(tus, world, meta, tmp_path):
    meta["officers"] = "AH-0001,AH-9001"  # the second is of agency B
    refused_creation(tus.create(world.officer, 10, meta), 422, "metadata.officers.1", tmp_path)


def test_the_officer_defaults_to_the_uploader(tus, world, meta):
    del meta["officers"]
    Case.objects.get(pk=meta["case"]).officers.add(world.officer2.officer)
    url = tus.create(world.officer2, 10, meta)["Location"]
    assert tus.patch(world.officer2, url, 0, DATA[:10]).status_code == 204
    assert [o.cert_no for o in Recording.objects.get().officers.all()] == ["AH-0002"]


def test_a_case_of_another_agency_is_not_found(tus, world, meta, tmp_path):
    refused_creation(tus.create(world.other_officer, 10, meta), 404, "metadata.case", tmp_path)


def test_a_supervisor_reads_but_cannot_upload(tus, world, meta, tmp_path):
    refused_creation(tus.create(world.supervisor, 10, meta), 403, "metadata.case", tmp_path)


def test_missing_times_and_bad_times(tus, world, meta, tmp_path):
    bad = dict(meta, started_at="")
    refused_creation(tus.create(world.officer, 10, bad), 422, "metadata.started_at", tmp_path)
    bad = dict(meta, ended_at="2026-03-02 09:30")
    refused_creation(tus.create(world.officer, 10, bad), 422, "metadata.ended_at", tmp_path)
    bad = dict(meta, ended_at="2026-03-02T08:00:00+08:00")
    refused_creation(tus.create(world.officer, 10, bad), 422, "metadata.ended_at", tmp_path)


def test_unknown_scenario(tus, world, meta, tmp_path):
    meta["scenario"] = "karaoke"
    refused_creation(tus.create(world.officer, 10, meta), 422, "metadata.scenario", tmp_path)


def test_malformed_metadata(tus, world, meta, tmp_path):
    headers = tus.headers(
        world.officer, {"Upload-Length": "10", "Upload-Metadata": "filename !!notbase64!!"}
    )
    response = tus.client.generic("POST", BASE, headers=headers)
    refused_creation(response, 400, "metadata.filename", tmp_path)


def test_not_signed_in_and_bad_token(world, meta, tmp_path):
    client = Client()
    headers = {"Tus-Resumable": "1.0.0", "Upload-Length": "10", "Upload-Metadata": encode(meta)}
    refused_creation(client.generic("POST", BASE, headers=headers), 401, None, tmp_path)
    headers["Authorization"] = "Bearer nonsense"
    refused_creation(client.generic("POST", BASE, headers=headers), 401, None, tmp_path)


def test_session_needs_the_csrf_token(world, meta, tmp_path):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.officer)
    client.get("/cases/")  # sets the CSRF cookie
    headers = {"Tus-Resumable": "1.0.0", "Upload-Length": "10", "Upload-Metadata": encode(meta)}
    refused_creation(client.generic("POST", BASE, headers=headers), 403, None, tmp_path)
    token = client.cookies["csrftoken"].value
    created = client.generic("POST", BASE, headers={**headers, "X-CSRFToken": token})
    assert created.status_code == 201, created.content


def test_someone_elses_upload_is_not_found(tus, world, meta):
    url = tus.create(world.officer, 10, meta)["Location"]
    assert tus.head(world.officer2, url).status_code == 404
    assert tus.patch(world.officer2, url, 0, DATA[:10]).status_code == 404
    assert tus.delete(world.officer2, url).status_code == 404
    assert tus.head(world.officer, url)["Upload-Offset"] == "0"


def test_declared_digest_mismatch_at_completion(
    tus, world, meta, tmp_path, django_capture_on_commit_callbacks
):
    meta["sha256"] = hashlib.sha256(b"something else").hexdigest()
    url = tus.create(world.officer, len(DATA), meta)["Location"]
    response = tus.patch(world.officer, url, 0, DATA)
    assert response.status_code == 460
    assert response.json()["path"] == "metadata.sha256"
    assert response["Upload-Offset"] == str(len(DATA))
    assert nothing_stored(tmp_path)
    upload = Upload.objects.get()
    assert upload.state == UploadState.FAILED  # visibly: not "receiving" with offset = length
    assert upload.error
    assert Path(upload.part_path).read_bytes() == DATA  # still there, to retry or abort
    assert not Fact.objects.filter(kind="upload.completed").exists()
    assert Fact.objects.get(kind="upload.failed").payload["error"] == upload.error
    status = tus.client.get(url, headers=tus.headers(world.officer)).json()
    assert status["error"] == upload.error and status["state"] == "failed"
    head = tus.head(world.officer, url)
    assert head["Quancheng-Upload-State"] == "failed"
    assert unquote(head["Quancheng-Upload-Error"]) == upload.error
    assert reconcile() == []  # verify: the row's state "failed" is what the facts say
    with django_capture_on_commit_callbacks(execute=True):
        assert tus.delete(world.officer, url).status_code == 204
    assert not Path(upload.part_path).exists()


def test_a_refused_completion_can_be_retried(tus, world, meta, tmp_path):
    """The device left the agency's register between creation and the last byte: the
    error says so, nothing is stored; once put right an empty PATCH completes it."""
    from quancheng.devices.models import Device

    url = tus.create(world.officer, len(DATA), meta)["Location"]
    device = Device.objects.get(serial=meta["device"])
    device.agency = world.b  # the register moved it away in the meantime
    device.save()
    response = tus.patch(world.officer, url, 0, DATA)
    assert response.status_code == 422
    assert response.json()["path"] == "metadata.device"
    assert nothing_stored(tmp_path)
    device.agency = world.a
    device.save()
    retry = tus.client.generic(
        "PATCH",
        url,
        headers=tus.headers(
            world.officer, {"Upload-Offset": str(len(DATA)), "Content-Type": OCTETS}
        ),
    )
    assert retry.status_code == 204, retry.content
    assert Recording.objects.get().original.size == len(DATA)


def test_expired_upload_is_gone(tus, world, meta, django_capture_on_commit_callbacks):
    from django.core.management import call_command
    from django.utils import timezone

    url = tus.create(world.officer, len(DATA), meta)["Location"]
    tus.patch(world.officer, url, 0, DATA[:10])
    fresh = tus.create(world.officer, len(DATA), meta)["Location"]
    upload = Upload.objects.get(key=url.rsplit("/", 1)[1])
    Upload.objects.filter(pk=upload.pk).update(
        expires_at=timezone.now() - timezone.timedelta(seconds=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        call_command("uploads", "expire")
    upload.refresh_from_db()
    assert upload.state == UploadState.EXPIRED
    assert not Path(upload.part_path).exists()
    assert Fact.objects.filter(kind="upload.expired", subject_id=str(upload.pk)).count() == 1
    assert tus.head(world.officer, url).status_code == 410
    assert tus.patch(world.officer, url, 10, DATA[10:]).status_code == 410
    assert tus.head(world.officer, fresh).status_code == 200  # not yet expired: untouched


def test_expire_removes_old_stray_part_files(tus, world, meta, tmp_path):
    import os
    import time

    from django.core.management import call_command

    url = tus.create(world.officer, len(DATA), meta)["Location"]
    live = Path(Upload.objects.get().part_path)
    stray, recent = tmp_path / "uploads" / "stray.part", tmp_path / "uploads" / "recent.part"
    stray.write_bytes(b"never acknowledged")
    recent.write_bytes(b"a creation under way")
    old = time.time() - 73 * 3600
    for path in (stray, live):
        os.utime(path, (old, old))
    call_command("uploads", "expire")
    assert not stray.exists()
    assert recent.exists() and live.exists()
    assert tus.head(world.officer, url).status_code == 200


def test_errors_follow_the_users_language(tus, world, meta):
    url = tus.create(world.officer, len(DATA), meta)["Location"]
    response = tus.client.generic(
        "PATCH",
        url,
        data=DATA[:10],
        content_type=OCTETS,
        headers={
            **tus.headers(world.officer, {"Upload-Offset": "5"}),
            "Accept-Language": "zh-hans",
        },
    )
    assert response.status_code == 409
    assert response["Content-Language"] == "zh-hans"


def test_a_full_disk_keeps_what_was_written_and_says_so(tus, world, meta, monkeypatch):
    """Fault injection: the kernel refuses the third 1 MiB write with ENOSPC (a real full
    disk cannot be made portably in a test); the part file and offset stay consistent."""
    import errno

    from quancheng.uploads import receive

    data = DATA * 300  # 3 MB
    url = tus.create(world.officer, len(data), meta)["Location"]
    real_write_all = receive.write_all
    calls = []

    def failing_write_all(handle, chunk):
        calls.append(len(chunk))
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_write_all(handle, chunk)

    monkeypatch.setattr(receive, "SYNC_EVERY", 1024 * 1024)
    monkeypatch.setattr(receive, "write_all", failing_write_all)
    response = tus.patch(world.officer, url, 0, data)
    assert response.status_code == 507
    assert "disk is full" in response.json()["detail"]
    monkeypatch.setattr(receive, "write_all", real_write_all)
    offset = int(tus.head(world.officer, url)["Upload-Offset"])
    assert offset == 2 * 1024 * 1024  # the two parts synced before the refusal
    assert Path(Upload.objects.get().part_path).stat().st_size == offset
    assert tus.patch(world.officer, url, offset, data[offset:]).status_code == 204
    assert Recording.objects.get().original.sha256 == hashlib.sha256(data).hexdigest()


def test_recording_refused_after_the_bytes_were_stored_is_retried(tus, world, meta, monkeypatch):
    """Fault injection: the dry run passes but the real recording action fails (a change
    between the two). The Original is stored and remembered by the upload, no Recording is
    visible, and an empty PATCH completes it without storing the bytes again."""
    from quancheng.errors import ActionError
    from quancheng.uploads import actions

    real = actions.add_recording_metadata
    calls = []

    def second_call_fails(actor, case, data):
        calls.append(data.original)
        if len(calls) == 2:
            raise ActionError("Refused for the test.", "device")
        return real(actor, case, data)

    monkeypatch.setattr(actions, "add_recording_metadata", second_call_fails)
    url = tus.create(world.officer, len(DATA), meta)["Location"]
    response = tus.patch(world.officer, url, 0, DATA)
    assert response.status_code == 422
    assert response.json()["path"] == "metadata.device"
    assert Original.objects.count() == 1 and not Recording.objects.exists()
    upload = Upload.objects.get()
    assert upload.original == Original.objects.get() and upload.state == UploadState.FAILED
    assert tus.head(world.officer, url)["Upload-Offset"] == str(len(DATA))
    assert tus.patch(world.officer, url, 0, DATA).status_code == 409  # only the empty retry
    retry = tus.patch(world.officer, url, len(DATA), b"")
    assert retry.status_code == 204, retry.content
    assert Recording.objects.get().original == upload.original
    assert Original.objects.count() == 1
