"""Input at the edges the fuzzer found: times in year 1 or 9999 or with an offset in
seconds, integers beyond their column, text beyond its column or with NUL, a body over
DATA_UPLOAD_MAX_MEMORY_SIZE. Each is a 4xx in the API's error format naming the field,
never a 500, and nothing is written. Run on PostgreSQL too (NUL and overlong text are
where it differs from SQLite)."""

from __future__ import annotations

import pytest

from quancheng.cases.actions import add_record
from quancheng.devices.actions import register_device
from quancheng.ledger.public import Actor

from .test_bad_input import START, case_body, record, refused

YEAR_1 = "0001-01-01T00:00:00+08:00"
YEAR_9999 = "9999-12-31T23:59:59+08:00"
LMT = "2026-03-02T10:00:00+08:05:43"  # pydantic reads no seconds in an offset
RANGE = "Must be a time in the years 1970 to 2100 (UTC)."
OFFSET = "The timezone offset must be whole minutes between -14:00 and +14:00."


@pytest.mark.parametrize(
    "value, message", [(YEAR_1, RANGE), (YEAR_9999, RANGE), (LMT, None)], ids=["1", "9999", "lmt"]
)
def test_record_time_out_of_range(world, new_case, api, value, message):
    case = new_case()
    data = refused(api, world.officer, f"/cases/{case.pk}/records", record(occurred_at=value))
    assert data["path"] == "occurred_at"
    if message:
        assert data["detail"] == message


def test_offset_with_seconds_refused_where_pydantic_reads_it(world, new_case, api):
    case = new_case()
    body = record(signatures=[{"role": "party", "name": "张三", "signed_at": "1969-12-31T23:59Z"}])
    data = refused(api, world.officer, f"/cases/{case.pk}/records", body)
    assert data == {"detail": RANGE, "path": "signatures.0.signed_at"}


@pytest.mark.parametrize("value", [YEAR_1, YEAR_9999])
def test_case_end_out_of_range(world, new_case, api, value):
    case = new_case()
    data = refused(api, world.officer, f"/cases/{case.pk}/end", {"ended_at": value})
    assert data == {"detail": RANGE, "path": "ended_at"}


@pytest.mark.parametrize("value", [YEAR_1, YEAR_9999])
def test_findings_at_out_of_range(world, new_case, api, value):
    case = new_case()
    response = api.get(world.officer, f"/cases/{case.pk}/findings?at={value.replace('+', '%2B')}")
    assert response.status_code == 422
    assert response.json() == {"detail": RANGE, "path": "at"}


@pytest.fixture
def device(world):
    return register_device(Actor.system(), world.a, serial="DSJ-9", kind="body_camera", keeper=None)


def test_device_check_out_of_range(world, api, device):
    check = {"battery_percent": 50, "free_storage_mb": 100, "ok": True}
    data = refused(api, world.officer, "/devices/DSJ-9/checks", {**check, "checked_at": YEAR_1})
    assert data == {"detail": RANGE, "path": "checked_at"}
    data = refused(api, world.officer, "/devices/DSJ-9/checks", {**check, "free_storage_mb": 2**31})
    assert data == {"detail": "Must be at most 2147483647.", "path": "free_storage_mb"}


@pytest.mark.parametrize(
    "body, path",
    [
        (case_body(number="号" * 101), "number"),
        (case_body(title="题" * 301), "title"),
        (
            case_body(parties=[{"kind": "person", "name": "张三", "phone": "1" * 33}]),
            "parties.0.phone",
        ),
        (case_body(officers=["A" * 65]), "officers.0"),
    ],
)
def test_text_longer_than_its_column(world, api, body, path):
    data = refused(api, world.officer, "/cases", body)
    assert data["path"] == path
    assert data["detail"].startswith("At most ")


@pytest.mark.parametrize(
    "body, path",
    [
        (case_body(title="无照\x00经营"), "title"),
        (case_body(parties=[{"kind": "person", "name": "张\x00三"}]), "parties.0.name"),
    ],
)
def test_nul_is_refused_with_its_path(world, api, body, path):
    data = refused(api, world.officer, "/cases", body)
    assert data == {"detail": "Must not contain the NUL character (\\u0000).", "path": path}


def test_nul_in_a_record_field(world, new_case, api):
    case = new_case()
    body = record(fields={**START, "reason": "a\x00b"})
    data = refused(api, world.officer, f"/cases/{case.pk}/records", body)
    assert data["path"] == "fields.reason"


def test_nul_in_a_path_or_query_parameter(world, api):
    assert api.get(world.officer, "/devices/a%00b").status_code == 422
    response = api.get(world.officer, "/cases?q=a%00b")
    assert response.status_code == 422 and response.json()["path"] == "q"


def test_long_text_over_quancheng_max_text(world, new_case, api, settings):
    settings.QUANCHENG_MAX_TEXT = 1000
    case = new_case()
    rec = add_record(Actor(world.officer, "web"), case, "ex_officio_start", START, case.opened_at)
    body = {"fields": START, "occurred_at": "2026-03-02T10:00:00+08:00", "reason": "因" * 1001}
    path = f"/cases/{case.pk}/records/{rec.pk}/versions"
    assert refused(api, world.officer, path, body) == {
        "detail": "At most 1000 characters.",
        "path": "reason",
    }
    body = record(fields={**START, "reason": "因" * 1001})
    data = refused(api, world.officer, f"/cases/{case.pk}/records", body)
    assert data == {"detail": "At most 1000 characters.", "path": "fields.reason"}


def test_integer_record_field_beyond_bigint():
    """A whole number in a record's fields is bounded too (JSON has no column to refuse it)."""
    from quancheng.cases.validation import clean_fields
    from quancheng.errors import ActionError
    from quancheng.policies.schema import FieldDef, RecordKind

    amount = FieldDef(id="amount", label="罚款金额", type="integer")
    kind = RecordKind(
        id="decision", label="决定", stage="decision", citation="§1", fields=(amount,)
    )
    assert clean_fields(kind, {"amount": 2**63 - 1}, strict=False) == {"amount": 2**63 - 1}
    with pytest.raises(ActionError) as refused_:
        clean_fields(kind, {"amount": 2**63}, strict=False)
    assert refused_.value.path == "fields.amount"


def test_body_over_the_limit_is_413(world, new_case, api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    case = new_case()
    body = record(fields={**START, "reason": "x" * 2000})
    data = refused(api, world.officer, f"/cases/{case.pk}/records", body, status=413)
    assert data["path"] is None
    assert "larger than this server accepts (1000 bytes)" in data["detail"]
