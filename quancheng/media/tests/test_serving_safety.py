"""No script runs from an upload: a file reaches the browser inline only as the audio, video
or photo ffprobe found it to be, everything else as an ``application/octet-stream``
attachment, and every media response is sandboxed and not sniffed."""

# ruff: noqa: F811 - the tus fixtures imported below are used as arguments
from __future__ import annotations

import subprocess

import pytest
from django.test import Client
from django.urls import reverse

from quancheng.media.models import Recording
from quancheng.media.tests.samples import make, run_queued_tasks
from quancheng.uploads.tests.conftest import device, meta, tus  # noqa: F401 - fixtures

EVIL_HTML = b"<!DOCTYPE html><html><body><script>fetch('/api/v1/me')</script></body></html>"
EVIL_SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>fetch('/api/v1/me')</script><rect width='10' height='10'/></svg>"
)


@pytest.fixture(autouse=True)
def _data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.QUANCHENG_MEDIA_STORAGE = "local"
    settings.QUANCHENG_MEDIA_DIR = tmp_path / "media"


@pytest.fixture
def uploaded(
    tus,
    world,
    meta,
    django_capture_on_commit_callbacks,
):
    """Send ``data`` as ``name`` by tus (claiming ``filetype``), then process it as the
    worker would: the recording, as the officer's upload page makes it."""

    def upload(name: str, data: bytes, filetype: str) -> Recording:
        created = tus.create(
            world.officer, len(data), {**meta, "filename": name, "filetype": filetype}
        )
        assert created.status_code == 201, created.content
        with django_capture_on_commit_callbacks(execute=True):
            done = tus.patch(world.officer, created["Location"], 0, data)
        assert done.status_code == 204, done.content
        run_queued_tasks()
        return Recording.objects.get(pk=int(done["Quancheng-Recording"]))

    return upload


def play(client: Client, recording: Recording, **headers: str):
    url = reverse("cases:play", args=[recording.case_id, recording.pk])
    return client.get(url, headers=headers)


def assert_guarded(response) -> None:
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("name", "data", "claimed", "state"),
    [
        ("evil.html", EVIL_HTML, "text/html", "unreadable"),
        ("evil.svg", EVIL_SVG, "image/svg+xml", "unreadable"),
    ],
)
def test_an_uploaded_page_or_svg_is_an_attachment_for_everyone(
    client, world, uploaded, name, data, claimed, state
):
    recording = uploaded(name, data, claimed)
    for reader in (world.officer, world.supervisor):
        client.force_login(reader)
        response = play(client, recording)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/octet-stream"
        assert response["Content-Disposition"].startswith("attachment;")
        assert name in response["Content-Disposition"]
        assert_guarded(response)
        assert b"".join(response.streaming_content) == data  # the evidence, unchanged
        ranged = play(client, recording, Range="bytes=0-9")
        assert ranged.status_code == 206 and ranged["Content-Type"] == "application/octet-stream"
        assert_guarded(ranged)
        html = client.get(recording.case.get_absolute_url()).content.decode()
        assert f'data-state="{state}"' in html
        assert "<video" not in html and "<audio" not in html


def test_an_uploaded_mp4_plays_inline_with_its_probed_type(client, world, uploaded, tmp_path):
    data = make("gps.mp4", tmp_path).read_bytes()
    recording = uploaded("clip.html", data, "text/html")  # the name and the claim are ignored
    client.force_login(world.officer)
    response = play(client, recording)
    assert response.status_code == 200
    assert response["Content-Type"] == "video/mp4"
    assert response["Content-Disposition"].startswith("inline;")
    assert_guarded(response)
    html = client.get(recording.case.get_absolute_url()).content.decode()
    assert 'type="video/mp4"' in html


def test_a_readable_photo_a_browser_does_not_show_is_an_attachment(
    client, world, uploaded, tmp_path
):
    bitmap = tmp_path / "scan.bmp"
    command = ["ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=64x48"]
    subprocess.run([*command, "-frames:v", "1", str(bitmap)], check=True)  # noqa: S603
    recording = uploaded("scan.bmp", bitmap.read_bytes(), "image/bmp")
    assert recording.original.media_infos.get().readable  # ffprobe reads it: a photo
    client.force_login(world.officer)
    response = play(client, recording)
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert_guarded(response)
    html = client.get(recording.case.get_absolute_url()).content.decode()
    assert 'data-state="download-only"' in html
    assert "请下载原件后打开" in html


def test_download_and_thumbnail_are_guarded(client, world, uploaded, tmp_path):
    recording = uploaded("gps.mp4", make("gps.mp4", tmp_path).read_bytes(), "video/mp4")
    client.force_login(world.officer)
    args = [recording.case_id, recording.pk]
    download = client.get(reverse("cases:download", args=args))
    assert download["Content-Type"] == "application/octet-stream"
    assert download["Content-Disposition"].startswith("attachment;")
    assert_guarded(download)
    thumbnail = client.get(reverse("cases:thumbnail", args=args))
    assert thumbnail.status_code == 200 and thumbnail["Content-Type"] == "image/jpeg"
    assert_guarded(thumbnail)
