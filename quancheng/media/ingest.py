"""Dock-station import: every file a body camera's dock copied into a folder becomes an
original in the media store and a Recording of the device and officer.

Idempotent (a file whose bytes this device already has is skipped) and safe to kill: the
store only ever shows complete files, and a rerun finishes what the killed run began.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import subprocess
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from quancheng.agencies.models import Officer
from quancheng.cases.models import Case
from quancheng.devices.models import Device
from quancheng.errors import ActionError
from quancheng.ledger.public import Actor
from quancheng.media.actions import RecordingInput, add_recording, add_recording_metadata
from quancheng.media.models import Original, Recording
from quancheng.media.store import Store, StoreError, get_store
from quancheng.media.store.base import CHUNK, read_into

VIDEO = {".mp4", ".mov", ".avi", ".mkv", ".ts", ".mts", ".m2ts", ".3gp", ".m4v", ".wmv", ".asf"}
AUDIO = {".wav", ".mp3", ".aac", ".m4a", ".amr", ".ogg", ".opus", ".flac", ".wma"}
PHOTO = {".jpg", ".jpeg", ".png", ".heic", ".bmp", ".tif", ".tiff", ".gif", ".webp"}
SIDECAR = {".xml", ".json", ".txt"}
FFPROBE = ["ffprobe", "-v", "error", "-print_format", "json", "-show_format"]

Progress = Callable[[int], None]


@dataclass
class IngestSummary:
    imported: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    bytes_stored: int = 0


@dataclass
class Item:
    """A file to import, with the camera's metadata files that describe it."""

    path: Path
    relative: str
    sidecars: list[Path] = field(default_factory=list)


@dataclass
class Target:
    device: Device
    officer: Officer
    case: Case | None


def resolve(device_serial: str, officer_cert: str, case_number: str | None) -> Target:
    """The device, officer and case named on the command line, or an ActionError."""
    device = Device.objects.select_related("agency").filter(serial=device_serial.strip()).first()
    if device is None:
        raise ActionError(
            _("Unknown device “%(serial)s”: register it first.") % {"serial": device_serial},
            "device",
        )
    cert = officer_cert.strip()
    if not cert:
        raise ActionError(_("The officer's enforcement certificate number is required."), "officer")
    officer = Officer.objects.select_related("agency").filter(cert_no=cert).first()
    home = device.agency.enforcement_agency
    if officer is None or not officer.agency.path.startswith(home.path):
        raise ActionError(
            _("No officer with certificate number “%(cert)s” in the device's agency.")
            % {"cert": cert},
            "officer",
        )
    case = None
    if case_number:
        case = Case.objects.filter(number=case_number.strip(), agency=home).first()
        if case is None:
            raise ActionError(
                _("No case numbered “%(number)s” in the device's agency.")
                % {"number": case_number},
                "case",
            )
    return Target(device, officer, case)


def bad_name(name: str) -> str | None:
    """Why a file name is refused, or None."""
    if any(unicodedata.category(ch) == "Cc" for ch in name):
        return _("The file name contains control characters.")
    if "\\" in name or "/" in name:
        return _("The file name contains a path separator.")
    return None


def collect(directory: Path) -> tuple[list[Item], list[tuple[str, str]]]:
    """The files to import, in a stable order, each media file with its sidecar files;
    and the entries refused outright (bad names, links)."""
    items: list[Item] = []
    refused: list[tuple[str, str]] = []
    for root, dirs, files in os.walk(directory):
        dirs.sort()
        here = Path(root)
        refused_dirs = [d for d in dirs if bad_name(d)]
        for d in refused_dirs:
            refused.append((_display(here / d, directory), bad_name(d) or ""))
            dirs.remove(d)
        names = sorted(files)
        stems = {Path(n).stem.lower() for n in names if Path(n).suffix.lower() not in SIDECAR}
        by_stem: dict[str, Item] = {}
        sidecars: list[str] = []
        for name in names:
            path = here / name
            relative = _display(path, directory)
            reason = bad_name(name)
            if reason:
                refused.append((relative, reason))
                continue
            if path.is_symlink() or not path.is_file():
                refused.append((relative, _("Not a regular file.")))
                continue
            suffix = path.suffix.lower()
            if suffix in SIDECAR and path.stem.lower() in stems:
                sidecars.append(name)
                continue
            item = Item(path, relative)
            items.append(item)
            by_stem.setdefault(path.stem.lower(), item)
        for name in sidecars:
            owner = by_stem.get(Path(name).stem.lower())
            if owner is None:  # its media file was refused: the sidecar stands alone
                items.append(Item(here / name, _display(here / name, directory)))
            else:
                owner.sidecars.append(here / name)
    return items, refused


