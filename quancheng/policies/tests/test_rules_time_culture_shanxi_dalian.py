"""Rule table, deadlines and retention: culture-tourism, shanxi and dalian-ftz.

Upload within 2 working days (culture-tourism §15, shanxi §17) or 24 hours (dalian §16);
archiving within 30 working days (culture-tourism §16) and nothing where the text sets no
period; long-term triggers, evidence kept with the case file, the five-year minimum.
2026 holidays: 1–5 May off, Saturday 9 May a working day (调休).
"""

from __future__ import annotations

import datetime as dt

import pytest

from quancheng.policies.registry import get_pack
from quancheng.policies.retention import retention_for
from quancheng.policies.tests.snapshot_builders import (
    at,
    case,
    findings,
    record,
    recording,
)

WORKING_DAY_PACKS = [("culture-tourism", "§15"), ("shanxi", "§17")]


def upload(pack_id, ended, uploaded, moment="2026-06-01 09:00", **kwargs):
    snap = case(
        pack_id,
        get_pack(pack_id).stages[1].id,
        recordings=[
            recording(
                started_at=at(ended) - dt.timedelta(minutes=30),
                ended_at=at(ended),
                uploaded_at=at(uploaded) if uploaded else None,
                **kwargs,
            )
        ],
    )
    return findings(snap, moment).findings


def upload_rules(pack_id, ended, uploaded, moment="2026-06-01 09:00", **kwargs):
    return {f.rule_id for f in upload(pack_id, ended, uploaded, moment, **kwargs)}


# --- upload deadline ------------------------------------------------------------------------


@pytest.mark.parametrize(("pack_id", "citation"), WORKING_DAY_PACKS)
def test_two_working_days_across_the_labour_day_holiday(pack_id, citation):
    # Ended Thursday 30 April; 1-5 May are off, so the two days are 6 and 7 May.
    assert "av.upload.late" not in upload_rules(pack_id, "2026-04-30 15:00", "2026-05-07 20:00")
    late = [
        f
        for f in upload(pack_id, "2026-04-30 15:00", "2026-05-08 09:00")
        if f.rule_id == "av.upload.late"
    ]
    assert [f.citation for f in late] == [f"{pack_id} {citation}"]
    assert late[0].due_at == at("2026-05-08 00:00")


@pytest.mark.parametrize(("pack_id", "citation"), WORKING_DAY_PACKS)
def test_two_working_days_count_the_swapped_saturday(pack_id, citation):
    # Ended Friday 8 May; Saturday 9 May is a working day (调休), so the second is Monday 11.
    assert "av.upload.late" not in upload_rules(pack_id, "2026-05-08 10:00", "2026-05-11 18:00")
    assert "av.upload.late" in upload_rules(pack_id, "2026-05-08 10:00", "2026-05-12 08:00")


@pytest.mark.parametrize(("pack_id", "citation"), WORKING_DAY_PACKS)
def test_two_working_days_after_returning_from_remote_work(pack_id, citation):
    ended, returned, uploaded = "2026-03-02 10:00", "2026-03-09 10:00", "2026-03-11 15:00"
    assert "av.upload.late" not in upload_rules(
        pack_id, ended, uploaded, delay_reason="remote_area", returned_at=at(returned)
    )
    assert "av.upload.late" in upload_rules(pack_id, ended, uploaded)
    # Work on water is an anhui reason (§17), not one of these texts'.
    assert "av.upload.late" in upload_rules(
        pack_id, ended, uploaded, delay_reason="water", returned_at=at(returned)
    )


@pytest.mark.parametrize("pack_id", ["culture-tourism", "shanxi"])
def test_upload_overdue_and_past_the_calendar(pack_id):
    assert "av.upload.overdue" in upload_rules(
        pack_id, "2026-03-02 10:00", None, "2026-03-05 09:00"
    )
    assert "av.upload.overdue" not in upload_rules(
        pack_id, "2026-03-02 10:00", None, "2026-03-03 09:00"
    )
    # 31 December counts, 2027 is not in the calendar: an explicit finding, not a guess.
    assert "deadline.calendar_missing" in upload_rules(
        pack_id, "2026-12-30 10:00", None, "2026-12-31 09:00"
    )


def test_dalian_upload_within_24_hours_and_no_extension():
    assert "av.upload.late" not in upload_rules(
        "dalian-ftz", "2026-03-02 10:30", "2026-03-03 10:00"
    )
    late = [
        f
        for f in upload("dalian-ftz", "2026-03-02 10:30", "2026-03-03 11:00")
        if f.rule_id == "av.upload.late"
    ]
    assert [f.citation for f in late] == ["dalian-ftz §16"]
    assert "av.upload.late" in upload_rules(
        "dalian-ftz",
        "2026-03-02 10:30",
        "2026-03-03 11:00",
        delay_reason="remote",
        returned_at=at("2026-03-03 09:00"),
    )


# --- archiving deadline ---------------------------------------------------------------------


def archived(pack_id, ended, archived_at, moment="2027-01-05 09:00"):
    snap = case(
        pack_id,
        get_pack(pack_id).stages[-1].id,
        ended_at=at(ended),
        closed_at=at(ended),
        archived_at=at(archived_at) if archived_at else None,
    )
    return findings(snap, moment).findings


