"""Rule table, written records and documents: culture-tourism, shanxi and dalian-ftz.

One case that meets each encoded row of POLICIES.md and one that breaks it, per pack; rows
a text is silent on are shown to produce nothing.
"""

from __future__ import annotations

import datetime as dt

import pytest

from quancheng.policies.registry import get_pack
from quancheng.policies.snapshot import SignatureSnap
from quancheng.policies.tests.snapshot_builders import case, findings, record, rule_ids

SEALED = ("文旅罚〔2026〕1号", dt.date(2026, 3, 2), True)


def cites(snap, rule_id):
    return {f.citation for f in findings(snap).findings if f.rule_id == rule_id}


# --- stages and scope as the texts name them -------------------------------------------------


@pytest.mark.parametrize(
    ("pack_id", "stages", "actions"),
    [
        (
            "culture-tourism",
            [
                "initiation",
                "investigation",
                "review",
                "decision",
                "service",
                "execution",
                "archiving",
            ],
            {"penalty", "compulsion", "inspection", "licensing"},
        ),
        (
            "shanxi",
            ["initiation", "investigation", "review_decision", "service_execution", "archiving"],
            {"penalty", "compulsion", "inspection", "expropriation", "licensing"},
        ),
        ("dalian-ftz", ["whole_process", "archiving"], {"inspection", "penalty", "compulsion"}),
    ],
)
def test_stages_and_scope_follow_the_text(pack_id, stages, actions):
    pack = get_pack(pack_id)
    assert [s.id for s in pack.stages] == stages
    assert set(pack.scope.action_types) == actions
    assert pack.stages[-1].open_after_close


# --- start-stage content (culture-tourism §7(1)-(3); shanxi and dalian silent) ---------------


def test_culture_tourism_start_needs_its_basis():
    missing = case("culture-tourism", "investigation")
    assert cites(missing, "record.required/initiation.basis") == {
        "culture-tourism §7(1), §7(2), §7(3)"
    }
    present = case(
        "culture-tourism",
        "investigation",
        records=[
            record(
                "r1",
                "initiation_basis",
                "initiation",
                {"basis": "complaint", "document": "举报信"},
            )
        ],
    )
    assert "record.required/initiation.basis" not in rule_ids(present)


@pytest.mark.parametrize(
    ("pack_id", "last"), [("shanxi", "archiving"), ("dalian-ftz", "archiving")]
)
def test_silent_packs_require_no_record_of_any_stage(pack_id, last):
    snap = case(pack_id, last, ended_at=None, closed_at=None)
    assert not {r for r in rule_ids(snap) if r.startswith("record.required/")}


# --- investigation content ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pack_id", "kind", "stage", "complete", "left_out"),
    [
        (
            "culture-tourism",
            "inquiry",
            "investigation",
            {"interviewee": "李四", "place": "局询问室", "content": "问答"},
            "content",
        ),
        (
            "culture-tourism",
            "hearing_report",
            "investigation",
            {"held_on": "2026-03-02", "participants": "李四", "content": "听证意见"},
            "participants",
        ),
        (
            "dalian-ftz",
            "investigation_transcript",
            "whole_process",
            {"officers": ["DL-1", "DL-2"], "interviewee": "李四", "content": "问答"},
            "officers",
        ),
        (
            "dalian-ftz",
            "on_site_check",
            "whole_process",
            {"officers": ["DL-1"], "place": "仓库", "findings": "核查意见"},
            "officers",
        ),
        (
            "dalian-ftz",
            "hearing_report",
            "whole_process",
            {"held_on": "2026-03-02", "content": "听证意见"},
            "held_on",
        ),
    ],
)
def test_investigation_records_carry_their_required_fields(
    pack_id, kind, stage, complete, left_out
):
    stage_now = get_pack(pack_id).stages[-1].id
    ok = case(pack_id, stage_now, records=[record("r1", kind, stage, complete)])
    assert not {r for r in rule_ids(ok) if r.startswith("record.field/")}
    partial = {k: v for k, v in complete.items() if k != left_out}
    broken = case(pack_id, stage_now, records=[record("r1", kind, stage, partial)])
    assert f"record.field/{kind}.{left_out}" in rule_ids(broken)


