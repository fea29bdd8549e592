"""Deadlines in hours, days and PRC working days across the 2026 holidays and their swapped
working days (调休), and past the range chinese-calendar covers: ``due_at`` itself, and the
late / overdue / due-soon / calendar-gap findings of the engine.

2026 as chinese-calendar 1.11 has it (checked with the library, see the first test):
Spring Festival off Feb 15–23, worked Saturdays Feb 14 and Feb 28; Mid-Autumn off Fri Sep 25;
National Day off Oct 1–7, worked Sun Sep 20 and Sat Oct 10. 2027 is not covered.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest

from quancheng.policies.choices import DeadlineUnit
from quancheng.policies.deadlines import due_at
from quancheng.policies.engine import evaluate
from quancheng.policies.registry import get_pack
from quancheng.policies.schema import Deadline, Pack
from quancheng.policies.tests.snaps import case, recording
from quancheng.policies.workdays import CalendarGap, WorkCalendar

CHINA = ZoneInfo("Asia/Shanghai")


def cst(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=CHINA)


def period(amount: int, unit: str) -> Deadline:
    return Deadline(amount=amount, unit=unit, citation="§1")


def test_the_2026_special_days_are_what_the_tests_assume():
    off = [dt.date(2026, 2, d) for d in range(15, 24)] + [dt.date(2026, 9, 25)]
    off += [dt.date(2026, 10, d) for d in range(1, 8)]
    worked = [
        dt.date(2026, 2, 14),
        dt.date(2026, 2, 28),
        dt.date(2026, 9, 20),
        dt.date(2026, 10, 10),
    ]
    assert not any(chinese_calendar.is_workday(d) for d in off)
    assert all(chinese_calendar.is_workday(d) and d.weekday() >= 5 for d in worked)
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(dt.date(2027, 3, 1))


@pytest.mark.parametrize(
    ("start", "amount", "due"),
    [
        # Fri before Spring Festival: Sat Feb 14 is worked (1), then nothing until Tue Feb 24
        ("2026-02-13 10:00", 1, "2026-02-15 00:00"),
        ("2026-02-13 10:00", 2, "2026-02-25 00:00"),
        # starting on a holiday: the first working day after it is Tue Feb 24
        ("2026-02-16 09:00", 1, "2026-02-25 00:00"),
        # Fri Feb 27 + 1: Sat Feb 28 is a working day
        ("2026-02-27 18:00", 1, "2026-03-01 00:00"),
        # Thu Sep 24 + 1: Fri Sep 25 is Mid-Autumn, the weekend follows, so Mon Sep 28
        ("2026-09-24 11:00", 1, "2026-09-29 00:00"),
        # Sat Sep 19 + 1: Sun Sep 20 is worked
        ("2026-09-19 08:00", 1, "2026-09-21 00:00"),
        # Wed Sep 30: Oct 1–7 off, Thu Oct 8 (1), Fri Oct 9 (2), Sat Oct 10 worked (3)
        ("2026-09-30 16:00", 2, "2026-10-10 00:00"),
        ("2026-09-30 16:00", 3, "2026-10-11 00:00"),
        # 30 working days from Mon Sep 21: Sep 25 and Oct 1–7 off, Oct 10 worked; the 30th
        # is Mon Nov 9
        ("2026-09-21 09:00", 30, "2026-11-10 00:00"),
    ],
)
def test_working_days_skip_holidays_and_count_swapped_days(start, amount, due):
    assert due_at(cst(start), period(amount, DeadlineUnit.WORKING_DAYS), WorkCalendar()) == cst(due)


def test_working_days_count_from_the_china_date_of_the_start():
    # 20:00 UTC on Feb 13 is 04:00 on Sat Feb 14 in China: the start day is Feb 14.
    start = dt.datetime(2026, 2, 13, 20, 0, tzinfo=dt.UTC)
    assert due_at(start, period(1, DeadlineUnit.WORKING_DAYS), WorkCalendar()) == cst(
        "2026-02-25 00:00"
    )


@pytest.mark.parametrize(
    ("start", "amount", "due"),
    [
        # hours run straight through holidays
        ("2026-02-14 10:00", 24, "2026-02-15 10:00"),
        ("2026-09-30 22:30", 24, "2026-10-01 22:30"),
        ("2026-12-31 12:00", 24, "2027-01-01 12:00"),
    ],
)
def test_hours_ignore_the_calendar(start, amount, due):
    assert due_at(cst(start), period(amount, DeadlineUnit.HOURS), WorkCalendar()) == cst(due)


@pytest.mark.parametrize(
    ("start", "amount", "due"),
    [
        # days are calendar days; the start day is not counted; the period ends at 24:00
        ("2026-02-10 15:00", 30, "2026-03-13 00:00"),
        ("2026-09-25 09:00", 30, "2026-10-26 00:00"),
        ("2026-12-20 09:00", 30, "2027-01-20 00:00"),
    ],
)
def test_days_are_calendar_days(start, amount, due):
    assert due_at(cst(start), period(amount, DeadlineUnit.DAYS), WorkCalendar()) == cst(due)


@pytest.mark.parametrize(("amount", "gap"), [(1, False), (2, True), (30, True)])
def test_working_days_into_2027_raise_a_calendar_gap(amount, gap):
    start = cst("2026-12-30 10:00")  # Wed; Thu Dec 31 is the last day the calendar knows
    deadline = period(amount, DeadlineUnit.WORKING_DAYS)
    if not gap:
        assert due_at(start, deadline, WorkCalendar()) == cst("2027-01-01 00:00")
        return
    with pytest.raises(CalendarGap) as err:
        due_at(start, deadline, WorkCalendar())
    assert err.value.year == 2027


def test_a_loaded_year_fills_the_gap():
    # A made-up 2027 arrangement: Jan 1 off, Sat Jan 2 worked.
    calendar = WorkCalendar({2027: {dt.date(2027, 1, 1): False, dt.date(2027, 1, 2): True}})
    start = cst("2026-12-30 10:00")
    assert due_at(start, period(2, DeadlineUnit.WORKING_DAYS), calendar) == cst("2027-01-03 00:00")
    assert due_at(start, period(3, DeadlineUnit.WORKING_DAYS), calendar) == cst("2027-01-05 00:00")
    assert calendar.covers(2027)
    assert not WorkCalendar().covers(2027)


def test_naive_start_is_refused():
    with pytest.raises(ValueError, match="aware"):
        due_at(dt.datetime(2026, 3, 2, 9), period(1, DeadlineUnit.HOURS), WorkCalendar())


# --- the engine's findings ---


def with_units(pack_id: str, upload: Deadline | None, archive: Deadline | None) -> Pack:
    """The pack with other deadline units, as a working-day regulation would have them."""
    pack = get_pack(pack_id)
    av = pack.audio_visual.model_copy(update={"upload_deadline": upload, "upload_extension": None})
    return pack.model_copy(
        update={
            "audio_visual": av,
            "archive": pack.archive.model_copy(update={"deadline": archive}),
        }
    )


def rule_ids(snap, pack, moment, calendar=None):
    result = evaluate(snap, pack, moment, calendar or WorkCalendar())
    return {f.rule_id: f for f in result.findings}, result.next_deadline_at


@pytest.mark.parametrize("pack_id", ["anhui", "hebei-street"])
def test_upload_due_soon_then_overdue_in_hours(pack_id):
    pack = get_pack(pack_id)
    end = cst("2026-02-14 18:00")  # a worked Saturday; 24 h end on the Spring Festival Sunday
    snap = case(pack_id, "investigation")
    snap.recordings = [
        recording(started_at=end - dt.timedelta(hours=1), ended_at=end, uploaded_at=None)
    ]
    found, next_at = rule_ids(snap, pack, cst("2026-02-15 11:00"))
    assert "av.upload.due_soon" not in found and next_at == cst("2026-02-15 18:00")
    found, _ = rule_ids(snap, pack, cst("2026-02-15 13:00"))
    assert found["av.upload.due_soon"].due_at == cst("2026-02-15 18:00")
    assert found["av.upload.due_soon"].severity == "warning"
    found, _ = rule_ids(snap, pack, cst("2026-02-15 18:01"))
    assert found["av.upload.overdue"].severity == "error"
    assert "av.upload.due_soon" not in found


def test_working_day_upload_late_across_national_day():
    pack = with_units("anhui", period(2, DeadlineUnit.WORKING_DAYS), None)
    end = cst("2026-09-30 16:00")
    snap = case("anhui", "investigation")
    snap.recordings = [
        recording(
            started_at=end - dt.timedelta(hours=1),
            ended_at=end,
            uploaded_at=cst("2026-10-09 23:59"),
        )
    ]
    found, _ = rule_ids(snap, pack, cst("2026-10-20 09:00"))
    assert "av.upload.late" not in found
    snap.recordings[0].uploaded_at = cst("2026-10-10 08:30")  # the worked Saturday is too late
    found, _ = rule_ids(snap, pack, cst("2026-10-20 09:00"))
    assert found["av.upload.late"].due_at == cst("2026-10-10 00:00")


def test_working_day_archive_due_soon_and_overdue_across_spring_festival():
    pack = with_units("hebei-street", None, period(30, DeadlineUnit.WORKING_DAYS))
    snap = case("hebei-street", "service_execution", ended_at=cst("2026-02-02 17:00"))
    snap.closed_at = snap.ended_at
    # 30 working days from Mon Feb 2, with Feb 14 and Feb 28 worked and Feb 15–23 off:
    # 9 to Feb 13, Feb 14 the 10th, 4 in Feb 24–27, Feb 28 the 15th, the 30th is Fri Mar 20
    due = cst("2026-03-21 00:00")
    found, next_at = rule_ids(snap, pack, cst("2026-03-01 09:00"))
    assert next_at == due and "archive.due_soon" not in found
    found, _ = rule_ids(snap, pack, cst("2026-03-10 09:00"))
    assert found["archive.due_soon"].due_at == due
    found, _ = rule_ids(snap, pack, cst("2026-03-21 00:01"))
    assert found["archive.overdue"].due_at == due


def test_engine_reports_the_calendar_gap_instead_of_guessing():
    pack = with_units("anhui", None, period(30, DeadlineUnit.WORKING_DAYS))
    snap = case("anhui", "service_execution", ended_at=cst("2026-12-10 17:00"))
    snap.closed_at = snap.ended_at
    found, next_at = rule_ids(snap, pack, cst("2027-03-01 09:00"))
    gap = found["deadline.calendar_missing"]
    assert gap.severity == "warning" and gap.citation == "anhui §1"
    assert "2027" in gap.message and gap.due_at is None
    assert not {"archive.overdue", "archive.due_soon", "archive.late"} & set(found)
    assert next_at is None
    loaded = WorkCalendar({2027: {dt.date(2027, 1, 1): False}})
    found, next_at = rule_ids(snap, pack, cst("2027-03-01 09:00"), loaded)
    assert "deadline.calendar_missing" not in found
    assert found["archive.overdue"].due_at == next_at


def test_days_and_hours_need_no_calendar_past_its_range():
    for pack_id in ("anhui", "hebei-street"):
        pack = get_pack(pack_id)
        snap = case(pack_id, "service_execution", ended_at=cst("2026-12-20 09:00"))
        snap.closed_at = snap.ended_at
        end = cst("2026-12-31 20:00")
        snap.recordings = [recording(started_at=end, ended_at=end, uploaded_at=None)]
        found, next_at = rule_ids(snap, pack, cst("2027-01-02 09:00"))
        assert "deadline.calendar_missing" not in found
        assert found["av.upload.overdue"].due_at == cst("2027-01-01 20:00")
        assert next_at == cst("2027-01-01 20:00")
