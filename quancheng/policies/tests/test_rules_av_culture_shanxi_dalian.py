"""Rule table, audio-visual records: culture-tourism, shanxi and dalian-ftz.

Mandatory, discretionary and unsuitable scenarios; device check, opening statement and
telling the party; continuity and interruptions; the labels of a stored recording.
"""

from __future__ import annotations

import pytest

from quancheng.policies.tests.snapshot_builders import (
    at,
    case,
    findings,
    interruption,
    record,
    recording,
    rule_ids,
)

STAGE_NOW = {
    "culture-tourism": "execution",
    "shanxi": "service_execution",
    "dalian-ftz": "whole_process",
    "anhui": "service_execution",
}


def cites(snap, rule_id):
    return {f.citation for f in findings(snap).findings if f.rule_id == rule_id}


def severities(snap, rule_id):
    return [f.severity for f in findings(snap).findings if f.rule_id == rule_id]


# --- mandatory scenarios --------------------------------------------------------------------

MEASURE = {"target": "音像制品", "place": "门店"}

MANDATORY = [
    # culture-tourism §9
    (
        "culture-tourism",
        "compulsory_measure",
        "investigation",
        {"measure_type": "seal_up", **MEASURE},
        "seal_up_seizure",
        "§9(1), §9(2)",
    ),
    (
        "culture-tourism",
        "compulsory_measure",
        "investigation",
        {"measure_type": "release_seizure", **MEASURE},
        "seal_up_seizure",
        "§9(1), §9(2)",
    ),
    (
        "culture-tourism",
        "compulsory_execution",
        "execution",
        {"method": "substitute_performance", "executed_on": "2026-03-05", "details": "代为拆除"},
        "substitute_performance",
        "§9(3)",
    ),
    (
        "culture-tourism",
        "on_site_inspection",
        "investigation",
        {"place": "演出场所", "findings": "x", "affects_liberty_life_property": True},
        "liberty_life_property",
        "§9(4)",
    ),
    (
        "culture-tourism",
        "inquiry",
        "investigation",
        {"interviewee": "李四", "place": "询问室", "content": "x", "at_case_premises": True},
        "case_premises",
        "§9(4)",
    ),
    # shanxi §10
    (
        "shanxi",
        "compulsory_measure",
        "investigation",
        {"measure_type": "seizure", "target": "x"},
        "compulsory_measures",
        "§10(1), §10(2), §10(5)",
    ),
    (
        "shanxi",
        "compulsory_measure",
        "investigation",
        {"measure_type": "restrict_liberty", "target": "x"},
        "compulsory_measures",
        "§10(1), §10(2), §10(5)",
    ),
    (
        "shanxi",
        "compulsory_execution",
        "service_execution",
        {"method": "demolition", "details": "拆除违建"},
        "demolition_substitute",
        "§10(3), §10(4)",
    ),
    (
        "shanxi",
        "inspection",
        "investigation",
        {"place": "x", "findings": "x", "affects_liberty_life_property": True},
        "liberty_life_property",
        "§10(6)",
    ),
    (
        "shanxi",
        "inquiry",
        "investigation",
        {"interviewee": "李四", "content": "x", "at_case_premises": True},
        "case_premises",
        "§10(6)",
    ),
    # dalian-ftz §12
    (
        "dalian-ftz",
        "compulsory_measure",
        "whole_process",
        {"measure_type": "seizure", "target": "x"},
        "major_property",
        "§12",
    ),
    (
        "dalian-ftz",
        "on_site_check",
        "whole_process",
        {"officers": ["DL-1"], "place": "x", "findings": "x", "major_property": True},
        "major_property",
        "§12",
    ),
    (
        "dalian-ftz",
        "investigation_transcript",
        "whole_process",
        {"officers": ["DL-1"], "interviewee": "李四", "content": "x", "at_case_premises": True},
        "case_premises",
        "§12",
    ),
]


@pytest.mark.parametrize(("pack_id", "kind", "stage", "fields", "scenario", "citation"), MANDATORY)
def test_mandatory_scenario_needs_a_recording(pack_id, kind, stage, fields, scenario, citation):
    item = record("r1", kind, stage, fields)
    unrecorded = case(pack_id, STAGE_NOW[pack_id], records=[item])
    assert cites(unrecorded, f"av.mandatory/{scenario}") == {f"{pack_id} {citation}"}
    linked = case(
        pack_id, STAGE_NOW[pack_id], records=[item], recordings=[recording(record_refs=("r1",))]
    )
    assert f"av.mandatory/{scenario}" not in rule_ids(linked)
    tagged = case(
        pack_id, STAGE_NOW[pack_id], records=[item], recordings=[recording(scenario=scenario)]
    )
    assert f"av.mandatory/{scenario}" not in rule_ids(tagged)


