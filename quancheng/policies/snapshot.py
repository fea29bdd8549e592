"""Plain, database-free views of a case: what the compliance engine reads.

The same snapshot is built from the database (``quancheng.casefile.snapshots``) or from a case
exchange file (``quancheng.casefile.exchange``), so the engine gives one answer for both.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class SignatureSnap:
    role: str
    name: str
    officer_cert: str | None = None
    refusal_ref: str | None = None


@dataclass(slots=True)
class RefusalSnap:
    ref: str
    note: str


@dataclass(slots=True)
class VersionSnap:
    number: int
    fields: dict[str, Any]
    occurred_at: dt.datetime
    is_correction: bool = False
    doc_number: str = ""
    doc_issued_on: dt.date | None = None
    doc_sealed: bool = False
    signatures: list[SignatureSnap] = field(default_factory=list)
    refusals: list[RefusalSnap] = field(default_factory=list)


@dataclass(slots=True)
class RecordSnap:
    ref: str
    kind: str
    stage: str
    current: VersionSnap
    version_count: int = 1


@dataclass(slots=True)
class RecordingSnap:
    ref: str
    device_serial: str
    started_at: dt.datetime
    ended_at: dt.datetime
    uploaded_at: dt.datetime | None = None
    device_capabilities: tuple[str, ...] = ()
    officer_certs: tuple[str, ...] = ()
    session: str = ""
    place: str = ""
    scenario: str = ""
    production_method: str = ""
    maker: str = ""
    case_number: str = ""
    record_refs: tuple[str, ...] = ()
    opening_statement: bool | None = None
    device_checked: bool | None = None
    party_informed: bool | None = None
    delay_reason: str = ""
    returned_at: dt.datetime | None = None
    file_name: str = ""
    used_as_evidence: bool = False
    evidence_notes: tuple[EvidenceNoteSnap, ...] = ()


@dataclass(slots=True)
class EvidenceNoteSnap:
    """Who took a recording used as evidence, when and where (anhui §18)."""

    taken_by: tuple[str, ...]
    taken_at: dt.datetime | None
    place: str


@dataclass(slots=True)
class LoanSnap:
    officer_cert: str
    lent_at: dt.datetime
    returned_at: dt.datetime | None = None


@dataclass(slots=True)
class DeviceSnap:
    """What the register knows of a device: status changes (when, status after), loans and
    pre-use checks (when, fit for use), each in time order. Only devices with such facts
    appear in a snapshot; for the others the engine assumes nothing."""

    serial: str
    status_changes: list[tuple[dt.datetime, str]] = field(default_factory=list)
    loans: list[LoanSnap] = field(default_factory=list)
    checks: list[tuple[dt.datetime, bool]] = field(default_factory=list)


@dataclass(slots=True)
class InterruptionSnap:
    ref: str
    device_serial: str
    started_at: dt.datetime
    ended_at: dt.datetime | None
    reason: str
    resumed: bool
    spoken_explanation: bool
    statement: str = ""
    signer_certs: tuple[str, ...] = ()
    session: str = ""


@dataclass(slots=True)
class CaseSnap:
    ref: str
    number: str
    pack_id: str
    action_types: tuple[str, ...]
    start_mode: str
    is_major: bool
    stage: str
    opened_at: dt.datetime
    title: str = ""
    ended_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    archived_at: dt.datetime | None = None
    party_names: tuple[str, ...] = ()
    records: list[RecordSnap] = field(default_factory=list)
    recordings: list[RecordingSnap] = field(default_factory=list)
    interruptions: list[InterruptionSnap] = field(default_factory=list)
    devices: dict[str, DeviceSnap] = field(default_factory=dict)
