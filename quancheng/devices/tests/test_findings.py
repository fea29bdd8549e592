"""What the compliance engine reports from the device register and evidence notes, set up
through the actions and read back through the database snapshot."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from conftest import at, web
from quancheng.casefile.compliance import evaluate_case
from quancheng.casefile.snapshots import load_snapshots
from quancheng.devices.actions import check_device, lend_device, return_device
from quancheng.devices.events import end_repair, retire_device, start_repair
from quancheng.devices.tests.conftest import case_in, record
from quancheng.errors import ActionError
from quancheng.media.evidence import add_evidence_note, use_as_evidence


def findings(case, rule_id, moment="2026-03-10 09:00"):
    """The case's findings of one rule, messages in English."""
    with translation.override("en"):
        return [f for f in evaluate_case(case, at(moment)).findings if f.rule_id == rule_id]


def test_recording_while_under_repair_or_retired(anhui):
    keeper = web(anhui.keeper)
    start_repair(keeper, anhui.camera, occurred_at=at("2026-03-02 09:30"))
    case = case_in(anhui)
    during = record(anhui, case, "2026-03-02 10:00", "2026-03-02 10:30")
    end_repair(keeper, anhui.camera, occurred_at=at("2026-03-02 12:00"))
    after = record(anhui, case, "2026-03-02 13:00", "2026-03-02 13:30")
    # Sent to repair in the middle of a recording counts too.
    spans = record(anhui, case, "2026-03-02 15:00", "2026-03-02 16:00")
    retire_device(keeper, anhui.camera, occurred_at=at("2026-03-02 15:30"))
    found = findings(case, "av.device.out_of_service")
    assert {f.subject for f in found} == {f"recording:{during.pk}", f"recording:{spans.pk}"}
    assert {f.citation for f in found} == {"anhui §13"}
    assert f"recording:{after.pk}" not in {f.subject for f in found}
    assert any("under repair" in f.message for f in found)
    assert any("retired" in f.message for f in found)


def test_device_never_lent_is_not_reported(anhui):
    case = case_in(anhui)
    record(anhui, case)
    assert not findings(case, "av.device.not_lent")


def test_recording_by_an_officer_who_did_not_hold_the_device(anhui):
    keeper = web(anhui.keeper)
    lend_device(keeper, anhui.camera, anhui.officer.officer, lent_at=at("2026-03-02 08:00"))
    return_device(keeper, anhui.camera, returned_at=at("2026-03-02 12:00"))
    lend_device(keeper, anhui.camera, anhui.officer2.officer, lent_at=at("2026-03-02 13:00"))
    case = case_in(anhui)
    held = record(anhui, case, "2026-03-02 10:00", "2026-03-02 10:30")
    between = record(anhui, case, "2026-03-02 12:20", "2026-03-02 12:40")
    other = record(anhui, case, "2026-03-02 14:00", "2026-03-02 14:30")
    both = record(
        anhui,
        case,
        "2026-03-02 15:00",
        "2026-03-02 15:30",
        officers=[anhui.officer.officer, anhui.officer2.officer],
    )
    subjects = {f.subject for f in findings(case, "av.device.not_lent")}
    assert subjects == {f"recording:{between.pk}", f"recording:{other.pk}"}
    assert f"recording:{held.pk}" not in subjects and f"recording:{both.pk}" not in subjects


@pytest.mark.parametrize(
    ("checked_at", "ok", "found"),
    [
        ("2026-03-02 08:00", True, False),  # checked that morning: satisfied
        ("2026-03-02 08:00", False, True),  # checked and found unfit
        ("2026-03-01 20:00", True, True),  # the day before does not count
        (None, None, True),  # no check at all
    ],
)
def test_pre_use_check_from_the_register(culture, checked_at, ok, found):
    if checked_at:
        check_device(
            web(culture.officer),
            culture.camera,
            battery_percent=80,
            free_storage_mb=8000,
            ok=ok,
            checked_at=at(checked_at),
        )
    case = case_in(culture)
    record(culture, case, device_checked=None)
    result = findings(case, "av.device_check")
    assert bool(result) is found
    if found:
        assert result[0].citation == "culture-tourism §12"


def test_a_check_after_the_start_does_not_count(culture):
    check_device(
        web(culture.officer),
        culture.camera,
        battery_percent=80,
        free_storage_mb=8000,
        ok=True,
        checked_at=at("2026-03-02 11:00"),
    )
    case = case_in(culture)
    record(culture, case, device_checked=None)
    assert findings(case, "av.device_check")


