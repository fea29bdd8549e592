"""The demo cases of one agency, each in a state an agency meets, planned from its pack.

Each spec says what to build and which error findings the engine should then report, so the
tests can hold the demo to what it claims. A spec the pack cannot show (no rule for it) is
left out for that pack.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from quancheng.demo.people import Staff
from quancheng.demo.planning import (
    CaseFacts,
    PlannedRecord,
    plan_records,
    requirement_stage,
    showcase_kind,
    signer_rules,
)
from quancheng.demo.samples import SampleContext, sample_fields
from quancheng.policies.choices import ActionType, Role, SignerRole, StartMode
from quancheng.policies.deadlines import CHINA, due_at
from quancheng.policies.schema import Condition, Pack, RecordKind
from quancheng.policies.workdays import CalendarGap, WorkCalendar


@dataclass
class CaseSpec:
    """One demo case: its facts, its records, its times, and what it leaves wrong."""

    key: str
    seq: int
    title: str
    party: str
    party_kind: str
    facts: CaseFacts
    last_stage: int
    opened_at: dt.datetime
    until: dt.datetime  # the last moment of work on it (its end, if it ended)
    records: list[PlannedRecord] = field(default_factory=list)
    ended: bool = False
    archived_at: dt.datetime | None = None
    unsigned: str | None = None  # a record kind left without the party's signature
    unsealed: str | None = None  # a document kind left without the agency's seal
    upload_late: bool = False
    gap: bool = False
    correct: str | None = None  # a record kind corrected once, to show a version history
    expect_errors: frozenset[str] = frozenset()


@dataclass
class Plan:
    """What every spec of one agency shares."""

    staff: Staff
    now: dt.datetime
    calendar: WorkCalendar

    @property
    def pack(self) -> Pack:
        return self.staff.pack

    @property
    def work_end(self) -> int:
        """The last stage before archiving (stages open after close come after the end)."""
        return max(i for i, s in enumerate(self.pack.stages) if not s.open_after_close)

    def facts(self, is_major: bool = False) -> CaseFacts:
        scope = self.pack.scope.action_types
        action = ActionType.PENALTY if ActionType.PENALTY in scope else scope[0]
        return CaseFacts((action,), StartMode.EX_OFFICIO, is_major)

    def day(self, days_ago: float, hour: int = 9) -> dt.datetime:
        local = (self.now - dt.timedelta(days=days_ago)).astimezone(CHINA)
        return local.replace(hour=hour, minute=0, second=0, microsecond=0)

    def records(
        self,
        facts: CaseFacts,
        last_stage: int,
        omit: frozenset[str] = frozenset(),
        extra: tuple[RecordKind, ...] = (),
    ) -> list[PlannedRecord]:
        people = self.staff.people()
        certs = tuple(o.cert_no for o in self.staff.officers)
        ctx = SampleContext("当事人", certs, people, self.now.date(), self.now)
        showcase = showcase_kind(self.pack, last_stage)
        left_out = {k for r in self.pack.requirements if r.id in omit for k in r.kinds}
        if showcase and showcase not in extra and showcase.id not in left_out:
            extra = (*extra, showcase)
        return plan_records(
            self.pack, facts, last_stage, lambda k: sample_fields(k, self.pack, ctx), omit, extra
        )

    def kind_label(self, kind_id: str) -> str:
        return next(k.label for k in self.pack.record_kinds if k.id == kind_id)

    def correctable(self, records: list[PlannedRecord]) -> str | None:
        """A record that can be corrected without the party confirming it again."""
        return next((r.kind.id for r in records if not r.kind.involves_party), None)


# key: (sequence number, party, party kind, matter, what the demo shows)
STORIES = {
    "compliant": (1, "新城区百味餐饮店", "organisation", "未取得营业执照经营", "记录完整"),
    "missing_record": (2, "张某某", "person", "占道经营", "缺少必需的记录"),
    "unsigned": (3, "新城区惠民超市", "organisation", "销售过期食品", "文书未签名"),
    "unsealed": (3, "新城区惠民超市", "organisation", "销售过期食品", "文书未盖章"),
    "major": (4, "示范市宏达建材有限公司", "organisation", "违法建设", "重大决定缺少记录"),
    "overdue": (5, "新城区鑫源网吧", "organisation", "接纳未成年人", "逾期"),
    "gap": (6, "李某某", "person", "无证运输", "执法记录中断未说明"),
    "archived": (7, "新城区老街茶馆", "organisation", "超范围经营", "已结案归档"),
    "fresh": (8, "新城区阳光药店", "organisation", "涉嫌销售假药", "新立案"),
}


def story(
    key: str, facts: CaseFacts, last_stage: int, shows: str = "", **kwargs: object
) -> CaseSpec:
    seq, party, party_kind, matter, usual = STORIES[key]
    title = f"{party}{matter}案（演示：{shows or usual}）"
    return CaseSpec(key, seq, title, party, party_kind, facts, last_stage, **kwargs)  # type: ignore[arg-type]


def compliant(plan: Plan) -> CaseSpec:
    records = plan.records(plan.facts(), plan.work_end)
    return story(
        "compliant",
        plan.facts(),
        plan.work_end,
        opened_at=plan.day(12),
        until=plan.day(1, 16),
        records=records,
        correct=plan.correctable(records),
    )


def missing_record(plan: Plan) -> CaseSpec | None:
    """A requirement without conditions left out of an earlier stage: an error, not a to-do."""
    unconditional = [r for r in plan.pack.requirements if r.when == Condition()]
    if not unconditional:
        return None
    req = min(unconditional, key=lambda r: requirement_stage(plan.pack, r))
    return story(
        "missing_record",
        plan.facts(),
        plan.work_end,
        shows="缺少" + plan.kind_label(req.kinds[0]),
        opened_at=plan.day(15),
        until=plan.day(2, 16),
        records=plan.records(plan.facts(), plan.work_end, omit=frozenset({req.id})),
        ended=requirement_stage(plan.pack, req) >= plan.work_end,
        expect_errors=frozenset({f"record.required/{req.id}"}),
    )


def unsigned_document(plan: Plan) -> CaseSpec | None:
    """A record the party should sign, without the signature (or, where the pack asks for no
    signature, a document without the agency's seal)."""
    signs = plan.pack.signatures.party_signs is not None

    def wanted(kind: RecordKind) -> bool:
        if signs:
            return kind.involves_party
        return kind.document is not None and kind.document.seal_required

    records = plan.records(plan.facts(), plan.work_end)
    target = _pick(records, wanted)
    if target is None:
        kind = next((k for k in _kinds_until(plan, plan.work_end) if wanted(k)), None)
        if kind is None:
            return None
        records = plan.records(plan.facts(), plan.work_end, extra=(kind,))
        target = kind.id
    expect = {"signature.party" if signs else "document.seal"}
    planned = next(r for r in records if r.kind.id == target)
    if any(r.role == SignerRole.PARTY for r in signer_rules(planned.kind, planned.fields)):
        expect.add(f"signature.required/{target}.party")  # the kind names the party a signer
    return story(
        "unsigned" if signs else "unsealed",
        plan.facts(),
        plan.work_end,
        opened_at=plan.day(14),
        until=plan.day(1, 11),
        records=records,
        unsigned=target if signs else None,
        unsealed=None if signs else target,
        expect_errors=frozenset(expect),
    )


def _pick(records: list[PlannedRecord], wanted: Callable[[RecordKind], bool]) -> str | None:
    # The latest document (文书), the decision say, reads best as the unsigned one; any record
    # the party signs will do.
    latest_first = records[::-1]
    ranked = [r for r in latest_first if r.kind.document] + [
        r for r in latest_first if not r.kind.document
    ]
    return next((r.kind.id for r in ranked if wanted(r.kind)), None)


def _kinds_until(plan: Plan, last_stage: int) -> list[RecordKind]:
    stages = {s.id for s in plan.pack.stages[: last_stage + 1]}
    return [k for k in plan.pack.record_kinds if k.stage in stages]


def major_without_review(plan: Plan) -> CaseSpec | None:
    """A major decision whose legal review (the requirement a legal reviewer meets) is missing."""
    major = [r for r in plan.pack.requirements if r.when.major]
    if not major:
        return None
    kinds = {k.id: k for k in plan.pack.record_kinds}
    by_reviewer = [
        r for r in major if any(Role.LEGAL_REVIEWER in kinds[k].author_roles for k in r.kinds)
    ]
    req = (by_reviewer or major)[0]
    facts = plan.facts(is_major=True)
    return story(
        "major",
        facts,
        plan.work_end,
        shows="重大决定缺少" + plan.kind_label(req.kinds[0]),
        opened_at=plan.day(20),
        until=plan.day(3, 15),
        records=plan.records(facts, plan.work_end, omit=frozenset({req.id})),
        ended=requirement_stage(plan.pack, req) >= plan.work_end,
        expect_errors=frozenset({f"record.required/{req.id}"}),
    )


def overdue(plan: Plan) -> CaseSpec | None:
    """A recording stored after its deadline, and a case ended long ago and not archived."""
    av, archive = plan.pack.audio_visual.upload_deadline, plan.pack.archive.deadline
    expect: set[str] = set()
    ended = plan.day(40, 17)
    if archive is not None:
        try:
            while due_at(ended, archive, plan.calendar) > plan.now - dt.timedelta(days=1):
                ended -= dt.timedelta(days=15)
            expect.add("archive.overdue")
        except CalendarGap:
            pass
    if av is not None:
        try:
            due_at(ended, av, plan.calendar)  # the recordings end by then
            expect.add("av.upload.late")
        except CalendarGap:
            pass
    if not expect:
        return None
    return story(
        "overdue",
        plan.facts(),
        plan.work_end,
        opened_at=ended - dt.timedelta(days=20),
        until=ended,
        records=_with_recording(plan.records(plan.facts(), plan.work_end)),
        ended=True,
        upload_late="av.upload.late" in expect,
        expect_errors=frozenset(expect),
    )


def interrupted(plan: Plan) -> CaseSpec | None:
    """A recording that stops and starts again with no interruption explained."""
    if plan.pack.audio_visual.interruption is None:
        return None
    return story(
        "gap",
        plan.facts(),
        plan.work_end,
        opened_at=plan.day(9),
        until=plan.day(1, 10),
        records=_with_recording(plan.records(plan.facts(), plan.work_end)),
        gap=True,
        expect_errors=frozenset({"av.gap"}),
    )


def _with_recording(records: list[PlannedRecord]) -> list[PlannedRecord]:
    if records and not any(r.recorded for r in records):
        records[0].scenario = ""
    return records


def archived(plan: Plan) -> CaseSpec:
    """Every stage recorded, ended, and archived within the pack's period."""
    last = len(plan.pack.stages) - 1
    ended = plan.day(45, 17)
    archived_at = ended + dt.timedelta(days=5)
    deadline = plan.pack.archive.deadline
    if deadline is not None:
        try:
            archived_at = ended + (due_at(ended, deadline, plan.calendar) - ended) / 2
        except CalendarGap:
            pass
    records = plan.records(plan.facts(), last)
    return story(
        "archived",
        plan.facts(),
        last,
        opened_at=ended - dt.timedelta(days=25),
        until=ended,
        records=records,
        ended=True,
        correct=plan.correctable(records),
        archived_at=min(archived_at, plan.now - dt.timedelta(hours=1)),
    )


def fresh(plan: Plan) -> CaseSpec:
    """Opened today, nothing recorded yet: the engine lists what is still to be recorded."""
    return story(
        "fresh",
        plan.facts(),
        0,
        opened_at=plan.now - dt.timedelta(hours=2),
        until=plan.now - dt.timedelta(hours=1),
    )


SPECS = (
    compliant,
    missing_record,
    unsigned_document,
    major_without_review,
    overdue,
    interrupted,
    archived,
    fresh,
)


def case_specs(plan: Plan) -> list[CaseSpec]:
    return [spec for make in SPECS if (spec := make(plan)) is not None]
