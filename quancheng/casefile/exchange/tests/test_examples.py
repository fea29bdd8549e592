"""Every example under ``examples/<pack>/`` gives the exit code and the rule ids its
``expected.json`` states. Cases are generated for the packs that are registered, so an
example directory waits for its pack; a registered pack without examples fails."""

from __future__ import annotations

import json

import pytest

from quancheng.casefile.exchange.tests.helpers import EXAMPLES, run
from quancheng.policies.registry import all_packs

PACKS = sorted(all_packs())


def expected(pack_id: str) -> dict:
    path = EXAMPLES / pack_id / "expected.json"
    return json.loads(path.read_text(encoding="utf-8"))["examples"] if path.exists() else {}


CASES = [(pack_id, name) for pack_id in PACKS for name in sorted(expected(pack_id))]


@pytest.mark.parametrize("pack_id", PACKS)
def test_every_registered_pack_has_examples(pack_id):
    listed = expected(pack_id)
    on_disk = {p.name for p in (EXAMPLES / pack_id).glob("*.json")} - {"expected.json"}
    assert "compliant.json" in listed, f"examples/{pack_id}/compliant.json is missing"
    assert any(n.startswith("noncompliant-") for n in listed)
    assert set(listed) == on_disk, "expected.json must list exactly the example files"


@pytest.mark.parametrize(("pack_id", "name"), CASES, ids=[f"{p}/{n}" for p, n in CASES])
def test_example(pack_id, name):
    want = expected(pack_id)[name]
    args = [str(EXAMPLES / pack_id / name)]
    if want.get("at"):
        args += ["--at", want["at"]]
    result = run("check_case", *args)
    assert result.code == want["exit"], result.stdout + result.stderr
    if want["exit"] == 2:
        for path in want["paths"]:
            assert f": {path}: " in result.stderr
        return
    report = result.json()
    assert report["pack"] == pack_id
    assert sorted({f["rule_id"] for f in report["findings"]}) == sorted(want["rules"])


COMPLIANT = [p for p in PACKS if (EXAMPLES / p / "compliant.json").exists()]


@pytest.mark.parametrize("pack_id", COMPLIANT)
def test_compliant_example_imports_and_exports_unchanged(db, pack_id):
    """Each pack's compliant example goes through the actions and comes back the same."""
    from conftest import SYSTEM
    from quancheng.agencies.actions import create_agency
    from quancheng.casefile.exchange.export import export_case
    from quancheng.casefile.exchange.load import import_case

    document = json.loads((EXAMPLES / pack_id / "compliant.json").read_text(encoding="utf-8"))
    agency = create_agency(SYSTEM, code="x", name="X", level="agency", pack_id=pack_id)
    case = import_case(SYSTEM, agency, document)
    assert case.compliance.errors == 0
    exported = export_case(case)
    assert {k: v for k, v in exported.items() if k != "source"} == {
        k: v for k, v in document.items() if k != "source"
    }


def _comparable(value):
    """A snapshot as plain data, without the ids that differ between file and database."""
    import dataclasses

    if dataclasses.is_dataclass(value):
        value = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key == "ref":
                continue
            if key == "refusal_ref":
                out[key] = item is not None
            elif key in ("record_refs", "officer_certs", "signer_certs"):
                out[key] = len(item) if key == "record_refs" else sorted(item)
            else:
                out[key] = _comparable(item)
        return out
    if isinstance(value, list | tuple):
        return [_comparable(v) for v in value]
    return value


@pytest.mark.parametrize("pack_id", COMPLIANT)
def test_the_file_and_the_database_give_the_same_snapshot(db, pack_id):
    """What ``check`` reads from a file is what the engine reads from the stored case."""
    from conftest import SYSTEM
    from quancheng.agencies.actions import create_agency
    from quancheng.casefile.exchange.load import import_case
    from quancheng.casefile.exchange.parse import parse_document
    from quancheng.casefile.snapshots import load_snapshots

    document = json.loads((EXAMPLES / pack_id / "compliant.json").read_text(encoding="utf-8"))
    agency = create_agency(SYSTEM, code="x", name="X", level="agency", pack_id=pack_id)
    case = import_case(SYSTEM, agency, document)
    stored = load_snapshots([case.pk])[case.pk]
    from_file = parse_document(document).snapshot
    assert _comparable(from_file) == _comparable(stored)
