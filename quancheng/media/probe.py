"""What ffprobe (Debian's, on PATH) says about a stored original: duration, creation time,
codecs, resolution and GPS position where the file carries them.

``probe(path)`` never raises for a bad file: a file ffprobe cannot read comes back with
``readable=False`` and ffprobe's own message, so the caller can keep it flagged as evidence.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

FFPROBE = "ffprobe"
PROBE_TIMEOUT = 120  # seconds; ffprobe reads headers, not the whole file

# Containers and codecs a current browser plays without help.
MP4_FORMATS = {"mov", "mp4", "m4a"}
MP4_VIDEO = {"h264"}
MP4_AUDIO = {"aac", "mp3"}
WEBM_VIDEO = {"vp8", "vp9", "av1"}
WEBM_AUDIO = {"opus", "vorbis"}
AUDIO_FORMATS = {"mp3": {"mp3"}, "ogg": {"opus", "vorbis"}, "wav": {"pcm_s16le", "pcm_u8"}}
BROWSER_PIXEL_FORMATS = {"yuv420p", "yuvj420p"}
PHOTO_TYPES = {"mjpeg": "image/jpeg", "png": "image/png", "webp": "image/webp", "gif": "image/gif"}
AUDIO_TYPES = {"mp3": "audio/mpeg", "ogg": "audio/ogg", "wav": "audio/wav"}
IMAGE_CODECS = {"mjpeg", "png", "webp", "gif", "bmp", "tiff", "jpeg2000"}

# ISO 6709 as phones and cameras write it: +31.2304+121.4737/ or with altitude +12.3/
ISO6709 = re.compile(r"^([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)?(?:CRS.*)?/?$")
LOCATION_TAGS = ("com.apple.quicktime.location.ISO6709", "location", "location-eng")
CREATION_TAGS = ("com.apple.quicktime.creationdate", "creation_time", "date")


class Kind:
    VIDEO = "video"
    AUDIO = "audio"
    PHOTO = "photo"
    UNKNOWN = "unknown"


@dataclass
class ProbeResult:
    readable: bool
    error: str = ""
    kind: str = Kind.UNKNOWN
    container: str = ""
    duration: float | None = None
    created_at: dt.datetime | None = None
    video_codec: str = ""
    audio_codec: str = ""
    pixel_format: str = ""
    width: int | None = None
    height: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    altitude: float | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def browser_playable(self) -> bool:
        """Whether a browser shows the original as it is (so no proxy is made)."""
        return self.readable and browser_playable(self)


def probe(path: Path, timeout: float | None = None) -> ProbeResult:
    """Run ffprobe on ``path`` and read what it reports."""
    timeout = timeout or getattr(settings, "QUANCHENG_FFPROBE_TIMEOUT", PROBE_TIMEOUT)
    command = [FFPROBE, "-v", "error", "-print_format", "json", "-show_format", "-show_streams"]
    try:
        done = subprocess.run(  # noqa: S603 - fixed program, the path is one argument
            [*command, "--", str(path)],
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return ProbeResult(readable=False, error=f"ffprobe did not finish in {timeout} s")
    stderr = done.stderr.decode("utf-8", "replace").strip()
    try:
        raw = json.loads(done.stdout or b"{}")
    except ValueError:
        raw = {}
    if done.returncode != 0 or not raw.get("format") or not raw.get("streams"):
        return ProbeResult(readable=False, error=stderr or "ffprobe found no media streams")
    return parse(raw, stderr)


def parse(raw: dict[str, Any], stderr: str = "") -> ProbeResult:
    """Turn ffprobe's JSON into a ``ProbeResult`` (separate from ``probe`` for testing)."""
    fmt = raw.get("format", {})
    streams = raw.get("streams", [])
    video = _first(streams, "video")
    audio = _first(streams, "audio")
    tags = _all_tags(fmt, streams)
    result = ProbeResult(readable=True, error=stderr, raw=raw)
    result.container = fmt.get("format_name", "")
    result.duration = _float(fmt.get("duration")) or _float((video or audio or {}).get("duration"))
    if video:
        result.video_codec = video.get("codec_name", "")
        result.pixel_format = video.get("pix_fmt", "")
        result.width, result.height = _dimensions(video)
    if audio:
        result.audio_codec = audio.get("codec_name", "")
    result.kind = _kind(result, video, audio)
    if result.kind == Kind.PHOTO:
        result.duration = None
    result.created_at = _created(tags)
    result.latitude, result.longitude, result.altitude = _location(tags)
    return result


