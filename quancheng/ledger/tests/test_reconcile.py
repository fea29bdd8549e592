"""``quancheng verify`` reconciles the rows users see with the facts about them: rows changed,
inserted or deleted behind the application's back are named by table, id and field.

The same tests run on SQLite and PostgreSQL (``DATABASE_URL``)."""

from __future__ import annotations

import datetime as dt
import io
import json
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from conftest import tamper
from quancheng.cases.actions import add_record, correct_record
from quancheng.cases.models import Party
from quancheng.devices.actions import register_device
from quancheng.devices.events import report_fault
from quancheng.ledger import reconcile
from quancheng.ledger.context import Actor
from quancheng.ledger.verification import reconciling
from quancheng.ledger.verification.runs import run
from quancheng.media.actions import RecordingInput, add_recording_metadata

SYSTEM = Actor.system()


def verify_json() -> tuple[int, dict, str]:
    out = io.StringIO()
    try:
        call_command("verify", "--json", stdout=out, stderr=io.StringIO())
        code = 0
    except CommandError as exc:
        code = exc.returncode
    return code, json.loads(out.getvalue()), out.getvalue()


def verify_text() -> tuple[int, list[str]]:
    out = io.StringIO()
    try:
        call_command("verify", "--quiet", stdout=out, stderr=io.StringIO())
        code = 0
    except CommandError as exc:
        code = exc.returncode
    return code, out.getvalue().splitlines()


@pytest.fixture
def scene(world, new_case):
    """A case with a corrected record, a device with a fault, a recording by two officers."""
    actor = Actor(world.officer, "web")
    case = new_case()
    record = add_record(
        actor,
        case,
        "decision_document",
        {"content": "罚款人民币五千元。"},
        timezone.now() - dt.timedelta(hours=3),
        strict=False,
    )
    version = correct_record(
        actor,
        record,
        {"content": "罚款人民币三千元。"},
        timezone.now() - dt.timedelta(hours=2),
        "金额笔误",
    )
    camera = register_device(SYSTEM, world.a, serial="CAM-9", kind="body_camera")
    fault = report_fault(SYSTEM, camera, "镜头破裂")
    started = timezone.now() - dt.timedelta(hours=1)
    recording = add_recording_metadata(
        actor,
        case,
        RecordingInput(
            device=camera,
            started_at=started,
            ended_at=started + dt.timedelta(minutes=20),
            officers=[world.officer.officer, world.officer2.officer],
            records=[record],
            place="长江西路",
        ),
    )
    return case, record, version, fault, recording


def test_a_world_written_through_the_actions_reconciles(scene):
    report = run()
    assert report.ok, [p.message for p in report.problems]
    assert report.mismatches == [] and report.mismatch_count == 0
    assert report.tables == len(reconcile.tables()) >= 20


def test_rows_changed_behind_the_application_are_named(scene, world, english):
    case, record, version, fault, recording = scene
    jsonb = "::jsonb" if connection.vendor == "postgresql" else ""
    tamper(
        "cases_recordversion",
        f"UPDATE cases_recordversion SET fields = %s{jsonb} WHERE id = %s",  # noqa: S608
        ['{"content": "罚款人民币三百元。"}', version.pk],
    )
    tamper("cases_record", "UPDATE cases_record SET stage = %s WHERE id = %s", ["x", record.pk])
    tamper(
        "media_recording_officers",
        "UPDATE media_recording_officers SET officer_id = %s "
        "WHERE recording_id = %s AND officer_id = %s",
        [world.group_officer.officer.pk, recording.pk, world.officer2.officer.pk],
    )
    tamper(
        "devices_deviceevent",
        "UPDATE devices_deviceevent SET note = %s WHERE id = %s",
        ["电池老化", fault.pk],
    )
    code, report, _text = verify_json()
    assert code == 1 and report["ok"] is False
    log = "quancheng.local/agency/agency-a"
    changed = [
        ("cases_record", str(record.pk), "stage", record.stage, "x"),
        (
            "cases_recordversion",
            str(version.pk),
            "fields",
            {"content": "罚款人民币三千元。"},
            {"content": "罚款人民币三百元。"},
        ),
        ("devices_deviceevent", str(fault.pk), "note", "镜头破裂", "电池老化"),
        (
            "media_recording",
            str(recording.pk),
            "officers",
            ["AH-0001", "AH-0002"],
            ["AH-0001", "AH-0101"],
        ),
    ]
    assert (
        sorted(
            (m["table"], m["id"], m["field"], m["ledger"], m["row"]) for m in report["mismatches"]
        )
        == changed
    )
    assert {(m["kind"], m["log"]) for m in report["mismatches"]} == {("changed", log)}
    assert report["mismatch_count"] == 4
    # each is one problem, whose message names the same, in the log it belongs to
    rows = [p for p in report["problems"] if p["code"] == "row"]
    assert sorted(p["mismatch"]["table"] for p in rows) == [c[0] for c in changed]
    assert {p["log"] for p in rows} == {log}
    code, lines = verify_text()
    assert code == 1
    assert (
        f"Row cases_record #{record.pk}, field stage: the ledger recorded "
        f'"{record.stage}", the row now says "x": the row was changed.'
    ) in lines
    assert (
        f"Row devices_deviceevent #{fault.pk}, field note: the ledger recorded "
        '"镜头破裂", the row now says "电池老化": the row was changed.'
    ) in lines


