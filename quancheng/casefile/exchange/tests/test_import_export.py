"""``quancheng import`` and ``quancheng export``: a case goes in through the actions, all or
nothing, and comes out as the same document."""

from __future__ import annotations

import json

import pytest
from django.db import transaction

from conftest import SYSTEM, at
from quancheng.agencies.actions import create_agency
from quancheng.agencies.models import Officer
from quancheng.casefile.compliance import evaluate_case
from quancheng.casefile.exchange.export import export_case
from quancheng.casefile.exchange.load import import_case
from quancheng.casefile.exchange.parse import parse_document
from quancheng.casefile.exchange.tests.helpers import EXAMPLES, example, run, write
from quancheng.cases.models import Case, RecordVersion
from quancheng.devices.models import Device
from quancheng.ledger.models import Fact
from quancheng.media.models import Interruption, Recording
from quancheng.policies.engine import evaluate
from quancheng.policies.registry import get_pack
from quancheng.policies.workdays import WorkCalendar

COMPLIANT = str(EXAMPLES / "anhui" / "compliant.json")


def without_source(document):
    return {k: v for k, v in document.items() if k != "source"}


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (Case, RecordVersion, Officer, Device, Recording, Interruption, Fact)
    }


def test_import_creates_the_case_through_the_actions(world):
    result = run("import_case", COMPLIANT, "--agency", "agency-b")
    assert result.code == 0, result.stderr
    case = Case.objects.get(number="皖合市监罚〔2026〕12号")
    assert case.agency == world.b
    assert case.stage == "archiving" and case.archived_at == at("2026-03-25 10:00")
    assert case.records.count() == 12
    inquiry = case.records.get(kind="inquiry")
    assert [v.number for v in inquiry.versions.all()] == [1, 2]
    assert inquiry.latest_version().corrects is not None
    assert sorted(o.cert_no for o in case.officers.all()) == ["34010020001", "34010020002"]
    assert Officer.objects.get(cert_no="34010020001").agency == world.b
    assert case.recordings.count() == 3 and case.interruptions.count() == 1
    kinds = set(Fact.objects.filter(agency=world.b).values_list("kind", flat=True))
    assert {
        "officer.created",
        "device.registered",
        "case.opened",
        "party.added",
        "record.added",
        "record.corrected",
        "signature.added",
        "recording.described",
        "interruption.explained",
        "case.stage_changed",
        "case.closed",
        "case.archived",
        "case.imported",
    } <= kinds
    imported = Fact.objects.get(kind="case.imported")
    assert imported.channel == "import" and len(imported.payload["sha256"]) == 64
    assert case.compliance.errors == 0


def test_round_trip_into_another_agency_gives_the_same_document(world):
    # First life: the example imported into agency X, exported, then rolled back.
    with transaction.atomic():
        x = create_agency(SYSTEM, code="x", name="某区市场监管局", level="agency", pack_id="anhui")
        first = export_case(import_case(SYSTEM, x, example("anhui")))
        transaction.set_rollback(True)
    assert not Case.objects.exists()
    # Second life, in agency B of this database.
    second = export_case(import_case(SYSTEM, world.b, json.loads(json.dumps(first))))
    assert without_source(second) == without_source(first)
    assert second["source"]["agency_code"] == "agency-b"
    # And the export carries everything the hand-written file said.
    assert without_source(first) == without_source(example("anhui"))


def test_the_database_and_the_file_give_the_same_findings(world):
    doc = example("anhui", "noncompliant-interruption-statement.json")
    doc["records"][8]["versions"][0]["signatures"] = []
    doc["case"]["archived_at"] = None
    case = import_case(SYSTEM, world.b, doc)
    moment = at("2026-11-01 12:00")
    stored = evaluate_case(case, moment, WorkCalendar())
    parsed = parse_document(doc)
    from_file = evaluate(parsed.snapshot, get_pack("anhui"), moment, WorkCalendar())
    assert sorted((f.rule_id, f.severity, f.message) for f in stored.findings) == sorted(
        (f.rule_id, f.severity, f.message) for f in from_file.findings
    )
    assert {f.rule_id for f in stored.findings} >= {
        "av.interruption.signers",
        "signature.party",
        "archive.overdue",
    }


