"""Building a planned demo case through the case and media actions, stage by stage."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from quancheng.cases.actions import (
    DocumentInput,
    PartyInput,
    add_record,
    archive_case,
    correct_record,
    end_case,
    move_to_stage,
    open_case,
)
from quancheng.cases.models import Case, Record
from quancheng.cases.signing import SignatureInput
from quancheng.demo.cases import CaseSpec
from quancheng.demo.people import Staff, person_name
from quancheng.demo.planning import PlannedRecord, signer_rules, timeline
from quancheng.demo.samples import PLACE, SampleContext, sample_fields
from quancheng.ledger.public import Actor
from quancheng.media.actions import RecordingInput, add_recording_metadata
from quancheng.policies.choices import FieldType, SignerRole
from quancheng.policies.deadlines import due_at
from quancheng.policies.schema import RecordKind
from quancheng.policies.workdays import CalendarGap, WorkCalendar

_STEP = dt.timedelta(minutes=45)


class CaseBuilder:
    def __init__(self, staff: Staff, spec: CaseSpec, calendar: WorkCalendar) -> None:
        self.staff, self.spec, self.calendar = staff, spec, calendar
        self.officer = staff.users["officer"]
        self.act = staff.actor(self.officer)
        self.documents = 0

    def number(self) -> str:
        return f"{self.staff.abbr}执〔{self.spec.opened_at.year}〕{self.spec.seq}号"

    def build(self) -> Case:
        spec, pack = self.spec, self.staff.pack
        case = open_case(
            self.act,
            self.staff.agency,
            number=self.number(),
            title=spec.title,
            action_types=list(spec.facts.action_types),
            start_mode=spec.facts.start_mode,
            opened_at=spec.opened_at,
            is_major=spec.facts.is_major,
            officers=self.staff.officers,
            parties=[PartyInput(spec.party_kind, spec.party, address=PLACE, phone="0551-6000000")],
        )
        stages = pack.stages[: spec.last_stage + 1]
        work = [s for s in stages if not s.open_after_close]
        starts = timeline(spec.opened_at + dt.timedelta(hours=1), spec.until, len(work))
        for index, stage in enumerate(stages):
            if index > 0:
                move_to_stage(self.act, case, stage.id)
            if stage.open_after_close:
                self.end(case)
                start = spec.until + (self.archived_at() - spec.until) / 2
            else:
                start = starts[work.index(stage)]
            planned = [r for r in spec.records if r.kind.stage == stage.id]
            for offset, item in enumerate(planned):
                self.add(case, item, start + _STEP * offset)
        self.end(case)
        if spec.archived_at is not None:
            archive_case(self.staff.actor(self.staff.users["archivist"]), case, spec.archived_at)
        return case

    def archived_at(self) -> dt.datetime:
        return self.spec.archived_at or self.spec.until + dt.timedelta(hours=2)

    def end(self, case: Case) -> None:
        """The head ends the case (``case.end``: an officer may only after the approval)."""
        if self.spec.ended and not case.is_closed:
            end_case(self.staff.actor(self.staff.users["head"]), case, self.spec.until)

    def add(self, case: Case, item: PlannedRecord, occurred: dt.datetime) -> None:
        kind, spec = item.kind, self.spec
        author = self.staff.actor(self.staff.author_of(kind))
        local_day = timezone.localtime(occurred).date()
        certs = tuple(o.cert_no for o in self.staff.officers)
        ctx = SampleContext(spec.party, certs, self.staff.people(), local_day, occurred)
        fields = sample_fields(kind, self.staff.pack, ctx)
        document = None
        if kind.document is not None:
            self.documents += 1
            document = DocumentInput(
                number=self.number().removesuffix("号") + f"-{self.documents}号",
                issued_on=local_day,
                sealed=kind.id != spec.unsealed,
            )
        signatures = self.signatures(kind, fields, occurred)
        record = add_record(
            author, case, kind.id, fields, occurred, document=document, signatures=signatures
        )
        if kind.id == spec.correct:
            self.correct(author, record, fields, occurred, document)
        if item.recorded:
            self.video(case, record, item.scenario or "", occurred)

    def signatures(
        self, kind: RecordKind, fields: dict[str, Any], occurred: dt.datetime
    ) -> list[SignatureInput]:
        """The officer and the party sign what involves the party; anyone else the kind's
        signer rules name signs too, as many as they ask, except what the spec leaves out."""
        wanted: dict[str, int] = {}
        if kind.involves_party:
            wanted = {SignerRole.OFFICER: 1, SignerRole.PARTY: 1}
        for rule in signer_rules(kind, fields):
            wanted[rule.role] = max(wanted.get(rule.role, 0), rule.min_count)
        if kind.id == self.spec.unsigned:
            wanted.pop(SignerRole.PARTY, None)
        signed_at = occurred + dt.timedelta(minutes=10)
        return [
            self.signer(role, n, signed_at) for role, count in wanted.items() for n in range(count)
        ]

    def signer(self, role: str, n: int, signed_at: dt.datetime) -> SignatureInput:
        """The ``n``-th distinct signer in ``role``."""
        officers = self.staff.officers
        if role == SignerRole.OFFICER and n < len(officers):
            return SignatureInput(role, officers[n].name, signed_at, officers[n])
        people = self.staff.people()
        names: dict[str, str] = {
            SignerRole.PARTY: self.spec.party,
            SignerRole.REVIEWER: people["legal_reviewer"],
            SignerRole.APPROVER: people["head"],
        }
        name = names.get(role) if n == 0 else None
        return SignatureInput(role, name or person_name(40 + n), signed_at)

    def correct(
        self,
        author: Actor,
        record: Record,
        fields: dict[str, Any],
        occurred: dt.datetime,
        document: DocumentInput | None,
    ) -> None:
        """A second version, so the demo shows a version history."""
        kind = next(k for k in self.staff.pack.record_kinds if k.id == record.kind)
        changed = dict(fields)
        for definition in kind.fields:
            if definition.type in (FieldType.TEXT, FieldType.LONGTEXT) and definition.id in fields:
                changed[definition.id] = fields[definition.id] + "（经核对补正）"
                break
        correct_record(
            author, record, changed, occurred, "原记录表述不完整，予以补正。", document=document
        )

    def video(self, case: Case, record: Record, scenario: str, occurred: dt.datetime) -> None:
        device = self.staff.devices[0]
        start, end = occurred - dt.timedelta(minutes=15), occurred + dt.timedelta(minutes=30)
        segments = [(start, end)]
        if self.spec.gap:  # stopped for eight minutes, and nobody said why
            pause = start + dt.timedelta(minutes=12)
            segments = [(start, pause), (pause + dt.timedelta(minutes=8), end)]
        uploaded = self.uploaded_at(end)
        for begin, finish in segments:
            add_recording_metadata(
                self.act,
                case,
                RecordingInput(
                    device=device,
                    started_at=begin,
                    ended_at=finish,
                    officers=self.staff.officers,
                    records=[record],
                    session=f"{case.number}/{record.pk}",
                    place=PLACE,
                    scenario=scenario,
                    production_method="执法记录仪现场摄录",
                    maker=self.officer.full_name,
                    file_name=f"{device.serial}_{timezone.localtime(begin):%Y%m%d_%H%M%S}.mp4",
                    uploaded_at=uploaded,
                    opening_statement=True,
                    device_checked=True,
                    party_informed=True,
                ),
            )

    def uploaded_at(self, end: dt.datetime) -> dt.datetime:
        """In good time, or (for the overdue case) three hours after the deadline."""
        deadline = self.staff.pack.audio_visual.upload_deadline
        if deadline is None:
            return end + dt.timedelta(hours=2)
        try:
            due = due_at(end, deadline, self.calendar)
        except CalendarGap:
            return end + dt.timedelta(hours=1)
        if self.spec.upload_late:
            return due + dt.timedelta(hours=3)
        return end + min(dt.timedelta(hours=2), (due - end) / 2)
