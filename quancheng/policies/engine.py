"""The compliance engine: a case, its pack and a moment in time in; findings out.

It reads only a ``CaseSnap`` and never the database, so the web UI, the API and
``quancheng check`` (which works on a file) all get the same answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from quancheng.policies.choices import Severity
from quancheng.policies.schema import Condition, Pack, RecordKind
from quancheng.policies.snapshot import CaseSnap, RecordSnap
from quancheng.policies.workdays import WorkCalendar

# Segments of one session further apart than this are a gap that needs explaining.
DEFAULT_GAP_TOLERANCE = dt.timedelta(seconds=5)
# A deadline with less than this share of its period left is reported as due soon.
DUE_SOON_SHARE = 0.25


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing the pack asks for that the case does not (yet) show."""

    rule_id: str
    citation: str
    severity: str
    message: str
    subject: str
    due_at: dt.datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "citation": self.citation,
            "severity": self.severity,
            "message": self.message,
            "subject": self.subject,
            "due_at": self.due_at.isoformat() if self.due_at else None,
        }


@dataclass(slots=True)
class Evaluation:
    findings: list[Finding]
    next_deadline_at: dt.datetime | None

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == Severity.WARNING)


class PackIndex:
    """Lookups over a pack, built once per pack."""

    def __init__(self, pack: Pack) -> None:
        self.pack = pack
        self.kinds: dict[str, RecordKind] = {k.id: k for k in pack.record_kinds}
        self.stage_order: dict[str, int] = {s.id: i for i, s in enumerate(pack.stages)}
        self.stage_labels: dict[str, str] = {s.id: s.label for s in pack.stages}
        self.required_fields: dict[str, list[tuple[str, str]]] = {
            k.id: [(f.id, f.label) for f in k.fields if f.required] for k in pack.record_kinds
        }
        # Fields required only for some activities (hebei §15), as (id, label, activities).
        self.conditional_fields: dict[str, list[tuple[str, str, frozenset[str]]]] = {
            k.id: [(f.id, f.label, frozenset(f.required_for)) for f in k.fields if f.required_for]
            for k in pack.record_kinds
        }
        self.scenarios = {s.id: s for s in pack.audio_visual.scenarios}

    def activities_of(self, record: RecordSnap) -> frozenset[str]:
        kind = self.kinds.get(record.kind)
        if kind is None:
            return frozenset()
        return kind.activities_from(record.current.fields)

    def cite(self, citation: str) -> str:
        return f"{self.pack.id} {citation}"

    def kind_label(self, kind_id: str) -> str:
        kind = self.kinds.get(kind_id)
        return kind.label if kind else kind_id


_indexes: dict[int, PackIndex] = {}


def index_for(pack: Pack) -> PackIndex:
    index = _indexes.get(id(pack))
    if index is None or index.pack is not pack:
        index = _indexes[id(pack)] = PackIndex(pack)
    return index


@dataclass(slots=True)
class Context:
    """What one evaluation reads and writes; rules add findings and unmet deadlines."""

    case: CaseSnap
    index: PackIndex
    at: dt.datetime
    calendar: WorkCalendar
    gap_tolerance: dt.timedelta
    record_activities: dict[str, frozenset[str]]
    case_activities: frozenset[str]
    reached_stage: int
    findings: list[Finding] = field(default_factory=list)
    open_deadlines: list[dt.datetime] = field(default_factory=list)

    @property
    def pack(self) -> Pack:
        return self.index.pack

    def add(
        self,
        rule_id: str,
        citation: str,
        severity: str,
        message: str,
        subject: str,
        due_at: dt.datetime | None = None,
    ) -> None:
        self.findings.append(
            Finding(rule_id, self.index.cite(citation), severity, message, subject, due_at)
        )

    def holds(self, condition: Condition) -> bool:
        case = self.case
        if condition.action_types is not None and not set(condition.action_types) & set(
            case.action_types
        ):
            return False
        if condition.start_mode is not None and condition.start_mode != case.start_mode:
            return False
        if condition.major is not None and condition.major != case.is_major:
            return False
        return condition.activities is None or bool(
            set(condition.activities) & self.case_activities
        )


Rule = Callable[[Context], None]


def _rules() -> Iterable[Rule]:
    from quancheng.policies.rules import audio_visual, documents, records, timeliness

    return (*records.RULES, *documents.RULES, *audio_visual.RULES, *timeliness.RULES)


def evaluate(
    case: CaseSnap,
    pack: Pack,
    at: dt.datetime,
    calendar: WorkCalendar,
    gap_tolerance: dt.timedelta = DEFAULT_GAP_TOLERANCE,
) -> Evaluation:
    """Every finding for ``case`` under ``pack`` as things stand at ``at``."""
    if at.tzinfo is None:
        raise ValueError("evaluate() needs a timezone-aware moment")
    index = index_for(pack)
    record_activities = {r.ref: index.activities_of(r) for r in case.records}
    reached = max(
        [index.stage_order.get(case.stage, 0)]
        + [index.stage_order.get(r.stage, 0) for r in case.records]
    )
    ctx = Context(
        case=case,
        index=index,
        at=at,
        calendar=calendar,
        gap_tolerance=gap_tolerance,
        record_activities=record_activities,
        case_activities=frozenset().union(*record_activities.values()),
        reached_stage=reached,
    )
    for rule in _rules():
        rule(ctx)
    return Evaluation(ctx.findings, min(ctx.open_deadlines, default=None))


def is_blank(value: object) -> bool:
    return value is None or value == "" or value == [] or value == {}
