"""Which records a demo case needs, worked out from the pack alone (no database).

A case's facts (action types, start mode, major decision) and the activities of the records
planned so far decide which requirements hold; the plan grows until every requirement that
holds up to the case's stage has a record, less those a scenario leaves out on purpose.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from quancheng.policies.choices import ScenarioMode
from quancheng.policies.engine import DEFAULT_GAP_TOLERANCE, Context, index_for
from quancheng.policies.schema import Pack, RecordKind, Requirement, SignerRule
from quancheng.policies.snapshot import CaseSnap, RecordSnap, VersionSnap
from quancheng.policies.workdays import WorkCalendar


@dataclass(frozen=True)
class CaseFacts:
    action_types: tuple[str, ...]
    start_mode: str
    is_major: bool = False


@dataclass
class PlannedRecord:
    kind: RecordKind
    fields: dict[str, Any] = field(default_factory=dict)
    scenario: str | None = None  # recorded on audio-visual media under this scenario

    @property
    def recorded(self) -> bool:
        return self.scenario is not None


def stage_index(pack: Pack, stage_id: str) -> int:
    return [s.id for s in pack.stages].index(stage_id)


def requirement_stage(pack: Pack, req: Requirement) -> int:
    kind = next(k for k in pack.record_kinds if k.id == req.kinds[0])
    return stage_index(pack, kind.stage)


def activities(pack: Pack, kind: RecordKind, fields: dict[str, Any]) -> frozenset[str]:
    """The activities a record of ``kind`` with ``fields`` produces, as the engine reads them."""
    now = timezone.now()
    snap = RecordSnap("plan", kind.id, kind.stage, VersionSnap(1, fields, now))
    return index_for(pack).activities_of(snap)


def signer_rules(kind: RecordKind, fields: dict[str, Any]) -> list[SignerRule]:
    """The kind's signer rules that apply to a record with ``fields`` (hebei §15: a witness
    signs a service receipt left at the address, the recipient one served in person)."""
    shown = kind.activities_from(fields)
    return [
        rule
        for rule in kind.signers
        if (rule.when is None or shown & set(rule.when)) and not shown & set(rule.unless)
    ]


def holds(pack: Pack, req: Requirement, facts: CaseFacts, done: frozenset[str]) -> bool:
    """Whether ``req`` applies to a case with ``facts`` whose records produce ``done``."""
    now = timezone.now()
    case = CaseSnap(
        ref="plan",
        number="",
        pack_id=pack.id,
        action_types=facts.action_types,
        start_mode=facts.start_mode,
        is_major=facts.is_major,
        stage=pack.stages[0].id,
        opened_at=now,
    )
    ctx = Context(
        case=case,
        index=index_for(pack),
        at=now,
        calendar=WorkCalendar(),  # not read: conditions do not depend on the calendar
        gap_tolerance=DEFAULT_GAP_TOLERANCE,
        record_activities={},
        case_activities=done,
        reached_stage=0,
    )
    return ctx.holds(req.when)


def showcase_kind(pack: Pack, last_stage: int) -> RecordKind | None:
    """The first kind whose own activities a recording scenario names (an inquiry, an on-site
    inspection), so the demo shows an audio-visual record even where none is mandatory."""
    wanted = {
        a
        for s in pack.audio_visual.scenarios
        if s.mode != ScenarioMode.UNSUITABLE
        for a in s.activities
    }
    for kind in pack.record_kinds:
        if stage_index(pack, kind.stage) <= last_stage and wanted & set(kind.activities):
            return kind
    return None


def plan_records(
    pack: Pack,
    facts: CaseFacts,
    last_stage: int,
    fill: Any,
    omit: frozenset[str] = frozenset(),
    extra: tuple[RecordKind, ...] = (),
) -> list[PlannedRecord]:
    """Records for every requirement that holds up to ``last_stage``, except ``omit``.

    ``fill(kind)`` gives a record's fields. Each record that triggers a mandatory recording
    scenario gets that scenario; so does the first ``extra`` record any scenario names.
    """
    planned: dict[str, PlannedRecord] = {k.id: PlannedRecord(k, fill(k)) for k in extra}
    changed = True
    while changed:
        changed = False
        done = frozenset().union(*(activities(pack, p.kind, p.fields) for p in planned.values()))
        for req in pack.requirements:
            if req.id in omit or requirement_stage(pack, req) > last_stage:
                continue
            if planned.keys() & set(req.kinds) or not holds(pack, req, facts, done):
                continue
            kind = next(k for k in pack.record_kinds if k.id == req.kinds[0])
            planned[kind.id] = PlannedRecord(kind, fill(kind))
            changed = True
    order = {k.id: i for i, k in enumerate(pack.record_kinds)}
    records = sorted(
        planned.values(), key=lambda p: (stage_index(pack, p.kind.stage), order[p.kind.id])
    )
    _assign_scenarios(pack, records, {k.id for k in extra})
    return records


def _assign_scenarios(pack: Pack, records: list[PlannedRecord], extra: set[str]) -> None:
    scenarios = [s for s in pack.audio_visual.scenarios if s.mode != ScenarioMode.UNSUITABLE]
    for record in records:
        done = activities(pack, record.kind, record.fields)
        for scenario in sorted(scenarios, key=lambda s: s.mode != ScenarioMode.MANDATORY):
            if not done & set(scenario.activities):
                continue
            if scenario.mode == ScenarioMode.MANDATORY or record.kind.id in extra:
                record.scenario = scenario.id
                break


def timeline(start: dt.datetime, end: dt.datetime, stages: int) -> list[dt.datetime]:
    """The moment each of ``stages`` stages begins, evenly between ``start`` and ``end``."""
    step = (end - start) / max(stages, 1)
    return [start + step * i for i in range(stages)]