def browser_playable(info: Any) -> bool:
    """Whether a browser plays or shows the file as stored: H.264/AAC in MP4/MOV,
    VP8/VP9/AV1 with Opus/Vorbis in WebM, plain MP3/Ogg/WAV audio, JPEG/PNG/WebP/GIF.
    ``info`` is a ``ProbeResult`` or a ``MediaInfo`` (same attribute names)."""
    formats = set(info.container.split(","))
    video, audio = info.video_codec, info.audio_codec
    if info.kind == Kind.PHOTO:
        return video in {"mjpeg", "png", "webp", "gif"}
    if video and info.pixel_format and info.pixel_format not in BROWSER_PIXEL_FORMATS:
        return False
    if formats & MP4_FORMATS:
        return (not video or video in MP4_VIDEO) and (not audio or audio in MP4_AUDIO)
    if "webm" in formats:
        return (not video or video in WEBM_VIDEO) and (not audio or audio in WEBM_AUDIO)
    if not video:
        return any(name in formats and audio in codecs for name, codecs in AUDIO_FORMATS.items())
    return False


def media_type(info: Any) -> str | None:
    """The MIME type to give a browser for a playable file as stored (``video/mp4`` for a
    QuickTime ``.mov`` too: browsers skip a ``<source type="video/quicktime">``)."""
    formats = set(info.container.split(","))
    audio = info.kind == Kind.AUDIO
    if info.kind == Kind.PHOTO:
        return PHOTO_TYPES.get(info.video_codec)
    if formats & MP4_FORMATS:
        return "audio/mp4" if audio else "video/mp4"
    if "webm" in formats:
        return "audio/webm" if audio else "video/webm"
    return next((t for name, t in AUDIO_TYPES.items() if name in formats), None)


def _first(streams: list[dict[str, Any]], codec_type: str) -> dict[str, Any] | None:
    for stream in streams:
        if stream.get("codec_type") != codec_type:
            continue
        if codec_type == "video" and stream.get("disposition", {}).get("attached_pic"):
            continue  # cover art in an audio file is not video
        return stream
    return None


def _kind(result: ProbeResult, video: dict | None, audio: dict | None) -> str:
    if video is not None:
        still = result.container.endswith("_pipe") or result.container == "image2"
        if still or (result.video_codec in IMAGE_CODECS and not audio and not result.duration):
            return Kind.PHOTO
        return Kind.VIDEO
    if audio is not None:
        return Kind.AUDIO
    return Kind.UNKNOWN


def _dimensions(video: dict[str, Any]) -> tuple[int | None, int | None]:
    width, height = video.get("width"), video.get("height")
    rotation = _rotation(video)
    if width and height and rotation % 180 == 90:
        return height, width  # a phone held upright: shown as it was filmed
    return width, height


def _rotation(video: dict[str, Any]) -> int:
    rotate = _float(video.get("tags", {}).get("rotate"))
    if rotate is not None:
        return int(rotate)
    for side in video.get("side_data_list", []):
        if "rotation" in side:
            return int(_float(side["rotation"]) or 0)
    return 0


def _all_tags(fmt: dict[str, Any], streams: list[dict[str, Any]]) -> dict[str, str]:
    """Container tags first, then stream tags for what the container does not say."""
    tags: dict[str, str] = {}
    for source in [fmt, *streams]:
        for key, value in source.get("tags", {}).items():
            tags.setdefault(key, str(value))
            tags.setdefault(key.lower(), str(value))
    return tags


def _created(tags: dict[str, str]) -> dt.datetime | None:
    for name in CREATION_TAGS:
        value = tags.get(name) or tags.get(name.lower())
        if not value:
            continue
        try:
            moment = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            continue
        if moment.tzinfo is None:
            # Containers store UTC (ISO/IEC 14496-12); a zone-less stamp is read as UTC.
            moment = moment.replace(tzinfo=dt.UTC)
        return moment
    return None


def _location(tags: dict[str, str]) -> tuple[float | None, float | None, float | None]:
    for name in LOCATION_TAGS:
        value = tags.get(name) or tags.get(name.lower())
        if not value:
            continue
        match = ISO6709.match(value.strip())
        if not match:
            continue
        latitude, longitude = float(match[1]), float(match[2])
        if abs(latitude) > 90 or abs(longitude) > 180:
            continue
        return latitude, longitude, float(match[3]) if match[3] else None
    return None, None, None


def _float(value: object) -> float | None:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