def _display(path: Path, directory: Path) -> str:
    return path.relative_to(directory).as_posix()


def ingest_directory(
    directory: Path,
    target: Target,
    actor: Actor,
    *,
    store: Store | None = None,
    progress: Progress | None = None,
    on_total: Callable[[int], None] | None = None,
) -> IngestSummary:
    """Import every file under ``directory`` (see the module docstring)."""
    store = store or get_store()
    store.cleanup()  # temporary files of a run that was killed
    items, refused = collect(directory)
    summary = IngestSummary(failed=list(refused))
    if on_total is not None:
        on_total(sum(_size(p) for item in items for p in [item.path, *item.sidecars]))
    for item in items:
        try:
            outcome = _ingest_one(item, target, actor, store, progress, summary)
        except (StoreError, ActionError) as exc:
            summary.failed.append((item.relative, exc.message))
        except OSError as exc:
            summary.failed.append((item.relative, exc.strerror or str(exc)))
        else:
            if outcome is None:
                summary.imported.append(item.relative)
            else:
                summary.skipped.append((item.relative, outcome))
    return summary


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _ingest_one(
    item: Item,
    target: Target,
    actor: Actor,
    store: Store,
    progress: Progress | None,
    summary: IngestSummary,
) -> str | None:
    """Import one file; None when imported, else why it was skipped."""
    size = item.path.stat().st_size
    if size == 0:
        raise StoreError(_("The file is empty; there is nothing to store."))
    done = _already_imported(item, size, target.device, progress)
    if done is not None:
        for sidecar in item.sidecars:
            if progress is not None:
                progress(_size(sidecar))
        return done
    sidecar_original, hints = _store_sidecars(item, actor, store, progress, summary)
    original = store.save_file(item.path, progress=progress, actor=actor)
    summary.bytes_stored += original.size
    started, ended = recording_times(item.path, hints)
    with transaction.atomic():
        # One import at a time per device from here: two runs over the same folder cannot
        # both record the same bytes.
        Device.objects.select_for_update().filter(pk=target.device.pk).first()
        if Recording.objects.filter(device=target.device, original=original).exists():
            return _("The same bytes were already imported from this device.")
        data = _recording_input(item, target, original, sidecar_original, hints, started, ended)
        if target.case is not None:
            add_recording_metadata(actor, target.case, data)
        else:
            add_recording(actor, target.device.agency, data)
    return None


def _store_sidecars(
    item: Item, actor: Actor, store: Store, progress: Progress | None, summary: IngestSummary
) -> tuple[Original | None, dict[str, Any]]:
    """Store the item's non-empty sidecar files (empty ones are noted as skipped); returns
    the first one stored and the hints read from the first that yields any."""
    sidecar_original: Original | None = None
    hints: dict[str, Any] = {}
    for sidecar in item.sidecars:
        if _size(sidecar) == 0:
            name = (Path(item.relative).parent / sidecar.name).as_posix()
            summary.skipped.append((name, _("Empty file.")))
            continue
        stored = store.save_file(sidecar, progress=progress, actor=actor)
        sidecar_original = sidecar_original or stored
        hints = hints or read_sidecar(sidecar)
    return sidecar_original, hints


def _recording_input(
    item: Item,
    target: Target,
    original: Original,
    sidecar: Original | None,
    hints: dict[str, Any],
    started: dt.datetime,
    ended: dt.datetime,
) -> RecordingInput:
    """The recording of an imported file by the target's device and officer, uploaded now."""
    return RecordingInput(
        device=target.device,
        started_at=started,
        ended_at=ended,
        officers=[target.officer],
        place=hints.get("place", ""),
        maker=target.officer.name,
        file_name=item.relative[-255:],
        original=original,
        sidecar=sidecar,
        uploaded_at=timezone.now(),
    )


