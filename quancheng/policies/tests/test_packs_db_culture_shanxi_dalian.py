"""The three packs through the actions: agencies bound to culture-tourism, shanxi and
dalian-ftz open cases, add records and recordings, and see the findings their text asks for."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from conftest import at, make_user
from quancheng.agencies.actions import create_agency
from quancheng.casefile.compliance import evaluate_case
from quancheng.cases.actions import (
    DocumentInput,
    add_record,
    archive_case,
    end_case,
    move_to_stage,
    open_case,
)
from quancheng.cases.models import CaseCompliance
from quancheng.devices.actions import register_device
from quancheng.errors import ActionError
from quancheng.ledger.public import Actor
from quancheng.media.actions import (
    InterruptionInput,
    RecordingInput,
    add_recording_metadata,
    explain_interruption,
)

SYSTEM = Actor.system()
PACKS = {"culture-tourism": "WL", "shanxi": "SX", "dalian-ftz": "DL"}


@pytest.fixture
def bureaus(db):
    """One agency per pack, each with two officers, an archivist and two devices."""
    province = create_agency(SYSTEM, code="p", name="省", level="province", pack_id="shanxi")
    made = {}
    for pack_id, prefix in PACKS.items():
        agency = create_agency(
            SYSTEM,
            code=f"ag-{prefix}",
            name=f"{pack_id} 执法局",
            level="agency",
            pack_id=pack_id,
            parent=province,
        )

        officer = make_user(f"{prefix}-officer", agency, ["officer"], f"{prefix}-0001")
        made[pack_id] = SimpleNamespace(
            agency=agency,
            officer=officer,
            officer2=make_user(f"{prefix}-officer2", agency, ["officer"], f"{prefix}-0002"),
            archivist=make_user(f"{prefix}-archivist", agency, ["archivist"]),
            head=make_user(f"{prefix}-head", agency, ["head"]),
            actor=Actor(officer, "web"),
            camera=register_device(SYSTEM, agency, serial=f"{prefix}-BC-1", kind="body_camera"),
            proof=register_device(
                SYSTEM,
                agency,
                serial=f"{prefix}-BC-EX",
                kind="body_camera",
                capabilities=["explosion_proof"],
            ),
        )
    return made


def opened(bureau, number="1", **kwargs):
    fields = {
        "number": f"{bureau.agency.code}〔2026〕{number}号",
        "title": "检查",
        "action_types": ["inspection"],
        "start_mode": "ex_officio",
        "opened_at": at("2026-03-02 09:00"),
        "officers": [bureau.officer.officer],
    }
    fields.update(kwargs)
    return open_case(bureau.actor, bureau.agency, **fields)


def rules(case, moment="2026-03-03 09:00"):
    return {f.rule_id for f in evaluate_case(case, at(moment)).findings}


def recording_of(bureau, records=(), device=None, **kwargs):
    values = {
        "device": device or bureau.camera,
        "started_at": at("2026-03-02 10:00"),
        "ended_at": at("2026-03-02 10:30"),
        "officers": [bureau.officer.officer],
        "records": list(records),
        "uploaded_at": at("2026-03-02 12:00"),
        "production_method": "执法记录仪",
        "maker": "张三",
        "opening_statement": True,
        "device_checked": True,
        "party_informed": True,
    }
    values.update(kwargs)
    return RecordingInput(**values)


# --- scope and stages -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pack_id", "refused", "accepted"),
    [
        ("culture-tourism", "expropriation", "licensing"),
        ("dalian-ftz", "licensing", "compulsion"),
        ("shanxi", None, "expropriation"),
    ],
)
def test_cases_open_only_for_the_action_types_in_scope(bureaus, pack_id, refused, accepted):
    bureau = bureaus[pack_id]
    case = opened(bureau, action_types=[accepted])
    assert case.pack_id == pack_id
    assert case.stage == {"dalian-ftz": "whole_process"}.get(pack_id, "initiation")
    if refused:
        with pytest.raises(ActionError) as err:
            opened(bureau, "2", action_types=[refused])
        assert err.value.path == "action_types.0"


def test_dalian_has_no_named_investigation_stage(bureaus):
    case = opened(bureaus["dalian-ftz"])
    with pytest.raises(ActionError):
        move_to_stage(bureaus["dalian-ftz"].actor, case, "investigation")
    move_to_stage(bureaus["dalian-ftz"].actor, case, "archiving")
    assert case.stage == "archiving"


# --- culture-tourism ------------------------------------------------------------------------


def test_culture_tourism_seizure_needs_a_recording_stored_in_two_working_days(bureaus):
    bureau = bureaus["culture-tourism"]
    case = opened(bureau, action_types=["compulsion"])
    add_record(
        bureau.actor,
        case,
        "initiation_basis",
        {"basis": "report", "document": "举报信"},
        at("2026-03-02 09:10"),
    )
    move_to_stage(bureau.actor, case, "investigation")
    seizure = add_record(
        bureau.actor,
        case,
        "compulsory_measure",
        {"measure_type": "seizure", "target": "盗版光盘", "place": "门店"},
        at("2026-03-02 10:10"),
        document=DocumentInput("文旅扣〔2026〕1号", dt.date(2026, 3, 2), True),
    )
    assert "av.mandatory/seal_up_seizure" in rules(case)
    assert CaseCompliance.objects.get(case=case).errors >= 1
    # Ended Friday 6 March: stored on Tuesday 10 March is within two working days.
    add_recording_metadata(
        bureau.actor,
        case,
        recording_of(
            bureau,
            [seizure],
            started_at=at("2026-03-06 10:00"),
            ended_at=at("2026-03-06 11:00"),
            uploaded_at=at("2026-03-10 16:00"),
        ),
    )
    assert not {r for r in rules(case, "2026-03-11 09:00") if r.startswith("av.")}


def test_culture_tourism_interruption_needs_no_two_officer_statement(bureaus):
    bureau = bureaus["culture-tourism"]
    case = opened(bureau)
    add_recording_metadata(bureau.actor, case, recording_of(bureau, session="s1"))
    explain_interruption(
        bureau.actor,
        case,
        InterruptionInput(
            device=bureau.camera,
            started_at=at("2026-03-02 10:30"),
            reason="equipment",
            resumed=False,
            statement="",
            session="s1",
        ),
    )
    assert "av.interruption.statement" in rules(case)
    explained = opened(bureau, "2")
    add_recording_metadata(bureau.actor, explained, recording_of(bureau, session="s1"))
    explain_interruption(
        bureau.actor,
        explained,
        InterruptionInput(
            device=bureau.camera,
            started_at=at("2026-03-02 10:30"),
            reason="equipment",
            resumed=False,
            statement="电池耗尽，无法继续录制",
            session="s1",
        ),
    )
    assert not {r for r in rules(explained) if r.startswith("av.interruption")}


def test_culture_tourism_archives_within_30_working_days(bureaus):
    bureau = bureaus["culture-tourism"]
    late = opened(bureau)
    end_case(Actor(bureau.head, "web"), late, at("2026-09-15 16:00"))
    archive_case(Actor(bureau.archivist, "web"), late, at("2026-11-03 10:00"))
    assert "archive.late" in rules(late, "2026-11-04 09:00")
    on_time = opened(bureau, "2")
    end_case(Actor(bureau.head, "web"), on_time, at("2026-09-15 16:00"))
    archive_case(Actor(bureau.archivist, "web"), on_time, at("2026-11-02 17:00"))
    assert "archive.late" not in rules(on_time, "2026-11-04 09:00")


# --- shanxi ---------------------------------------------------------------------------------


def test_shanxi_device_check_and_the_party_recording_notice(bureaus):
    bureau = bureaus["shanxi"]
    case = opened(bureau)
    move_to_stage(bureau.actor, case, "investigation")
    inspection = add_record(
        bureau.actor,
        case,
        "inspection",
        {"place": "门店", "findings": "检查情况", "party_recorded": True},
        at("2026-03-02 10:05"),
    )
    add_recording_metadata(
        bureau.actor, case, recording_of(bureau, [inspection], device_checked=False)
    )
    found = rules(case)
    assert {"av.device_check", "record.required/investigation.party_recording"} <= found
    add_record(
        bureau.actor,
        case,
        "party_recording_notice",
        {"recorded_by": "当事人", "told_rules": True, "content": "已告知"},
        at("2026-03-02 10:20"),
    )
    assert "record.required/investigation.party_recording" not in rules(case)


# --- dalian-ftz -----------------------------------------------------------------------------


def test_dalian_explosive_area_labels_and_no_interruption(bureaus):
    bureau = bureaus["dalian-ftz"]
    case = opened(bureau)
    check = add_record(
        bureau.actor,
        case,
        "on_site_check",
        {
            "officers": ["DL-0001", "DL-0002"],
            "place": "危化品仓库",
            "findings": "检查情况",
            "explosive_area": True,
        },
        at("2026-03-02 10:05"),
    )
    add_recording_metadata(bureau.actor, case, recording_of(bureau, [check], maker=""))
    found = rules(case)
    assert {"av.unsuitable/explosive_area", "av.labels"} <= found
    safe = opened(bureau, "2")
    check2 = add_record(
        bureau.actor,
        safe,
        "on_site_check",
        {"officers": ["DL-0001"], "place": "危化品仓库", "findings": "x", "explosive_area": True},
        at("2026-03-02 10:05"),
    )
    add_recording_metadata(bureau.actor, safe, recording_of(bureau, [check2], device=bureau.proof))
    assert not {r for r in rules(safe) if r.startswith("av.")}
    explain_interruption(
        bureau.actor,
        safe,
        InterruptionInput(
            device=bureau.proof,
            started_at=at("2026-03-02 10:30"),
            ended_at=at("2026-03-02 10:35"),
            reason="weather",
            spoken_explanation=True,
        ),
    )
    assert "av.interruption.not_allowed" in rules(safe)


def test_dalian_upload_within_24_hours(bureaus):
    bureau = bureaus["dalian-ftz"]
    case = opened(bureau)
    add_recording_metadata(
        bureau.actor, case, recording_of(bureau, uploaded_at=at("2026-03-03 11:00"))
    )
    assert "av.upload.late" in rules(case, "2026-03-04 09:00")
    ok = opened(bureau, "2")
    add_recording_metadata(
        bureau.actor, ok, recording_of(bureau, uploaded_at=at("2026-03-03 10:00"))
    )
    assert "av.upload.late" not in rules(ok, "2026-03-04 09:00")