def test_dalian_officer_details_cite_article_10_2():
    broken = case(
        "dalian-ftz",
        "whole_process",
        records=[
            record(
                "r1",
                "investigation_transcript",
                "whole_process",
                {"interviewee": "李四", "content": "问答"},
            )
        ],
    )
    assert cites(broken, "record.field/investigation_transcript.officers") == {"dalian-ftz §10(2)"}


# --- decision content -----------------------------------------------------------------------

APPROVAL = {"matter": "立案", "opinion": "同意", "approver": "王五", "approved_on": "2026-03-03"}
DISCUSSION = {"held_on": "2026-03-03", "participants": "局领导", "conclusion": "处罚"}


def test_culture_tourism_review_needs_the_internal_approval_form():
    broken = case("culture-tourism", "decision")
    assert cites(broken, "record.required/review.internal_approval") == {"culture-tourism §7(4)"}
    ok = case(
        "culture-tourism",
        "decision",
        records=[record("r1", "internal_approval", "review", APPROVAL)],
    )
    assert "record.required/review.internal_approval" not in rule_ids(ok)


def test_culture_tourism_major_case_needs_the_collective_discussion_record():
    approval = record("r1", "internal_approval", "review", APPROVAL)
    assert "record.required/review.collective_discussion" in rule_ids(
        case("culture-tourism", "decision", is_major=True, records=[approval])
    )
    assert "record.required/review.collective_discussion" not in rule_ids(
        case("culture-tourism", "decision", is_major=False, records=[approval])
    )
    discussed = record("r2", "collective_discussion", "review", DISCUSSION)
    assert "record.required/review.collective_discussion" not in rule_ids(
        case("culture-tourism", "decision", is_major=True, records=[approval, discussed])
    )


def test_culture_tourism_decision_document_is_numbered_dated_and_sealed():
    fields = {"content": "罚款一万元"}
    ok = case(
        "culture-tourism",
        "service",
        records=[record("r1", "decision_document", "decision", fields, doc=SEALED)],
    )
    assert not {r for r in rule_ids(ok) if r.startswith("document.")}
    assert "record.required/decision.document" not in rule_ids(ok)
    unsealed = case(
        "culture-tourism",
        "service",
        records=[record("r1", "decision_document", "decision", fields)],
    )
    assert {"document.number", "document.issue_date", "document.seal"} <= rule_ids(unsealed)
    assert cites(unsealed, "document.seal") == {"culture-tourism §8(1)"}
    assert "record.required/decision.document" in rule_ids(case("culture-tourism", "service"))


def test_dalian_internal_approval_needs_a_seal_but_no_number():
    fields = {"matter": "立案", "opinion": "同意", "approver": "王五"}
    unsealed = case(
        "dalian-ftz",
        "whole_process",
        records=[record("r1", "internal_approval", "whole_process", fields)],
    )
    assert cites(unsealed, "document.seal") == {"dalian-ftz §10(4)"}
    assert not {"document.number", "document.issue_date"} & rule_ids(unsealed)
    sealed = case(
        "dalian-ftz",
        "whole_process",
        records=[record("r1", "internal_approval", "whole_process", fields, doc=("", None, True))],
    )
    assert not {r for r in rule_ids(sealed) if r.startswith("document.")}


# --- service content ------------------------------------------------------------------------

RECEIPT = {
    "document_name": "行政处罚决定书",
    "recipient": "李四",
    "method": "service_direct",
    "served_on": "2026-03-05",
}


def test_culture_tourism_service_stage_needs_the_receipt():
    assert cites(case("culture-tourism", "execution"), "record.required/service.receipt") == {
        "culture-tourism §7(4)"
    }
    ok = case(
        "culture-tourism",
        "execution",
        records=[record("r1", "service_receipt", "service", RECEIPT)],
    )
    assert "record.required/service.receipt" not in rule_ids(ok)


