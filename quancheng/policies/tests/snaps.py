"""Snapshot builders with the defaults of the anhui and hebei-street rule tables: a street
office's case opened at 09:00 on 2 March 2026, recordings by officers HB-0001 and HB-0002."""

from __future__ import annotations

import datetime as dt
from typing import Any

from quancheng.policies.snapshot import CaseSnap, RecordingSnap, RecordSnap
from quancheng.policies.tests import snapshot_builders as builders

T0 = builders.at("2026-03-02 09:00")


def record(ref: str, kind: str, stage: str, fields: dict[str, Any], **kwargs: Any) -> RecordSnap:
    return builders.record(ref, kind, stage, fields, occurred_at=T0, **kwargs)


def case(pack_id: str, stage: str = "initiation", **kwargs: Any) -> CaseSnap:
    values: dict[str, Any] = {
        "number": "冀街罚〔2026〕1号",
        "opened_at": T0,
        "title": "占道经营",
        "party_names": ("张三",),
    }
    return builders.case(pack_id, stage, **{**values, **kwargs})


def recording(ref: str = "v1", **kwargs: Any) -> RecordingSnap:
    values: dict[str, Any] = {
        "device_serial": "DSJ-001",
        "started_at": T0,
        "ended_at": T0 + dt.timedelta(minutes=30),
        "uploaded_at": T0 + dt.timedelta(hours=2),
        "officer_certs": ("HB-0001", "HB-0002"),
        "file_name": "现场检查.mp4",
        "production_method": "",
        "maker": "",
        "opening_statement": None,
    }
    return builders.recording(ref, **{**values, **kwargs})
