"""Additions to the pack format: fields required for some activities (``required_for``),
signers a kind names (``signers``), the ``name`` label, and key paths in reference errors."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from quancheng.cases.validation import clean_fields
from quancheng.errors import ActionError
from quancheng.policies.engine import evaluate
from quancheng.policies.registry import PackError, load_pack_file
from quancheng.policies.schema import Pack
from quancheng.policies.tests.snaps import T0, case, record, recording
from quancheng.policies.workdays import WorkCalendar

MINI = {
    "id": "mini",
    "title": "测试办法",
    "short_title": "测试",
    "source_file": "x.txt",
    "scope": {"action_types": ["penalty"], "citation": "§2"},
    "stages": [{"id": "service_execution", "label": "送达执行", "citation": "§2"}],
    "record_kinds": [
        {
            "id": "service",
            "label": "送达回证",
            "stage": "service_execution",
            "citation": "§15",
            "activity_field": "method",
            "signers": [
                {"role": "officer", "citation": "§15"},
                {"role": "party", "unless": ["left"], "citation": "§15"},
                {"role": "witness", "when": ["left"], "citation": "§15"},
            ],
            "fields": [
                {
                    "id": "method",
                    "label": "方式",
                    "type": "choice",
                    "required": True,
                    "choices": [
                        {"id": "direct", "label": "直接"},
                        {"id": "left", "label": "留置"},
                        {"id": "entrusted", "label": "委托"},
                    ],
                },
                {
                    "id": "entrust_reason",
                    "label": "委托原因",
                    "type": "text",
                    "required_for": ["entrusted"],
                },
            ],
        }
    ],
    "audio_visual": {"labels": {"fields": ["name", "device"], "citation": "§25"}},
}


def mini(**changes: object) -> Pack:
    data = copy.deepcopy(MINI)
    data.update(changes)
    return Pack.model_validate(data)


def ids(pack: Pack, snap) -> set[str]:
    return {f.rule_id for f in evaluate(snap, pack, T0, WorkCalendar()).findings}


def service(fields, *signers):
    return record("1", "service", "service_execution", fields, signers=signers)


def test_required_for_applies_only_to_its_activity():
    pack = mini()
    rule = "record.field/service.entrust_reason"
    snap = case("mini", "service_execution")
    snap.records = [service({"method": "direct"}, ("officer", "A"), ("party", "P"))]
    assert rule not in ids(pack, snap)
    snap.records = [service({"method": "entrusted"}, ("officer", "A"), ("party", "P"))]
    assert rule in ids(pack, snap)
    snap.records = [
        service({"method": "entrusted", "entrust_reason": "异地"}, ("officer", "A"), ("party", "P"))
    ]
    assert rule not in ids(pack, snap)


def test_required_for_is_refused_when_writing():
    kind = mini().record_kinds[0]
    assert clean_fields(kind, {"method": "direct"}, strict=True) == {"method": "direct"}
    with pytest.raises(ActionError) as err:
        clean_fields(kind, {"method": "entrusted"}, strict=True)
    assert err.value.path == "fields.entrust_reason"


@pytest.mark.parametrize(
    ("method", "signers", "missing"),
    [
        ("direct", [("officer", "A"), ("party", "P")], set()),
        ("direct", [("officer", "A")], {"party"}),
        ("direct", [("party", "P")], {"officer"}),
        ("left", [("officer", "A"), ("witness", "W")], set()),
        ("left", [("officer", "A")], {"witness"}),
    ],
)
def test_signers_with_when_and_unless(method, signers, missing):
    snap = case("mini", "service_execution")
    snap.records = [service({"method": method}, *signers)]
    found = {i.rsplit(".", 1)[1] for i in ids(mini(), snap) if i.startswith("signature.required/")}
    assert found == missing


def test_name_label_reads_the_file_name():
    snap = case("mini", "service_execution")
    snap.recordings = [recording(file_name="现场.mp4")]
    assert "av.labels" not in ids(mini(), snap)
    snap.recordings = [recording(file_name="")]
    assert "av.labels" in ids(mini(), snap)


def test_required_and_required_for_together_are_refused():
    data = copy.deepcopy(MINI)
    data["record_kinds"][0]["fields"][1]["required"] = True
    with pytest.raises(ValidationError, match="not both"):
        Pack.model_validate(data)


@pytest.mark.parametrize(
    ("where", "key", "problem"),
    [
        (
            lambda d: d["record_kinds"][0]["fields"][1].update(required_for=["mail"]),
            "record_kinds[0 service].fields[1 entrust_reason].required_for",
            "never shows activity 'mail'",
        ),
        (
            lambda d: d["record_kinds"][0]["signers"][2].update(when=["mail"]),
            "record_kinds[0 service].signers[2]",
            "never shows activity 'mail'",
        ),
        (
            lambda d: d["record_kinds"][0]["signers"][0].update(role="bystander"),
            "record_kinds[0 service].signers[0].role",
            "Input should be",
        ),
    ],
)
def test_errors_in_the_additions_name_their_key(tmp_path: Path, where, key, problem):
    data = copy.deepcopy(MINI)
    where(data)
    path = tmp_path / "mini.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(PackError) as err:
        load_pack_file(path)
    assert f"{path}: {key}: " in str(err.value)
    assert problem in str(err.value)
