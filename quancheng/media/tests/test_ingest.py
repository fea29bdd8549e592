"""``quancheng ingest``: a dock station's folder becomes originals and recordings."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil

import pytest
from django.core.management import CommandError, call_command

from conftest import at
from quancheng.ledger.public import Actor
from quancheng.media.models import Original, Recording

pytestmark = pytest.mark.usefixtures("english")

SYSTEM = Actor.system()


def ingest(folder, *extra, device="CAM-7", officer="AH-0001", err=None):
    out = io.StringIO()
    err = err if err is not None else io.StringIO()
    call_command(
        "ingest", str(folder), "--device", device, "--officer", officer, *extra,
        stdout=out, stderr=err,
    )  # fmt: skip
    return out.getvalue()


def test_imports_everything_then_nothing_new(world, store, media_dir, camera, dock):
    output = ingest(dock)
    assert "Imported 3, skipped 0, failed 0." in output
    recordings = {r.file_name: r for r in Recording.objects.all()}
    assert set(recordings) == {"AUD_0001.WAV", "VID_0001.MP4", "DCIM/IMG_0001.JPG"}
    video = recordings["VID_0001.MP4"]
    assert video.started_at == at("2026-03-02 09:00")  # ffprobe's creation_time, in UTC
    assert video.ended_at == at("2026-03-02 09:00:01")  # plus its duration
    assert video.place == "GPS 31.820600, 117.227200"  # from the camera's XML
    assert video.sidecar is not None
    assert (media_dir / video.sidecar.key).read_text().startswith("<record>")
    assert video.device == camera and list(video.officers.all()) == [world.officer.officer]
    assert video.case is None and video.agency == world.a and video.uploaded_at is not None
    for recording in recordings.values():
        path = media_dir / recording.original.key
        assert path.stat().st_size == recording.size == recording.original.size
        assert recording.sha256 == recording.original.sha256
    assert Original.objects.count() == 4  # three recordings and the XML

    bar = io.StringIO()
    again = ingest(dock, err=bar)
    # the progress bar: bytes done of the total, and the rate
    size = r"[\d.]+[kMG]?"
    rate = rf"{size}B/s"
    assert re.search(rf"100%\|.*\| {size}/{size} \[.*{rate}\]", bar.getvalue())
    assert "Imported 0, skipped 3, failed 0." in again
    assert Recording.objects.count() == 3 and Original.objects.count() == 4


def test_copy_under_another_name_is_the_same_recording(world, store, camera, dock):
    ingest(dock)
    shutil.copy(dock / "AUD_0001.WAV", dock / "DCIM" / "AUD_COPY.WAV")
    output = ingest(dock)
    assert "Imported 0, skipped 4, failed 0." in output
    assert "already imported from this device" in output


def test_into_a_case(world, store, camera, dock, new_case):
    case = new_case()
    ingest(dock, "--case", case.number)
    assert Recording.objects.filter(case=case).count() == 3


def test_bad_names_and_empty_files_reported_rest_imported(world, store, camera, dock):
    (dock / "bad\x07name.mp4").write_bytes(b"bytes")
    (dock / "back\\slash.mp4").write_bytes(b"bytes")
    (dock / "EMPTY.MP4").write_bytes(b"")
    out = io.StringIO()
    with pytest.raises(CommandError) as info:
        call_command(
            "ingest", str(dock), "--device", "CAM-7", "--officer", "AH-0001", stdout=out,
            stderr=io.StringIO(),
        )  # fmt: skip
    assert info.value.returncode == 1
    text = out.getvalue()
    assert "Imported 3, skipped 0, failed 3." in text
    assert "bad\\x07name.mp4: The file name contains control characters." in text
    assert "path separator" in text
    assert "EMPTY.MP4: The file is empty" in text
    assert Recording.objects.count() == 3


@pytest.mark.parametrize(
    ("device", "officer", "case", "message"),
    [
        ("NOPE", "AH-0001", None, "Unknown device"),
        ("CAM-7", "  ", None, "certificate number is required"),
        ("CAM-7", "AH-404", None, "No officer with certificate number"),
        ("CAM-7", "AH-9001", None, "No officer with certificate number"),  # agency B's
        ("CAM-7", "AH-0001", "no such case", "No case numbered"),
    ],
)
def test_refuses_unknown_device_officer_or_case(
    world, store, camera, dock, device, officer, case, message
):
    extra = ["--case", case] if case else []
    with pytest.raises(CommandError, match=message) as info:
        ingest(dock, *extra, device=device, officer=officer)
    assert info.value.returncode == 2
    assert Original.objects.count() == 0 and Recording.objects.count() == 0


def test_file_without_creation_time_uses_its_modification_time(world, store, camera, tmp_path):
    folder = tmp_path / "plain"
    folder.mkdir()
    path = folder / "NOTES.BIN"
    path.write_bytes(b"not media")
    moment = at("2026-03-03 10:00").timestamp()
    import os

    os.utime(path, (moment, moment))
    ingest(folder)
    recording = Recording.objects.get()
    assert recording.started_at == recording.ended_at == at("2026-03-03 10:00")
    assert recording.ended_at.tzinfo is not None
    assert recording.started_at - at("2026-03-03 10:00") == dt.timedelta(0)


def test_empty_sidecar_skipped_video_imported(world, store, camera, dock):
    (dock / "VID_0001.XML").write_bytes(b"")
    output = ingest(dock)
    assert "Imported 3, skipped 1, failed 0." in output
    assert "skipped VID_0001.XML: Empty file." in output
    video = Recording.objects.get(file_name="VID_0001.MP4")
    assert video.sidecar is None and video.place == ""