def test_a_case_stage_changed_in_the_database_is_named(scene):
    case = scene[0]
    tamper("cases_case", "UPDATE cases_case SET stage = %s WHERE id = %s", ["closed", case.pk])
    _code, report, _text = verify_json()
    [mismatch] = report["mismatches"]
    assert (mismatch["table"], mismatch["id"], mismatch["field"]) == (
        "cases_case",
        str(case.pk),
        "stage",
    )
    assert (mismatch["ledger"], mismatch["row"]) == (case.stage, "closed")


def test_a_row_inserted_behind_the_application_has_no_fact(scene, english):
    case = scene[0]
    party = Party.objects.create(case=case, kind="person", name="冒名当事人")
    code, report, _text = verify_json()
    assert code == 1
    assert report["mismatches"] == [
        {
            "table": "cases_party",
            "id": str(party.pk),
            "field": "",
            "ledger": None,
            "row": None,
            "kind": "row_without_fact",
            "log": "quancheng.local/agency/agency-a",
        }
    ]
    code, lines = verify_text()
    assert (
        f"Row cases_party #{party.pk} has no fact in the ledger: it was written outside the "
        "application."
    ) in lines


def test_a_row_deleted_behind_the_application_leaves_a_fact_without_row(scene, english):
    fault = scene[3]
    tamper("devices_deviceevent", "DELETE FROM devices_deviceevent WHERE id = %s", [fault.pk])
    code, report, _text = verify_json()
    assert code == 1
    [mismatch] = report["mismatches"]
    assert (mismatch["table"], mismatch["id"], mismatch["kind"]) == (
        "devices_deviceevent",
        str(fault.pk),
        "fact_without_row",
    )
    code, lines = verify_text()
    assert (
        f"Row devices_deviceevent #{fault.pk}, described by the ledger, is gone: it was deleted."
    ) in lines


def test_a_time_moved_by_a_second_is_named_but_not_below_a_millisecond(scene):
    recording = scene[4]
    later = recording.started_at + dt.timedelta(microseconds=1)
    type(recording).objects.filter(pk=recording.pk).update(started_at=later)
    assert run().mismatches == []  # the fact's JSON keeps milliseconds
    later = recording.started_at + dt.timedelta(seconds=1)
    type(recording).objects.filter(pk=recording.pk).update(started_at=later)
    [mismatch] = run().mismatches
    assert (mismatch.table, mismatch.field) == ("media_recording", "started_at")
    assert mismatch.row.endswith("Z") and mismatch.ledger != mismatch.row


