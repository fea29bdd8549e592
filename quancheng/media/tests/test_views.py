"""Recordings on the case page: playing with Range requests, downloading the original byte
for byte, who may, and the access log (one fact per viewing, not per chunk)."""

from __future__ import annotations

import base64
import hashlib

import boto3
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import SYSTEM, at
from quancheng.devices.actions import register_device
from quancheng.ledger.models import Fact
from quancheng.ledger.public import Actor
from quancheng.media.actions import RecordingInput, add_recording_metadata
from quancheng.media.store import get_store
from quancheng.media.tests.samples import make, run_queued_tasks
from quancheng.media.tests.test_store_s3 import make_bucket, s3_endpoint, s3_env  # noqa: F401


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    directory = tmp_path_factory.mktemp("samples")
    return lambda name: make(name, directory)


@pytest.fixture
def store(settings, tmp_path, db):
    settings.QUANCHENG_MEDIA_STORAGE = "local"
    settings.QUANCHENG_MEDIA_DIR = tmp_path / "media"
    return get_store()


@pytest.fixture
def recorded(world, new_case, store, samples):
    """A case of agency A with a stored recording of ``name``, processed by the task."""
    camera = register_device(SYSTEM, world.a, serial="CAM-7", kind="body_camera")
    case = new_case()

    def add(name: str = "gps.mp4", run: bool = True):
        data = RecordingInput(
            device=camera,
            started_at=at("2026-03-02 09:00"),
            ended_at=at("2026-03-02 09:02"),
            officers=[world.officer.officer, world.officer2.officer],
            original=store.save_file(samples(name)),
            file_name=name,
        )
        recording = add_recording_metadata(Actor(world.officer, "web"), case, data)
        if run:
            run_queued_tasks()
        return case, recording

    return add


def urls(case, recording) -> dict[str, str]:
    args = [case.pk, recording.pk]
    return {
        "play": reverse("cases:play", args=args),
        "download": reverse("cases:download", args=args),
        "thumbnail": reverse("cases:thumbnail", args=args),
    }


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def viewed(case, what: str) -> int:
    return Fact.objects.filter(
        kind="access.viewed", subject_id=str(case.pk), payload__what=what
    ).count()


def test_case_page_shows_player_thumbnail_digest_and_details(client, world, recorded):
    case, recording = recorded("gps.mp4")
    client.force_login(world.officer)
    html = client.get(case.get_absolute_url()).content.decode()
    u = urls(case, recording)
    assert f'<source src="{u["play"]}" type="video/mp4">' in html
    assert f'poster="{u["thumbnail"]}"' in html
    assert f'href="{u["download"]}"' in html
    assert recording.original.sha256 in html
    assert "CAM-7" in html and "officer2" in html
    assert "2.0 s" in html
    assert "31.2304, 121.4737" in html


def test_case_page_before_processing_and_unreadable(client, world, recorded):
    case, waiting = recorded("camera.avi", run=False)
    client.force_login(world.officer)
    html = client.get(case.get_absolute_url()).content.decode()
    assert 'data-state="processing"' in html and "<video" not in html
    _, broken = recorded("corrupt.mp4")
    html = client.get(case.get_absolute_url()).content.decode()
    assert f'id="recording-{broken.pk}" data-state="unreadable"' in html
    assert f'id="recording-{waiting.pk}" data-state="ready"' in html  # its proxy is made


def test_case_page_queries_do_not_grow_with_recordings(client, world, recorded):
    case, _ = recorded("gps.mp4")
    client.force_login(world.officer)
    with CaptureQueriesContext(connection) as one:
        client.get(case.get_absolute_url())
    recorded("camera.avi")
    recorded("photo.jpg")
    with CaptureQueriesContext(connection) as three:
        client.get(case.get_absolute_url())
    assert len(three) == len(one)