def test_culture_tourism_archives_within_30_working_days():
    # Ended Tuesday 15 September: with the National Day holiday the 30th working day is 2 November.
    assert "archive.late" not in {
        f.rule_id for f in archived("culture-tourism", "2026-09-15 16:00", "2026-11-02 17:00")
    }
    late = [
        f
        for f in archived("culture-tourism", "2026-09-15 16:00", "2026-11-03 10:00")
        if f.rule_id == "archive.late"
    ]
    assert [f.citation for f in late] == ["culture-tourism §16"]
    # The same date is late under anhui's 30 calendar days.
    assert "archive.late" in {
        f.rule_id for f in archived("anhui", "2026-09-15 16:00", "2026-10-20 10:00")
    }
    assert "archive.late" not in {
        f.rule_id for f in archived("culture-tourism", "2026-09-15 16:00", "2026-10-20 10:00")
    }
    assert "archive.overdue" in {
        f.rule_id for f in archived("culture-tourism", "2026-09-15 16:00", None, "2026-11-04 09:00")
    }


@pytest.mark.parametrize("pack_id", ["shanxi", "dalian-ftz"])
def test_no_archiving_deadline_where_the_text_sets_none(pack_id):
    never = archived(pack_id, "2026-03-02 16:00", None, "2026-12-31 09:00")
    assert not {f.rule_id for f in never if f.rule_id.startswith("archive")}


# --- retention ------------------------------------------------------------------------------

ON_SITE = {"place": "演出场所", "findings": "x"}
CHECK = {"officers": ["DL-1"], "place": "x", "findings": "x"}

LONG_TERM = [
    (
        "culture-tourism",
        record(
            "r1",
            "compulsory_execution",
            "execution",
            {"method": "other_execution", "executed_on": "2026-03-05", "details": "x"},
        ),
        "compulsory_execution",
        "§18(1)",
    ),
    (
        "culture-tourism",
        record("r1", "on_site_inspection", "investigation", {**ON_SITE, "party_objected": True}),
        "party_objection",
        "§18(2)",
    ),
    (
        "culture-tourism",
        record("r1", "on_site_inspection", "investigation", {**ON_SITE, "obstructed": True}),
        "obstruction",
        "§18(3)",
    ),
    (
        "culture-tourism",
        record(
            "r1",
            "case_filing",
            "archiving",
            {"file_number": "1", "filed_on": "2026-03-09", "keep_long_term": True},
        ),
        "other",
        "§18(4)",
    ),
    (
        "dalian-ftz",
        record(
            "r1",
            "complaint_petition",
            "whole_process",
            {"received_on": "2026-03-04", "content": "x"},
        ),
        "objection_complaint",
        "§18(1)",
    ),
    (
        "dalian-ftz",
        record("r1", "on_site_check", "whole_process", {**CHECK, "obstructed": True}),
        "obstruction",
        "§18(2)",
    ),
    (
        "dalian-ftz",
        record("r1", "incident_handling", "whole_process", {"content": "群体性事件"}),
        "mass_incident",
        "§18(3)",
    ),
]


@pytest.mark.parametrize(("pack_id", "trigger_record", "trigger", "citation"), LONG_TERM)
def test_long_term_retention_triggers(pack_id, trigger_record, trigger, citation):
    pack = get_pack(pack_id)
    snap = case(pack_id, pack.stages[-1].id, records=[trigger_record])
    kept = retention_for(snap, recording(), pack)
    assert kept.long_term and kept.triggers == (trigger,)
    assert kept.citations == (f"{pack_id} {citation}",)
    without = case(pack_id, pack.stages[-1].id)
    assert not retention_for(without, recording(), pack).long_term


def test_culture_tourism_evidence_with_the_file_and_five_years_for_the_rest():
    pack = get_pack("culture-tourism")
    inquiry = record(
        "r1", "inquiry", "investigation", {"interviewee": "李四", "place": "x", "content": "x"}
    )
    snap = case("culture-tourism", "archiving", records=[inquiry])
    evidence = retention_for(snap, recording(record_refs=("r1",)), pack)
    assert (evidence.basis, evidence.citations) == ("case_file", ("culture-tourism §17",))
    other = retention_for(snap, recording(), pack)
    assert (other.basis, other.minimum_years) == ("minimum_years", 5)
    assert other.citations == ("culture-tourism §19",)


def test_dalian_evidence_with_the_file_and_no_minimum_otherwise():
    pack = get_pack("dalian-ftz")
    check = record("r1", "on_site_check", "whole_process", CHECK)
    snap = case("dalian-ftz", "archiving", records=[check])
    assert retention_for(snap, recording(record_refs=("r1",)), pack).basis == "case_file"
    rest = retention_for(snap, recording(), pack)
    assert (rest.basis, rest.minimum_years) == ("unspecified", None)
    assert rest.citations == ("dalian-ftz §21(2)",)


def test_shanxi_sets_no_long_term_trigger_and_no_minimum():
    pack = get_pack("shanxi")
    execution = record(
        "r1", "compulsory_execution", "service_execution", {"method": "demolition", "details": "x"}
    )
    snap = case("shanxi", "archiving", records=[execution])
    kept = retention_for(snap, recording(record_refs=("r1",)), pack)
    assert (kept.basis, kept.citations) == ("unspecified", ("shanxi §20",))