def test_evidence_note_required_by_the_pack(anhui, culture):
    for bureau, article in ((anhui, "anhui §18"), (culture, "culture-tourism §17")):
        case = case_in(bureau)
        recording = record(bureau, case)
        assert not findings(case, "av.evidence_note")
        use_as_evidence(web(bureau.officer), recording)
        [missing] = findings(case, "av.evidence_note")
        assert missing.citation == article
        assert missing.subject == f"recording:{recording.pk}"
        add_evidence_note(
            web(bureau.officer),
            recording,
            taken_by=[bureau.officer.officer],
            taken_at=recording.started_at,
            place="某路1号",
        )
        assert not findings(case, "av.evidence_note")


def test_evidence_note_needs_who_and_where(anhui):
    case = case_in(anhui)
    recording = record(anhui, case)
    with pytest.raises(ActionError) as err:
        add_evidence_note(
            web(anhui.officer), recording, taken_by=[], taken_at=recording.started_at, place="x"
        )
    assert err.value.path == "taken_by"
    with pytest.raises(ActionError) as err:
        add_evidence_note(
            web(anhui.officer),
            recording,
            taken_by=[anhui.officer.officer],
            taken_at=recording.started_at,
            place=" ",
        )
    assert err.value.path == "place"
    recording.refresh_from_db()
    assert not recording.used_as_evidence


def test_labels_hebei_asks_for_are_reported_from_the_stored_recording(world):
    from types import SimpleNamespace

    from conftest import SYSTEM, make_user
    from quancheng.agencies.actions import create_agency
    from quancheng.devices.actions import register_device

    agency = create_agency(
        SYSTEM, code="hb", name="街道办", level="agency", pack_id="hebei-street", parent=world.city
    )
    bureau = SimpleNamespace(
        agency=agency,
        officer=make_user("hb-officer", agency, ["officer"], "HB-0001"),
        camera=register_device(SYSTEM, agency, serial="HB-BC-01", kind="body_camera"),
    )
    case = case_in(bureau)
    named = record(bureau, case)
    unnamed = record(bureau, case, "2026-03-02 11:00", "2026-03-02 11:30", file_name="")
    # The case names no party, so both lack that label; only one lacks its name.
    with translation.override("en"):
        found = {f.subject: f.message for f in findings(case, "av.labels")}
    assert found[f"recording:{named.pk}"].endswith(": party.")
    assert found[f"recording:{unnamed.pk}"].endswith(": name、party.")
    assert {f.citation for f in findings(case, "av.labels")} == {"hebei-street §25"}


def test_snapshot_queries_do_not_grow_with_devices(anhui, culture):
    cases = []
    for n in range(3):
        case = case_in(anhui, str(n))
        record(anhui, case)
        cases.append(case.pk)
    lend_device(web(anhui.keeper), anhui.camera, anhui.officer.officer)
    check_device(web(anhui.officer), anhui.camera, battery_percent=9, free_storage_mb=1, ok=True)
    with CaptureQueriesContext(connection) as few:
        load_snapshots(cases[:1])
    more = case_in(culture)
    record(culture, more)
    check_device(
        web(culture.officer), culture.camera, battery_percent=9, free_storage_mb=1, ok=True
    )
    with CaptureQueriesContext(connection) as many:
        snaps = load_snapshots([*cases, more.pk])
    assert len(many) == len(few)
    assert snaps[more.pk].devices["WL-BC-01"].checks
    assert snaps[cases[0]].devices["AH-BC-01"].loans[0].officer_cert == "AH-0001"


def test_a_back_dated_repair_updates_the_case_summary(anhui):
    case = case_in(anhui)
    record(anhui, case, "2026-03-02 10:00", "2026-03-02 10:30")
    case.compliance.refresh_from_db()
    before = case.compliance.errors
    start_repair(web(anhui.keeper), anhui.camera, occurred_at=at("2026-03-02 09:00"))
    case.compliance.refresh_from_db()
    assert case.compliance.errors == before + 1


def test_a_device_fact_about_a_cases_recording_is_seen_after_its_case_was_read(anhui):
    # The case's snapshot is kept after a read (casefile/snapshot_cache.py); the device's
    # action moves the case's revision on.
    case = case_in(anhui)
    recording = record(anhui, case, "2026-03-02 10:00", "2026-03-02 10:30")
    moment = at("2026-03-10 09:00")
    before = evaluate_case(case, moment)
    assert "av.device.out_of_service" not in {f.rule_id for f in before.findings}
    # Back-dated: the camera was sent to repair before the recording started.
    start_repair(web(anhui.keeper), anhui.camera, occurred_at=at("2026-03-02 09:30"))
    after = evaluate_case(case, moment)
    found = [f for f in after.findings if f.rule_id == "av.device.out_of_service"]
    assert [f.subject for f in found] == [f"recording:{recording.pk}"]
