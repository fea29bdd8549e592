"""Small media files made with Debian's ffmpeg for tests (a fraction of a second each)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from quancheng.media.derive import FFMPEG

LAVFI_VIDEO = ["-f", "lavfi", "-i", "testsrc=size=320x240:rate=10:duration=2"]
LAVFI_AUDIO = ["-f", "lavfi", "-i", "sine=frequency=440:duration=2"]

RECIPES: dict[str, list[str]] = {
    # Browser-playable as it is: H.264/AAC MP4 with a GPS position and a creation time.
    "gps.mp4": [
        *LAVFI_VIDEO,
        *LAVFI_AUDIO,
        "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest",
        "-metadata", "location=+31.2304+121.4737/",
        "-metadata", "creation_time=2026-03-02T01:00:00Z",
    ],
    # MPEG-4 part 2 and MP3 in AVI, as older body cameras write: needs a proxy.
    "camera.avi": [*LAVFI_VIDEO, *LAVFI_AUDIO, "-c:v", "mpeg4", "-c:a", "mp3", "-shortest"],
    # WebM plays as it is.
    "clip.webm": [*LAVFI_VIDEO, "-c:v", "libvpx", "-b:v", "200k"],
    # Audio from a recorder in a format browsers do not play.
    "voice.mka": [*LAVFI_AUDIO, "-c:a", "flac"],
    "photo.jpg": ["-f", "lavfi", "-i", "testsrc=size=1280x960", "-frames:v", "1"],
}  # fmt: skip


def make(name: str, directory: Path) -> Path:
    """The sample ``name`` in ``directory`` (made once per directory)."""
    target = directory / name
    if not target.exists():
        if name == "corrupt.mp4":
            # The middle of a real MP4: no header, so nothing can read it.
            whole = make("gps.mp4", directory).read_bytes()
            target.write_bytes(whole[1000:3000])
        else:
            command = [FFMPEG, "-nostdin", "-v", "error", "-y", *RECIPES[name], str(target)]
            subprocess.run(command, check=True)  # noqa: S603 - fixed arguments
    return target


def run_queued_tasks() -> list[object]:
    """Run what the database queue holds, as ``quancheng db_worker`` would (in this test's
    transaction, where the worker's own connection handling cannot run)."""
    from django_tasks_db.models import DBTaskResult

    results = []
    for row in DBTaskResult.objects.ready().order_by("enqueued_at"):
        row.claim("test-worker")
        task_result = row.task_result
        try:
            value = row.task.call(*task_result.args, **task_result.kwargs)
        except Exception as error:
            row.set_failed(error)  # as the worker does; the test sees the exception
            raise
        row.set_successful(value)
        results.append(value)
    return results
