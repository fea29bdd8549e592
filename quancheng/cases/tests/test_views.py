"""The web pages through Django's test client: who may see and do what, what each form
writes, and how refused input is shown (in Chinese, next to its field, nothing written)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD, SYSTEM, make_user
from quancheng.agencies.actions import create_agency
from quancheng.cases.actions import add_record, move_to_stage, open_case
from quancheng.cases.models import Case, Record
from quancheng.ledger.models import Fact
from quancheng.ledger.public import Actor
from quancheng.web.urls import case_patterns

START = "ex_officio_start"
START_RULE = "record.required/initiation.ex_officio"


def field_html(html: str, name: str) -> str:
    """The markup of the form field (label, input, errors) whose input is ``name``."""
    for chunk in re.split(r'(?=<(?:div|fieldset) class="field)', html):
        if f'name="{name}"' in chunk:
            return chunk
    raise AssertionError(f"no field {name} on the page")


def urls_for(case: Case, record: Record | None = None) -> dict[str, str]:
    urls = {
        "detail": reverse("cases:detail", args=[case.pk]),
        "add": reverse("cases:add_record", args=[case.pk]) + f"?kind={START}",
        "move": reverse("cases:move", args=[case.pk]),
        "end": reverse("cases:end", args=[case.pk]),
    }
    if record is not None:
        urls["record"] = reverse("cases:record", args=[case.pk, record.pk])
        urls["correct"] = reverse("cases:correct", args=[case.pk, record.pk])
    return urls


@pytest.fixture
def recorded(world, new_case):
    """A case in agency A with its start record."""
    case = new_case()
    record = add_record(
        Actor(world.officer, "web"),
        case,
        START,
        {"source": "complaint", "reason": "群众举报无照经营"},
        timezone.now(),
    )
    return case, record


def start_form(**overrides):
    data = {
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "fields__source": "inspection",
        "fields__reason": "日常检查发现无照经营",
    }
    data.update(overrides)
    return data


def every_case_url(case: Case, record: Record) -> dict[str, str]:
    """Every page under ``cases:``, for ``case`` and ``record`` where it takes them."""
    # No recording is needed: permission is checked on the case before the recording.
    values = {"pk": case.pk, "record_id": record.pk, "recording_id": 1, "doc_id": 1}
    urls = {}
    for pattern in case_patterns:
        kwargs = {name: values[name] for name in pattern.pattern.converters}
        urls[pattern.name] = reverse(f"cases:{pattern.name}", kwargs=kwargs)
    urls["add_record"] += f"?kind={START}"
    return urls


def test_anonymous_visitors_are_sent_to_sign_in(client, recorded):
    case, record = recorded
    for name, url in every_case_url(case, record).items():
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302, name
            assert response["Location"].startswith(reverse("login") + "?next="), name
    assert Case.objects.get(pk=case.pk).closed_at is None
    assert Record.objects.filter(case=case).count() == 1


def test_another_agencys_case_is_not_found(client, world, recorded):
    case, record = recorded
    client.force_login(world.other_officer)
    for name, url in every_case_url(case, record).items():
        if name in ("list", "open"):
            continue
        statuses = {client.get(url).status_code, client.post(url, start_form()).status_code}
        assert 404 in statuses and statuses <= {404, 405}, name
    missing = client.post(urls_for(case)["add"], start_form())
    assert missing.status_code == 404 and "无权查看" in missing.content.decode()
    listing = client.get(reverse("cases:list")).content.decode()
    assert case.number not in listing
    assert Record.objects.filter(case=case).count() == 1
    assert record.versions.count() == 1


def test_supervisor_reads_without_forms_and_cannot_post(client, world, recorded):
    case, record = recorded
    client.force_login(world.supervisor)
    page = client.get(case.get_absolute_url()).content.decode()
    assert case.number in page
    assert "add-record" not in page and 'name="stage"' not in page
    assert "立案" not in client.get(reverse("cases:list")).content.decode()
    history = client.get(urls_for(case, record)["record"]).content.decode()
    assert "更正此记录" not in history
    facts = Fact.objects.exclude(kind="access.viewed").count()
    urls = urls_for(case, record)
    assert client.post(urls["add"], start_form()).status_code == 403
    assert client.post(urls["correct"], start_form(reason="笔误")).status_code == 403
    assert client.post(urls["move"], {"stage": "investigation"}).status_code == 403
    sign = reverse("cases:sign", args=[case.pk, record.pk])
    assert client.post(sign, {"party_signer": "李四"}).status_code == 403
    refused = client.post(urls["end"])
    assert refused.status_code == 403 and "监督人员可以查阅案件" in refused.content.decode()
    assert client.post(reverse("cases:open"), {"number": "X"}).status_code == 403
    assert Fact.objects.exclude(kind="access.viewed").count() == facts
    case.refresh_from_db()
    assert (case.stage, case.closed_at) == ("initiation", None)


def test_case_page_shows_findings_by_their_stage_and_logs_the_view(client, world, new_case):
    case = new_case()
    client.force_login(world.officer)
    page = client.get(case.get_absolute_url()).content.decode()
    stage = page.split('id="stage-initiation"')[1].split('id="stage-investigation"')[0]
    assert START_RULE in stage and "anhui §7(1)" in stage
    assert "“程序启动”阶段尚待记录：依职权启动记录。" in stage
    assert Fact.objects.filter(kind="access.viewed", subject_id=str(case.pk)).count() == 1


def test_adding_the_missing_record_clears_its_finding(client, world, new_case):
    case = new_case()
    client.force_login(world.officer)
    response = client.post(urls_for(case)["add"], start_form())
    assert response.status_code == 302
    record = Record.objects.get(case=case, kind=START)
    fields = record.latest_version().fields
    assert fields == {"source": "inspection", "reason": "日常检查发现无照经营"}
    assert record.created_by == world.officer
    page = client.get(case.get_absolute_url()).content.decode()
    assert START_RULE not in page
    assert "依职权启动记录" in page.split('id="stage-initiation"')[1]


def test_a_refused_record_shows_the_error_by_its_field_and_writes_nothing(client, world, new_case):
    case = new_case()
    client.force_login(world.officer)
    facts = Fact.objects.count()
    response = client.post(urls_for(case)["add"], start_form(fields__reason=""))
    assert response.status_code == 200
    html = response.content.decode()
    assert "“启动原因”为必填项。" in field_html(html, "fields__reason")
    assert "为必填项" not in field_html(html, "fields__source")
    assert not Record.objects.filter(case=case).exists()
    assert Fact.objects.count() == facts


def test_a_role_the_pack_does_not_allow_is_refused(client, world, new_case):
    case = new_case()
    client.force_login(world.officer)
    url = reverse("cases:add_record", args=[case.pk]) + "?kind=legal_review"
    data = {
        "occurred_at": "2026-03-02T09:00",
        "fields__reviewer": "张三",
        "fields__opinion": "同意",
        "fields__reviewed_on": "2026-03-02",
    }
    assert client.get(url).status_code == 403
    assert client.post(url, data).status_code == 403
    assert not Record.objects.filter(case=case).exists()


def test_a_document_records_number_seal_and_the_partys_signature(client, world, new_case):
    case = new_case()
    client.force_login(world.officer)
    url = reverse("cases:add_record", args=[case.pk]) + "?kind=decision_document"
    data = {
        "occurred_at": "2026-03-02T09:00",
        "fields__content": "罚款五千元",
        "doc_number": "皖甲罚决〔2026〕7号",
        "doc_issued_on": "2026-03-02",
        "doc_sealed": "on",
        "party_signer": "李四",
    }
    assert client.post(url, data).status_code == 302
    version = Record.objects.get(case=case).latest_version()
    assert (version.doc_number, str(version.doc_issued_on), version.doc_sealed) == (
        "皖甲罚决〔2026〕7号",
        "2026-03-02",
        True,
    )
    assert [(s.role, s.signer_name) for s in version.signatures.all()] == [("party", "李四")]


def test_opening_a_case_with_its_start_record(client, world):
    client.force_login(world.officer)
    form = client.get(reverse("cases:open")).content.decode()
    assert 'data-start-mode="ex_officio"' in form and 'data-start-mode="on_application"' in form
    data = {
        "number": "皖甲罚〔2026〕99号",
        "title": "销售过期食品",
        "action_types": ["penalty"],
        "start_mode": "ex_officio",
        "opened_at": "2026-03-02T09:00",
        "officers": [world.officer.officer.pk, world.officer2.officer.pk],
        "start-ex_officio_start-fields__source": "complaint",
        "start-ex_officio_start-fields__reason": "消费者投诉",
        "start-application-fields__applicant": "",
        "parties-TOTAL_FORMS": "2",
        "parties-INITIAL_FORMS": "0",
        "parties-0-kind": "organisation",
        "parties-0-name": "某某超市",
        "parties-1-kind": "person",
        "parties-1-name": "",
    }
    response = client.post(reverse("cases:open"), data)
    case = Case.objects.get(number="皖甲罚〔2026〕99号")
    assert response["Location"] == case.get_absolute_url()
    assert case.agency == world.a and case.created_by == world.officer
    assert sorted(o.cert_no for o in case.officers.all()) == ["AH-0001", "AH-0002"]
    assert [p.name for p in case.parties.all()] == ["某某超市"]
    start = Record.objects.get(case=case)
    assert (start.kind, start.latest_version().fields["reason"]) == (START, "消费者投诉")
    assert START_RULE not in client.get(case.get_absolute_url()).content.decode()


def test_a_taken_case_number_is_shown_by_the_number_and_nothing_is_written(client, world, new_case):
    taken = new_case()
    client.force_login(world.officer)
    data = {
        "number": taken.number,
        "title": "另一案件",
        "action_types": ["penalty"],
        "start_mode": "ex_officio",
        "opened_at": "2026-03-02T09:00",
        "start-ex_officio_start-fields__source": "complaint",
        "start-ex_officio_start-fields__reason": "投诉",
        "parties-TOTAL_FORMS": "0",
        "parties-INITIAL_FORMS": "0",
    }
    cases, records, facts = Case.objects.count(), Record.objects.count(), Fact.objects.count()
    html = client.post(reverse("cases:open"), data).content.decode()
    assert f"案件编号 {taken.number} 在本机关已被使用。" in field_html(html, "number")
    assert (Case.objects.count(), Record.objects.count(), Fact.objects.count()) == (
        cases,
        records,
        facts,
    )


def test_a_bad_start_record_rolls_back_the_case(client, world):
    client.force_login(world.officer)
    data = {
        "number": "皖甲罚〔2026〕100号",
        "title": "无照经营",
        "action_types": ["penalty"],
        "start_mode": "ex_officio",
        "opened_at": "2026-03-02T09:00",
        "officers": [world.officer.officer.pk],  # the form names the opener by default
        "start-ex_officio_start-fields__source": "complaint",
        "parties-TOTAL_FORMS": "0",
        "parties-INITIAL_FORMS": "0",
    }
    html = client.post(reverse("cases:open"), data).content.decode()
    assert "“启动原因”为必填项。" in field_html(html, "start-ex_officio_start-fields__reason")
    assert not Case.objects.filter(number="皖甲罚〔2026〕100号").exists()


def test_a_correction_is_a_new_version_with_its_history(client, world, recorded):
    case, record = recorded
    client.force_login(world.officer)
    urls = urls_for(case, record)
    form = client.get(urls["correct"]).content.decode()
    assert "群众举报无照经营" in form
    without_reason = client.post(urls["correct"], start_form(fields__source="complaint"))
    assert "请说明更正记录的原因。" in field_html(without_reason.content.decode(), "reason")
    assert record.versions.count() == 1
    response = client.post(
        urls["correct"], start_form(fields__source="complaint", reason="启动原因记录有误")
    )
    assert response["Location"] == urls["record"]
    first, second = record.versions.order_by("number")
    assert second.corrects == first and first.fields["reason"] == "群众举报无照经营"
    history = client.get(urls["record"]).content.decode()
    assert "第 2 版" in history and "第 1 版" in history
    assert "启动原因记录有误" in history
    changes = history.split('class="changes"')[1].split("</table>")[0]
    assert "群众举报无照经营" in changes and "日常检查发现无照经营" in changes
    assert "执法事项来源" not in changes  # unchanged fields are not listed
    assert Fact.objects.filter(kind="access.viewed", payload__what=f"record:{record.pk}").exists()


def test_moving_on_and_ending_the_case(client, world, recorded):
    case, record = recorded
    client.force_login(world.officer)
    urls = urls_for(case)
    page = client.get(urls["detail"]).content.decode()
    assert "进入下一阶段：调查取证" in page
    client.post(urls["move"], {"stage": "investigation"})
    case.refresh_from_db()
    assert case.stage == "investigation"
    # the head ends the case; the officer only once the head's approval is recorded
    assert client.post(urls["end"]).status_code == 403
    client.force_login(world.head)
    client.post(urls["end"])
    case.refresh_from_db()
    assert case.closed_at is not None
    page = client.get(urls["detail"]).content.decode()
    assert 'name="stage"' not in page
    # After the end only the archiving stage takes records, and only for the archivist.
    assert 'id="kind-investigation"' not in page
    history = client.get(reverse("cases:record", args=[case.pk, record.pk])).content.decode()
    assert "更正此记录" not in history


def test_case_list_filters_and_counts(client, world, new_case):
    quiet, moved = new_case(title="甲"), new_case(title="乙")
    add_record(
        Actor(world.officer, "web"),
        quiet,
        START,
        {"source": "complaint", "reason": "举报"},
        timezone.now(),
    )
    move_to_stage(Actor(world.officer, "web"), moved, "investigation")
    client.force_login(world.officer)
    listing = reverse("cases:list")

    def numbers(query: str) -> set[str]:
        html = client.get(listing + query).content.decode()
        return {n for n in (quiet.number, moved.number) if n in html}

    assert numbers("") == {quiet.number, moved.number}
    assert numbers("?stage=investigation") == {moved.number}
    assert numbers("?has_errors=yes") == {moved.number}
    assert numbers("?has_errors=no") == {quiet.number}
    assert numbers("?action_type=licensing") == set()
    assert numbers("?q=乙") == {moved.number}
    row = client.get(listing).content.decode().split(moved.number)[1].split("</tr>")[0]
    assert '<span class="badge error">1</span>' in row


def test_case_list_queries_do_not_grow_with_cases(client, world, new_case):
    client.force_login(world.officer)
    new_case()
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("cases:list"))
    for _ in range(5):
        new_case()
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("cases:list"))
    assert len(many) == len(few)


def test_english_is_available(client, world, new_case):
    case = new_case()
    client.force_login(world.officer)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(case.get_absolute_url()).content.decode()
    assert "Still to be recorded in stage" in page
    assert "Timeline" in page and "执法流程" not in page


def test_pages_stay_chinese_for_an_english_browser_until_the_user_switches(client, world, new_case):
    case = new_case()
    client.force_login(world.officer)
    page = client.get(case.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "执法流程" in page.content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(case.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert "Timeline" in page.content.decode()


def test_case_list_pages_keep_the_filters(client, world, new_case, monkeypatch):
    monkeypatch.setattr("quancheng.cases.views.cases.PAGE_SIZE", 2)
    for _ in range(3):
        new_case()
    client.force_login(world.officer)
    first = client.get(reverse("cases:list") + "?stage=initiation").content.decode()
    assert "第 1 页，共 2 页" in first
    assert "?stage=initiation&amp;page=2" in first
    second = client.get(reverse("cases:list") + "?stage=initiation&page=2").content.decode()
    assert second.count("皖甲罚〔2026〕") == 1


def test_the_party_signs_later_or_the_refusal_is_noted(client, world, new_case):
    case = new_case()
    actor = Actor(world.officer, "web")
    decision = add_record(actor, case, "decision_document", {"content": "罚款"}, timezone.now())
    signed = add_record(actor, case, "decision_document", {"content": "没收"}, timezone.now())
    client.force_login(world.officer)

    def unsigned() -> int:
        page = client.get(case.get_absolute_url()).content.decode()
        return page.count("<code>signature.party</code>")

    assert unsigned() == 2
    history = client.get(reverse("cases:record", args=[case.pk, signed.pk])).content.decode()
    assert "当事人事后签名或拒绝签名" in history
    empty = client.post(reverse("cases:sign", args=[case.pk, signed.pk]), {})
    assert "请填写签名人，或注明当事人拒绝签名的情况。" in empty.content.decode()
    client.post(reverse("cases:sign", args=[case.pk, signed.pk]), {"party_signer": "李四"})
    assert [s.signer_name for s in signed.latest_version().signatures.all()] == ["李四"]
    client.post(
        reverse("cases:sign", args=[case.pk, decision.pk]),
        {"refusal_note": "当事人拒绝签名", "refusal_officers": ["AH-0001", "AH-0002"]},
    )
    refusal = decision.latest_version().refusals.get()
    assert sorted(s.officer.cert_no for s in refusal.attestations.all()) == ["AH-0001", "AH-0002"]
    assert unsigned() == 0


def test_case_page_queries_do_not_grow_with_records(client, world, new_case):
    case = new_case()
    actor = Actor(world.officer, "web")
    client.force_login(world.officer)

    def page_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(case.get_absolute_url()).status_code == 200
        return len(queries)

    add_record(actor, case, START, {"source": "complaint", "reason": "举报"}, timezone.now())
    few = page_queries()
    for _ in range(4):
        add_record(actor, case, "decision_document", {"content": "罚款"}, timezone.now())
    assert page_queries() == few


def test_a_supervisor_filters_the_list_by_agency(client, world, new_case):
    in_a = new_case()
    in_b = new_case(user=world.other_officer, number="皖乙罚〔2026〕1号")
    client.force_login(world.officer)
    assert 'name="agency"' not in client.get(reverse("cases:list")).content.decode()
    client.force_login(world.supervisor)
    listing = client.get(reverse("cases:list")).content.decode()
    assert in_a.number in listing and in_b.number in listing
    only_b = client.get(reverse("cases:list") + "?agency=agency-b").content.decode()
    assert in_b.number in only_b and in_a.number not in only_b


def test_sign_in_and_out(client, world):
    login = reverse("login")
    wrong = client.post(login, {"username": "officer", "password": "nope"}).content.decode()
    assert "请输入一个正确的" in wrong
    response = client.post(login, {"username": "officer", "password": PASSWORD})
    assert response["Location"] == reverse("cases:list")
    assert client.get(reverse("cases:list")).status_code == 200
    assert client.post(reverse("logout"))["Location"] == login
    assert client.get(reverse("cases:list")).status_code == 302


def test_the_signers_a_kind_names_sign_with_the_record(client, world):
    """hebei §15: the server signs the service receipt, and a witness when it is left."""
    hebei = create_agency(
        SYSTEM, code="hebei-st", name="某街道办", level="agency", pack_id="hebei-street"
    )
    server = make_user("server", hebei, ["officer"], "HB-0001")
    case = open_case(
        Actor(server, "web"),
        hebei,
        number="冀街罚〔2026〕1号",
        title="占道经营",
        action_types=["penalty"],
        start_mode="ex_officio",
        opened_at=timezone.now(),
        officers=[server.officer],
    )
    client.force_login(server)
    url = reverse("cases:add_record", args=[case.pk]) + "?kind=service"
    form = client.get(url).content.decode()
    assert 'name="signers__officer"' in form and 'name="signers__witness"' in form
    data = {
        "occurred_at": "2026-03-02T09:00",
        "fields__document_name": "行政处罚决定书",
        "fields__recipient": "张三",
        "fields__method": "service_left",
        "fields__served_at": "2026-03-02T09:00",
        "fields__place": "某小区",
        "fields__left_explanation": "当事人拒收，留置于住所",
        "signers__officer": ["HB-0001"],
        "signers__witness": "赵六、钱七",
    }
    assert client.post(url, data).status_code == 302
    version = Record.objects.get(case=case).latest_version()
    signed = sorted((s.role, s.signer_name) for s in version.signatures.all())
    assert signed == [("officer", "server"), ("witness", "赵六"), ("witness", "钱七")]
    page = client.get(case.get_absolute_url()).content.decode()
    assert "signature.required/service" not in page
