"""Rule table for the anhui and hebei-street packs, on engine snapshots: for each row of
POLICIES.md a pack encodes, a case that meets the rule and one that breaks it, and the
article each pack cites. The database-backed counterparts are in test_rules_anhui_hebei_db."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from quancheng.policies.tests.rulebook import PACKS, assert_breaks, assert_meets, good, rec, the
from quancheng.policies.tests.snaps import T0, case, recording

# --- records each stage must hold (start §7/§6, investigation §8/§7, decision §9/§8,
# service and execution §10/§9) ---

ON_APPLICATION = {"start_mode": "on_application"}
MAJOR = {"is_major": True}
HEARING_ASKED = (("party_statement", {"hearing_requested": True}),)
CONFISC = (("decision_document", {"confiscates_property": True}),)

REQUIRED = [
    # (requirement, kind satisfying it, {pack: article}, case conditions, records that trigger it)
    ("initiation.ex_officio", "ex_officio_start", ("§7(1)", "§6(1)"), {}, ()),
    ("initiation.application", "application", ("§7(2)", "§6(2)"), ON_APPLICATION, ()),
    ("initiation.acceptance", "acceptance", ("§7(2)", "§6(2)"), ON_APPLICATION, ()),
    ("investigation.credentials", "credentials_shown", ("§8(1)", "§7(1)"), {}, ()),
    ("investigation.rights_notice", "rights_notice", ("§8(9)", "§7(9)"), {}, ()),
    ("investigation.hearing", "hearing", ("§8(10)", "§7(10)"), {}, HEARING_ASKED),
    ("decision.proposal", "handling_proposal", ("§9(1)", "§8(1)"), {}, ()),
    ("decision.proposed", "proposed_decision", ("§9(2)", "§8(2)"), {}, ()),
    ("decision.legal_review", "legal_review", ("§9(3)", "§8(3)"), MAJOR, ()),
    ("decision.collective_discussion", "collective_discussion", ("§9(3)", "§8(4)"), MAJOR, ()),
    ("decision.head_approval", "head_approval", ("§9(4)", "§8(5)"), {}, ()),
    ("decision.document", "decision_document", ("§11", "§11"), {}, ()),
    ("service_execution.service", "service", ("§10(1)", "§9(1)"), {}, ()),
    ("service_execution.performance", "performance", ("§10(2)", "§9(2)"), {}, ()),
    ("service_execution.confiscation", "confiscated_property", ("§10(4)", "§9(4)"), {}, CONFISC),
]  # fmt: skip


def closed_case(pack_id: str, stage: str, records=(), **conditions) -> object:
    """A case that has closed in ``stage``: a missing record there is an error, not pending."""
    snap = case(pack_id, stage, closed_at=T0, ended_at=T0, **conditions)
    snap.records = list(records)
    return snap


@pytest.mark.parametrize("pack_id", PACKS)
@pytest.mark.parametrize(
    ("requirement", "kind", "articles", "conditions", "triggers"),
    REQUIRED,
    ids=[row[0] for row in REQUIRED],
)
def test_required_record(pack_id, requirement, kind, articles, conditions, triggers):
    citation = articles[PACKS.index(pack_id)]
    trigger_records = [rec(pack_id, k, fields=good(pack_id, k, **f)) for k, f in triggers]
    stage = rec(pack_id, kind).stage
    rule = f"record.required/{requirement}"
    meets = closed_case(pack_id, stage, [*trigger_records, rec(pack_id, kind)], **conditions)
    assert_meets(meets, rule)
    breaks = closed_case(pack_id, stage, trigger_records, **conditions)
    assert_breaks(breaks, rule, citation)


@pytest.mark.parametrize("pack_id", PACKS)
def test_missing_record_is_pending_in_the_current_stage(pack_id):
    snap = case(pack_id, "investigation")
    assert_breaks(
        snap,
        "record.required/investigation.credentials",
        ("§8(1)", "§7(1)")[PACKS.index(pack_id)],
        severity="warning",
    )


@pytest.mark.parametrize("pack_id", PACKS)
@pytest.mark.parametrize(
    ("requirement", "kind", "conditions"),
    [
        ("investigation.rights_notice", "rights_notice", {"action_types": ("inspection",)}),
        ("investigation.hearing", "hearing", {}),
        ("service_execution.confiscation", "confiscated_property", {}),
        ("initiation.application", "application", {}),
        ("initiation.ex_officio", "ex_officio_start", {"start_mode": "on_application"}),
    ],
)
def test_conditional_requirement_not_due_when_its_condition_fails(
    pack_id, requirement, kind, conditions
):
    stage = rec(pack_id, kind).stage
    assert_meets(closed_case(pack_id, stage, **conditions), f"record.required/{requirement}")


@pytest.mark.parametrize("requirement", ["legal_review", "collective_discussion"])
def test_review_and_discussion_major_only_in_anhui_always_in_hebei(requirement):
    rule = f"record.required/decision.{requirement}"
    assert_meets(closed_case("anhui", "decision", is_major=False), rule)
    citation = {"legal_review": "§8(3)", "collective_discussion": "§8(4)"}[requirement]
    assert_breaks(closed_case("hebei-street", "decision", is_major=False), rule, citation)


# --- fields each record must carry ---

FIELDS = [
    # (pack, kind, field, article cited, field values that make the field due)
    ("anhui", "ex_officio_start", "reason", "§7(1)", {}),
    ("hebei-street", "ex_officio_start", "reason", "§6(1)", {}),
    ("anhui", "inquiry", "content", "§8(2)", {}),
    ("hebei-street", "inquiry", "content", "§7(2)", {}),
    ("anhui", "handling_proposal", "discretion", "§9(1)", {}),
    ("hebei-street", "handling_proposal", "discretion", "§8(1)", {}),
    ("anhui", "service", "served_on", "§10(1)", {}),
    # hebei §13: internal approval records the three opinions, each with its date
    ("hebei-street", "head_approval", "handler_reason", "§13", {}),
    ("hebei-street", "head_approval", "reviewer_opinion", "§13", {}),
    ("hebei-street", "head_approval", "approver_signed_on", "§13", {}),
    # hebei §14: the hearing record keeps the participants' own words
    ("hebei-street", "hearing", "original_statements", "§14", {}),
    # hebei §15: what a service document states
    ("hebei-street", "service", "served_at", "§15", {}),
    ("hebei-street", "service", "place", "§15", {}),
    ("hebei-street", "service", "entrust_reason", "§15", {"method": "service_entrusted"}),
    ("hebei-street", "service", "left_explanation", "§15", {"method": "service_left"}),
    ("hebei-street", "service", "filed_proof", "§15", {"method": "service_mail"}),
    ("hebei-street", "service", "filed_proof", "§15", {"method": "service_public"}),
    # hebei §12: a record of several pages carries the party's seam print or seal
    ("hebei-street", "inquiry", "seam_seal", "§12", {"multi_page": True}),
    ("hebei-street", "compulsory_measure", "seam_seal", "§12", {"multi_page": True}),
    ("hebei-street", "hearing", "seam_seal", "§12", {"multi_page": True}),
]


@pytest.mark.parametrize(
    ("pack_id", "kind", "field", "citation", "due"),
    FIELDS,
    ids=[f"{p}-{k}.{f}-{'-'.join(map(str, d.values()))}" for p, k, f, _c, d in FIELDS],
)
def test_required_field(pack_id, kind, field, citation, due):
    rule = f"record.field/{kind}.{field}"
    complete = good(pack_id, kind, **due, **{field: good(pack_id, kind).get(field, "已填写")})
    meets = case(pack_id, "investigation")
    meets.records = [rec(pack_id, kind, fields=complete)]
    assert_meets(meets, rule)
    breaks = case(pack_id, "investigation")
    breaks.records = [rec(pack_id, kind, fields={**complete, field: ""})]
    assert_breaks(breaks, rule, citation)


@pytest.mark.parametrize(
    ("kind", "field", "values"),
    [
        ("service", "entrust_reason", {"method": "service_direct"}),
        ("service", "left_explanation", {"method": "service_mail"}),
        ("service", "filed_proof", {"method": "service_left"}),
        ("hearing", "original_statements", {"form": "argumentation"}),
        ("inquiry", "seam_seal", {"multi_page": False}),
        ("party_statement", "seam_seal", {}),
    ],
)
def test_hebei_conditional_field_not_due_for_other_activities(kind, field, values):
    snap = case("hebei-street", "investigation")
    snap.records = [rec("hebei-street", kind, fields=good("hebei-street", kind, **values))]
    assert_meets(snap, f"record.field/{kind}.{field}")


# --- documents: seal, date of issue, number (anhui §11, hebei §11) ---


@pytest.mark.parametrize("pack_id", PACKS)
@pytest.mark.parametrize(
    ("missing", "doc"),
    [("seal", ("第1号", dt.date(2026, 3, 6), False)), ("issue_date", ("第1号", None, True))],
)
def test_document_seal_and_date(pack_id, missing, doc):
    meets = case(pack_id, "decision")
    meets.records = [rec(pack_id, "decision_document", doc=("第1号", dt.date(2026, 3, 6), True))]
    assert_meets(meets, f"document.{missing}")
    breaks = case(pack_id, "decision")
    breaks.records = [rec(pack_id, "decision_document", doc=doc)]
    assert_breaks(breaks, f"document.{missing}", "§11")


def test_document_number_anhui_asks_hebei_does_not():
    unnumbered = ("", dt.date(2026, 3, 6), True)
    snap = case("anhui", "decision")
    snap.records = [rec("anhui", "decision_document", doc=unnumbered)]
    assert_breaks(snap, "document.number", "§11")
    snap = case("hebei-street", "decision")
    snap.records = [rec("hebei-street", "decision_document", doc=unnumbered)]
    assert_meets(snap, "document.number")


# --- the party signs (anhui §11, hebei §12) ---

PARTY_SIGNS = {"anhui": "§11", "hebei-street": "§12"}


@pytest.mark.parametrize("pack_id", PACKS)
def test_party_signs_records_concerning_them(pack_id):
    meets = case(pack_id, "investigation")
    meets.records = [rec(pack_id, "inquiry", signers=(("party", "张三"),))]
    assert_meets(meets, "signature.party")
    breaks = case(pack_id, "investigation")
    breaks.records = [rec(pack_id, "inquiry")]
    assert_breaks(breaks, "signature.party", PARTY_SIGNS[pack_id])


def test_hebei_party_signature_is_for_investigation_records_only():
    # hebei §12 speaks of investigation documents; anhui §11 of every record concerning the party
    unsigned = {"anhui": None, "hebei-street": None}
    for pack_id in unsigned:
        snap = case(pack_id, "initiation", start_mode="on_application")
        snap.records = [rec(pack_id, "acceptance")]
        unsigned[pack_id] = bool(the(snap, "signature.party"))
    assert unsigned == {"anhui": True, "hebei-street": False}


def test_anhui_refusal_noted_is_a_warning_only():
    snap = case("anhui", "investigation")
    snap.records = [rec("anhui", "inquiry", refusal_signers=["AH-0001"])]
    assert_meets(snap, "signature.party")
    assert_breaks(snap, "signature.party_refused", "§11", severity="warning")


@pytest.mark.parametrize(
    ("signers", "meets"), [(["HB-0001", "HB-0002"], True), (["HB-0001"], False), ([], False)]
)
def test_hebei_refusal_signed_by_two_officers(signers, meets):
    snap = case("hebei-street", "investigation")
    snap.records = [rec("hebei-street", "inquiry", refusal_signers=signers)]
    assert_meets(snap, "signature.party")
    if meets:
        assert_meets(snap, "signature.refusal_attested")
    else:
        finding = assert_breaks(snap, "signature.refusal_attested", "§12")
        assert "2" in finding.message


def test_hebei_correction_needs_the_party_print_or_seal():
    meets = case("hebei-street", "investigation")
    meets.records = [
        rec("hebei-street", "inquiry", is_correction=True, signers=(("party", "张三"),))
    ]
    assert_meets(meets, "signature.correction_confirmed")
    breaks = case("hebei-street", "investigation")
    breaks.records = [
        rec("hebei-street", "inquiry", is_correction=True, refusal_signers=["A", "B"])
    ]
    assert_breaks(breaks, "signature.correction_confirmed", "§12")


@pytest.mark.parametrize(
    ("method", "signers", "missing"),
    [
        ("service_direct", [("officer", "HB-0001"), ("party", "张三")], set()),
        ("service_direct", [("officer", "HB-0001")], {"party"}),
        ("service_entrusted", [("party", "张三")], {"officer"}),
        ("service_left", [("officer", "HB-0001"), ("witness", "居委会主任")], set()),
        ("service_left", [("officer", "HB-0001")], {"witness"}),
        ("service_mail", [("officer", "HB-0001")], set()),
    ],
)
def test_hebei_service_receipt_signers(method, signers, missing):
    values = {"entrust_reason": "x", "left_explanation": "x", "filed_proof": "x"}
    snap = case("hebei-street", "service_execution")
    snap.records = [
        rec(
            "hebei-street",
            "service",
            fields=good("hebei-street", "service", method=method, **values),
            signers=tuple(signers),
        )
    ]
    found = {f.rule_id.rsplit(".", 1)[1]: f for f in the_prefix(snap, "signature.required/")}
    assert set(found) == missing
    assert all(f.citation == "hebei-street §15" for f in found.values())


def test_hebei_hearing_participants_sign():
    snap = case("hebei-street", "investigation")
    snap.records = [rec("hebei-street", "hearing", signers=(("party", "张三"), ("officer", "A")))]
    assert_meets(snap, "signature.required/hearing.officer")
    snap.records = [rec("hebei-street", "hearing", signers=(("party", "张三"),))]
    assert_breaks(snap, "signature.required/hearing.officer", "§14")


def the_prefix(snap, prefix):
    from quancheng.policies.tests.rulebook import findings

    return [f for f in findings(snap) if f.rule_id.startswith(prefix)]


# --- audio-visual: mandatory and discretionary scenarios (anhui §12, hebei §17) ---

AV = {"anhui": "§12", "hebei-street": "§17"}


@pytest.mark.parametrize("pack_id", PACKS)
@pytest.mark.parametrize(
    ("scenario", "kind", "values"),
    [
        ("liberty_life_property", "compulsory_measure", {"measure_type": "seizure"}),
        ("liberty_life_property", "on_site_inspection", {"affects_liberty_life_property": True}),
        ("case_premises", "inquiry", {"at_case_premises": True}),
    ],
)
def test_mandatory_recording(pack_id, scenario, kind, values):
    record = rec(pack_id, kind, fields=good(pack_id, kind, **values))
    rule = f"av.mandatory/{scenario}"
    breaks = case(pack_id, "investigation", records=[record])
    assert_breaks(breaks, rule, AV[pack_id])
    meets = case(pack_id, "investigation", records=[record])
    meets.recordings = [recording(record_refs=(record.ref,))]
    assert_meets(meets, rule)
    by_scenario = case(pack_id, "investigation", records=[record])
    by_scenario.recordings = [recording(scenario=scenario)]
    assert_meets(by_scenario, rule)


@pytest.mark.parametrize("pack_id", PACKS)
def test_discretionary_recording_may_be_left_out(pack_id):
    snap = case(pack_id, "investigation", records=[rec(pack_id, "on_site_inspection")])
    assert not the_prefix(snap, "av.")


# --- before recording: device checked (hebei §22), party told (hebei §23) ---


@pytest.mark.parametrize(("checked", "meets"), [(True, True), (False, False), (None, False)])
def test_hebei_device_checked_before_recording(checked, meets):
    snap = case("hebei-street", "investigation")
    snap.recordings = [recording(device_checked=checked)]
    if meets:
        assert_meets(snap, "av.device_check")
    else:
        assert_breaks(snap, "av.device_check", "§22", "error" if checked is False else "warning")


def test_anhui_is_silent_on_device_check_and_telling_the_party():
    record = rec("anhui", "inquiry")
    snap = case("anhui", "investigation", records=[record])
    snap.recordings = [
        recording(device_checked=False, party_informed=False, record_refs=("inquiry",))
    ]
    assert_meets(snap, "av.device_check")
    assert_meets(snap, "av.inform_party")


@pytest.mark.parametrize(
    ("kind", "values"),
    [
        ("inquiry", {"interviewee_role": "party"}),
        ("compulsory_measure", {"measure_type": "freeze"}),
        ("decision_document", {"decision_type": "penalty_decision"}),
    ],
)
def test_hebei_party_told_before_penalty_measure_or_questioning(kind, values):
    record = rec("hebei-street", kind, fields=good("hebei-street", kind, **values))
    snap = case("hebei-street", "investigation", records=[record])
    snap.recordings = [recording(party_informed=True, record_refs=(record.ref,))]
    assert_meets(snap, "av.inform_party")
    snap.recordings = [recording(party_informed=False, record_refs=(record.ref,))]
    assert_breaks(snap, "av.inform_party", "§23")


@pytest.mark.parametrize(
    ("kind", "values"),
    [
        ("inquiry", {"interviewee_role": "witness"}),
        ("decision_document", {"decision_type": "licensing_decision"}),
        ("on_site_inspection", {}),
    ],
)
def test_hebei_party_need_not_be_told_for_other_activities(kind, values):
    record = rec("hebei-street", kind, fields=good("hebei-street", kind, **values))
    snap = case("hebei-street", "investigation", records=[record])
    snap.recordings = [recording(party_informed=False, record_refs=(record.ref,))]
    assert_meets(snap, "av.inform_party")


# --- storage labels (hebei §25) ---


@pytest.mark.parametrize(
    "missing",
    [{"file_name": ""}, {"device_serial": ""}, {"officer_certs": ()}],
    ids=["name", "device", "officers"],
)
def test_hebei_recording_stored_with_its_labels(missing):
    snap = case("hebei-street", "investigation")
    snap.recordings = [recording()]
    assert_meets(snap, "av.labels")
    snap.recordings = [recording(**missing)]
    assert_breaks(snap, "av.labels", "§25")
    no_party = dataclasses.replace(case("hebei-street", "investigation"), party_names=())
    no_party.recordings = [recording()]
    assert_breaks(no_party, "av.labels", "§25")
    assert_meets(case("anhui", "investigation", recordings=[recording(**missing)]), "av.labels")


# --- interruptions (anhui §16, hebei §20) and gaps ---

INTERRUPTION = {"anhui": "§16", "hebei-street": "§20"}


def interruption(**kwargs):
    from quancheng.policies.snapshot import InterruptionSnap

    values = {
        "ref": "i1",
        "device_serial": "DSJ-001",
        "started_at": T0 + dt.timedelta(minutes=10),
        "ended_at": T0 + dt.timedelta(minutes=15),
        "reason": "equipment",
        "resumed": True,
        "spoken_explanation": True,
    }
    values.update(kwargs)
    return InterruptionSnap(**values)


@pytest.mark.parametrize("pack_id", PACKS)
@pytest.mark.parametrize(
    ("rule", "meets", "breaks"),
    [
        ("spoken_reason", {}, {"spoken_explanation": False}),
        (
            "statement",
            {"resumed": False, "statement": "设备故障", "signer_certs": ("A", "B")},
            {"resumed": False, "statement": ""},
        ),
        (
            "signers",
            {"resumed": False, "statement": "设备故障", "signer_certs": ("A", "B", "C")},
            {"resumed": False, "statement": "设备故障", "signer_certs": ("A", "A")},
        ),
    ],
)
def test_interruption_explained(pack_id, rule, meets, breaks):
    rule_id = f"av.interruption.{rule}"
    assert_meets(case(pack_id, "investigation", interruptions=[interruption(**meets)]), rule_id)
    snap = case(pack_id, "investigation", interruptions=[interruption(**breaks)])
    assert_breaks(snap, rule_id, INTERRUPTION[pack_id])


@pytest.mark.parametrize("pack_id", PACKS)
def test_gap_in_one_session_needs_an_interruption(pack_id):
    first = recording("v1", session="s", ended_at=T0 + dt.timedelta(minutes=10))
    second = recording(
        "v2",
        session="s",
        started_at=T0 + dt.timedelta(minutes=15),
        ended_at=T0 + dt.timedelta(minutes=30),
    )
    snap = case(pack_id, "investigation", recordings=[first, second])
    assert_breaks(snap, "av.gap", INTERRUPTION[pack_id])
    snap.interruptions = [interruption()]
    assert_meets(snap, "av.gap")


# --- deadlines: upload 24 h (anhui §17, hebei §21), archive 30 days (anhui §18, hebei §26) ---

UPLOAD = {"anhui": "§17", "hebei-street": "§21"}
ARCHIVE = {"anhui": "§18", "hebei-street": "§26"}


@pytest.mark.parametrize("pack_id", PACKS)
def test_upload_within_24_hours(pack_id):
    end = T0 + dt.timedelta(minutes=30)
    on_time = recording(uploaded_at=end + dt.timedelta(hours=24))
    assert_meets(case(pack_id, "investigation", recordings=[on_time]), "av.upload.late")
    late = recording(uploaded_at=end + dt.timedelta(hours=24, minutes=1))
    assert_breaks(
        case(pack_id, "investigation", recordings=[late]), "av.upload.late", UPLOAD[pack_id]
    )


@pytest.mark.parametrize("pack_id", PACKS)
@pytest.mark.parametrize("reason", ["continuous", "remote", "remote_area", "water"])
def test_upload_24_hours_after_return_from_remote_work(pack_id, reason):
    returned = T0 + dt.timedelta(days=3)
    kept = recording(
        delay_reason=reason, returned_at=returned, uploaded_at=returned + dt.timedelta(hours=23)
    )
    assert_meets(case(pack_id, "investigation", recordings=[kept]), "av.upload.late")
    late = recording(
        delay_reason=reason, returned_at=returned, uploaded_at=returned + dt.timedelta(hours=25)
    )
    assert_breaks(
        case(pack_id, "investigation", recordings=[late]), "av.upload.late", UPLOAD[pack_id]
    )
    no_reason = recording(returned_at=returned, uploaded_at=returned + dt.timedelta(hours=23))
    assert_breaks(
        case(pack_id, "investigation", recordings=[no_reason]), "av.upload.late", UPLOAD[pack_id]
    )


@pytest.mark.parametrize("pack_id", PACKS)
def test_archive_within_30_days_of_the_end(pack_id):
    ended = T0
    on_time = closed_case(
        pack_id, "service_execution", archived_at=dt.datetime(2026, 4, 1, 23, 59, tzinfo=T0.tzinfo)
    )
    on_time = dataclasses.replace(on_time, ended_at=ended)
    assert_meets(on_time, "archive.late")
    late = dataclasses.replace(on_time, archived_at=dt.datetime(2026, 4, 2, 0, 1, tzinfo=T0.tzinfo))
    assert_breaks(late, "archive.late", ARCHIVE[pack_id])
    open_ = dataclasses.replace(on_time, archived_at=None)
    at = dt.datetime(2026, 4, 2, 9, 0, tzinfo=T0.tzinfo)
    assert_breaks(open_, "archive.overdue", ARCHIVE[pack_id], at=at)
