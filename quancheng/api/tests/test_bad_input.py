"""Bad input gets a JSON error with the path of the offending value, and changes nothing."""

from __future__ import annotations

import pytest
from django.utils import timezone

from quancheng.cases.actions import add_record, end_case
from quancheng.cases.models import Case
from quancheng.ledger.public import Actor

from .conftest import counts

T = "2026-03-02T10:00:00+08:00"
START = {"source": "complaint", "reason": "x"}


def record(**overrides):
    return {"kind": "ex_officio_start", "fields": dict(START), "occurred_at": T, **overrides}


def case_body(**overrides):
    body = {
        "number": "皖甲罚〔2026〕900号",
        "title": "无照经营",
        "action_types": ["penalty"],
        "start_mode": "ex_officio",
        "opened_at": T,
    }
    body.update(overrides)
    return body


def refused(api, user, path, body=None, *, status=422, raw=None):
    """Post, expect the error, and check that no row and no ledger fact was written."""
    before = counts()
    response = api.post(user, path, body, raw=raw)
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json; charset=utf-8"
    data = response.json()
    assert set(data) == {"detail", "path"}
    assert data["detail"]
    assert counts() == before
    return data


RECORD_CASES = [
    ("unknown kind", record(kind="no_such_kind"), "kind", "Unknown record kind “no_such_kind”"),
    ("missing field", record(fields={"source": "complaint"}), "fields.reason", "is required"),
    ("unknown field", record(fields={**START, "colour": "red"}), "fields.colour", "no field"),
    ("bad choice", record(fields={**START, "source": "rumour"}), "fields.source", "choices"),
    ("naive time", record(occurred_at="2026-03-02T10:00:00"), "occurred_at", "timezone"),
    ("not a time", record(occurred_at="yesterday"), "occurred_at", "Must be a time"),
    # pydantic alone would take a number for seconds since 1970
    ("a number for a time", record(occurred_at=1772416800), "occurred_at", "Must be a time"),
    ("a float for a time", record(occurred_at=1772416800.5), "occurred_at", "Must be a time"),
    (
        "a number for a day",
        record(document={"number": "1", "issued_on": 20260302}),
        "document.issued_on",
        "Must be a date",
    ),
    ("no time", {"kind": "ex_officio_start", "fields": START}, "occurred_at", "required"),
    ("typo in a key", {**record(), "feilds": {}}, "feilds", "Unknown field"),
    (
        "naive signature",
        record(signatures=[{"role": "party", "name": "张三", "signed_at": "2026-03-02T10:00"}]),
        "signatures.0.signed_at",
        "timezone",
    ),
    (
        "blank signer",
        record(signatures=[{"role": "party", "name": " ", "signed_at": T}]),
        "signatures.0.name",
        "Must not be empty",
    ),
    (
        "blank refusal note",
        record(refusals=[{"note": "", "noted_at": T, "officers": ["AH-0001"]}]),
        "refusals.0.note",
        "Must not be empty",
    ),
    (
        "unknown signer role",
        record(signatures=[{"role": "mayor", "name": "张三", "signed_at": T}]),
        "signatures.0.role",
        "Must be one of",
    ),
    (
        "refusal without officers' certificates known",
        record(refusals=[{"note": "拒签", "noted_at": T, "officers": ["AH-0001", "XX-1"]}]),
        "refusals.0.officers.1",
        "No officer",
    ),
]


@pytest.mark.parametrize(
    ("body", "path", "message"), [c[1:] for c in RECORD_CASES], ids=[c[0] for c in RECORD_CASES]
)
def test_bad_record(world, new_case, api, body, path, message):
    case = new_case()
    data = refused(api, world.officer, f"/cases/{case.pk}/records", body)
    assert data["path"] == path
    assert message in data["detail"]


CASE_CASES = [
    ("unknown action type", case_body(action_types=["tax"]), "action_types.0"),
    ("no action type", case_body(action_types=[]), "action_types"),
    ("naive opening", case_body(opened_at="2026-03-02 09:00"), "opened_at"),
    ("empty number", case_body(number="  "), "number"),
    ("unknown officer", case_body(officers=["AH-0001", "NOPE"]), "officers.1"),
    ("other agency's officer", case_body(officers=["AH-9001"]), "officers.0"),
    ("unknown party kind", case_body(parties=[{"kind": "alien", "name": "x"}]), "parties.0.kind"),
    ("blank party name", case_body(parties=[{"kind": "person", "name": " "}]), "parties.0.name"),
    ("missing title", {k: v for k, v in case_body().items() if k != "title"}, "title"),
]