def _blank_required(doc):
    doc["records"][-1]["versions"][0]["fields"]["file_number"] = ""
    return doc


@pytest.mark.parametrize(
    ("change", "args", "expected"),
    [
        (lambda d: d, ["--agency", "nowhere"], "--agency: "),
        (lambda d: d, [], "--agency: "),
        (lambda d: d, ["--agency", "agency-b", "--as", "ghost"], "--as: "),
        (_blank_required, ["--agency", "agency-b"], "records[11].versions[0].fields.file_number: "),
        (
            lambda d: d["records"][0]["versions"][0]["fields"].pop("reason") and d,
            ["--agency", "agency-b"],
            "records[0].versions[0].fields.reason: ",
        ),
        (
            lambda d: d["case"].update(closed_at="2026-03-21T09:00:00+08:00") or d,
            ["--agency", "agency-b"],
            "case.closed_at: ",
        ),
        (
            lambda d: d["officers"][0].update(cert_no="AH-0001") or _recert(d),
            ["--agency", "agency-b"],
            "officers[0].cert_no: ",
        ),
        # Refused by an action half-way: officers, devices and the case were already written
        # in the transaction (the importing officer is not named on the case, so its party
        # is refused; agencies/roles.py), and all of it is rolled back.
        (lambda d: d, ["--as", "officer"], "case: "),
    ],
    ids=[
        "unknown agency",
        "no agency",
        "unknown user",
        "blank required field",
        "missing required field",
        "closed is not ended",
        "officer of another agency",
        "role may not author",
    ],
)
def test_import_errors_exit_2_and_write_nothing(world, tmp_path, change, args, expected):
    path = write(tmp_path, change(example("anhui")))
    before = counts()
    result = run("import_case", path, *args)
    assert result.code == 2, result.stdout
    assert f"{path}: {expected}" in result.stderr
    assert counts() == before


def _recert(doc):
    text = json.dumps(doc, ensure_ascii=False).replace("34010020001", "AH-0001")
    return json.loads(text)


def test_import_into_an_agency_of_another_pack_is_refused(world, tmp_path):
    doc = example("anhui")
    doc["pack"] = "anhui"
    world.b.pack_id = "elsewhere"
    world.b.save()
    result = run("import_case", write(tmp_path, doc), "--agency", "agency-b")
    assert result.code == 2 and ": pack: " in result.stderr


def test_import_twice_is_refused_by_the_case_number(world):
    assert run("import_case", COMPLIANT, "--agency", "agency-b").code == 0
    result = run("import_case", COMPLIANT, "--agency", "agency-b")
    assert result.code == 2 and "case.number: " in result.stderr


def test_export_command_by_number_and_by_id(world, tmp_path):
    case = import_case(SYSTEM, world.b, example("anhui"))
    by_number = run("export_case", case.number)
    assert by_number.code == 0
    assert without_source(by_number.json()) == without_source(example("anhui"))
    out = tmp_path / "out.json"
    assert run("export_case", str(case.pk), "--out", str(out)).code == 0
    assert json.loads(out.read_text(encoding="utf-8"))["case"]["number"] == case.number
    assert Fact.objects.filter(kind="access.viewed", subject_id=str(case.pk)).count() == 2
    missing = run("export_case", "皖无〔2026〕1号")
    assert missing.code == 2 and "case: " in missing.stderr


def test_export_as_a_user_sees_only_their_cases(world):
    case = import_case(SYSTEM, world.b, example("anhui"))
    assert run("export_case", case.number, "--as", "other_officer").code == 0
    refused = run("export_case", case.number, "--as", "officer")
    assert refused.code == 2


def test_exported_document_passes_the_check(world, tmp_path):
    case = import_case(SYSTEM, world.b, example("anhui"))
    path = tmp_path / "exported.json"
    run("export_case", case.number, "--out", str(path))
    result = run("check_case", str(path))
    assert result.code == 0, result.stdout + result.stderr
