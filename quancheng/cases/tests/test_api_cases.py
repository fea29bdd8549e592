"""Cases through the API: list with filters and pages, open, read, stage, end, findings."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from conftest import at
from quancheng.cases.actions import add_record, end_case
from quancheng.cases.models import Case
from quancheng.ledger.models import Fact
from quancheng.ledger.public import Actor

START = {"source": "complaint", "reason": "群众举报"}


def new_case_body(**overrides):
    body = {
        "number": "皖甲罚〔2026〕77号",
        "title": "无照经营",
        "action_types": ["penalty"],
        "start_mode": "ex_officio",
        "opened_at": "2026-03-02T09:00:00+08:00",
        "officers": ["AH-0001", "AH-0002"],
        "parties": [{"kind": "person", "name": "张三", "id_number": "340101199001011234"}],
    }
    body.update(overrides)
    return body


def test_list_shows_own_cases_with_compliance_summary(world, new_case, api):
    mine = new_case(title="甲局案件")
    response = api.get(world.officer, "/cases")
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 1
    item = data["items"][0]
    assert item["id"] == mine.pk
    assert item["agency"] == "agency-a"
    assert item["pack"] == "anhui"
    assert item["compliance"]["warnings"] == 1  # the start record is still to be made
    assert item["opened_at"].endswith("+08:00")


def test_list_filters(world, new_case, api):
    started = new_case(title="已启动")
    add_record(Actor(world.officer, "web"), started, "ex_officio_start", START, timezone.now())
    inspection = new_case(title="检查", action_types=["inspection"])
    late = new_case(title="超期", opened_at=timezone.now() - dt.timedelta(days=400))
    end_case(Actor(world.head, "web"), late, timezone.now() - dt.timedelta(days=300))

    def ids(query):
        response = api.get(world.officer, "/cases" + query)
        assert response.status_code == 200, response.json()
        return {item["id"] for item in response.json()["items"]}

    assert ids("?action_type=inspection") == {inspection.pk}
    assert ids("?q=已启动") == {started.pk}
    assert ids("?stage=investigation") == set()
    assert ids("?stage=initiation") == {started.pk, inspection.pk, late.pk}
    assert ids("?closed=true") == {late.pk}
    assert ids("?overdue=true") == {late.pk}  # its archiving deadline has passed
    assert late.pk in ids("?has_errors=true")
    assert started.pk in ids("?has_errors=false")
    assert ids("?pack=anhui") == {started.pk, inspection.pk, late.pk}
    assert ids("?pack=hebei-street") == set()


def test_list_pages(world, new_case, api):
    cases = [new_case() for _ in range(5)]
    first = api.get(world.officer, "/cases?page_size=2").json()
    third = api.get(world.officer, "/cases?page_size=2&page=3").json()
    assert first["count"] == 5 and len(first["items"]) == 2
    assert len(third["items"]) == 1
    newest_first = sorted(cases, key=lambda c: (c.opened_at, c.pk), reverse=True)
    assert [i["id"] for i in first["items"]] == [c.pk for c in newest_first[:2]]
    assert third["items"][0]["id"] == newest_first[4].pk
    assert api.get(world.officer, "/cases?page_size=500").status_code == 422


def test_open_case(world, api):
    response = api.post(world.officer, "/cases", new_case_body())
    assert response.status_code == 201, response.json()
    data = response.json()
    case = Case.objects.get(pk=data["id"])
    assert case.agency == world.a
    assert case.stage == "initiation" == data["stage"]
    assert sorted(o["cert_no"] for o in data["officers"]) == ["AH-0001", "AH-0002"]
    assert data["parties"][0]["name"] == "张三"
    fact = Fact.objects.get(kind="case.opened", subject_id=str(case.pk))
    assert fact.channel == "api"
    assert fact.actor == world.officer


def test_get_case_logs_the_access(world, new_case, api):
    case = new_case()
    before = Fact.objects.filter(kind="access.viewed").count()
    response = api.get(world.officer, f"/cases/{case.pk}")
    assert response.status_code == 200
    data = response.json()
    assert data["number"] == case.number
    assert [s["id"] for s in data["stages"] if s["current"]] == ["initiation"]
    assert data["officers"] == [{"name": "officer", "cert_no": "AH-0001"}]
    assert data["record_count"] == 0
    viewed = Fact.objects.filter(kind="access.viewed").order_by("id")
    assert viewed.count() == before + 1
    assert viewed.last().actor == world.officer
    assert viewed.last().channel == "api"


def test_move_stage_and_end(world, new_case, api):
    case = new_case()
    response = api.post(world.officer, f"/cases/{case.pk}/stage", {"stage": "investigation"})
    assert response.status_code == 200, response.json()
    assert response.json()["stage"] == "investigation"
    response = api.post(world.officer, f"/cases/{case.pk}/stage", {"stage": "nowhere"})
    assert response.status_code == 422
    assert response.json()["path"] == "stage"
    ended = {"ended_at": timezone.now().isoformat()}
    # the head ends the case; an officer only once the head's approval is recorded
    assert api.post(world.officer, f"/cases/{case.pk}/end", ended).status_code == 403
    response = api.post(world.head, f"/cases/{case.pk}/end", ended)
    assert response.status_code == 200, response.json()
    assert response.json()["closed_at"] is not None
    case.refresh_from_db()
    assert case.is_closed


def test_findings_live_and_at_a_moment(world, new_case, api):
    case = new_case(opened_at=at("2026-03-02 09:00"))
    response = api.get(world.officer, f"/cases/{case.pk}/findings")
    assert response.status_code == 200
    data = response.json()
    assert data["case"] == case.pk
    rule_ids = {f["rule_id"] for f in data["findings"]}
    assert "record.required/initiation.ex_officio" in rule_ids
    assert data["warnings"] == sum(1 for f in data["findings"] if f["severity"] == "warning")
    add_record(Actor(world.officer, "web"), case, "ex_officio_start", START, at("2026-03-02 10:00"))
    after = api.get(world.officer, f"/cases/{case.pk}/findings").json()
    assert "record.required/initiation.ex_officio" not in {f["rule_id"] for f in after["findings"]}
    # ``at``: percent-encoded, or with the "+" lost to form encoding, or in UTC
    for moment in (
        "2026-03-03T09:00:00%2B08:00",
        "2026-03-03T09:00:00+08:00",
        "2026-03-03T01:00:00Z",
    ):
        response = api.get(world.officer, f"/cases/{case.pk}/findings?at={moment}")
        assert response.status_code == 200, (moment, response.json())
        assert response.json()["at"] == "2026-03-03T09:00:00+08:00"


def test_findings_refuses_a_naive_moment(world, new_case, api):
    case = new_case()
    response = api.get(world.officer, f"/cases/{case.pk}/findings?at=2026-03-03T09:00:00")
    assert response.status_code == 422
    assert response.json() == {"detail": "A time must carry its timezone.", "path": "at"}


def test_me(world, api):
    data = api.get(world.group_officer, "/me").json()
    assert data["username"] == "group_officer"
    assert data["agency"]["code"] == "agency-a-g1"
    assert data["roles"] == ["officer"]
    assert data["can_open_cases"] is True
    assert api.get(world.supervisor, "/me").json()["can_open_cases"] is False


def test_chinese_is_sent_as_utf8_not_escaped(world, new_case, api):
    case = new_case(title="无照经营")
    response = api.get(world.officer, f"/cases/{case.pk}")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert "无照经营".encode() in response.content
