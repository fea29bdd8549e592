"""Small builders of engine snapshots for rule tests: a case under a pack, its records and
recordings, with only what a test means to vary spelled out."""

from __future__ import annotations

import datetime as dt
from typing import Any

from quancheng.policies.engine import Evaluation, evaluate
from quancheng.policies.registry import get_pack
from quancheng.policies.snapshot import (
    CaseSnap,
    InterruptionSnap,
    RecordingSnap,
    RecordSnap,
    RefusalSnap,
    SignatureSnap,
    VersionSnap,
)
from quancheng.policies.workdays import WorkCalendar

CST = dt.timezone(dt.timedelta(hours=8))


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=CST)


def record(
    ref: str,
    kind: str,
    stage: str,
    fields: dict[str, Any] | None = None,
    *,
    occurred_at: str | dt.datetime = "2026-03-02 10:00",
    doc: tuple[str, dt.date | None, bool] = ("", None, False),
    signatures: list[SignatureSnap] | None = None,
    signers: tuple[tuple[str, str], ...] = (),
    refusal_signers: list[str] | None = None,
    is_correction: bool = False,
) -> RecordSnap:
    """A record. ``signers`` adds signatures as (role, name), an officer's name standing for
    its certificate; ``refusal_signers`` notes the party's refusal, signed by those officers'
    certificates; ``is_correction`` makes it the second version."""
    number, issued_on, sealed = doc
    all_signatures = list(signatures or [])
    all_signatures += [
        SignatureSnap(role, name, name if role == "officer" else None) for role, name in signers
    ]
    refusals = []
    if refusal_signers is not None:
        refusals.append(RefusalSnap("r1", "当事人拒绝签字"))
        all_signatures += [SignatureSnap("officer", c, c, "r1") for c in refusal_signers]
    version = VersionSnap(
        number=2 if is_correction else 1,
        fields=fields or {},
        occurred_at=at(occurred_at) if isinstance(occurred_at, str) else occurred_at,
        is_correction=is_correction,
        doc_number=number,
        doc_issued_on=issued_on,
        doc_sealed=sealed,
        signatures=all_signatures,
        refusals=refusals,
    )
    return RecordSnap(
        ref=ref, kind=kind, stage=stage, current=version, version_count=version.number
    )


def recording(ref: str = "v1", **kwargs: Any) -> RecordingSnap:
    """A recording that meets every conduct rule unless a keyword says otherwise."""
    values: dict[str, Any] = {
        "ref": ref,
        "device_serial": "BC-1",
        "started_at": at("2026-03-02 10:00"),
        "ended_at": at("2026-03-02 10:30"),
        "uploaded_at": at("2026-03-02 12:00"),
        "officer_certs": ("C-1", "C-2"),
        "production_method": "执法记录仪",
        "maker": "张三",
        "opening_statement": True,
        "device_checked": True,
        "party_informed": True,
    }
    values.update(kwargs)
    return RecordingSnap(**values)


def interruption(ref: str = "i1", **kwargs: Any) -> InterruptionSnap:
    values: dict[str, Any] = {
        "ref": ref,
        "device_serial": "BC-1",
        "started_at": at("2026-03-02 10:30"),
        "ended_at": at("2026-03-02 10:40"),
        "reason": "equipment",
        "resumed": True,
        "spoken_explanation": True,
    }
    values.update(kwargs)
    return InterruptionSnap(**values)


def case(pack_id: str, stage: str, **kwargs: Any) -> CaseSnap:
    values: dict[str, Any] = {
        "ref": "1",
        "number": "测〔2026〕1号",
        "pack_id": pack_id,
        "action_types": ("penalty",),
        "start_mode": "ex_officio",
        "is_major": False,
        "stage": stage,
        "opened_at": at("2026-03-02 09:00"),
        "party_names": ("李四",),
    }
    values.update(kwargs)
    return CaseSnap(**values)


def findings(snap: CaseSnap, moment: str = "2026-03-03 09:00") -> Evaluation:
    return evaluate(snap, get_pack(snap.pack_id), at(moment), WorkCalendar())


def rule_ids(snap: CaseSnap, moment: str = "2026-03-03 09:00") -> set[str]:
    return {f.rule_id for f in findings(snap, moment).findings}
