"""The demo is built from pack data alone: two packs unlike anhui get their agency and their
cases, each showing the findings it claims (and leaving out what the pack has no rule for)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from quancheng.casefile.compliance import evaluate_case
from quancheng.cases.models import Case
from quancheng.demo.seed import seed
from quancheng.policies import registry
from quancheng.policies.choices import Severity

ANHUI = Path(registry.__file__).parent / "packs" / "anhui.yaml"


def strict_pack(base: dict) -> dict:
    """Signatures with refusals and confirmed corrections, labels, device checks, working-day
    deadlines, and an inquiry that must be recorded (hebei, culture-tourism, dalian rules)."""
    pack = copy.deepcopy(base)
    pack.update(id="demo-strict", title="严格示例", short_title="严格")
    pack["signatures"] = {
        "party_signs": {"citation": "§11"},
        "refusal": {"min_officer_signatures": 2, "citation": "§12"},
        "correction_confirmation": {"citation": "§12"},
    }
    av = pack["audio_visual"]
    av["upload_deadline"] = {"amount": 2, "unit": "working_days", "citation": "§15"}
    av["device_check"] = {"citation": "§12"}
    av["opening_statement"] = {"citation": "§13"}
    av["inform_party"] = {"activities": ["inquiry"], "citation": "§14"}
    av["labels"] = {
        "fields": ["case_number", "production_method", "started_at", "maker", "device",
                   "officers", "party", "case_title", "place"],
        "citation": "§16",
    }  # fmt: skip
    av["scenarios"][1]["activities"] = ["case_premises", "inquiry"]  # mandatory
    pack["requirements"].append(
        {"id": "investigation.inquiry", "kinds": ["inquiry"], "citation": "§8(2)"}
    )
    pack["archive"] = {"deadline": {"amount": 30, "unit": "working_days", "citation": "§16"}}
    return pack


def lean_pack(base: dict) -> dict:
    """One stage, no signature rule, no major decisions, no interruption rule, no archive
    deadline (as silent as dalian-ftz is on most of these)."""
    pack = copy.deepcopy(base)
    pack.update(id="demo-lean", title="简明示例", short_title="简明")
    pack["stages"] = [{"id": "process", "label": "执法全过程", "citation": "§3"}]
    for kind in pack["record_kinds"]:
        kind["stage"] = "process"
    pack["requirements"] = [r for r in pack["requirements"] if "major" not in r.get("when", {})]
    pack["signatures"] = {}
    pack["archive"] = {}
    del pack["audio_visual"]["interruption"]
    return pack


@pytest.fixture
def other_packs(tmp_path, settings, monkeypatch):
    base = yaml.safe_load(ANHUI.read_text(encoding="utf-8"))
    for make in (strict_pack, lean_pack):
        pack = make(base)
        text = yaml.safe_dump(pack, allow_unicode=True)
        (tmp_path / f"{pack['id']}.yaml").write_text(text, encoding="utf-8")
    settings.QUANCHENG_PACK_DIRS = [*settings.QUANCHENG_PACK_DIRS, tmp_path]
    monkeypatch.setattr(registry, "_packs", None)
    assert {"demo-strict", "demo-lean"} <= set(registry.all_packs())


def test_other_packs_get_their_own_demo_cases(db, other_packs):
    report = seed()
    by_pack: dict[str, dict] = {}
    for case, spec in report.built:
        by_pack.setdefault(case.pack_id, {})[spec.key] = case
        errors = {f.rule_id for f in evaluate_case(case).findings if f.severity == Severity.ERROR}
        assert errors == spec.expect_errors, (case.pack_id, spec.key)
    assert set(by_pack["demo-strict"]) == {
        "compliant", "missing_record", "unsigned", "major", "overdue", "gap", "archived", "fresh",
    }  # fmt: skip
    assert set(by_pack["demo-lean"]) == {
        "compliant", "missing_record", "unsealed", "overdue", "archived", "fresh",
    }  # fmt: skip
    for pack_id in ("demo-strict", "demo-lean"):
        for key in ("compliant", "archived"):
            findings = evaluate_case(by_pack[pack_id][key]).findings
            # working days past the calendar's last year are a warning, not a guess
            assert {f.rule_id for f in findings} <= {"deadline.calendar_missing"}, (pack_id, key)
    strict = by_pack["demo-strict"]["compliant"]
    assert strict.recordings.filter(scenario="case_premises").exists()


def test_a_pack_installed_later_gets_its_agency_on_the_next_run(db, other_packs):
    first = seed(["anhui"])
    anhui_cases = Case.objects.filter(pack_id="anhui").count()
    later = seed()
    assert later.existing == len(first.built)
    assert Case.objects.filter(pack_id="anhui").count() == anhui_cases
    assert {case.pack_id for case, _spec in later.built} == set(registry.all_packs()) - {"anhui"}
    assert [x.username for x in later.logins[:8]] == [x.username for x in first.logins]
