"""ffprobe reading and ffmpeg derivation on small generated files."""

from __future__ import annotations

import datetime as dt

import pytest

from quancheng.media.derive import make_proxy, make_thumbnail
from quancheng.media.probe import Kind, parse, probe
from quancheng.media.tests.samples import make


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    directory = tmp_path_factory.mktemp("samples")
    return lambda name: make(name, directory)


def test_mp4_with_gps(samples):
    info = probe(samples("gps.mp4"))
    assert info.readable
    assert info.kind == Kind.VIDEO
    assert info.duration == pytest.approx(2.0, abs=0.1)
    assert (info.video_codec, info.audio_codec) == ("h264", "aac")
    assert (info.width, info.height) == (320, 240)
    assert info.created_at == dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)
    assert (info.latitude, info.longitude) == (31.2304, 121.4737)
    assert info.browser_playable


def test_avi_needs_a_proxy(samples):
    info = probe(samples("camera.avi"))
    assert info.readable and info.kind == Kind.VIDEO
    assert (info.video_codec, info.audio_codec) == ("mpeg4", "mp3")
    assert info.latitude is None and info.created_at is None
    assert not info.browser_playable


def test_webm_plays_as_it_is(samples):
    info = probe(samples("clip.webm"))
    assert info.video_codec == "vp8"
    assert info.browser_playable


def test_audio_and_photo(samples):
    voice = probe(samples("voice.mka"))
    assert (voice.kind, voice.audio_codec, voice.browser_playable) == (Kind.AUDIO, "flac", False)
    photo = probe(samples("photo.jpg"))
    assert photo.kind == Kind.PHOTO
    assert photo.duration is None
    assert (photo.width, photo.height) == (1280, 960)


def test_corrupt_file_is_unreadable_with_ffprobes_message(samples):
    info = probe(samples("corrupt.mp4"))
    assert not info.readable
    assert "Invalid data" in info.error or "moov atom not found" in info.error


def test_apple_location_tag_and_upright_phone():
    raw = {
        "format": {
            "format_name": "mov,mp4,m4a,3gp,3g2,mj2",
            "duration": "3.5",
            "tags": {
                "com.apple.quicktime.location.ISO6709": "+22.5431+114.0579+012.300/",
                "com.apple.quicktime.creationdate": "2026-03-02T09:15:00+0800",
            },
        },
        "streams": [
            {
                "codec_type": "video",
                "codec_name": "hevc",
                "width": 1920,
                "height": 1080,
                "pix_fmt": "yuv420p10le",
                "side_data_list": [{"rotation": -90}],
            }
        ],
    }
    info = parse(raw)
    assert (info.latitude, info.longitude, info.altitude) == (22.5431, 114.0579, 12.3)
    assert info.created_at == dt.datetime(2026, 3, 2, 1, 15, tzinfo=dt.UTC)
    assert (info.width, info.height) == (1080, 1920)
    assert not info.browser_playable


def test_thumbnail_of_video_and_photo(samples, tmp_path):
    video = samples("camera.avi")
    thumb = make_thumbnail(video, tmp_path / "v.jpg", probe(video))
    got = probe(thumb)
    assert got.video_codec == "mjpeg" and got.width == 320
    photo = samples("photo.jpg")
    small = make_thumbnail(photo, tmp_path / "p.jpg", probe(photo))
    assert probe(small).width == 480  # scaled down, aspect kept
    assert probe(small).height == 360


def test_proxy_is_browser_playable_and_original_untouched(samples, tmp_path):
    video = samples("camera.avi")
    before = video.read_bytes()
    proxy = make_proxy(video, tmp_path / "proxy.mp4", probe(video))
    info = probe(proxy)
    assert (info.video_codec, info.audio_codec) == ("h264", "aac")
    assert info.browser_playable
    assert info.duration == pytest.approx(2.0, abs=0.2)
    assert proxy.read_bytes()[4:8] == b"ftyp"
    # +faststart: the index (moov) comes before the media data (mdat).
    head = proxy.read_bytes()
    assert head.index(b"moov") < head.index(b"mdat")
    assert video.read_bytes() == before
    assert not list(tmp_path.glob(".*part"))


def test_audio_proxy(samples, tmp_path):
    voice = samples("voice.mka")
    proxy = make_proxy(voice, tmp_path / "proxy.m4a", probe(voice))
    info = probe(proxy)
    assert (info.kind, info.audio_codec, info.browser_playable) == (Kind.AUDIO, "aac", True)


def test_media_types_for_the_browser(samples):
    from quancheng.media.probe import media_type

    assert media_type(probe(samples("gps.mp4"))) == "video/mp4"
    assert media_type(probe(samples("clip.webm"))) == "video/webm"
    assert media_type(probe(samples("photo.jpg"))) == "image/jpeg"
    quicktime = parse(
        {
            "format": {"format_name": "mov,mp4,m4a,3gp,3g2,mj2", "duration": "1"},
            "streams": [{"codec_type": "audio", "codec_name": "aac"}],
        }
    )
    assert media_type(quicktime) == "audio/mp4"
