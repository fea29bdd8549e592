"""Valid field values for the record kinds of the anhui and hebei-street packs, and helpers
to evaluate snapshots against a pack and look for one rule's finding."""

from __future__ import annotations

import datetime as dt
from typing import Any

from quancheng.policies.engine import Finding, evaluate
from quancheng.policies.registry import get_pack
from quancheng.policies.snapshot import CaseSnap, RecordSnap
from quancheng.policies.tests.snaps import T0, record
from quancheng.policies.workdays import WorkCalendar

PACKS = ("anhui", "hebei-street")
CALENDAR = WorkCalendar()

COMMON: dict[str, dict[str, Any]] = {
    "ex_officio_start": {"source": "complaint", "reason": "群众举报占道经营"},
    "application": {"applicant": "李四", "applied_on": "2026-03-02", "content": "申请许可"},
    "acceptance": {"outcome": "accepted", "decided_on": "2026-03-03"},
    "credentials_shown": {"officers": ["X-0001", "X-0002"], "shown": True},
    "inquiry": {
        "interviewee": "张三",
        "interviewee_role": "party",
        "place": "现场",
        "content": "问答",
    },
    "on_site_inspection": {"place": "某路", "findings": "占道经营"},
    "compulsory_measure": {
        "measure_type": "seal_up",
        "target": "货物一批",
        "basis": "某法第十条",
        "place": "某路",
    },
    "rights_notice": {"rights": ["statement", "defence"], "notified_on": "2026-03-03"},
    "party_statement": {"content": "无异议"},
    "hearing": {
        "form": "hearing",
        "held_on": "2026-03-05",
        "participants": "张三、执法人员",
        "content": "听证经过",
    },
    "handling_proposal": {
        "facts": "事实",
        "evidence": "证据",
        "legal_basis": "依据",
        "discretion": "从轻",
        "proposal": "罚款",
    },
    "proposed_decision": {"unit": "综合行政执法队", "content": "罚款五百元"},
    "legal_review": {"reviewer": "李", "opinion": "合法", "reviewed_on": "2026-03-06"},
    "collective_discussion": {
        "held_on": "2026-03-06",
        "participants": "主任、副主任",
        "conclusion": "同意",
    },
    "head_approval": {"approver": "王", "opinion": "同意", "approved_on": "2026-03-06"},
    "decision_document": {"content": "罚款五百元"},
    "service": {
        "document_name": "行政处罚决定书",
        "recipient": "张三",
        "method": "service_direct",
        "served_on": "2026-03-07",
    },
    "performance": {"status": "performed"},
    "confiscated_property": {"items": "货物", "disposal": "拍卖", "handled_on": "2026-03-20"},
}

HEBEI: dict[str, dict[str, Any]] = {
    "hearing": {**COMMON["hearing"], "original_statements": "张三：……"},
    "head_approval": {
        "handler": "赵",
        "handler_opinion": "建议罚款",
        "handler_reason": "占道经营",
        "handler_signed_on": "2026-03-06",
        "reviewer": "李",
        "reviewer_opinion": "同意",
        "reviewer_signed_on": "2026-03-06",
        "approver": "王",
        "approver_opinion": "批准",
        "approver_signed_on": "2026-03-07",
    },
    "decision_document": {**COMMON["decision_document"], "decision_type": "penalty_decision"},
    "service": {
        "document_name": "行政处罚决定书",
        "recipient": "张三",
        "method": "service_direct",
        "served_at": "2026-03-07T10:00:00+08:00",
        "place": "某路1号",
    },
}


def good(pack_id: str, kind: str, **changes: Any) -> dict[str, Any]:
    """Field values that meet every field rule of ``kind`` in the pack; ``None`` drops one."""
    base = (HEBEI if pack_id == "hebei-street" else {}).get(kind, COMMON[kind])
    fields = {**base, **changes}
    return {k: v for k, v in fields.items() if v is not None}


def stage_of(pack_id: str, kind: str) -> str:
    return next(k.stage for k in get_pack(pack_id).record_kinds if k.id == kind)


def rec(pack_id: str, kind: str, ref: str | None = None, **options: Any) -> RecordSnap:
    """A record of ``kind`` with valid fields (``fields=`` to replace them)."""
    fields = options.pop("fields", None) or good(pack_id, kind)
    return record(ref or kind, kind, stage_of(pack_id, kind), fields, **options)


def findings(snap: CaseSnap, at: dt.datetime | None = None) -> list[Finding]:
    pack = get_pack(snap.pack_id)
    return evaluate(snap, pack, at or T0 + dt.timedelta(days=1), CALENDAR).findings


def the(snap: CaseSnap, rule_id: str, at: dt.datetime | None = None) -> list[Finding]:
    return [f for f in findings(snap, at) if f.rule_id == rule_id]


def assert_meets(snap: CaseSnap, rule_id: str, at: dt.datetime | None = None) -> None:
    found = the(snap, rule_id, at)
    assert not found, found


def assert_breaks(
    snap: CaseSnap,
    rule_id: str,
    citation: str,
    severity: str = "error",
    at: dt.datetime | None = None,
) -> Finding:
    found = the(snap, rule_id, at)
    assert found, f"{rule_id} not found in {[f.rule_id for f in findings(snap, at)]}"
    assert found[0].citation == f"{snap.pack_id} {citation}"
    assert found[0].severity == severity
    return found[0]
