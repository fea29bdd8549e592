"""A recording's own values are named once (``media/values.py``): every place that carries
them has each of them, and none carries one the declaration lacks."""

from __future__ import annotations

import dataclasses
import json

from quancheng.casefile.exchange.parse_schema import SCHEMA_PATH
from quancheng.media.actions import RecordingInput
from quancheng.media.models import Recording
from quancheng.media.values import BYTES, RECORDING_VALUES, REQUIRED, SNAPSHOT_VALUES, unsaid
from quancheng.policies.snapshot import RecordingSnap

# What a recording has besides its own values: its links and what is derived from them.
LINKS = {"device", "officers", "records", "original", "sidecar", "evidence_notes"}
SNAPSHOT_LINKS = {
    "ref",
    "device_serial",
    "device_capabilities",
    "officer_certs",
    "record_refs",
    "case_number",
    "evidence_notes",
}


def fields_of(cls: type) -> set[str]:
    return {f.name for f in dataclasses.fields(cls)}


def test_the_actions_input_carries_exactly_the_values():
    assert fields_of(RecordingInput) - LINKS == set(RECORDING_VALUES)


def test_the_snapshot_carries_exactly_the_values_but_the_bytes():
    assert fields_of(RecordingSnap) - SNAPSHOT_LINKS == set(SNAPSHOT_VALUES)
    assert not set(BYTES) & fields_of(RecordingSnap)


def test_the_row_has_a_column_for_each():
    columns = {f.name for f in Recording._meta.get_fields()}
    assert set(RECORDING_VALUES) <= columns


def test_the_exchange_schema_names_each_and_requires_the_start_and_end():
    schema = json.loads(SCHEMA_PATH.read_text())["$defs"]["recording"]
    own = set(schema["properties"]) - LINKS - {"id"}
    assert own == set(RECORDING_VALUES)
    assert set(REQUIRED) <= set(schema["required"])


def test_unsaid_values():
    assert unsaid("place") == ""
    assert unsaid("opening_statement") is None
    assert unsaid("returned_at") is None
    assert unsaid("used_as_evidence") is False
