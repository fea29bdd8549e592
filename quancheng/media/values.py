"""A recording's own values, named once: what is said of it besides its device, officers,
records, evidence notes and stored files. In the exchange format's order, each with how the
ledger compares it (``ledger/reconcile.py``). The action's input and row
(``actions.RecordingInput``, ``models.Recording``), its ``recording.described`` fact and
the reconciliation of that fact, the engine's snapshot (``policies.snapshot.RecordingSnap``,
loaded by ``casefile/snapshots.py``), and the exchange format's export, parse and load all
copy exactly these, by name (``media/tests/test_values.py`` holds each of them to it)."""

from __future__ import annotations

from typing import Any

from quancheng.ledger.reconcile import TEXT, TIME, VALUE

RECORDING_VALUES: dict[str, str] = {
    "session": TEXT,
    "started_at": TIME,
    "ended_at": TIME,
    "uploaded_at": TIME,
    "place": TEXT,
    "scenario": TEXT,
    "production_method": TEXT,
    "maker": TEXT,
    "file_name": TEXT,
    "size": VALUE,
    "sha256": TEXT,
    "opening_statement": VALUE,
    "device_checked": VALUE,
    "party_informed": VALUE,
    "delay_reason": TEXT,
    "returned_at": TIME,
    "used_as_evidence": VALUE,
}
# Of the stored bytes rather than of the recording: the engine's snapshot has neither.
BYTES = ("size", "sha256")
# Every recording has a start and an end; the other values may be left unsaid.
REQUIRED = ("started_at", "ended_at")
SNAPSHOT_VALUES = tuple(name for name in RECORDING_VALUES if name not in BYTES)


def unsaid(name: str) -> Any:
    """A value left out (of an exchange file): "" for text, False for ``used_as_evidence``
    (only a recording used as evidence says so), None for the rest (not said)."""
    if RECORDING_VALUES[name] == TEXT:
        return ""
    return False if name == "used_as_evidence" else None