@pytest.fixture
def more(scene, world, settings, tmp_path):
    """Beyond the scene: a signature and a refusal, a loan and its return, an interruption,
    an evidence note, an API token and an upload."""
    from quancheng.api.actions import create_token
    from quancheng.cases.signing import RefusalInput, SignatureInput, note_refusal, sign_version
    from quancheng.devices.actions import lend_device, return_device
    from quancheng.media.actions import InterruptionInput, explain_interruption
    from quancheng.media.evidence import add_evidence_note
    from quancheng.uploads.actions import create_upload

    settings.DATA_DIR = tmp_path
    case, _record, version, _fault, recording = scene
    actor = Actor(world.officer, "web")
    now = timezone.now()
    sign_version(actor, version, SignatureInput("party", "张三", now))
    note_refusal(actor, version, RefusalInput("当事人拒绝签名", now, [world.officer.officer]))
    spare = register_device(SYSTEM, world.a, serial="CAM-10", kind="body_camera")
    lend_device(SYSTEM, spare, world.officer2.officer, lent_at=now - dt.timedelta(hours=2))
    back = return_device(SYSTEM, spare, returned_at=now - dt.timedelta(hours=1), note="完好")
    explain_interruption(
        actor,
        case,
        InterruptionInput(
            device=spare,
            started_at=now - dt.timedelta(minutes=90),
            ended_at=now - dt.timedelta(minutes=88),
            reason="equipment",
            signers=[world.officer.officer],
        ),
    )
    add_evidence_note(
        actor, recording, taken_by=[world.officer.officer], taken_at=now, place="长江西路"
    )
    token, _raw = create_token(SYSTEM, world.officer, "执法终端")
    upload = create_upload(
        actor,
        world.officer,
        1000,
        {
            "filename": "CAM-10_20260302_0900.mp4",
            "case": str(case.pk),
            "device": spare.serial,
            "officers": "AH-0001",
            "started_at": "2026-03-02T09:00:00+08:00",
            "ended_at": "2026-03-02T09:20:00+08:00",
        },
    )
    return back, token, upload


def test_every_kind_of_row_reconciles_and_each_is_checked(more, english):
    back, token, upload = more
    assert run().mismatches == []
    tamper(
        "devices_devicereturn",
        "UPDATE devices_devicereturn SET note = %s WHERE id = %s",
        ["屏幕碎裂", back.pk],
    )
    tamper("api_apitoken", "UPDATE api_apitoken SET name = %s WHERE id = %s", ["x", token.pk])
    tamper(
        "uploads_upload",
        "UPDATE uploads_upload SET state = %s WHERE id = %s",
        ["completed", upload.pk],
    )
    found = sorted((m.table, m.row_id, m.field, m.ledger, m.row) for m in run().mismatches)
    assert found == [
        ("api_apitoken", str(token.pk), "name", "执法终端", "x"),
        ("devices_devicereturn", str(back.loan_id), "note", "完好", "屏幕碎裂"),
        ("uploads_upload", str(upload.pk), "state", "receiving", "completed"),
    ]


def test_the_demo_reconciles(db):
    from quancheng.demo.seed import seed

    seed()
    assert reconciling.reconcile() == []


def test_whole_seconds_dates_and_keys_compare_as_the_facts_spell_them(more, world, new_case):
    """PostgreSQL hands these over as the text it spells them in: a time to the whole second
    (the fact's JSON writes no fraction), a date and a UUID still compare, and a change shows."""
    from quancheng.cases.actions import DocumentInput

    upload = more[2]
    whole = (timezone.now() - dt.timedelta(hours=1)).replace(microsecond=0)
    record = add_record(
        Actor(world.officer, "web"),
        new_case(),
        "decision_document",
        {"content": "罚款人民币五千元。"},
        whole,
        document=DocumentInput("皖执罚〔2026〕1号", dt.date(2026, 3, 2)),
        strict=False,
    )
    assert run().mismatches == []
    version = record.versions.get()
    later = (whole + dt.timedelta(seconds=1)).astimezone(dt.UTC)
    tamper(
        "cases_recordversion",
        "UPDATE cases_recordversion SET doc_issued_on = %s, occurred_at = %s WHERE id = %s",
        ["2026-03-03", later.strftime("%Y-%m-%d %H:%M:%S"), version.pk],
    )
    key = uuid.uuid4()
    tamper(
        "uploads_upload",
        "UPDATE uploads_upload SET key = %s WHERE id = %s",
        [key.hex, upload.pk],
    )
    spelled = "%Y-%m-%dT%H:%M:%S.000Z"
    assert sorted((m.table, m.field, m.ledger, m.row) for m in run().mismatches) == [
        ("cases_recordversion", "doc_issued_on", "2026-03-02", "2026-03-03"),
        (
            "cases_recordversion",
            "occurred_at",
            whole.astimezone(dt.UTC).strftime(spelled),
            later.strftime(spelled),
        ),
        ("uploads_upload", "key", str(upload.key), str(key)),
    ]
