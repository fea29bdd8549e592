"""Audio-visual records as metadata (the files themselves arrive through ingest), and the
explanations of interruptions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from quancheng.agencies.models import Agency, Officer
from quancheng.agencies.roles import require
from quancheng.bounds import require_aware
from quancheng.cases.compliance import schedule_refresh
from quancheng.cases.guards import ensure_writable
from quancheng.cases.models import Case, Record
from quancheng.devices.models import Device
from quancheng.errors import ActionError
from quancheng.ledger.public import Actor, append_fact
from quancheng.media.models import Derivative, Interruption, MediaInfo, Original, Recording
from quancheng.media.probe import ProbeResult
from quancheng.media.processing import enqueue_processing
from quancheng.media.values import BYTES, RECORDING_VALUES
from quancheng.policies.choices import DelayReason, InterruptionReason


@dataclass
class RecordingInput:
    device: Device
    started_at: dt.datetime
    ended_at: dt.datetime
    officers: list[Officer] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    session: str = ""
    place: str = ""
    scenario: str = ""
    production_method: str = ""
    maker: str = ""
    file_name: str = ""
    size: int | None = None
    sha256: str = ""
    uploaded_at: dt.datetime | None = None
    original: Original | None = None  # the stored bytes; size and sha256 are taken from it
    sidecar: Original | None = None  # the camera's own metadata file for this recording
    opening_statement: bool | None = None
    device_checked: bool | None = None
    party_informed: bool | None = None
    delay_reason: str = ""
    returned_at: dt.datetime | None = None
    used_as_evidence: bool = False


@transaction.atomic
def add_recording_metadata(actor: Actor, case: Case, data: RecordingInput) -> Recording:
    """Describe a recording of the case: device, officers, times, scenario, storage time,
    and (when its bytes are in the media store) the original it is."""
    ensure_writable(actor, case, "recording.add")
    return _create_recording(actor, case.agency, case, data)


@transaction.atomic
def add_recording(actor: Actor, agency: Agency, data: RecordingInput) -> Recording:
    """A recording not (yet) tied to a case, e.g. imported from a dock station."""
    require(actor.user, "recording.add_unfiled", agency=agency)
    return _create_recording(actor, agency, None, data)


def _create_recording(
    actor: Actor, agency: Agency, case: Case | None, data: RecordingInput
) -> Recording:
    """Validate ``data``, write the Recording (with its officers and records) and its
    ``recording.described`` fact, then queue the original's processing and refresh the case.
    Runs inside the caller's transaction."""
    _validate_recording(agency, data)
    size, sha256 = _size_and_sha256(data)
    recording = _insert_recording(actor, agency, case, data, size, sha256)
    append_fact(
        actor,
        "recording.described",
        ("recording", recording.pk),
        _described_payload(case, data, size, sha256),
        agency,
    )
    if data.original is not None:
        enqueue_processing(data.original)  # in this transaction: metadata, thumbnail, proxy
    if case is not None:
        schedule_refresh(case)
    return recording


def _validate_recording(agency: Agency, data: RecordingInput) -> None:
    """Refuse (ActionError) naive times, an end before the start, an unknown delay reason
    and a device of another enforcement agency."""
    for name in ("started_at", "ended_at", "uploaded_at", "returned_at"):
        require_aware(getattr(data, name), name)
    if data.ended_at < data.started_at:
        raise ActionError(_("A recording cannot end before it starts."), "ended_at")
    if data.delay_reason and data.delay_reason not in DelayReason.values:
        raise ActionError(_("Unknown reason for delay."), "delay_reason")
    if data.device.agency.enforcement_agency.pk != agency.enforcement_agency.pk:
        raise ActionError(_("The device belongs to another agency."), "device")


def _size_and_sha256(data: RecordingInput) -> tuple[int | None, str]:
    """The recording's size and SHA-256: those of the stored original when there is one
    (refusing given values that contradict it), otherwise those given."""
    size, sha256 = data.size, data.sha256
    if data.original is not None:
        if sha256 and sha256.lower() != data.original.sha256:
            raise ActionError(_("The SHA-256 given does not match the stored original."), "sha256")
        if size is not None and size != data.original.size:
            raise ActionError(_("The size given does not match the stored original."), "size")
        size, sha256 = data.original.size, data.original.sha256
    return size, sha256


def _insert_recording(
    actor: Actor,
    agency: Agency,
    case: Case | None,
    data: RecordingInput,
    size: int | None,
    sha256: str,
) -> Recording:
    """Create the Recording row, then link its officers and records."""
    given = {name: getattr(data, name) for name in RECORDING_VALUES if name not in BYTES}
    recording = Recording.objects.create(
        agency=agency,
        case=case,
        device=data.device,
        size=size,
        sha256=sha256,
        original=data.original,
        sidecar=data.sidecar,
        created_by=actor.user,
        **given,
    )
    recording.officers.add(*data.officers)
    recording.records.add(*data.records)
    return recording