@pytest.mark.parametrize(
    ("pack_id", "kind", "fields"),
    [
        ("shanxi", "compulsory_measure", {"measure_type": "release_seal_up", "target": "x"}),
        ("dalian-ftz", "compulsory_measure", {"measure_type": "release_seizure", "target": "x"}),
    ],
)
def test_releasing_a_measure_is_mandatory_only_in_culture_tourism(pack_id, kind, fields):
    stage = "investigation" if pack_id == "shanxi" else "whole_process"
    snap = case(pack_id, STAGE_NOW[pack_id], records=[record("r1", kind, stage, fields)])
    assert not {r for r in rule_ids(snap) if r.startswith("av.mandatory/")}


# --- discretionary: text is the basic form (ct §5, shanxi §7, dalian §11) ---------------------

DISCRETIONARY = [
    (
        "culture-tourism",
        "inquiry",
        "investigation",
        {"interviewee": "李四", "place": "x", "content": "x"},
        "investigation",
    ),
    (
        "culture-tourism",
        "service_receipt",
        "service",
        {
            "document_name": "x",
            "recipient": "李四",
            "method": "service_left",
            "served_on": "2026-03-05",
        },
        "service_left_public",
    ),
    ("shanxi", "hearing", "investigation", {"held_on": "2026-03-04", "content": "x"}, "hearing"),
    (
        "shanxi",
        "service",
        "service_execution",
        {"document_name": "x", "method": "service_public"},
        "service_left_public",
    ),
    (
        "dalian-ftz",
        "service_receipt",
        "whole_process",
        {
            "document_name": "x",
            "recipient": "李四",
            "method": "service_direct",
            "served_on": "2026-03-05",
        },
        "dispute_prone",
    ),
    (
        "dalian-ftz",
        "hearing_report",
        "whole_process",
        {"held_on": "2026-03-04", "content": "x"},
        "dispute_prone",
    ),
]


@pytest.mark.parametrize(("pack_id", "kind", "stage", "fields", "scenario"), DISCRETIONARY)
def test_discretionary_scenario_may_go_unrecorded(pack_id, kind, stage, fields, scenario):
    snap = case(pack_id, STAGE_NOW[pack_id], records=[record("r1", kind, stage, fields)])
    assert not {r for r in rule_ids(snap) if r.startswith("av.")}
    recorded = case(
        pack_id,
        STAGE_NOW[pack_id],
        records=[record("r1", kind, stage, fields)],
        recordings=[recording(scenario=scenario, record_refs=("r1",))],
    )
    assert not {r for r in rule_ids(recorded) if r.startswith("av.")}


# --- unsuitable (dalian-ftz §15) ------------------------------------------------------------

CHECK = {"officers": ["DL-1"], "place": "危化品仓库", "findings": "x"}


def test_dalian_explosive_area_needs_an_explosion_proof_device():
    check = record("r1", "on_site_check", "whole_process", {**CHECK, "explosive_area": True})
    plain = case(
        "dalian-ftz", "whole_process", records=[check], recordings=[recording(record_refs=("r1",))]
    )
    assert severities(plain, "av.unsuitable/explosive_area") == ["error"]
    assert cites(plain, "av.unsuitable/explosive_area") == {"dalian-ftz §15(1)"}
    tagged = case("dalian-ftz", "whole_process", recordings=[recording(scenario="explosive_area")])
    assert severities(tagged, "av.unsuitable/explosive_area") == ["error"]
    proof = case(
        "dalian-ftz",
        "whole_process",
        records=[check],
        recordings=[recording(record_refs=("r1",), device_capabilities=("explosion_proof",))],
    )
    assert "av.unsuitable/explosive_area" not in rule_ids(proof)


def test_dalian_secrets_and_privacy_are_unsuitable_for_recording():
    check = record("r1", "on_site_check", "whole_process", {**CHECK, "secrets_privacy": True})
    snap = case(
        "dalian-ftz", "whole_process", records=[check], recordings=[recording(record_refs=("r1",))]
    )
    assert severities(snap, "av.unsuitable/secrets_privacy") == ["warning"]
    assert cites(snap, "av.unsuitable/secrets_privacy") == {"dalian-ftz §15(2)"}
    ordinary = record("r1", "on_site_check", "whole_process", CHECK)
    fine = case(
        "dalian-ftz",
        "whole_process",
        records=[ordinary],
        recordings=[recording(record_refs=("r1",))],
    )
    assert not {r for r in rule_ids(fine) if r.startswith("av.unsuitable/")}


@pytest.mark.parametrize("pack_id", ["culture-tourism", "shanxi"])
def test_packs_without_unsuitable_scenarios_flag_none(pack_id):
    snap = case(pack_id, STAGE_NOW[pack_id], recordings=[recording(scenario="explosive_area")])
    assert not {r for r in rule_ids(snap) if r.startswith("av.unsuitable/")}


# --- before and at the start of recording ---------------------------------------------------

