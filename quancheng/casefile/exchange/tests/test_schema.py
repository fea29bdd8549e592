"""The JSON Schema is valid draft 2020-12, sits where documented, and names the same
vocabulary as the code."""

from __future__ import annotations

import json
from pathlib import Path

from jsonschema import Draft202012Validator

from quancheng.casefile.exchange.parse_schema import SCHEMA_PATH, schema
from quancheng.cases.choices import PartyKind
from quancheng.devices.choices import Capability, DeviceKind
from quancheng.policies.choices import (
    ActionType,
    DelayReason,
    InterruptionReason,
    SignerRole,
    StartMode,
)

REPO = Path(__file__).resolve().parents[4]


def test_schema_is_valid_and_published_in_schemas():
    Draft202012Validator.check_schema(schema())
    published = REPO / "schemas" / "case-exchange.schema.json"
    assert json.loads(published.read_text(encoding="utf-8")) == schema()
    assert published.resolve() == SCHEMA_PATH.resolve()


def test_schema_enums_match_the_choices():
    defs = schema()["$defs"]
    assert set(defs["action_type"]["enum"]) == set(ActionType.values)
    assert set(defs["case"]["properties"]["start_mode"]["enum"]) == set(StartMode.values)
    assert set(defs["party"]["properties"]["kind"]["enum"]) == set(PartyKind.values)
    assert set(defs["device"]["properties"]["kind"]["enum"]) == set(DeviceKind.values)
    assert set(defs["device"]["properties"]["capabilities"]["items"]["enum"]) == set(
        Capability.values
    )
    assert set(defs["signature"]["properties"]["role"]["enum"]) == set(SignerRole.values)
    assert set(defs["recording"]["properties"]["delay_reason"]["enum"]) == {
        "",
        *DelayReason.values,
    }
    assert set(defs["interruption"]["properties"]["reason"]["enum"]) == set(
        InterruptionReason.values
    )


def test_the_example_in_the_documentation_is_valid():
    from quancheng.casefile.exchange.parse import parse_document

    text = (REPO / "docs" / "exchange.md").read_text(encoding="utf-8")
    block = text.split("## Example\n", 1)[1].split("```json\n", 1)[1].split("```", 1)[0]
    parsed = parse_document(json.loads(block))
    assert parsed.snapshot.records[1].current.refusals