def _already_imported(
    item: Item, size: int, device: Device, progress: Progress | None
) -> str | None:
    """A quick answer for a rerun: a recording of this device with the same name and size
    is checked by digest (read only, nothing written) before anything is stored."""
    candidates = Recording.objects.filter(
        device=device, file_name=item.relative[-255:], size=size, original__isnull=False
    ).values_list("sha256", flat=True)
    if not candidates:
        return None
    digest = hashlib.sha256()
    buffer = bytearray(CHUNK)
    view = memoryview(buffer)
    with open(item.path, "rb", buffering=0) as f:
        while n := read_into(f, buffer):
            digest.update(view[:n])
            if progress is not None:
                progress(n)
    if digest.hexdigest() in set(candidates):
        return _("Already imported.")
    if progress is not None:
        progress(-size)  # it will be read again while stored
    return None


# -- times and places ------------------------------------------------------------------


def probe(path: Path) -> dict[str, Any]:
    """ffprobe's format section, or {} when ffprobe cannot read the file."""
    try:
        command = [*FFPROBE, str(path.absolute())]
        out = subprocess.run(  # noqa: S603 - fixed program, the path as one argument
            command,
            capture_output=True,
            timeout=60,
            check=True,
        )
        return json.loads(out.stdout).get("format", {})
    except (OSError, subprocess.SubprocessError, ValueError):
        return {}


def _parse_time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace("Z", "+00:00")
    for candidate in (text, text.replace("/", "-")):
        try:
            moment = dt.datetime.fromisoformat(candidate)
        except ValueError:
            continue
        if timezone.is_naive(moment):  # a camera's clock: local time where it is used
            moment = timezone.make_aware(moment, timezone.get_default_timezone())
        return moment
    return None


def recording_times(path: Path, hints: dict[str, Any]) -> tuple[dt.datetime, dt.datetime]:
    """Start and end: ffprobe's creation time plus duration, else the sidecar's start time,
    else the file's modification time (a camera closes the file when it stops)."""
    fmt = probe(path) if path.suffix.lower() in VIDEO | AUDIO | PHOTO else {}
    try:
        duration = dt.timedelta(seconds=max(0.0, float(fmt.get("duration", 0) or 0)))
    except (TypeError, ValueError):
        duration = dt.timedelta(0)
    start = _parse_time((fmt.get("tags") or {}).get("creation_time")) or hints.get("started_at")
    if start is not None:
        return start, start + duration
    end = dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC)
    return end - duration, end


_START_KEYS = {"starttime", "start_time", "start", "begintime", "begin", "recordtime", "time"}
_LAT_KEYS = {"latitude", "lat", "gpslatitude"}
_LON_KEYS = {"longitude", "lon", "lng", "gpslongitude"}


def read_sidecar(path: Path) -> dict[str, Any]:
    """Best effort: a start time and a GPS position from a camera's .json/.xml/.txt file."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")[:1_000_000]
    except OSError:
        return {}
    pairs: dict[str, str] = {}
    suffix = path.suffix.lower()
    try:
        if suffix == ".json":
            _flatten(json.loads(text), pairs)
        elif suffix == ".xml":
            for element in ET.fromstring(text).iter():  # noqa: S314 - local, size-limited
                for key, value in element.attrib.items():
                    pairs.setdefault(key.lower(), value)
                if element.text and element.text.strip():
                    pairs.setdefault(element.tag.split("}")[-1].lower(), element.text.strip())
        else:
            for line in text.splitlines():
                match = re.match(r"\s*([\w ]+?)\s*[:=]\s*(.+?)\s*$", line)
                if match:
                    pairs.setdefault(match[1].lower().replace(" ", "_"), match[2])
    except (ValueError, ET.ParseError):
        return {}
    hints: dict[str, Any] = {}
    for key in _START_KEYS:
        moment = _parse_time(pairs.get(key))
        if moment is not None:
            hints["started_at"] = moment
            break
    lat = next((pairs[k] for k in _LAT_KEYS if k in pairs), None)
    lon = next((pairs[k] for k in _LON_KEYS if k in pairs), None)
    try:
        if lat is not None and lon is not None:
            hints["place"] = f"GPS {float(lat):.6f}, {float(lon):.6f}"
    except ValueError:
        pass
    return hints


def _flatten(value: Any, into: dict[str, str]) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            if isinstance(inner, dict | list):
                _flatten(inner, into)
            else:
                into.setdefault(str(key).lower(), str(inner))
    elif isinstance(value, list):
        for inner in value:
            _flatten(inner, into)
