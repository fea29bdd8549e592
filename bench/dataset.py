"""A generated data set of cases for the benchmarks: realistic shapes, bulk-inserted."""

from __future__ import annotations

import datetime as dt
import random

from django.db import connection
from django.utils import timezone

from quancheng.agencies.models import Agency, Officer
from quancheng.cases.models import Case, Party, Record, RecordVersion, Signature
from quancheng.devices.models import Device
from quancheng.media.models import Interruption, Recording
from quancheng.policies.choices import FieldType
from quancheng.policies.registry import all_packs
from quancheng.policies.schema import FieldDef, Pack, RecordKind


def _value(field: FieldDef, rng: random.Random) -> object:
    kind = field.type
    if kind == FieldType.BOOLEAN:
        return rng.random() < 0.3
    if kind == FieldType.INTEGER:
        return rng.randint(1, 100)
    if kind == FieldType.CHOICE:
        return rng.choice(field.choices).id
    if kind == FieldType.MULTICHOICE:
        return [c.id for c in field.choices if rng.random() < 0.5] or [field.choices[0].id]
    if kind == FieldType.OFFICERS:
        return ["B-0001", "B-0002"]
    if kind == FieldType.DATE:
        return "2026-03-02"
    if kind == FieldType.DATETIME:
        return "2026-03-02T09:30:00+08:00"
    return "记录内容" * rng.randint(1, 5)


def _fields(kind: RecordKind, rng: random.Random) -> dict[str, object]:
    # One record in twenty leaves out a field, so the engine has gaps to find.
    return {f.id: _value(f, rng) for f in kind.fields if rng.random() > 0.05}


def _setup(pack: Pack) -> tuple[Agency, list[Officer], list[Device]]:
    agency = Agency.objects.create(
        code=f"bench-{pack.id}",
        name=f"基准测试 {pack.short_title}",
        level="agency",
        pack_id=pack.id,
    )
    officers = [
        Officer.objects.create(agency=agency, name=f"执法员{i}", cert_no=f"B-{pack.id}-{i:04d}")
        for i in range(20)
    ]
    devices = [
        Device.objects.create(agency=agency, serial=f"BC-{pack.id}-{i:04d}", kind="body_camera")
        for i in range(10)
    ]
    return agency, officers, devices


def generate(n_cases: int, seed: int = 7) -> list[int]:
    """Insert ``n_cases`` cases spread over every installed pack; returns their ids."""
    rng = random.Random(seed)
    packs = list(all_packs().values())
    setups = {pack.id: _setup(pack) for pack in packs}
    now = timezone.now()
    ids: list[int] = []
    for start in range(0, n_cases, 500):
        count = min(500, n_cases - start)
        ids += _generate_chunk(rng, packs, setups, start, count, now)
    # What autovacuum does soon after a load this size: without statistics PostgreSQL plans
    # a case's queries as if its tables were empty, and scans them whole.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return ids


def _generate_chunk(rng, packs, setups, start, count, now) -> list[int]:  # noqa: ANN001
    cases = []
    for i in range(start, start + count):
        pack = packs[i % len(packs)]
        agency = setups[pack.id][0]
        opened = now - dt.timedelta(days=rng.randint(1, 120))
        stage = rng.choice(pack.stages).id
        closed = opened + dt.timedelta(days=rng.randint(5, 40)) if rng.random() < 0.3 else None
        cases.append(
            Case(
                agency=agency,
                pack_id=pack.id,
                number=f"BENCH-{i:06d}",
                title="基准案件",
                action_types=[rng.choice(pack.scope.action_types)],
                start_mode=rng.choice(["ex_officio", "on_application"]),
                is_major=rng.random() < 0.1,
                stage=stage,
                opened_at=opened,
                ended_at=closed,
                closed_at=closed,
            )
        )
    cases = Case.objects.bulk_create(cases)
    packs_by_id = {p.id: p for p in packs}
    Party.objects.bulk_create([Party(case=c, kind="person", name=f"当事人{c.pk}") for c in cases])
    records, plan = [], []
    for case in cases:
        pack = packs_by_id[case.pack_id]
        reached = [s.id for s in pack.stages][: [s.id for s in pack.stages].index(case.stage) + 1]
        kinds = [k for k in pack.record_kinds if k.stage in reached]
        for kind in rng.sample(kinds, min(len(kinds), rng.randint(4, 12))):
            records.append(Record(case=case, kind=kind.id, stage=kind.stage))
            plan.append(kind)
    records = Record.objects.bulk_create(records)
    versions = []
    for record, kind in zip(records, plan, strict=True):
        for number in range(1, rng.choice([1, 1, 1, 2]) + 1):
            versions.append(
                RecordVersion(
                    record=record,
                    number=number,
                    fields=_fields(kind, rng),
                    occurred_at=now - dt.timedelta(days=rng.randint(1, 60)),
                    doc_number="文号" if rng.random() < 0.9 else "",
                    doc_sealed=rng.random() < 0.9,
                    doc_issued_on=dt.date(2026, 3, 2),
                )
            )
    versions = RecordVersion.objects.bulk_create(versions)
    Signature.objects.bulk_create(
        [
            Signature(version=v, role="party", signer_name="当事人", signed_at=now)
            for v in versions
            if rng.random() < 0.7
        ]
    )
    _recordings(rng, cases, setups, now)
    return [c.pk for c in cases]


def _recordings(rng, cases, setups, now) -> None:  # noqa: ANN001
    recordings, interruptions, officer_links = [], [], []
    for case in cases:
        agency, officers, devices = setups[case.pack_id]
        device = rng.choice(devices)
        start = case.opened_at + dt.timedelta(hours=2)
        for _segment in range(rng.randint(0, 4)):
            end = start + dt.timedelta(minutes=rng.randint(5, 30))
            recordings.append(
                Recording(
                    agency=agency,
                    case=case,
                    device=device,
                    session=f"s{case.pk}",
                    started_at=start,
                    ended_at=end,
                    place="现场",
                    scenario="",
                    production_method="执法记录仪",
                    maker="执法员",
                    uploaded_at=end + dt.timedelta(hours=rng.choice([2, 20, 40])),
                    opening_statement=rng.random() < 0.8,
                    device_checked=rng.random() < 0.8,
                    party_informed=rng.random() < 0.8,
                )
            )
            gap = dt.timedelta(seconds=rng.choice([0, 0, 0, 120]))
            if gap and rng.random() < 0.5:
                interruptions.append(
                    Interruption(
                        agency=agency,
                        case=case,
                        device=device,
                        session=f"s{case.pk}",
                        started_at=end,
                        ended_at=end + gap,
                        reason="equipment",
                        resumed=True,
                        spoken_explanation=rng.random() < 0.7,
                    )
                )
            start = end + gap
    recordings = Recording.objects.bulk_create(recordings)
    Interruption.objects.bulk_create(interruptions)
    through = Recording.officers.through
    for recording in recordings:
        officer_links.append(
            through(
                recording_id=recording.pk,
                officer_id=rng.choice(setups[recording.case.pack_id][1]).pk,
            )
        )
    through.objects.bulk_create(officer_links)
