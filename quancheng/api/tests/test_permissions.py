"""A user of one agency can neither read nor write another agency's case; a supervisor reads
the agencies below, read-only; a work group works in its own agency's cases."""

from __future__ import annotations

import pytest

from quancheng.cases.actions import add_record
from quancheng.ledger.public import Actor

from .conftest import counts

T = "2026-03-02T10:00:00+08:00"
START = {"source": "complaint", "reason": "x"}
RECORD = {"kind": "ex_officio_start", "fields": START, "occurred_at": T}


@pytest.fixture
def case_a(world, new_case):
    case = new_case()
    record = add_record(
        Actor(world.officer, "web"), case, "ex_officio_start", START, case.opened_at
    )
    return case, record


def reads(case, record):
    return [
        f"/cases/{case.pk}",
        f"/cases/{case.pk}/records",
        f"/cases/{case.pk}/records/{record.pk}",
        f"/cases/{case.pk}/findings",
    ]


def writes(case, record):
    return [
        (f"/cases/{case.pk}/records", RECORD),
        (
            f"/cases/{case.pk}/records/{record.pk}/versions",
            {"fields": START, "occurred_at": T, "reason": "改"},
        ),
        (f"/cases/{case.pk}/stage", {"stage": "investigation"}),
        (f"/cases/{case.pk}/end", {"ended_at": T}),
    ]


def test_another_agency_neither_sees_nor_writes(world, case_a, api):
    case, record = case_a
    listed = api.get(world.other_officer, "/cases").json()
    assert listed["count"] == 0
    assert api.get(world.other_officer, f"/cases?q={case.number}").json()["items"] == []
    before = counts()
    for path in reads(case, record):
        response = api.get(world.other_officer, path)
        assert response.status_code == 404, path
        assert response.json()["path"] is None
    for path, body in writes(case, record):
        response = api.post(world.other_officer, path, body)
        assert response.status_code == 404, path
    assert counts() == before  # not even an access fact


def test_unknown_case_looks_the_same_as_another_agencys(world, case_a, api):
    case, record = case_a
    foreign = api.get(world.other_officer, f"/cases/{case.pk}")
    missing = api.get(world.other_officer, "/cases/999999")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()


def test_work_group_officer_reads_and_writes_the_agencys_cases(world, case_a, api):
    case, record = case_a
    assert api.get(world.group_officer, "/cases").json()["count"] == 1
    for path in reads(case, record):
        assert api.get(world.group_officer, path).status_code == 200, path
    # writing takes being named on the case (agencies/roles.py)
    assert api.post(world.group_officer, f"/cases/{case.pk}/records", RECORD).status_code == 403
    case.officers.add(world.group_officer.officer)
    response = api.post(world.group_officer, f"/cases/{case.pk}/records", RECORD)
    assert response.status_code == 201, response.json()


def test_work_group_officer_does_not_see_another_agency(world, new_case, api):
    other = new_case(user=world.other_officer)
    assert api.get(world.group_officer, "/cases").json()["count"] == 0
    assert api.get(world.group_officer, f"/cases/{other.pk}").status_code == 404
    assert api.post(world.group_officer, f"/cases/{other.pk}/records", RECORD).status_code == 404


def test_another_agency_works_in_its_own_cases_only(world, case_a, new_case, api):
    theirs = new_case(user=world.other_officer)
    listed = api.get(world.other_officer, "/cases").json()
    assert [i["id"] for i in listed["items"]] == [theirs.pk]
    assert api.post(world.other_officer, f"/cases/{theirs.pk}/records", RECORD).status_code == 201
    assert api.get(world.officer, f"/cases/{theirs.pk}").status_code == 404


def test_supervisor_reads_below_but_writes_nothing(world, case_a, new_case, api):
    case, record = case_a
    theirs = new_case(user=world.other_officer)
    listed = api.get(world.supervisor, "/cases").json()
    assert {i["id"] for i in listed["items"]} == {case.pk, theirs.pk}
    for path in reads(case, record):
        assert api.get(world.supervisor, path).status_code == 200, path
    before = counts()
    for path, body in writes(case, record):
        response = api.post(world.supervisor, path, body)
        assert response.status_code == 403, path
        assert response.json() == {
            "detail": "You may read this case but not change it.",
            "path": None,
        }
    assert counts() == before
    body = {
        "number": "X-1",
        "title": "t",
        "action_types": ["penalty"],
        "start_mode": "ex_officio",
        "opened_at": T,
    }
    assert api.post(world.supervisor, "/cases", body).status_code == 403
    assert counts() == before


def test_a_role_that_may_not_make_a_kind(world, case_a, api):
    case, _ = case_a
    body = {
        "kind": "head_approval",
        "fields": {"approver": "张", "opinion": "同意", "approved_on": "2026-03-02"},
        "occurred_at": T,
    }
    before = counts()
    response = api.post(world.officer, f"/cases/{case.pk}/records", body)
    assert response.status_code == 403
    assert "负责人审批记录" in response.json()["detail"]
    assert counts() == before
    assert api.post(world.head, f"/cases/{case.pk}/records", body).status_code == 201