def test_play_whole_and_ranges(client, world, recorded):
    case, recording = recorded("gps.mp4")
    data = recording.original and get_store().open(recording.original).read()
    client.force_login(world.officer)
    url = urls(case, recording)["play"]
    whole = client.get(url)
    assert whole.status_code == 200
    assert whole["Accept-Ranges"] == "bytes" and whole["Content-Type"] == "video/mp4"
    assert body(whole) == data
    first = client.get(url, HTTP_RANGE="bytes=0-1023")
    assert first.status_code == 206
    assert first["Content-Range"] == f"bytes 0-1023/{len(data)}"
    assert body(first) == data[:1024]
    suffix = client.get(url, HTTP_RANGE="bytes=-100")
    assert suffix.status_code == 206 and body(suffix) == data[-100:]
    rest = client.get(url, HTTP_RANGE=f"bytes={len(data) - 10}-")
    assert rest.status_code == 206 and body(rest) == data[-10:]
    beyond = client.get(url, HTTP_RANGE=f"bytes={len(data)}-")
    assert beyond.status_code == 416
    assert beyond["Content-Range"] == f"bytes */{len(data)}"


def test_play_serves_the_proxy_for_a_file_browsers_cannot_play(client, world, recorded):
    from quancheng.media.models import Derivative

    case, recording = recorded("camera.avi")
    proxy = Derivative.objects.get(original=recording.original, kind="proxy")
    client.force_login(world.officer)
    response = client.get(urls(case, recording)["play"], HTTP_RANGE="bytes=0-")
    assert response.status_code == 206
    assert response["Content-Type"] == "video/mp4"
    assert body(response) == proxy.file_path().read_bytes()


def test_play_while_the_proxy_is_being_made_is_404(client, world, recorded, store):
    from quancheng.media.actions import record_media_info
    from quancheng.media.models import Derivative
    from quancheng.media.probe import probe
    from quancheng.media.processing import process

    case, recording = recorded("camera.avi", run=False)
    url = urls(case, recording)["play"]
    client.force_login(world.officer)
    # Not probed yet: the original is offered as it is.
    assert body(client.get(url)) == store.local_path(recording.original).read_bytes()
    record_media_info(SYSTEM, recording.original, probe(store.local_path(recording.original)))
    assert client.get(url).status_code == 404  # known unplayable, copy not made yet
    process(recording.original)
    proxy = Derivative.objects.get(kind="proxy")
    assert body(client.get(url)) == proxy.file_path().read_bytes()


def test_download_is_the_original_byte_for_byte(client, world, recorded):
    case, recording = recorded("camera.avi")
    original = recording.original
    client.force_login(world.officer)
    response = client.get(urls(case, recording)["download"])
    assert response.status_code == 200
    content = body(response)
    assert hashlib.sha256(content).hexdigest() == original.sha256
    assert len(content) == original.size
    assert response["Content-Disposition"] == 'attachment; filename="camera.avi"'
    assert response["X-Content-SHA256"] == original.sha256
    digest = base64.b64encode(hashlib.sha256(content).digest()).decode()
    assert response["Repr-Digest"] == f"sha-256=:{digest}:"
    resumed = client.get(urls(case, recording)["download"], HTTP_RANGE="bytes=1000-")
    assert resumed.status_code == 206 and body(resumed) == content[1000:]


def test_download_name_with_chinese_characters(client, world, recorded, store, samples):
    case, recording = recorded("gps.mp4")
    recording.file_name = "现场检查 01.mp4"  # as a camera or an officer may name it
    recording.save(update_fields=["file_name"])
    client.force_login(world.officer)
    response = client.get(urls(case, recording)["download"])
    assert "filename*=utf-8''%E7%8E%B0" in response["Content-Disposition"]


def test_another_agency_gets_404(client, world, recorded):
    case, recording = recorded("gps.mp4")
    client.force_login(world.other_officer)
    for url in urls(case, recording).values():
        assert client.get(url).status_code == 404
    assert not Fact.objects.filter(kind="access.viewed", actor=world.other_officer).exists()


def test_supervisor_may_watch_and_download(client, world, recorded):
    case, recording = recorded("gps.mp4")
    client.force_login(world.supervisor)
    assert client.get(urls(case, recording)["play"]).status_code == 200
    assert client.get(urls(case, recording)["download"]).status_code == 200


