"""The register rules on plain snapshots (no database): status over a recording's span,
holders at its start, the same-day check, labels, and packs without the register key."""

from __future__ import annotations

import datetime as dt

import pytest

from quancheng.policies.engine import evaluate
from quancheng.policies.registry import get_pack
from quancheng.policies.snapshot import DeviceSnap, EvidenceNoteSnap, LoanSnap
from quancheng.policies.tests.snaps import T0, case, recording
from quancheng.policies.workdays import WorkCalendar

H = dt.timedelta(hours=1)


def run(pack_id, snap, pack=None):
    pack = pack or get_pack(pack_id)
    return evaluate(snap, pack, T0 + 2 * H, WorkCalendar({}), dt.timedelta(seconds=5)).findings


def ids(findings):
    return [f.rule_id for f in findings]


@pytest.mark.parametrize(
    ("changes", "bad"),
    [
        ([], False),
        ([(T0 - H, "under_repair")], True),
        ([(T0 - H, "under_repair"), (T0 - H / 2, "in_service")], False),
        ([(T0 + H / 4, "retired")], True),  # retired during the recording
        ([(T0 + H, "under_repair")], False),  # after it ended
    ],
)
def test_status_over_the_recording(changes, bad):
    snap = case("hebei-street", recordings=[recording()])
    snap.devices = {"DSJ-001": DeviceSnap("DSJ-001", status_changes=changes)}
    found = [f for f in run("hebei-street", snap) if f.rule_id == "av.device.out_of_service"]
    assert bool(found) is bad
    if bad:
        assert found[0].citation == "hebei-street §22, §24"


def test_an_unknown_device_is_assumed_nothing():
    snap = case("hebei-street", recordings=[recording(device_checked=None)])
    found = ids(run("hebei-street", snap))
    assert "av.device.not_lent" not in found and "av.device.out_of_service" not in found


def test_a_loan_that_ended_before_the_start_does_not_count():
    snap = case("hebei-street", recordings=[recording()])
    snap.devices = {
        "DSJ-001": DeviceSnap("DSJ-001", loans=[LoanSnap("HB-0001", T0 - 3 * H, T0 - H)])
    }
    assert "av.device.not_lent" in ids(run("hebei-street", snap))
    snap.devices["DSJ-001"].loans.append(LoanSnap("HB-0002", T0 - H / 2))
    assert "av.device.not_lent" not in ids(run("hebei-street", snap))


def test_a_pack_without_the_register_key_reports_nothing():
    pack = get_pack("hebei-street")
    bare = pack.model_copy(
        update={"audio_visual": pack.audio_visual.model_copy(update={"device_register": None})}
    )
    snap = case("hebei-street", recordings=[recording()])
    snap.devices = {"DSJ-001": DeviceSnap("DSJ-001", [(T0 - H, "retired")], [LoanSnap("X", T0)])}
    found = ids(run("hebei-street", snap, bare))
    assert "av.device.out_of_service" not in found and "av.device.not_lent" not in found


@pytest.mark.parametrize(
    ("label", "attribute", "empty"),
    [
        ("uploaded_at", "uploaded_at", None),
        ("scenario", "scenario", ""),
        ("records", "record_refs", ()),
    ],
)
def test_each_new_label_is_reported_when_missing(label, attribute, empty):
    pack = get_pack("dalian-ftz")
    labels = pack.audio_visual.labels.model_copy(update={"fields": (label, "ended_at")})
    custom = pack.model_copy(
        update={"audio_visual": pack.audio_visual.model_copy(update={"labels": labels})}
    )
    full = recording(scenario="on_site", record_refs=("r1",))
    assert "av.labels" not in ids(run("dalian-ftz", case("dalian-ftz", recordings=[full]), custom))
    bare = recording(**{"scenario": "on_site", "record_refs": ("r1",), attribute: empty})
    found = [
        f
        for f in run("dalian-ftz", case("dalian-ftz", recordings=[bare]), custom)
        if f.rule_id == "av.labels"
    ]
    assert len(found) == 1


def test_incomplete_evidence_note_is_reported():
    note = EvidenceNoteSnap(taken_by=("HB-0001",), taken_at=T0, place="")
    snap = case(
        "hebei-street", recordings=[recording(used_as_evidence=True, evidence_notes=(note,))]
    )
    assert "av.evidence_note" in ids(run("hebei-street", snap))
    note.place = "某街"
    assert "av.evidence_note" not in ids(run("hebei-street", snap))