def _described_payload(
    case: Case | None, data: RecordingInput, size: int | None, sha256: str
) -> dict[str, Any]:
    """The payload of the ``recording.described`` ledger fact."""
    return {
        "case": case.pk if case is not None else None,
        "device": data.device.serial,
        **{name: getattr(data, name) for name in RECORDING_VALUES},
        "size": size,
        "sha256": sha256,
        "original": data.original.pk if data.original is not None else None,
        "sidecar": data.sidecar.sha256 if data.sidecar is not None else None,
        "officers": [o.cert_no for o in data.officers],
        "records": [r.pk for r in data.records],
    }


@dataclass
class InterruptionInput:
    device: Device
    started_at: dt.datetime
    reason: str
    ended_at: dt.datetime | None = None
    resumed: bool = True
    spoken_explanation: bool = False
    statement: str = ""
    signers: list[Officer] = field(default_factory=list)
    session: str = ""


@transaction.atomic
def explain_interruption(actor: Actor, case: Case, data: InterruptionInput) -> Interruption:
    """Record why recording stopped, and the statement where it could not resume (anhui §16)."""
    ensure_writable(actor, case, "interruption.explain")
    require_aware(data.started_at, "started_at")
    require_aware(data.ended_at, "ended_at")
    if data.reason not in InterruptionReason.values:
        raise ActionError(_("Choose the reason for the interruption."), "reason")
    if data.ended_at is not None and data.ended_at < data.started_at:
        raise ActionError(_("Recording cannot resume before it stopped."), "ended_at")
    item = Interruption.objects.create(
        agency=case.agency,
        case=case,
        device=data.device,
        session=data.session,
        started_at=data.started_at,
        ended_at=data.ended_at,
        reason=data.reason,
        resumed=data.resumed,
        spoken_explanation=data.spoken_explanation,
        statement=data.statement.strip(),
        created_by=actor.user,
    )
    item.statement_signers.add(*data.signers)
    append_fact(
        actor,
        "interruption.explained",
        ("interruption", item.pk),
        {
            "case": case.pk,
            "device": data.device.serial,
            "session": data.session,
            "started_at": data.started_at,
            "ended_at": data.ended_at,
            "reason": data.reason,
            "resumed": data.resumed,
            "spoken_explanation": data.spoken_explanation,
            "statement": item.statement,
            "signers": [o.cert_no for o in data.signers],
        },
        case.agency,
    )
    schedule_refresh(case)
    return item


CONTENT_TYPES = {".jpg": "image/jpeg", ".mp4": "video/mp4", ".m4a": "audio/mp4"}


@transaction.atomic
def record_media_info(actor: Actor, original: Original, result: ProbeResult) -> MediaInfo:
    """Keep what ffprobe read from ``original`` (a new row each time it is probed)."""
    require(actor.user, "media.process")
    info = MediaInfo.objects.create(
        original=original,
        probed_at=timezone.now(),
        readable=result.readable,
        error=result.error[:10_000],
        kind=result.kind,
        container=result.container[:100],
        duration=result.duration,
        media_created_at=result.created_at,
        video_codec=result.video_codec[:32],
        audio_codec=result.audio_codec[:32],
        pixel_format=result.pixel_format[:32],
        width=result.width,
        height=result.height,
        latitude=result.latitude,
        longitude=result.longitude,
        altitude=result.altitude,
        browser_playable=result.browser_playable,
        raw=result.raw,
    )
    append_fact(
        actor,
        "original.probed" if result.readable else "original.unreadable",
        ("original", original.pk),
        {
            "sha256": original.sha256,
            "media_info": info.pk,
            "readable": result.readable,
            "error": info.error[:500],
            "kind": result.kind,
            "duration": result.duration,
            "created_at": result.created_at,
            "codecs": [result.video_codec, result.audio_codec],
            "size": [result.width, result.height],
            "position": [result.latitude, result.longitude],
        },
        None,
    )
    return info


@transaction.atomic
def record_derivative(actor: Actor, original: Original, kind: str, file: Path) -> Derivative:
    """Register a derived file (complete, already in place under the derived directory)."""
    require(actor.user, "media.process")
    from quancheng.media.processing import derived_root

    derivative = Derivative.objects.create(
        original=original,
        kind=kind,
        path=file.relative_to(derived_root()).as_posix(),
        size=file.stat().st_size,
        content_type=CONTENT_TYPES.get(file.suffix, "application/octet-stream"),
        created_at=timezone.now(),
    )
    append_fact(
        actor,
        "original.derived",
        ("original", original.pk),
        {"sha256": original.sha256, "kind": kind, "path": derivative.path, "size": derivative.size},
        None,
    )
    return derivative
