"""The device endpoints: register, lend, check, fault, repair; permissions; the due list."""

from __future__ import annotations

import pytest

from conftest import at
from quancheng.devices.models import Device


@pytest.fixture
def keeper(personas, api):
    """Agency A's device keeper, with a token made before the test."""
    user = personas["keeper"]
    api.token(user)
    return user


def test_register_lend_check_fault_repair(api, world, keeper):
    made = api.post(
        keeper,
        "/devices",
        {
            "serial": "AH-1",
            "kind": "body_camera",
            "capabilities": ["night_vision"],
            "keeper": "a_keeper",
        },
    )
    assert made.status_code == 201, made.json()
    assert made.json()["keeper"] == "a_keeper"
    lent = api.post(keeper, "/devices/AH-1/loans", {"officer": "AH-0001"})
    assert lent.status_code == 201 and lent.json()["lent_to"] == "AH-0001"
    checked = api.post(
        world.officer,
        "/devices/AH-1/checks",
        {"battery_percent": 95, "free_storage_mb": 9000, "ok": True},
    )
    assert checked.status_code == 201
    fault = api.post(world.officer, "/devices/AH-1/events", {"kind": "fault", "note": "花屏"})
    assert fault.status_code == 201
    back = api.post(keeper, "/devices/AH-1/return", {})
    assert back.status_code == 201 and back.json()["lent_to"] is None
    repair = api.post(keeper, "/devices/AH-1/events", {"kind": "repair_started"})
    assert repair.json()["status"] == "under_repair"
    detail = api.get(world.officer, "/devices/AH-1").json()
    assert [h["kind"] for h in detail["history"]] == [
        "lent",
        "checked",
        "fault",
        "returned",
        "repair_started",
    ]
    listed = api.get(world.officer, "/devices?status=under_repair").json()
    assert [d["serial"] for d in listed] == ["AH-1"]


def test_officers_may_not_keep_the_register(api, world, keeper):
    refused = api.post(world.officer, "/devices", {"serial": "AH-2", "kind": "camera"})
    assert refused.status_code == 403
    assert not Device.objects.filter(serial="AH-2").exists()
    api.post(keeper, "/devices", {"serial": "AH-2", "kind": "camera"})
    assert api.post(world.officer, "/devices/AH-2/loans", {"officer": "AH-0001"}).status_code == 403
    assert api.post(world.officer, "/devices/AH-2/events", {"kind": "retired"}).status_code == 403


def test_other_agencies_do_not_see_the_device(api, world, keeper):
    api.post(keeper, "/devices", {"serial": "AH-3", "kind": "camera"})
    assert api.get(world.other_officer, "/devices/AH-3").status_code == 404
    assert api.get(world.other_officer, "/devices").json() == []
    assert api.get(world.supervisor, "/devices/AH-3").status_code == 200


def test_bad_input_names_its_path(api, world, keeper):
    api.post(keeper, "/devices", {"serial": "AH-4", "kind": "camera"})
    bad = api.post(
        world.officer,
        "/devices/AH-4/checks",
        {"battery_percent": 120, "free_storage_mb": 1, "ok": True},
    )
    assert bad.status_code == 422 and "battery_percent" in bad.json()["path"]
    naive = api.post(
        keeper, "/devices/AH-4/loans", {"officer": "AH-0001", "lent_at": "2026-03-02T09:00:00"}
    )
    assert naive.status_code == 422
    twice = api.post(keeper, "/devices", {"serial": "AH-4", "kind": "camera"})
    assert twice.status_code == 422 and twice.json()["path"] == "serial"
    unknown = api.post(keeper, "/devices/AH-4/loans", {"officer": "NOBODY"})
    assert unknown.status_code == 422


def test_due_list(api, world, new_case, keeper):
    from quancheng.devices.actions import register_device
    from quancheng.ledger.context import Actor
    from quancheng.media.actions import RecordingInput, add_recording_metadata

    camera = register_device(Actor(keeper, "web"), world.a, serial="AH-5", kind="body_camera")
    case = new_case(opened_at=at("2026-03-01 09:00"))
    add_recording_metadata(
        Actor(world.officer, "web"),
        case,
        RecordingInput(
            device=camera,
            started_at=at("2026-03-02 10:00"),
            ended_at=at("2026-03-02 10:30"),
            officers=[world.officer.officer],
            uploaded_at=at("2026-03-04 10:00"),
        ),
    )
    rows = api.get(world.officer, "/recordings/due?state=late").json()
    assert [(r["case_number"], r["state"], r["citation"]) for r in rows] == [
        (case.number, "late", "anhui §17")
    ]
    assert api.get(world.officer, "/recordings/due?state=due_soon").json() == []
    assert api.get(world.officer, "/recordings/due?device=OTHER").json() == []
    assert api.get(world.other_officer, "/recordings/due").json() == []


def test_evidence_note_endpoint(api, world, new_case, keeper):
    from quancheng.devices.actions import register_device
    from quancheng.ledger.context import Actor
    from quancheng.media.actions import RecordingInput, add_recording_metadata

    camera = register_device(Actor(keeper, "web"), world.a, serial="AH-6", kind="body_camera")
    case = new_case(opened_at=at("2026-03-01 09:00"))
    recording = add_recording_metadata(
        Actor(world.officer, "web"),
        case,
        RecordingInput(
            device=camera,
            started_at=at("2026-03-02 10:00"),
            ended_at=at("2026-03-02 10:30"),
            officers=[world.officer.officer],
            uploaded_at=at("2026-03-02 12:00"),
        ),
    )
    body = {
        "taken_by": ["AH-0001", "AH-0002"],
        "taken_at": "2026-03-02T10:00:00+08:00",
        "place": "某路1号",
    }
    path = f"/recordings/{recording.pk}/evidence-note"
    assert api.post(world.other_officer, path, body).status_code == 404
    assert api.post(world.supervisor, path, body).status_code == 403
    unknown = api.post(world.officer, path, {**body, "taken_by": ["AH-0001", "NOBODY"]})
    assert unknown.status_code == 422 and unknown.json()["path"] == "taken_by.1"
    made = api.post(world.officer, path, body)
    assert made.status_code == 201, made.json()
    assert made.json()["taken_by"] == ["AH-0001", "AH-0002"]
    recording.refresh_from_db()
    assert recording.used_as_evidence and recording.evidence_notes.count() == 1
    findings = api.get(world.officer, f"/cases/{case.pk}/findings").json()["findings"]
    assert "av.evidence_note" not in {f["rule_id"] for f in findings}
