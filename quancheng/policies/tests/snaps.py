"""Small builders of engine snapshots for rule tests that need no database."""

from __future__ import annotations

import datetime as dt
from typing import Any

from quancheng.policies.snapshot import (
    CaseSnap,
    RecordingSnap,
    RecordSnap,
    RefusalSnap,
    SignatureSnap,
    VersionSnap,
)

CHINA = dt.timezone(dt.timedelta(hours=8))
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=CHINA)


def record(
    ref: str,
    kind: str,
    stage: str,
    fields: dict[str, Any],
    *,
    signers: tuple[tuple[str, str], ...] = (),
    refusal_signers: list[str] | None = None,
    is_correction: bool = False,
    doc: tuple[str, dt.date | None, bool] = ("", None, False),
) -> RecordSnap:
    """A record; ``signers`` as (role, name); ``refusal_signers`` officer certificates that
    signed a noted refusal."""
    signatures = [
        SignatureSnap(role, name, name if role == "officer" else None) for role, name in signers
    ]
    refusals = []
    if refusal_signers is not None:
        refusals.append(RefusalSnap("r1", "当事人拒绝签字"))
        signatures += [SignatureSnap("officer", c, c, "r1") for c in refusal_signers]
    version = VersionSnap(
        number=2 if is_correction else 1,
        fields=fields,
        occurred_at=T0,
        is_correction=is_correction,
        doc_number=doc[0],
        doc_issued_on=doc[1],
        doc_sealed=doc[2],
        signatures=signatures,
        refusals=refusals,
    )
    return RecordSnap(ref, kind, stage, version, version.number)


def case(pack_id: str, stage: str = "initiation", **kwargs: Any) -> CaseSnap:
    values: dict[str, Any] = {
        "ref": "1",
        "number": "冀街罚〔2026〕1号",
        "pack_id": pack_id,
        "action_types": ("penalty",),
        "start_mode": "ex_officio",
        "is_major": False,
        "stage": stage,
        "opened_at": T0,
        "title": "占道经营",
        "party_names": ("张三",),
    }
    values.update(kwargs)
    return CaseSnap(**values)


def recording(ref: str = "v1", **kwargs: Any) -> RecordingSnap:
    values: dict[str, Any] = {
        "ref": ref,
        "device_serial": "DSJ-001",
        "started_at": T0,
        "ended_at": T0 + dt.timedelta(minutes=30),
        "uploaded_at": T0 + dt.timedelta(hours=2),
        "officer_certs": ("HB-0001", "HB-0002"),
        "file_name": "现场检查.mp4",
        "device_checked": True,
        "party_informed": True,
    }
    values.update(kwargs)
    return RecordingSnap(**values)
