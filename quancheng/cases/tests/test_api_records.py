"""Records through the API: add (with document, signatures, refusal), list, history, correct."""

from __future__ import annotations

from quancheng.cases.models import Record, RecordVersion, Signature, SignatureRefusal
from quancheng.ledger.models import Fact

T = "2026-03-02T10:00:00+08:00"
ACCEPTANCE = {"outcome": "accepted", "decided_on": "2026-03-02"}


def rule_ids(api, user, case):
    return {f["rule_id"] for f in api.get(user, f"/cases/{case.pk}/findings").json()["findings"]}


def test_add_a_plain_record(world, new_case, api):
    case = new_case()
    body = {"kind": "ex_officio_start", "fields": {"source": "complaint", "reason": "举报"}}
    response = api.post(world.officer, f"/cases/{case.pk}/records", {**body, "occurred_at": T})
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["kind"] == "ex_officio_start"
    assert data["kind_label"] == "依职权启动记录"
    assert data["stage"] == "initiation"
    assert data["current"]["fields"] == {"source": "complaint", "reason": "举报"}
    assert data["current"]["occurred_at"] == T
    assert [v["number"] for v in data["versions"]] == [1]
    record = Record.objects.get(pk=data["id"])
    assert Fact.objects.filter(kind="record.added", subject_id=str(record.pk)).exists()


def test_a_document_with_the_party_signature_meets_the_rules(world, new_case, api):
    case = new_case(start_mode="on_application")
    unsigned = api.post(
        world.officer,
        f"/cases/{case.pk}/records",
        {"kind": "acceptance", "fields": ACCEPTANCE, "occurred_at": T},
    ).json()
    found = rule_ids(api, world.officer, case)
    assert {"document.number", "document.seal", "signature.party"} <= found
    body = {
        "fields": ACCEPTANCE,
        "occurred_at": T,
        "reason": "补充文号与签名",
        "document": {"number": "皖甲受〔2026〕1号", "issued_on": "2026-03-02", "sealed": True},
        "signatures": [{"role": "party", "name": "张三", "signed_at": T}],
    }
    response = api.post(world.officer, f"/cases/{case.pk}/records/{unsigned['id']}/versions", body)
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["version_count"] == 2
    assert data["current"]["corrects"] == data["versions"][0]["id"]
    assert data["current"]["correction_reason"] == "补充文号与签名"
    assert data["current"]["document"] == {
        "number": "皖甲受〔2026〕1号",
        "issued_on": "2026-03-02",
        "sealed": True,
    }
    assert data["current"]["signatures"][0]["role"] == "party"
    assert data["versions"][0]["document"]["number"] == ""  # the first version stays as it was
    found = rule_ids(api, world.officer, case)
    assert not {"document.number", "document.seal", "signature.party"} & found


def test_a_refusal_attested_by_two_officers(world, new_case, api):
    case = new_case(start_mode="on_application")
    body = {
        "kind": "acceptance",
        "fields": ACCEPTANCE,
        "occurred_at": T,
        "document": {"number": "皖甲受〔2026〕2号", "issued_on": "2026-03-02", "sealed": True},
        "signatures": [
            {"role": "officer", "name": "officer", "signed_at": T, "officer": "AH-0001"}
        ],
        "refusals": [{"note": "当事人拒绝签字", "noted_at": T, "officers": ["AH-0001", "AH-0002"]}],
    }
    response = api.post(world.officer, f"/cases/{case.pk}/records", body)
    assert response.status_code == 201, response.json()
    current = response.json()["current"]
    refusal = current["refusals"][0]
    assert refusal["note"] == "当事人拒绝签字"
    attesting = [s for s in current["signatures"] if s["refusal"] == refusal["id"]]
    assert sorted(s["officer"] for s in attesting) == ["AH-0001", "AH-0002"]
    assert SignatureRefusal.objects.count() == 1
    assert Signature.objects.count() == 3
    assert "signature.party" not in rule_ids(api, world.officer, case)


def test_document_fields_on_a_kind_that_is_no_document_are_refused(world, new_case, api):
    case = new_case()
    body = {
        "kind": "ex_officio_start",
        "fields": {"source": "complaint", "reason": "x"},
        "occurred_at": T,
        "document": {"number": "1"},
    }
    response = api.post(world.officer, f"/cases/{case.pk}/records", body)
    assert response.status_code == 422
    assert response.json()["path"] == "document"
    assert not Record.objects.exists()


def test_officer_of_another_agency_cannot_sign(world, new_case, api):
    case = new_case()
    body = {
        "kind": "ex_officio_start",
        "fields": {"source": "complaint", "reason": "x"},
        "occurred_at": T,
        "signatures": [{"role": "officer", "name": "乙", "signed_at": T, "officer": "AH-9001"}],
    }
    response = api.post(world.officer, f"/cases/{case.pk}/records", body)
    assert response.status_code == 422
    assert response.json()["path"] == "signatures.0.officer"
    assert not Record.objects.exists()


def test_list_and_history(world, new_case, api):
    case = new_case()
    first = api.post(
        world.officer,
        f"/cases/{case.pk}/records",
        {
            "kind": "ex_officio_start",
            "fields": {"source": "complaint", "reason": "初稿"},
            "occurred_at": T,
        },
    ).json()
    api.post(
        world.officer,
        f"/cases/{case.pk}/records/{first['id']}/versions",
        {"fields": {"source": "complaint", "reason": "更正"}, "occurred_at": T, "reason": "笔误"},
    )
    listed = api.get(world.officer, f"/cases/{case.pk}/records")
    assert listed.status_code == 200
    [item] = listed.json()
    assert item["version_count"] == 2
    assert item["current"]["fields"]["reason"] == "更正"
    assert "versions" not in item
    before = Fact.objects.filter(kind="access.viewed").count()
    history = api.get(world.officer, f"/cases/{case.pk}/records/{first['id']}").json()
    assert [v["fields"]["reason"] for v in history["versions"]] == ["初稿", "更正"]
    assert history["versions"][1]["corrects"] == history["versions"][0]["id"]
    assert Fact.objects.filter(kind="access.viewed").count() == before + 1
    assert RecordVersion.objects.filter(record_id=first["id"]).count() == 2


def test_record_of_another_case_is_not_found(world, new_case, api):
    case, other = new_case(), new_case()
    record = api.post(
        world.officer,
        f"/cases/{other.pk}/records",
        {
            "kind": "ex_officio_start",
            "fields": {"source": "complaint", "reason": "x"},
            "occurred_at": T,
        },
    ).json()
    response = api.get(world.officer, f"/cases/{case.pk}/records/{record['id']}")
    assert response.status_code == 404
    assert response.json()["path"] is None
