"""Continuity per device timeline and storage deadlines, through the actions and the DB:
the same gap needs a two-officer statement in anhui but not in culture-tourism; the
2-working-day deadline of culture-tourism across the 2026 National Day holiday, with the
after-return extension; the agency's list of late and soon-due recordings."""

from __future__ import annotations

import pytest

from conftest import at, web
from quancheng.casefile.compliance import evaluate_case
from quancheng.casefile.due import due_recordings
from quancheng.devices.tests.conftest import case_in, record
from quancheng.media.actions import InterruptionInput, explain_interruption


def rules(case, moment="2026-03-10 09:00"):
    return {f.rule_id: f for f in evaluate_case(case, at(moment)).findings}


def gap_case(bureau):
    """Two segments of one session on one device, stopped 10:30, resumed 10:50."""
    case = case_in(bureau)
    for start, end in (("2026-03-02 10:00", "2026-03-02 10:30"), ("10:50", "11:20")):
        start = start if " " in start else f"2026-03-02 {start}"
        end = end if " " in end else f"2026-03-02 {end}"
        record(bureau, case, start, end, session="现场检查-1")
    return case


def explain(bureau, case, signers):
    explain_interruption(
        web(bureau.officer),
        case,
        InterruptionInput(
            device=bureau.camera,
            session="现场检查-1",
            started_at=at("2026-03-02 10:30"),
            ended_at=at("2026-03-02 10:50"),
            reason="equipment",
            resumed=False,
            statement="记录仪故障，现场无法继续记录，已更换设备。",
            signers=signers,
        ),
    )


@pytest.mark.parametrize("pack", ["anhui", "culture"])
def test_an_unexplained_gap_is_reported(request, pack):
    bureau = request.getfixturevalue(pack)
    found = rules(gap_case(bureau))
    assert "av.gap" in found
    assert "10:30:00" in found["av.gap"].message and "10:50:00" in found["av.gap"].message


def test_same_gap_needs_two_signers_in_anhui_but_not_in_culture_tourism(anhui, culture):
    in_anhui = gap_case(anhui)
    explain(anhui, in_anhui, [anhui.officer.officer])
    found = rules(in_anhui)
    assert "av.gap" not in found
    assert found["av.interruption.signers"].citation == "anhui §16"

    in_culture = gap_case(culture)
    explain(culture, in_culture, [culture.officer.officer])
    found = rules(in_culture)
    assert "av.gap" not in found
    assert "av.interruption.signers" not in found
    assert "av.interruption.statement" not in found

    second = case_in(anhui, "2")
    for start, end in (
        ("2026-03-02 10:00", "2026-03-02 10:30"),
        ("2026-03-02 10:50", "2026-03-02 11:20"),
    ):
        record(anhui, second, start, end, session="现场检查-1")
    explain(anhui, second, [anhui.officer.officer, anhui.officer2.officer])
    assert "av.interruption.signers" not in rules(second)


# Culture-tourism §15: stored within 2 working days, or 2 working days after returning.
# 2026: National Day off 1–7 October, Saturday 10 October worked.


def holiday_case(culture, uploaded, **kwargs):
    case = case_in(culture, opened="2026-09-28 09:00")
    recording = record(
        culture,
        case,
        "2026-09-29 14:00",
        "2026-09-29 15:00",
        uploaded_at=at(uploaded) if uploaded else None,
        **kwargs,
    )
    return case, recording


def test_two_working_days_span_the_national_day_holiday(culture):
    # 29 Sep ends: 30 Sep and 8 Oct are the two working days; due 9 Oct 00:00.
    case, _ = holiday_case(culture, "2026-10-08 20:00")
    assert "av.upload.late" not in rules(case, "2026-11-01 09:00")
    case, _ = holiday_case(culture, "2026-10-09 08:00")
    late = rules(case, "2026-11-01 09:00")["av.upload.late"]
    assert late.due_at == at("2026-10-09 00:00")
    assert late.citation == "culture-tourism §15"


def test_after_return_extension_needs_a_reason_the_pack_accepts(culture):
    returned = at("2026-10-02 18:00")
    # Back during the holiday with a reason: 8 and 9 Oct; due 10 Oct 00:00.
    case, _ = holiday_case(culture, "2026-10-09 20:00", delay_reason="remote", returned_at=returned)
    assert "av.upload.late" not in rules(case, "2026-11-01 09:00")
    # No reason: the period runs from the end of the recording.
    case, _ = holiday_case(culture, "2026-10-09 20:00", returned_at=returned)
    assert "av.upload.late" in rules(case, "2026-11-01 09:00")
    # Water work is not among culture-tourism's reasons (it is in anhui's).
    case, _ = holiday_case(culture, "2026-10-09 20:00", delay_reason="water", returned_at=returned)
    assert "av.upload.late" in rules(case, "2026-11-01 09:00")


def test_agency_list_of_late_overdue_and_soon_due_recordings(culture, anhui):
    late_case, late = holiday_case(culture, "2026-10-09 08:00")
    soon_case, soon = holiday_case(culture, None)
    other = case_in(culture, "9", opened="2026-09-28 09:00")
    on_time = record(culture, other, "2026-09-29 14:00", "2026-09-29 15:00")
    two = record(
        culture,
        other,
        "2026-09-29 16:00",
        "2026-09-29 16:30",
        uploaded_at=None,
        officers=[culture.officer2.officer],
    )
    moment = at("2026-10-08 20:00")
    rows = due_recordings(culture.officer, at=moment)
    states = {row.recording_id: row.state for row in rows}
    assert states == {late.pk: "late", soon.pk: "due_soon", two.pk: "due_soon"}
    assert on_time.pk not in states
    assert {row.due_at for row in rows} == {at("2026-10-09 00:00")}
    # Filters: state, officer, device.
    assert [r.recording_id for r in due_recordings(culture.officer, at=moment, state="late")] == [
        late.pk
    ]
    by_officer = due_recordings(culture.officer, at=moment, officer="WL-0002")
    assert [r.recording_id for r in by_officer] == [two.pk]
    assert not due_recordings(culture.officer, at=moment, device="NO-SUCH")
    # Once past the deadline, the one not stored is overdue.
    later = {
        r.recording_id: r.state for r in due_recordings(culture.officer, at=at("2026-10-12 09:00"))
    }
    assert later[soon.pk] == "overdue"
    # Another agency sees none of them.
    assert not due_recordings(anhui.officer, at=moment)
    assert late_case.pk != soon_case.pk
