"""``quancheng check``: findings as JSON, exit codes, invalid input named by its path, and
no database at all (these tests have no ``db`` fixture, so pytest-django refuses any query)."""

from __future__ import annotations

import copy
import os
import subprocess
import sys

import pytest

from quancheng.casefile.exchange.tests.helpers import EXAMPLES, example, run, write

AT = "2026-11-01T12:00:00+08:00"


def test_compliant_file_exits_0_with_no_findings():
    result = run("check_case", str(EXAMPLES / "anhui" / "compliant.json"), "--at", AT)
    assert result.code == 0, result.stderr
    report = result.json()
    assert report["errors"] == 0 and report["findings"] == []
    assert report["pack"] == "anhui"
    assert report["case"] == "皖合市监罚〔2026〕12号"


def test_error_finding_exits_1_and_is_printed(tmp_path):
    doc = example("anhui")
    doc["records"][8]["versions"][0]["signatures"] = []
    result = run("check_case", write(tmp_path, doc), "--at", AT)
    assert result.code == 1
    (finding,) = result.json()["findings"]
    assert finding["rule_id"] == "signature.party"
    assert finding["citation"] == "anhui §11"
    assert finding["subject"] == "record:r9"
    assert finding["severity"] == "error"


def test_warning_only_exits_0(tmp_path):
    doc = example("anhui")
    # An open case still in its first stage without its start record: a pending warning.
    doc["case"].update(stage="initiation", ended_at=None, closed_at=None, archived_at=None)
    doc["records"] = []
    doc["recordings"], doc["interruptions"] = [], []
    result = run("check_case", write(tmp_path, doc), "--at", AT)
    assert result.code == 0
    report = result.json()
    assert report["errors"] == 0
    assert report["warnings"] == 1
    assert report["findings"][0]["rule_id"] == "record.required/initiation.ex_officio"


def test_at_decides_deadlines(tmp_path):
    doc = example("anhui")
    doc["recordings"][0]["uploaded_at"] = None
    path = write(tmp_path, doc)
    before = run("check_case", path, "--at", "2026-03-03T12:00:00+08:00")
    after = run("check_case", path, "--at", "2026-03-04T12:00:00+08:00")
    assert before.code == 0 and before.json()["next_deadline_at"] == "2026-03-04T10:16:00+08:00"
    assert after.code == 1
    assert "av.upload.overdue" in {f["rule_id"] for f in after.json()["findings"]}


def test_pack_option_overrides_the_files_pack(tmp_path):
    result = run("check_case", str(EXAMPLES / "anhui" / "compliant.json"), "--pack", "nowhere")
    assert result.code == 2
    assert ": --pack: " in result.stderr and "nowhere" in result.stderr


@pytest.mark.parametrize("at", ["2026-03-02T09:00:00", "2026-03-02", "yesterday"])
def test_at_without_timezone_exits_2(at):
    result = run("check_case", str(EXAMPLES / "anhui" / "compliant.json"), "--at", at)
    assert result.code == 2
    assert "--at: " in result.stderr
    assert result.stdout == ""


def _mutate(change):
    doc = copy.deepcopy(example("anhui"))
    change(doc)
    return doc


def _drop(mapping, key):
    del mapping[key]


