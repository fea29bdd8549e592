"""A recording used as evidence and its note travel in the case exchange file; the file and
the database then give the same evidence-note findings."""

from __future__ import annotations

import pytest

from conftest import SYSTEM, at
from quancheng.casefile.compliance import evaluate_case
from quancheng.casefile.exchange.export import export_case
from quancheng.casefile.exchange.load import import_case
from quancheng.casefile.exchange.parse import InvalidCaseFile, parse_document
from quancheng.casefile.exchange.tests.helpers import example
from quancheng.policies.engine import evaluate
from quancheng.policies.registry import get_pack
from quancheng.policies.workdays import WorkCalendar


def evidence_findings(findings):
    return sorted((f.rule_id, f.subject) for f in findings if f.rule_id == "av.evidence_note")


def test_evidence_notes_round_trip(world):
    doc = example("anhui")
    first, second = doc["recordings"][0], doc["recordings"][1]
    first["used_as_evidence"] = True
    first["evidence_notes"] = []
    second["used_as_evidence"] = True
    second["evidence_notes"] = [
        {
            "taken_by": second["officers"],
            "taken_at": second["started_at"],
            "place": "合肥市某路1号",
            "matter": "现场检查",
        }
    ]
    case = import_case(SYSTEM, world.b, doc)
    exported = export_case(case)
    assert exported["recordings"] == doc["recordings"]
    assert "used_as_evidence" not in exported["recordings"][2]
    moment = at("2026-11-01 12:00")
    stored = evaluate_case(case, moment, WorkCalendar())
    from_file = evaluate(parse_document(doc).snapshot, get_pack("anhui"), moment, WorkCalendar())
    expected = [
        ("av.evidence_note", f"recording:{case.recordings.order_by('started_at', 'id')[0].pk}")
    ]
    assert evidence_findings(stored.findings) == expected
    assert [rule for rule, _subject in evidence_findings(from_file.findings)] == [
        "av.evidence_note"
    ]


def test_a_note_naming_an_unknown_officer_is_refused_by_the_file_check(world):
    doc = example("anhui")
    doc["recordings"][0]["used_as_evidence"] = True
    doc["recordings"][0]["evidence_notes"] = [
        {"taken_by": ["NOBODY"], "taken_at": doc["recordings"][0]["started_at"], "place": "x"}
    ]
    with pytest.raises(InvalidCaseFile) as err:
        parse_document(doc)
    assert [p.path for p in err.value.problems] == ["recordings[0].evidence_notes[0].taken_by[0]"]
