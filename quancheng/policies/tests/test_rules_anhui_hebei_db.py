"""Rule table through the database: cases built with the real actions for an anhui agency
(the ``world`` fixture) and a hebei-street agency (a street office, made here), each rule
met and broken, evaluated by ``evaluate_case`` as the UI and API do."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from conftest import SYSTEM, at, make_user, web
from quancheng.agencies.actions import create_agency
from quancheng.casefile.compliance import evaluate_case
from quancheng.cases.actions import (
    PartyInput,
    add_record,
    archive_case,
    correct_record,
    end_case,
    move_to_stage,
    open_case,
)
from quancheng.cases.models import Case
from quancheng.cases.signing import RefusalInput, SignatureInput, note_refusal, sign_version
from quancheng.devices.actions import register_device
from quancheng.errors import ActionError
from quancheng.ledger.models import Fact
from quancheng.media.actions import (
    InterruptionInput,
    RecordingInput,
    add_recording_metadata,
    explain_interruption,
)
from quancheng.policies.tests.rulebook import PACKS, good

START = at("2026-03-02 09:00")


@pytest.fixture
def street(world):
    """A street office under the same city, bound to the hebei-street pack."""
    agency = create_agency(
        SYSTEM,
        code="street-dongcheng",
        name="东城街道办事处",
        level="agency",
        pack_id="hebei-street",
        parent=world.city,
    )

    return SimpleNamespace(
        pack="hebei-street",
        agency=agency,
        officer=make_user("hb_officer", agency, ["officer"], "HB-0001"),
        officer2=make_user("hb_officer2", agency, ["officer"], "HB-0002"),
        reviewer=make_user("hb_reviewer", agency, ["legal_reviewer"]),
        head=make_user("hb_head", agency, ["head"]),
        archivist=make_user("hb_archivist", agency, ["archivist"]),
        device=register_device(SYSTEM, agency, serial="HB-DSJ-01", kind="body_camera"),
    )


@pytest.fixture(params=PACKS)
def team(request, world):
    if request.param == "hebei-street":
        return request.getfixturevalue("street")
    return SimpleNamespace(
        pack="anhui",
        agency=world.a,
        officer=world.officer,
        officer2=world.officer2,
        reviewer=world.reviewer,
        head=world.head,
        archivist=world.archivist,
        device=register_device(SYSTEM, world.a, serial="AH-DSJ-01", kind="body_camera"),
    )


def new_case(team, **kwargs) -> Case:
    fields = {
        "number": f"{team.pack}〔2026〕1号",
        "title": "占道经营",
        "action_types": ["penalty"],
        "start_mode": "ex_officio",
        "opened_at": START,
        "officers": [team.officer.officer],
        "parties": [PartyInput("person", "张三")],
    }
    fields.update(kwargs)
    return open_case(web(team.officer), team.agency, **fields)


def add(team, case, kind, user=None, **options):
    fields = options.pop("fields", None) or good(team.pack, kind)
    return add_record(web(user or team.officer), case, kind, fields, START, **options)


def found(case, rule_id, moment=None):
    return [f for f in evaluate_case(case, at=moment).findings if f.rule_id == rule_id]


def cited(case, rule_id, moment=None):
    return {f.citation for f in found(case, rule_id, moment)}


# --- scope (anhui §2, hebei §2) and stages ---


def test_scope_hebei_has_no_expropriation(world, street):
    anhui = SimpleNamespace(pack="anhui", agency=world.a, officer=world.officer)
    assert new_case(anhui, action_types=["expropriation"]).pk
    before = Fact.objects.count()
    with pytest.raises(ActionError) as err:
        new_case(street, action_types=["penalty", "expropriation"])
    assert err.value.path == "action_types.1"
    assert "§2" in err.value.message
    assert Fact.objects.count() == before
    assert new_case(street, action_types=["licensing", "inspection", "compulsion"]).pk


def test_stages_are_the_packs(team):
    case = new_case(team)
    assert case.stage == "initiation"
    move_to_stage(web(team.officer), case, "service_execution")
    with pytest.raises(ActionError) as err:
        move_to_stage(web(team.officer), case, "execution")
    assert err.value.path == "stage"
    case.refresh_from_db()
    assert case.stage == "service_execution"


def test_start_record_pending_then_missing_then_recorded(team):
    article = {"anhui": "anhui §7(1)", "hebei-street": "hebei-street §6(1)"}[team.pack]
    rule = "record.required/initiation.ex_officio"
    case = new_case(team)
    assert [f.severity for f in found(case, rule)] == ["warning"]
    move_to_stage(web(team.officer), case, "investigation")
    assert [(f.severity, f.citation) for f in found(case, rule)] == [("error", article)]
    add(team, case, "ex_officio_start")
    assert not found(case, rule)


def test_legal_review_by_the_reviewer(team):
    rule = "record.required/decision.legal_review"
    case = new_case(team, is_major=True)
    move_to_stage(web(team.officer), case, "service_execution")
    assert cited(case, rule) == {
        {"anhui": "anhui §9(3)", "hebei-street": "hebei-street §8(3)"}[team.pack]
    }
    with pytest.raises(ActionError):
        add(team, case, "legal_review")
    add(team, case, "legal_review", user=team.reviewer)
    assert not found(case, rule)


def test_hebei_legal_review_for_every_decision(world, street):
    minor = new_case(street)
    move_to_stage(web(street.officer), minor, "service_execution")
    assert cited(minor, "record.required/decision.legal_review") == {"hebei-street §8(3)"}
    anhui = SimpleNamespace(pack="anhui", agency=world.a, officer=world.officer)
    minor_anhui = new_case(anhui)
    move_to_stage(web(world.officer), minor_anhui, "service_execution")
    assert not found(minor_anhui, "record.required/decision.legal_review")


# --- signatures ---


def test_party_signs_later(team):
    case = new_case(team)
    record = add(team, case, "inquiry")
    assert cited(case, "signature.party") == {
        {"anhui": "anhui §11", "hebei-street": "hebei-street §12"}[team.pack]
    }
    sign_version(web(team.officer), record.latest_version(), SignatureInput("party", "张三", START))
    assert not found(case, "signature.party")


def test_refusal_needs_two_officers_in_hebei_only(team):
    case = new_case(team)
    record = add(team, case, "inquiry")
    version = record.latest_version()
    note_refusal(
        web(team.officer), version, RefusalInput("拒绝签字", START, [team.officer.officer])
    )
    assert not found(case, "signature.party")
    if team.pack == "anhui":
        assert [f.severity for f in found(case, "signature.party_refused")] == ["warning"]
        assert not found(case, "signature.refusal_attested")
        return
    assert cited(case, "signature.refusal_attested") == {"hebei-street §12"}
    note_refusal(
        web(team.officer),
        version,
        RefusalInput("拒绝签字", START, [team.officer.officer, team.officer2.officer]),
    )
    assert not found(case, "signature.refusal_attested")


def test_hebei_correction_confirmed_by_the_party(street):
    case = new_case(street)
    record = add(street, case, "inquiry", signatures=[SignatureInput("party", "张三", START)])
    assert not found(case, "signature.correction_confirmed")
    fields = good(street.pack, "inquiry", content="更正后的问答")
    version = correct_record(web(street.officer), record, fields, START, "笔误")
    assert cited(case, "signature.correction_confirmed") == {"hebei-street §12"}
    sign_version(web(street.officer), version, SignatureInput("party", "张三", START))
    assert not found(case, "signature.correction_confirmed")


def test_hebei_multi_page_record_needs_the_seam_seal(street):
    case = new_case(street)
    several_pages = good(street.pack, "inquiry", multi_page=True)
    with pytest.raises(ActionError) as err:
        add(street, case, "inquiry", fields=several_pages)
    assert err.value.path == "fields.seam_seal"
    assert not case.records.exists()
    add(street, case, "inquiry", fields={**several_pages, "seam_seal": "当事人骑缝捺印"})
    assert not found(case, "record.field/inquiry.seam_seal")


def test_hebei_service_receipt(street):
    case = new_case(street)
    with pytest.raises(ActionError) as err:
        add(street, case, "service", fields=good(street.pack, "service", method="service_left"))
    assert err.value.path == "fields.left_explanation"
    left = good(street.pack, "service", method="service_left", left_explanation="拒收，留置门口")
    add(street, case, "service", fields=left, signatures=[
        SignatureInput("officer", street.officer.full_name, START, street.officer.officer)
    ])  # fmt: skip
    assert cited(case, "signature.required/service.witness") == {"hebei-street §15"}
    assert not found(case, "signature.required/service.party")


# --- audio-visual ---


def recording(team, case, records=(), **kwargs):
    data = RecordingInput(
        device=team.device,
        started_at=START,
        ended_at=START + dt.timedelta(minutes=20),
        officers=[team.officer.officer, team.officer2.officer],
        records=list(records),
        file_name="现场.mp4",
        uploaded_at=START + dt.timedelta(hours=1),
        device_checked=True,
        party_informed=True,
    )
    for key, value in kwargs.items():
        setattr(data, key, value)
    return add_recording_metadata(web(team.officer), case, data)


def test_mandatory_recording_of_a_seizure(team):
    case = new_case(team)
    fields = good(team.pack, "compulsory_measure", measure_type="seizure")
    record = add(team, case, "compulsory_measure", fields=fields)
    rule = "av.mandatory/liberty_life_property"
    assert cited(case, rule) == {
        {"anhui": "anhui §12", "hebei-street": "hebei-street §17"}[team.pack]
    }
    recording(team, case, [record])
    assert not found(case, rule)


def test_interruption_statement_signed_by_two(team):
    case = new_case(team)
    item = InterruptionInput(
        device=team.device,
        started_at=START,
        reason="obstruction",
        resumed=False,
        statement="围观人员阻挠，无法继续记录",
        signers=[team.officer.officer],
    )
    explain_interruption(web(team.officer), case, item)
    article = {"anhui": "anhui §16", "hebei-street": "hebei-street §20"}[team.pack]
    assert cited(case, "av.interruption.signers") == {article}
    item.signers = [team.officer.officer, team.officer2.officer]
    case2 = new_case(team, number="第二案")
    explain_interruption(web(team.officer), case2, item)
    assert not found(case2, "av.interruption.signers")


def test_upload_deadline_and_hebei_checks(team):
    case = new_case(team)
    record = add(team, case, "inquiry")
    recording(
        team,
        case,
        [record],
        uploaded_at=START + dt.timedelta(hours=25),
        device_checked=False,
        party_informed=False,
        file_name="",
    )
    article = {"anhui": "anhui §17", "hebei-street": "hebei-street §21"}[team.pack]
    assert cited(case, "av.upload.late") == {article}
    hebei = team.pack == "hebei-street"
    assert bool(found(case, "av.device_check")) is hebei
    assert bool(found(case, "av.inform_party")) is hebei
    assert bool(found(case, "av.labels")) is hebei


# --- archiving within 30 days of the end (anhui §18, hebei §26) ---


def test_archive_deadline(team):
    case = new_case(team)
    end_case(web(team.head), case, at("2026-03-10 17:00"))
    article = {"anhui": "anhui §18", "hebei-street": "hebei-street §26"}[team.pack]
    due = found(case, "archive.due_soon", at("2026-04-05 09:00"))
    assert due and due[0].due_at == at("2026-04-10 00:00")
    assert cited(case, "archive.overdue", at("2026-04-10 00:01")) == {article}
    archive_case(web(team.archivist), case, at("2026-04-09 16:00"))
    assert not found(case, "archive.overdue", at("2026-04-10 00:01"))
    assert not found(case, "archive.late")


# --- nothing deleted or altered (anhui §19, hebei §27) ---


def test_records_signatures_and_refusals_cannot_be_altered(team):
    from django.db import DatabaseError, transaction

    from quancheng.cases.models import Record, RecordVersion, Signature, SignatureRefusal
    from quancheng.policies.registry import get_pack

    article = {"anhui": "§19", "hebei-street": "§27"}[team.pack]
    assert get_pack(team.pack).retention.no_destruction.citation == article
    case = new_case(team)
    record = add(team, case, "inquiry", signatures=[SignatureInput("party", "张三", START)])
    note_refusal(
        web(team.officer),
        record.latest_version(),
        RefusalInput("拒绝在更正处捺印", START, [team.officer.officer, team.officer2.officer]),
    )
    for rows, change in (
        (Record.objects.filter(pk=record.pk), {"stage": "decision"}),
        (RecordVersion.objects.filter(record=record), {"fields": {}}),
        (Signature.objects.filter(version__record=record), {"signer_name": "李四"}),
        (SignatureRefusal.objects.filter(version__record=record), {"note": "已签"}),
    ):
        assert rows.exists(), rows.model
        with pytest.raises(DatabaseError), transaction.atomic():
            rows.update(**change)
        with pytest.raises(DatabaseError), transaction.atomic():
            rows.delete()
    assert RecordVersion.objects.filter(record=record).count() == 1
