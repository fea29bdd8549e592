"""The case actions: what they write, what they refuse, and that nothing is edited in place."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, transaction
from django.utils import timezone

from conftest import at, web
from quancheng.casefile.compliance import evaluate_case
from quancheng.cases.actions import (
    DocumentInput,
    add_record,
    correct_record,
    end_case,
    move_to_stage,
)
from quancheng.cases.models import RecordVersion
from quancheng.cases.signing import RefusalInput, SignatureInput
from quancheng.errors import ActionError
from quancheng.ledger.models import Fact


def rule_ids(case):
    return {f.rule_id for f in evaluate_case(case).findings}


def test_open_case_writes_the_case_and_its_ledger_fact(world, new_case):
    case = new_case()
    assert case.stage == "initiation"
    assert case.pack_id == "anhui"
    fact = Fact.objects.get(kind="case.opened", subject_id=str(case.pk))
    assert fact.actor == world.officer
    assert fact.remote_addr is None or fact.channel == "web"
    assert fact.payload["number"] == case.number


def test_missing_start_record_is_pending_then_an_error(world, new_case):
    case = new_case()
    assert "record.required/initiation.ex_officio" in rule_ids(case)
    add_record(
        web(world.officer),
        case,
        "ex_officio_start",
        {"source": "complaint", "reason": "群众举报"},
        timezone.now(),
    )
    assert "record.required/initiation.ex_officio" not in rule_ids(case)


def test_required_field_is_refused_and_nothing_is_written(world, new_case):
    case = new_case()
    before = Fact.objects.count()
    with pytest.raises(ActionError) as err:
        add_record(
            web(world.officer), case, "ex_officio_start", {"source": "complaint"}, timezone.now()
        )
    assert err.value.path == "fields.reason"
    assert Fact.objects.count() == before
    assert not case.records.exists()


def test_unknown_kind_and_naive_time_are_refused(world, new_case):
    case = new_case()
    with pytest.raises(ActionError) as err:
        add_record(web(world.officer), case, "no_such_kind", {}, timezone.now())
    assert err.value.path == "kind"
    with pytest.raises(ActionError) as err:
        add_record(
            web(world.officer),
            case,
            "ex_officio_start",
            {"source": "complaint", "reason": "x"},
            at("2026-03-02 09:00").replace(tzinfo=None),
        )
    assert err.value.path == "occurred_at"


def test_correction_is_a_new_version_and_the_old_one_stays(world, new_case):
    case = new_case()
    record = add_record(
        web(world.officer),
        case,
        "ex_officio_start",
        {"source": "complaint", "reason": "初稿"},
        timezone.now(),
    )
    version = correct_record(
        web(world.officer),
        record,
        {"source": "complaint", "reason": "更正后"},
        timezone.now(),
        "笔误",
    )
    assert version.number == 2
    assert version.corrects.fields["reason"] == "初稿"
    assert [v.fields["reason"] for v in record.versions.order_by("number")] == ["初稿", "更正后"]


def test_database_refuses_to_edit_a_stored_version(world, new_case):
    case = new_case()
    record = add_record(
        web(world.officer),
        case,
        "ex_officio_start",
        {"source": "complaint", "reason": "x"},
        timezone.now(),
    )
    with pytest.raises(DatabaseError), transaction.atomic():
        RecordVersion.objects.filter(record=record).update(fields={})
    with pytest.raises(DatabaseError), transaction.atomic():
        RecordVersion.objects.filter(record=record).delete()


def test_another_agency_cannot_correct(world, new_case):
    case = new_case()
    record = add_record(
        web(world.officer),
        case,
        "ex_officio_start",
        {"source": "complaint", "reason": "x"},
        timezone.now(),
    )
    with pytest.raises(ActionError):
        correct_record(
            web(world.other_officer),
            record,
            {"source": "other", "reason": "y"},
            timezone.now(),
            "改",
        )
    assert record.versions.count() == 1


def test_closed_case_takes_no_new_record(world, new_case):
    case = new_case()
    end_case(web(world.head), case, timezone.now())
    with pytest.raises(ActionError):
        add_record(
            web(world.officer),
            case,
            "ex_officio_start",
            {"source": "complaint", "reason": "x"},
            timezone.now(),
        )


def test_major_decision_needs_review_and_discussion(world, new_case):
    case = new_case(is_major=True)
    move_to_stage(web(world.officer), case, "decision")
    ids = rule_ids(case)
    assert "record.required/decision.legal_review" in ids
    add_record(
        web(world.reviewer),
        case,
        "legal_review",
        {"reviewer": "李", "opinion": "同意", "reviewed_on": "2026-03-02"},
        timezone.now(),
    )
    assert "record.required/decision.legal_review" not in rule_ids(case)


def test_party_signature_or_refusal(world, new_case):
    case = new_case()
    record = add_record(
        web(world.officer),
        case,
        "inquiry",
        {"interviewee": "王五", "interviewee_role": "party", "place": "现场", "content": "问答"},
        timezone.now(),
    )
    assert "signature.party" in rule_ids(case)
    correct_record(
        web(world.officer),
        record,
        {"interviewee": "王五", "interviewee_role": "party", "place": "现场", "content": "问答"},
        timezone.now(),
        "补签",
        refusals=[RefusalInput("当事人拒绝签字", timezone.now(), [world.officer.officer])],
    )
    ids = rule_ids(case)
    assert "signature.party" not in ids
    assert "signature.party_refused" in ids
    correct_record(
        web(world.officer),
        record,
        {"interviewee": "王五", "interviewee_role": "party", "place": "现场", "content": "问答"},
        timezone.now(),
        "当事人签字",
        signatures=[SignatureInput("party", "王五", timezone.now())],
        document=DocumentInput(),
    )
    assert not {"signature.party", "signature.party_refused"} & rule_ids(case)