INVALID = [
    ("malformed", '{"format": "quancheng-case",', "line 1, column 29: "),
    ("not an object", "[1, 2]", "A case file must hold one JSON object"),
    ("missing case number", lambda d: _drop(d["case"], "number"), "case.number: "),
    ("unknown key", lambda d: d["case"].update(colour="red"), "case.colour: "),
    ("wrong type", lambda d: d["case"].update(is_major="yes"), "case.is_major: "),
    ("unknown pack", lambda d: d.update(pack="atlantis"), "pack: "),
    ("bad version", lambda d: d.update(format_version=9), "format_version: "),
    (
        "unknown action type",
        lambda d: d["case"]["action_types"].append("taxation"),
        "case.action_types[1]: ",
    ),
    ("unknown stage", lambda d: d["case"].update(stage="appeal"), "case.stage: "),
    ("unknown kind", lambda d: d["records"][3].update(kind="confession"), "records[3].kind: "),
    (
        "unknown field",
        lambda d: d["records"][0]["versions"][0]["fields"].update(mood="calm"),
        "records[0].versions[0].fields.mood: ",
    ),
    (
        "choice out of range",
        lambda d: d["records"][0]["versions"][0]["fields"].update(source="dream"),
        "records[0].versions[0].fields.source: ",
    ),
    (
        "naive time",
        lambda d: d["records"][2]["versions"][0].update(occurred_at="2026-03-03T10:10:00"),
        "records[2].versions[0].occurred_at: ",
    ),
    (
        "naive case time",
        lambda d: d["case"].update(opened_at="2026-03-02 09:00"),
        "case.opened_at: ",
    ),
    (
        "correction without reason",
        lambda d: _drop(d["records"][3]["versions"][1], "correction_reason"),
        "records[3].versions[1].correction_reason: ",
    ),
    (
        "unknown officer",
        lambda d: d["recordings"][0]["officers"].append("99999"),
        "recordings[0].officers[1]: ",
    ),
    (
        "unknown device",
        lambda d: d["interruptions"][0].update(device="X"),
        "interruptions[0].device: ",
    ),
    (
        "unknown record id",
        lambda d: d["recordings"][0]["records"].append("r99"),
        "recordings[0].records[2]: ",
    ),
    ("duplicate record id", lambda d: d["records"][1].update(id="r1"), "records[1].id: "),
    (
        "record after closing",
        lambda d: d["records"][10]["versions"][0].update(occurred_at="2026-03-21T09:00:00+08:00"),
        "records[10].versions[0].occurred_at: ",
    ),
    (
        "wrong stage for kind",
        lambda d: d["records"][0].update(stage="decision"),
        "records[0].stage: ",
    ),
]


@pytest.mark.parametrize(("what", "change", "expected"), INVALID, ids=[i[0] for i in INVALID])
def test_invalid_input_exits_2_naming_the_path(tmp_path, what, change, expected):
    document = change if isinstance(change, str) else _mutate(change)
    path = write(tmp_path, document)
    result = run("check_case", path, "--at", AT)
    assert result.code == 2, result.stdout
    assert result.stdout == ""
    assert f"{path}: {expected}" in result.stderr


def test_every_problem_is_reported_not_just_the_first(tmp_path):
    doc = example("anhui")
    doc["records"][0]["kind"] = "confession"
    doc["records"][2]["versions"][0]["occurred_at"] = "2026-03-03T10:10:00"
    result = run("check_case", write(tmp_path, doc))
    assert result.code == 2
    assert "records[0].kind" in result.stderr
    assert "records[2].versions[0].occurred_at" in result.stderr


def test_structural_problems_come_in_document_order(tmp_path):
    doc = example("anhui")
    doc["records"][10]["versions"][0]["signatures"] = [{"role": "boss"}]
    doc["records"][2]["colour"] = "red"
    result = run("check_case", write(tmp_path, doc))
    assert result.code == 2
    lines = result.stderr.splitlines()
    assert ": records[2].colour: " in lines[0]
    assert any("records[10].versions[0].signatures[0].role: " in line for line in lines[1:])
    assert any("records[10].versions[0].signatures[0].name: " in line for line in lines[1:])


def test_missing_file_exits_2(tmp_path):
    result = run("check_case", str(tmp_path / "absent.json"))
    assert result.code == 2 and "Cannot read" in result.stderr


def test_the_console_command_needs_no_database():
    """The real ``quancheng check`` in its own process, its database unreachable."""
    env = dict(os.environ, DATABASE_URL="postgresql://nobody@127.0.0.1:1/none")
    path = EXAMPLES / "anhui" / "noncompliant-late-upload.json"
    proc = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "quancheng.cli", "check", str(path), "--at", AT],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    assert '"av.upload.late"' in proc.stdout


def test_check_makes_no_query_even_with_a_database(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        result = run("check_case", str(EXAMPLES / "anhui" / "noncompliant-major-no-review.json"))
    assert result.code == 1


def test_check_reads_standard_input(monkeypatch):
    import io

    text = (EXAMPLES / "anhui" / "noncompliant-unsigned-decision.json").read_text(encoding="utf-8")
    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    result = run("check_case", "-")
    assert result.code == 1
    assert [f["rule_id"] for f in result.json()["findings"]] == ["signature.party"]


def test_missing_required_field_is_a_finding_or_with_strict_invalid():
    path = str(EXAMPLES / "anhui" / "noncompliant-missing-field.json")
    finding = run("check_case", path)
    assert finding.code == 1
    assert finding.json()["findings"][0]["rule_id"] == "record.field/ex_officio_start.reason"
    refused = run("check_case", path, "--strict")
    assert refused.code == 2
    assert f"{path}: records[0].versions[0].fields.reason: " in refused.stderr