def test_dalian_document_issued_needs_proof_of_service():
    document = record(
        "r1",
        "enforcement_document",
        "whole_process",
        {"document_name": "行政处罚决定书", "content": "罚款"},
        doc=("大自贸罚〔2026〕1号", dt.date(2026, 3, 2), True),
    )
    open_case = case("dalian-ftz", "whole_process", records=[document])
    pending = [
        f for f in findings(open_case).findings if f.rule_id == "record.required/service.receipt"
    ]
    assert [f.severity for f in pending] == ["warning"]
    assert pending[0].citation == "dalian-ftz §6, §10(1)"
    closed = case(
        "dalian-ftz",
        "whole_process",
        records=[document],
        ended_at=open_case.opened_at,
        closed_at=open_case.opened_at,
    )
    assert [
        f.severity
        for f in findings(closed).findings
        if f.rule_id == "record.required/service.receipt"
    ] == ["error"]
    served = case(
        "dalian-ftz",
        "whole_process",
        records=[document, record("r2", "service_receipt", "whole_process", RECEIPT)],
        closed_at=open_case.opened_at,
    )
    assert "record.required/service.receipt" not in rule_ids(served)
    assert "record.required/service.receipt" not in rule_ids(case("dalian-ftz", "whole_process"))


# --- shanxi §16: the party recording the officers -------------------------------------------


def test_shanxi_party_recording_the_officers_is_written_down():
    inspection = record(
        "r1",
        "inspection",
        "investigation",
        {"place": "门店", "findings": "检查情况", "party_recorded": True},
    )
    broken = case("shanxi", "review_decision", records=[inspection])
    assert cites(broken, "record.required/investigation.party_recording") == {"shanxi §16"}
    notice = record(
        "r2",
        "party_recording_notice",
        "investigation",
        {"recorded_by": "李四", "told_rules": True, "content": "当事人用手机录像，已告知"},
    )
    ok = case("shanxi", "review_decision", records=[inspection, notice])
    assert "record.required/investigation.party_recording" not in rule_ids(ok)
    inspection.current.fields["party_recorded"] = False
    assert "record.required/investigation.party_recording" not in rule_ids(
        case("shanxi", "review_decision", records=[inspection])
    )


# --- party signatures: all three texts are silent --------------------------------------------


@pytest.mark.parametrize(
    ("pack_id", "kind", "stage", "fields"),
    [
        (
            "culture-tourism",
            "inquiry",
            "investigation",
            {"interviewee": "李四", "place": "x", "content": "y"},
        ),
        ("shanxi", "inquiry", "investigation", {"interviewee": "李四", "content": "y"}),
        (
            "dalian-ftz",
            "investigation_transcript",
            "whole_process",
            {"officers": ["DL-1"], "interviewee": "李四", "content": "y"},
        ),
        ("anhui", "inquiry", "investigation", None),
    ],
)
def test_party_signature_is_asked_only_where_the_text_asks_it(pack_id, kind, stage, fields):
    unsigned = case(pack_id, stage, records=[record("r1", kind, stage, fields)])
    expected = pack_id == "anhui"
    assert ("signature.party" in rule_ids(unsigned)) is expected
    signed = case(
        pack_id,
        stage,
        records=[record("r1", kind, stage, fields, signatures=[SignatureSnap("party", "李四")])],
    )
    assert "signature.party" not in rule_ids(signed)


# --- rows the packs state but no case record can break ----------------------------------------


@pytest.mark.parametrize(
    ("pack_id", "approver", "disclosure", "no_destruction", "archive", "evidence_note"),
    [
        ("culture-tourism", "head", "§21", "§23", "§16", "§17"),
        ("shanxi", "head", "§18", "§20", "§17", None),
        ("dalian-ftz", None, "§19", "§21(2)", "§16", None),
    ],
)
def test_declared_rows_carry_their_articles(
    pack_id, approver, disclosure, no_destruction, archive, evidence_note
):
    pack = get_pack(pack_id)
    assert pack.disclosure.approver_role == approver
    assert pack.disclosure.citation == disclosure
    assert pack.disclosure.retrieving_authorities == ()
    assert pack.retention.no_destruction.citation == no_destruction
    assert pack.archive.citation == archive
    note = pack.audio_visual.evidence_note
    assert (note.citation if note else None) == evidence_note