def test_signed_out_is_sent_to_sign_in(client, recorded):
    case, recording = recorded("gps.mp4")
    response = client.get(urls(case, recording)["download"])
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_recording_of_another_case_is_404(client, world, recorded, new_case):
    case, recording = recorded("gps.mp4")
    other = new_case()
    client.force_login(world.officer)
    url = reverse("cases:play", args=[other.pk, recording.pk])
    assert client.get(url).status_code == 404


def test_one_fact_per_viewing_not_per_chunk(client, world, recorded):
    case, recording = recorded("gps.mp4")
    u = urls(case, recording)
    what = f"recording:{recording.pk}:play"
    client.force_login(world.officer)
    client.get(u["play"], HTTP_RANGE="bytes=0-")  # the player starts
    client.get(u["play"], HTTP_RANGE="bytes=5000-")  # and seeks
    client.get(u["play"], HTTP_RANGE="bytes=20000-")
    client.get(u["thumbnail"])
    assert viewed(case, what) == 1
    fact = Fact.objects.get(kind="access.viewed", payload__what=what)
    assert fact.actor == world.officer and fact.created_at is not None
    client.get(u["play"])  # watched again later
    assert viewed(case, what) == 2
    client.get(u["download"])
    client.get(u["download"], HTTP_RANGE="bytes=100-")  # the download resumed
    assert viewed(case, f"recording:{recording.pk}:download") == 1


@pytest.mark.usefixtures("s3_env")
def test_recording_in_s3_is_probed_played_and_downloaded(
    client, world, new_case, samples, settings, tmp_path
):
    """The S3 backend (moto on loopback): ffprobe reads a temporary copy; playback and
    download read ranges of the object."""
    settings.QUANCHENG_MEDIA_DIR = tmp_path / "media"  # derived files stay local
    settings.DATA_DIR = tmp_path
    s3 = boto3.client("s3", endpoint_url=settings.QUANCHENG_S3_ENDPOINT_URL)
    make_bucket(s3, settings, lock=False)
    camera = register_device(SYSTEM, world.a, serial="CAM-S3", kind="body_camera")
    case = new_case()
    original = get_store().save_file(samples("gps.mp4"))
    assert original.backend == "s3"
    recording = add_recording_metadata(
        Actor(world.officer, "web"),
        case,
        RecordingInput(
            device=camera,
            started_at=at("2026-03-02 09:00"),
            ended_at=at("2026-03-02 09:02"),
            original=original,
            file_name="gps.mp4",
        ),
    )
    [outcome] = run_queued_tasks()
    assert outcome["made"] == ["thumbnail"]
    assert recording.original.media_infos.get().latitude == 31.2304
    assert list((tmp_path / "tmp").iterdir()) == []
    data = samples("gps.mp4").read_bytes()
    client.force_login(world.officer)
    u = urls(case, recording)
    part = client.get(u["play"], HTTP_RANGE="bytes=100-4099")
    assert part.status_code == 206 and body(part) == data[100:4100]
    assert body(client.get(u["download"])) == data
    assert client.get(u["thumbnail"]).status_code == 200


def test_a_quicktime_file_is_offered_as_mp4(client, world, recorded):
    """An H.264 ``.mov`` (as phones write) plays as it is; ``video/quicktime`` would make
    Chromium skip the source."""
    case, recording = recorded("gps.mp4")
    recording.file_name = "IMG_0001.MOV"
    recording.save(update_fields=["file_name"])
    client.force_login(world.officer)
    html = client.get(case.get_absolute_url()).content.decode()
    assert 'type="video/mp4"' in html
    assert client.get(urls(case, recording)["play"])["Content-Type"] == "video/mp4"


def test_a_photo_shows_its_thumbnail_linking_to_the_photo(client, world, recorded):
    case, recording = recorded("photo.jpg")
    client.force_login(world.officer)
    html = client.get(case.get_absolute_url()).content.decode()
    u = urls(case, recording)
    assert f'<a href="{u["play"]}" target="_blank" rel="noopener"><img class="thumbnail"' in html
    assert "<video" not in html
    photo = client.get(u["play"])
    assert photo["Content-Type"] == "image/jpeg"
    assert body(photo) == get_store().open(recording.original).read()
