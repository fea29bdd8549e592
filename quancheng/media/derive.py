"""Files made from an original with Debian's ffmpeg: a JPEG thumbnail and a browser-playable
proxy (H.264/AAC MP4, at most 720 lines, ``+faststart`` so playback starts before the whole
file has arrived). The original is only ever read; outputs are written to a temporary name
beside the target and renamed into place when complete."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from django.conf import settings

from quancheng.media.probe import Kind, ProbeResult

FFMPEG = "ffmpeg"
THUMBNAIL_TIMEOUT = 120
PROXY_TIMEOUT = 6 * 3600  # a shift's recording transcodes in well under this
THUMBNAIL_WIDTH = 480
PROXY_HEIGHT = 720


class DeriveError(Exception):
    """ffmpeg failed; the message is ffmpeg's own (for the log and the task result)."""


def make_thumbnail(source: Path, target: Path, info: ProbeResult) -> Path:
    """One frame at about 1 s (the first frame of a shorter clip), or a photo scaled down."""
    scale = f"scale='min({THUMBNAIL_WIDTH},iw)':-2"
    inputs = ["-i", str(source)]
    if info.kind == Kind.VIDEO and (info.duration or 0) > 1.5:
        inputs = ["-ss", "1", *inputs]
    args = [*inputs, "-map", "0:v:0", "-frames:v", "1", "-vf", scale, "-q:v", "4"]
    args += ["-f", "image2", "-c:v", "mjpeg"]
    timeout = getattr(settings, "QUANCHENG_THUMBNAIL_TIMEOUT", THUMBNAIL_TIMEOUT)
    return _run(args, target, timeout)


def make_proxy(source: Path, target: Path, info: ProbeResult) -> Path:
    """H.264/AAC in MP4 for video; AAC in MP4 (``.m4a``) for audio only."""
    args = ["-i", str(source), "-map", "0:v:0?", "-map", "0:a:0?", "-sn", "-dn"]
    if info.kind == Kind.VIDEO:
        # Never upscale; keep the aspect ratio; even dimensions for yuv420p.
        scale = f"scale=-2:'min({PROXY_HEIGHT},ih)':flags=bicubic"
        args += ["-vf", scale, "-c:v", "libx264", "-preset", "veryfast", "-crf", "23"]
        args += ["-pix_fmt", "yuv420p", "-profile:v", "high"]
    else:
        args += ["-vn"]
    args += ["-c:a", "aac", "-b:a", "128k", "-ac", "2", "-movflags", "+faststart", "-f", "mp4"]
    timeout = getattr(settings, "QUANCHENG_PROXY_TIMEOUT", PROXY_TIMEOUT)
    return _run(args, target, timeout)


def proxy_name(info: ProbeResult) -> str:
    return "proxy.mp4" if info.kind == Kind.VIDEO else "proxy.m4a"


def _run(args: list[str], target: Path, timeout: float) -> Path:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DeriveError(f"cannot write {target.parent}: {error}") from error
    partial = target.with_name(f".{target.name}.{os.getpid()}.part")
    command = [FFMPEG, "-nostdin", "-hide_banner", "-v", "error", "-y", *args, str(partial)]
    try:
        done = subprocess.run(  # noqa: S603 - fixed program and options
            command, capture_output=True, timeout=timeout, check=False
        )
        if done.returncode != 0 or not partial.exists() or partial.stat().st_size == 0:
            message = done.stderr.decode("utf-8", "replace").strip()
            raise DeriveError(message or f"ffmpeg exited with {done.returncode}")
        os.replace(partial, target)
    except subprocess.TimeoutExpired as error:
        raise DeriveError(f"ffmpeg did not finish in {timeout} s") from error
    except OSError as error:  # disk full, permissions
        raise DeriveError(f"cannot write {target}: {error}") from error
    finally:
        partial.unlink(missing_ok=True)
    return target