@pytest.mark.parametrize(
    ("body", "path"), [c[1:] for c in CASE_CASES], ids=[c[0] for c in CASE_CASES]
)
def test_bad_case(world, api, body, path):
    data = refused(api, world.officer, "/cases", body)
    assert data["path"] == path


def test_duplicate_case_number(world, new_case, api):
    case = new_case()
    data = refused(api, world.officer, "/cases", case_body(number=case.number))
    assert data["path"] == "number"


def test_malformed_json(world, new_case, api):
    case = new_case()
    data = refused(api, world.officer, f"/cases/{case.pk}/records", raw='{"kind": ', status=400)
    assert data == {"detail": "The request body is not valid JSON.", "path": None}
    data = refused(api, world.officer, f"/cases/{case.pk}/records", raw="[1, 2]")
    assert data["path"] is None


def test_closed_case_takes_no_record(world, new_case, api):
    case = new_case()
    end_case(Actor(world.head, "web"), case, timezone.now())
    data = refused(api, world.officer, f"/cases/{case.pk}/records", record())
    assert data["path"] is None
    assert "is closed" in data["detail"]


def test_correcting_another_agencys_record(world, new_case, api):
    case = new_case()
    rec = add_record(Actor(world.officer, "web"), case, "ex_officio_start", START, case.opened_at)
    body = {"fields": {"source": "other", "reason": "y"}, "occurred_at": T, "reason": "改"}
    path = f"/cases/{case.pk}/records/{rec.pk}/versions"
    assert refused(api, world.other_officer, path, body, status=404)["detail"] == "No such case."
    refused(api, world.supervisor, path, body, status=403)
    assert rec.versions.count() == 1


def test_correction_needs_a_reason(world, new_case, api):
    case = new_case()
    rec = add_record(Actor(world.officer, "web"), case, "ex_officio_start", START, case.opened_at)
    body = {"fields": START, "occurred_at": T, "reason": " "}
    data = refused(api, world.officer, f"/cases/{case.pk}/records/{rec.pk}/versions", body)
    assert data["path"] == "reason"


def test_unknown_pack(world, new_case, api):
    response = api.get(world.officer, "/packs/no-such-pack")
    assert response.status_code == 404
    assert response.json() == {"detail": "Unknown policy pack “no-such-pack”.", "path": None}
    case = new_case()
    Case.objects.filter(pk=case.pk).update(pack_id="withdrawn")  # a pack since uninstalled
    data = refused(api, world.officer, f"/cases/{case.pk}/records", record())
    assert data["detail"] == "Unknown policy pack “withdrawn”."
    response = api.get(world.officer, f"/cases/{case.pk}/findings")
    assert response.status_code == 422
    assert response.json()["detail"] == "Unknown policy pack “withdrawn”."


def test_errors_follow_accept_language(world, new_case, api):
    case = new_case()
    for lang, expected in (("en", "en"), ("zh-hans", "zh-hans"), ("fr", "zh-hans")):
        response = api.post(world.officer, f"/cases/{case.pk}/records", record(kind="x"), lang=lang)
        assert response.status_code == 422
        assert response["Content-Language"] == expected


def test_unknown_endpoint_is_a_json_404(world, api):
    for path in ("/nope", "/cases/abc", "/cases/1/nothing"):
        response = api.get(world.officer, path)
        assert response.status_code == 404, path
        assert response.json() == {"detail": "No such endpoint.", "path": None}


def test_out_of_range_numbers(world, new_case, api):
    case = new_case()
    huge = 10**30
    for path in (f"/cases/{huge}", f"/cases/{case.pk}/records/{huge}", f"/cases/{huge}/findings"):
        response = api.get(world.officer, path)
        assert response.status_code == 404, path
        assert response.json()["path"] is None
    response = api.get(world.officer, f"/cases?page={huge}")
    assert response.status_code == 422
    assert response.json()["path"] == "page"
