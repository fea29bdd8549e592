from __future__ import annotations

import shutil
import subprocess

import pytest

from quancheng.devices.actions import register_device
from quancheng.ledger.public import Actor
from quancheng.media.store import get_store

SYSTEM = Actor.system()


@pytest.fixture
def media_dir(settings, tmp_path):
    settings.QUANCHENG_MEDIA_STORAGE = "local"
    settings.QUANCHENG_MEDIA_DIR = tmp_path / "media"
    return settings.QUANCHENG_MEDIA_DIR


@pytest.fixture
def store(media_dir, db):
    return get_store()


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args], check=True)  # noqa: S603, S607


@pytest.fixture(scope="session")
def media_samples(tmp_path_factory):
    """A second of video with the camera's creation time, of audio, and a photo."""
    folder = tmp_path_factory.mktemp("samples")
    ffmpeg(
        "-f", "lavfi", "-i", "testsrc=duration=1:size=160x120:rate=10",
        "-c:v", "libx264", "-pix_fmt", "yuv420p",
        "-metadata", "creation_time=2026-03-02T01:00:00Z",
        str(folder / "VID_0001.MP4"),
    )  # fmt: skip
    ffmpeg("-f", "lavfi", "-i", "sine=duration=1", str(folder / "AUD_0001.WAV"))
    ffmpeg(
        "-f", "lavfi", "-i", "testsrc=size=160x120", "-frames:v", "1",
        str(folder / "IMG_0001.JPG"),
    )  # fmt: skip
    return folder


@pytest.fixture
def dock(tmp_path, media_samples):
    """What a dock copied: a video with its XML sidecar, audio and a photo in a subfolder."""
    folder = tmp_path / "dock"
    (folder / "DCIM").mkdir(parents=True)
    shutil.copy(media_samples / "VID_0001.MP4", folder / "VID_0001.MP4")
    (folder / "VID_0001.XML").write_text(
        "<record><StartTime>2026-03-02T09:00:00+08:00</StartTime>"
        "<GPS latitude='31.820600' longitude='117.227200'/></record>"
    )
    shutil.copy(media_samples / "AUD_0001.WAV", folder / "AUD_0001.WAV")
    shutil.copy(media_samples / "IMG_0001.JPG", folder / "DCIM" / "IMG_0001.JPG")
    return folder


@pytest.fixture
def camera(world):
    return register_device(SYSTEM, world.a, serial="CAM-7", kind="body_camera")
