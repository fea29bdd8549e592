"""``quancheng calendar load FILE`` and ``quancheng calendar show YEAR``, run as the console
command runs them, and the ``load_calendar_year`` action behind them."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from django.db import connections

from conftest import make_user
from quancheng.cli import main
from quancheng.errors import ActionError
from quancheng.ledger.models import Fact
from quancheng.ledger.public import Actor
from quancheng.policies.actions import CalendarInput, load_calendar_year
from quancheng.policies.choices import DeadlineUnit
from quancheng.policies.deadlines import due_at
from quancheng.policies.models import CalendarYear
from quancheng.policies.schema import Deadline
from quancheng.policies.workdays import CalendarGap, WorkCalendar, default_calendar

YAML_2027 = """\
year: 2027
source: 国务院办公厅关于2027年部分节假日安排的通知
holidays:
  - 2027-01-01
  - 2027-02-06..2027-02-12
workdays: [2027-02-13, "2027-02-20"]
"""


@pytest.fixture(autouse=True)
def _english(settings):
    # The messages are asserted in English; the command speaks the site's language.
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def _keep_the_test_connection(monkeypatch):
    # run_from_argv closes every connection when a command ends; inside a test that would
    # close the test transaction's connection (PostgreSQL), so keep it open.
    monkeypatch.setattr(connections, "close_all", lambda: None)


def run(*args: str) -> int:
    """``quancheng calendar ARGS`` as the console script runs it; its exit code."""
    try:
        main(["quancheng", "calendar", *args])
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


@pytest.fixture
def file_2027(tmp_path):
    path = tmp_path / "2027.yaml"
    path.write_text(YAML_2027, encoding="utf-8")
    return path


def test_load_yaml_writes_the_year_and_its_ledger_fact(db, file_2027, capsys):
    assert run("load", str(file_2027)) == 0
    assert "2027" in capsys.readouterr().out
    row = CalendarYear.objects.get()
    assert row.year == 2027
    assert row.holidays == ["2027-01-01"] + [f"2027-02-{d:02d}" for d in range(6, 13)]
    assert row.workdays == ["2027-02-13", "2027-02-20"]
    assert row.source.startswith("国务院办公厅")
    fact = Fact.objects.get(kind="calendar.loaded")
    assert fact.channel == "cli"
    assert fact.subject_id == str(row.pk)
    assert fact.payload["workdays"] == row.workdays


def test_a_loaded_year_is_used_for_deadlines(db, file_2027):
    start = dt.datetime(2027, 2, 5, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
    three = Deadline(amount=3, unit=DeadlineUnit.WORKING_DAYS, citation="§15")
    with pytest.raises(CalendarGap):
        due_at(start, three, default_calendar())
    run("load", str(file_2027))
    # Feb 6–12 off, Sat Feb 13 worked (1), Mon Feb 15 (2), Tue Feb 16 (3)
    assert due_at(start, three, default_calendar()) == start.replace(day=17, hour=0)


def test_load_json_and_a_later_load_takes_over(db, tmp_path, file_2027):
    run("load", str(file_2027))
    path = tmp_path / "2027.json"
    path.write_text(json.dumps({"year": 2027, "holidays": ["2027-01-01"], "source": "更正"}))
    assert run("load", str(path)) == 0
    assert CalendarYear.objects.count() == 2
    assert CalendarYear.overrides()[2027] == {dt.date(2027, 1, 1): False}
    assert WorkCalendar(CalendarYear.overrides()).is_workday(dt.date(2027, 2, 8))


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("year: 2027\nholidays: [2027-01-01]\nextra: 1\n", "extra: Unknown key"),
        ("year: 2027\nholidays: [2027-01-01, 2027-13-01]\n", "holidays.1: "),
        ("year: 2027\nholidays: [2026-12-31]\n", "holidays.0: 2026-12-31 is not in 2027"),
        ("year: 2027\nholidays: [2027-01-01]\nworkdays: [2027-01-04]\n", "workdays.0: "),
        ("year: 2027\nholidays: [2027-01-02]\nworkdays: [2027-01-02]\n", "workdays.0: "),
        ("year: 2027\nholidays: [2027-01-01, 2027-01-01]\n", "holidays.1: 2027-01-01 is listed"),
        ("year: 2027\nholidays: [2027-02-12..2027-02-06]\n", "holidays.0: "),
        ("year: 2027\nholidays: []\n", "holidays: "),
        ("year: '2027'\nholidays: [2027-01-01]\n", "year: "),
        ("year: 1066\nholidays: [1066-01-01]\n", "year: "),
        ("holidays: [2027-01-01\n", "not valid JSON or YAML"),
        ("- 2027-01-01\n", "must hold an object"),
    ],
)
def test_bad_file_exits_2_names_the_path_and_writes_nothing(
    db, tmp_path, capsys, content, expected
):
    path = tmp_path / "bad.yaml"
    path.write_text(content, encoding="utf-8")
    facts = Fact.objects.count()
    assert run("load", str(path)) == 2
    captured = capsys.readouterr()
    assert expected in captured.err
    assert captured.out == ""
    assert not CalendarYear.objects.exists()
    assert Fact.objects.count() == facts


def test_missing_file_exits_2(db, tmp_path, capsys):
    assert run("load", str(tmp_path / "none.yaml")) == 2
    assert "Cannot read" in capsys.readouterr().err


def test_show_a_chinese_calendar_year(db, capsys):
    assert run("show", "2026") == 0
    out = capsys.readouterr().out
    assert out.startswith("2026: covered (chinese-calendar")
    holidays, workdays = out.splitlines()[1:3]
    assert "2026-02-15" in holidays and "2026-10-07" in holidays and "2026-02-14" not in holidays
    assert workdays.endswith(
        "(6): 2026-01-04, 2026-02-14, 2026-02-28, 2026-05-09, 2026-09-20, 2026-10-10"
    )


def test_show_an_uncovered_then_a_loaded_year(db, file_2027, capsys):
    assert run("show", "2027") == 0
    assert "2027: not covered" in capsys.readouterr().out
    run("load", str(file_2027))
    capsys.readouterr()
    assert run("show", "2027") == 0
    out = capsys.readouterr().out
    assert "covered (loaded" in out and "国务院办公厅" in out
    assert "(2): 2027-02-13, 2027-02-20" in out


def test_show_needs_a_year(db, capsys):
    assert run("show", "next") == 2
    assert "invalid int value" in capsys.readouterr().err


def test_only_an_administrator_loads_the_calendar(world):
    data = CalendarInput(year=2027, holidays=[dt.date(2027, 1, 1)])
    with pytest.raises(ActionError):
        load_calendar_year(Actor(world.head, "web"), data)
    admin = make_user("admin", world.province, ["administrator"])
    row = load_calendar_year(Actor(admin, "web", "10.0.0.1"), data)
    assert row.loaded_by == admin
    assert Fact.objects.get(kind="calendar.loaded").actor == admin
