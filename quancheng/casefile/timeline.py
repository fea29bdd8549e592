"""The case page's timeline: the pack's stages in order, each with its records and the
findings that concern it, so the gaps show beside what was recorded."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse

from quancheng.agencies.models import User
from quancheng.agencies.roles import allowed
from quancheng.cases.models import Case
from quancheng.policies.engine import Evaluation, Finding
from quancheng.policies.labels import label
from quancheng.policies.schema import Pack, RecordKind
from quancheng.policies.snapshot import CaseSnap, VersionSnap


@dataclass
class RecordEntry:
    record_id: int
    kind: str
    url: str  # the record's page (its history)
    kind_label: str
    current: VersionSnap
    version_count: int
    findings: list[Finding] = field(default_factory=list)


@dataclass
class StageEntry:
    id: str
    label: str
    citation: str
    state: str  # "done", "current" or "future"
    records: list[RecordEntry] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    addable: list[tuple[str, str]] = field(default_factory=list)

    @property
    def has_record_findings(self) -> bool:
        return any(entry.findings for entry in self.records)


@dataclass
class Timeline:
    stages: list[StageEntry]
    other_findings: list[Finding]
    next_stage: StageEntry | None


def build_timeline(
    case: Case,
    pack: Pack,
    snapshot: CaseSnap,
    evaluation: Evaluation,
    user: User,
    can_write: bool,
) -> Timeline:
    """Stages with records and findings: the records (each with its current version) come
    from the snapshot the findings were evaluated on, so the page reads them once.
    ``addable`` lists the kinds ``user`` may add in each stage (none for a reader, and for a
    closed case only where the pack allows)."""
    kinds = {k.id: k for k in pack.record_kinds}
    order = [s.id for s in pack.stages]
    current = order.index(case.stage) if case.stage in order else 0
    stages = {
        s.id: StageEntry(s.id, label(s), s.citation, _state(i, current, case))
        for i, s in enumerate(pack.stages)
    }
    by_record: dict[str, RecordEntry] = {}
    for record in snapshot.records:  # in the order of their ids
        kind = kinds.get(record.kind)
        entry = RecordEntry(
            int(record.ref),
            record.kind,
            reverse("cases:record", args=[case.pk, int(record.ref)]),
            label(kind) if kind else record.kind,
            record.current,
            record.version_count,
        )
        by_record[record.ref] = entry
        stages.setdefault(record.stage, StageEntry(record.stage, record.stage, "", "done"))
        stages[record.stage].records.append(entry)
    other = _place_findings(evaluation.findings, stages, by_record)
    if can_write:
        for stage in pack.stages:
            if not case.is_closed or stage.open_after_close:
                stages[stage.id].addable = _addable(pack.record_kinds, stage.id, user, case)
    following = order[current + 1] if current + 1 < len(order) else None
    next_stage = stages[following] if following and not case.is_closed else None
    return Timeline(list(stages.values()), other, next_stage)


def _state(index: int, current: int, case: Case) -> str:
    if index < current or (case.is_closed and index == current):
        return "done"
    return "current" if index == current else "future"


def _place_findings(
    findings: list[Finding], stages: dict[str, StageEntry], records: dict[str, RecordEntry]
) -> list[Finding]:
    """Put each finding by the stage or record it names; return the rest."""
    other = []
    for finding in findings:
        what, _sep, ref = finding.subject.partition(":")
        if what == "stage" and ref in stages:
            stages[ref].findings.append(finding)
        elif what == "record" and ref in records:
            records[ref].findings.append(finding)
        else:
            other.append(finding)
    return other


def _addable(
    kinds: tuple[RecordKind, ...], stage_id: str, user: User, case: Case
) -> list[tuple[str, str]]:
    return [
        (k.id, label(k))
        for k in kinds
        if k.stage == stage_id and allowed(user, "record.add", case=case, kind=k)
    ]