CONDUCT = [
    # (pack, rule, recording attribute, citation or None where the text is silent)
    ("culture-tourism", "av.device_check", "device_checked", "§12"),
    ("shanxi", "av.device_check", "device_checked", "§13"),
    ("dalian-ftz", "av.device_check", "device_checked", None),
    ("culture-tourism", "av.opening_statement", "opening_statement", "§13"),
    ("shanxi", "av.opening_statement", "opening_statement", "§14"),
    ("dalian-ftz", "av.opening_statement", "opening_statement", None),
    ("culture-tourism", "av.inform_party", "party_informed", "§13"),
    ("shanxi", "av.inform_party", "party_informed", "§14"),
    ("dalian-ftz", "av.inform_party", "party_informed", "§14(1)"),
]


@pytest.mark.parametrize(("pack_id", "rule", "attribute", "citation"), CONDUCT)
def test_recording_conduct(pack_id, rule, attribute, citation):
    done = case(pack_id, STAGE_NOW[pack_id], recordings=[recording(**{attribute: True})])
    assert rule not in rule_ids(done)
    not_done = case(pack_id, STAGE_NOW[pack_id], recordings=[recording(**{attribute: False})])
    unknown = case(pack_id, STAGE_NOW[pack_id], recordings=[recording(**{attribute: None})])
    if citation is None:
        assert rule not in rule_ids(not_done) | rule_ids(unknown)
        return
    assert severities(not_done, rule) == ["error"]
    assert cites(not_done, rule) == {f"{pack_id} {citation}"}
    assert severities(unknown, rule) == ["warning"]


# --- continuity and interruptions -----------------------------------------------------------


def segments(gap_minutes: int) -> list:
    first = recording(
        "v1", session="s1", started_at=at("2026-03-02 10:00"), ended_at=at("2026-03-02 10:30")
    )
    second = recording(
        "v2",
        session="s1",
        started_at=at(f"2026-03-02 10:{30 + gap_minutes:02d}"),
        ended_at=at("2026-03-02 11:00"),
    )
    return [first, second]


@pytest.mark.parametrize(
    ("pack_id", "citation"),
    [("culture-tourism", "§14"), ("shanxi", "§15"), ("dalian-ftz", "§14(4)")],
)
def test_unexplained_gap_in_one_session(pack_id, citation):
    continuous = case(pack_id, STAGE_NOW[pack_id], recordings=segments(0))
    assert "av.gap" not in rule_ids(continuous)
    gap = case(pack_id, STAGE_NOW[pack_id], recordings=segments(10))
    assert cites(gap, "av.gap") == {f"{pack_id} {citation}"}


@pytest.mark.parametrize("pack_id", ["culture-tourism", "shanxi"])
def test_interruption_spoken_reason_or_written_statement(pack_id):
    stage = STAGE_NOW[pack_id]
    explained = case(pack_id, stage, recordings=segments(10), interruptions=[interruption()])
    assert not {r for r in rule_ids(explained) if r.startswith("av.")}
    silent = case(
        pack_id,
        stage,
        recordings=segments(10),
        interruptions=[interruption(spoken_explanation=False)],
    )
    assert "av.interruption.spoken_reason" in rule_ids(silent)
    stopped = interruption(resumed=False, ended_at=None, spoken_explanation=False)
    no_statement = case(pack_id, stage, recordings=segments(0)[:1], interruptions=[stopped])
    assert "av.interruption.statement" in rule_ids(no_statement)
    # A statement written afterwards suffices: no two-officer signature here, unlike anhui §16.
    stopped.statement = "设备故障，无法继续录制"
    with_statement = case(pack_id, stage, recordings=segments(0)[:1], interruptions=[stopped])
    assert not {r for r in rule_ids(with_statement) if r.startswith("av.interruption")}
    in_anhui = case(
        "anhui", "service_execution", recordings=segments(0)[:1], interruptions=[stopped]
    )
    assert "av.interruption.signers" in rule_ids(in_anhui)


def test_dalian_allows_no_interruption_at_one_site():
    snap = case(
        "dalian-ftz", "whole_process", recordings=segments(10), interruptions=[interruption()]
    )
    assert cites(snap, "av.interruption.not_allowed") == {"dalian-ftz §14(4)"}
    assert "av.interruption.spoken_reason" not in rule_ids(snap)
    assert "av.interruption.not_allowed" not in rule_ids(
        case("dalian-ftz", "whole_process", recordings=segments(0))
    )


# --- labels of a stored recording (dalian-ftz §16) ------------------------------------------


def test_dalian_recording_is_labelled_with_case_method_time_and_maker():
    labelled = case("dalian-ftz", "whole_process", recordings=[recording()])
    assert "av.labels" not in rule_ids(labelled)
    unlabelled = case(
        "dalian-ftz", "whole_process", recordings=[recording(maker="", production_method="")]
    )
    [finding] = [f for f in findings(unlabelled).findings if f.rule_id == "av.labels"]
    assert finding.citation == "dalian-ftz §16"
    assert "制作人" in finding.message and "制作方法" in finding.message  # zh-hans by default


@pytest.mark.parametrize("pack_id", ["culture-tourism", "shanxi"])
def test_labels_are_not_asked_where_the_text_is_silent(pack_id):
    snap = case(pack_id, STAGE_NOW[pack_id], recordings=[recording(maker="", production_method="")])
    assert "av.labels" not in rule_ids(snap)
