"""Building engine snapshots of stored cases, many at a time in a fixed number of queries.

Every query is filtered by the cases' ids alone (joins, not ids read by an earlier query), so
that for one case each runs compiled once per connection (``quancheng/prepared.py``): the
case page reads its case this way at every view the snapshot cache does not hold.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from quancheng.cases.models import Case, Party, Record, RecordVersion, Signature, SignatureRefusal
from quancheng.devices.choices import STATUS_AFTER
from quancheng.devices.models import DeviceCheck, DeviceEvent, DeviceLoan
from quancheng.media.models import EvidenceNote, Interruption, Recording
from quancheng.media.values import SNAPSHOT_VALUES
from quancheng.policies.snapshot import (
    CaseSnap,
    DeviceSnap,
    EvidenceNoteSnap,
    InterruptionSnap,
    LoanSnap,
    RecordingSnap,
    RecordSnap,
    RefusalSnap,
    SignatureSnap,
    VersionSnap,
)
from quancheng.prepared import Prepared


def _links(through: Any, case: str, owner: str, value: str) -> Prepared:
    """The rows (owner, value) of a many-to-many table whose owners belong to the cases
    (``case``: the path from a row to its case id), in the order they were added."""
    return Prepared(
        lambda ids: (
            through.objects.filter(**{f"{case}__in": ids}).values_list(owner, value).order_by("id")
        )
    )


_CASES = Prepared(
    lambda ids: Case.objects.filter(id__in=ids).values(
        "id",
        "number",
        "title",
        "pack_id",
        "action_types",
        "start_mode",
        "is_major",
        "stage",
        "opened_at",
        "ended_at",
        "closed_at",
        "archived_at",
    )
)
_PARTY_NAMES = Prepared(
    lambda ids: Party.objects.filter(case_id__in=ids).values_list("case_id", "name")
)
_RECORDS = Prepared(
    lambda ids: Record.objects.filter(case_id__in=ids).values("id", "case_id", "kind", "stage")
)
_VERSIONS = Prepared(
    lambda ids: (
        RecordVersion.objects.filter(record__case_id__in=ids)
        .values(
            "id",
            "record_id",
            "number",
            "fields",
            "occurred_at",
            "corrects_id",
            "doc_number",
            "doc_issued_on",
            "doc_sealed",
        )
        .order_by("record_id", "number")
    )
)
# Of every version of the cases' records: the current ones pick theirs.
_SIGNATURES = Prepared(
    lambda ids: Signature.objects.filter(version__record__case_id__in=ids).values(
        "version_id", "role", "signer_name", "officer__cert_no", "refusal_id"
    )
)
_REFUSALS = Prepared(
    lambda ids: SignatureRefusal.objects.filter(version__record__case_id__in=ids).values(
        "id", "version_id", "note"
    )
)
_RECORDINGS = Prepared(
    lambda ids: Recording.objects.filter(case_id__in=ids).values(
        "id", "case_id", "device__serial", "device__capabilities", *SNAPSHOT_VALUES
    )
)
_RECORDING_OFFICERS = _links(
    Recording.officers.through, "recording__case_id", "recording_id", "officer__cert_no"
)
_RECORDING_RECORDS = _links(
    Recording.records.through, "recording__case_id", "recording_id", "record_id"
)
_EVIDENCE_NOTES = Prepared(
    lambda ids: EvidenceNote.objects.filter(
        recording__case_id__in=ids, recording__used_as_evidence=True
    ).values("id", "recording_id", "taken_at", "place")
)
_NOTE_TAKERS = _links(
    EvidenceNote.taken_by.through,
    "evidencenote__recording__case_id",
    "evidencenote_id",
    "officer__cert_no",
)
_INTERRUPTIONS = Prepared(
    lambda ids: Interruption.objects.filter(case_id__in=ids).values(
        "id",
        "case_id",
        "device__serial",
        "session",
        "started_at",
        "ended_at",
        "reason",
        "resumed",
        "spoken_explanation",
        "statement",
    )
)
_INTERRUPTION_SIGNERS = _links(
    Interruption.statement_signers.through,
    "interruption__case_id",
    "interruption_id",
    "officer__cert_no",
)


def _recorded_devices(ids: list[int]) -> Any:
    """The devices the cases' recordings name (a subquery)."""
    return Recording.objects.filter(case_id__in=ids).values("device_id")


_DEVICE_EVENTS = Prepared(
    lambda ids: DeviceEvent.objects.filter(
        device_id__in=_recorded_devices(ids), kind__in=list(STATUS_AFTER)
    ).values_list("device__serial", "kind", "occurred_at")
)
_DEVICE_LOANS = Prepared(
    lambda ids: DeviceLoan.objects.filter(device_id__in=_recorded_devices(ids)).values_list(
        "device__serial", "officer__cert_no", "lent_at", "returned__returned_at"
    )
)
_DEVICE_CHECKS = Prepared(
    lambda ids: DeviceCheck.objects.filter(device_id__in=_recorded_devices(ids)).values_list(
        "device__serial", "checked_at", "ok"
    )
)


def load_snapshots(case_ids: list[int]) -> dict[int, CaseSnap]:
    """Snapshots of the given cases; at most sixteen queries whatever their number."""
    cases = {row["id"]: row for row in _CASES.rows(case_ids)}
    ids = list(cases)
    parties: dict[int, list[str]] = defaultdict(list)
    for case_id, name in _PARTY_NAMES.rows(ids) if ids else ():
        parties[case_id].append(name)
    snaps = {
        cid: CaseSnap(
            ref=str(cid),
            number=row["number"],
            title=row["title"],
            pack_id=row["pack_id"],
            action_types=tuple(row["action_types"]),
            start_mode=row["start_mode"],
            is_major=row["is_major"],
            stage=row["stage"],
            opened_at=row["opened_at"],
            ended_at=row["ended_at"],
            closed_at=row["closed_at"],
            archived_at=row["archived_at"],
            party_names=tuple(parties[cid]),
        )
        for cid, row in cases.items()
    }
    if snaps:
        _add_records(snaps, ids)
        _add_recordings(snaps, ids)
        _add_interruptions(snaps, ids)
    return snaps


def _add_records(snaps: dict[int, CaseSnap], ids: list[int]) -> None:
    records = {r["id"]: r for r in _RECORDS.rows(ids)}
    if not records:
        return
    # the rows .values() gives (the stubs type corrects_id as int: it is int | None)
    latest: dict[int, Mapping[str, Any]] = {}
    counts: dict[int, int] = defaultdict(int)
    for row in _VERSIONS.rows(ids):
        latest[row["record_id"]] = row
        counts[row["record_id"]] += 1
    signatures: dict[int, list[SignatureSnap]] = defaultdict(list)
    for s in _SIGNATURES.rows(ids):
        signatures[s["version_id"]].append(
            SignatureSnap(
                s["role"],
                s["signer_name"],
                s["officer__cert_no"],
                str(s["refusal_id"]) if s["refusal_id"] else None,
            )
        )
    refusals: dict[int, list[RefusalSnap]] = defaultdict(list)
    for r in _REFUSALS.rows(ids):
        refusals[r["version_id"]].append(RefusalSnap(str(r["id"]), r["note"]))
    for record_id, record in records.items():
        v = latest.get(record_id)
        if v is None:
            continue
        version = VersionSnap(
            number=v["number"],
            fields=v["fields"],
            occurred_at=v["occurred_at"],
            is_correction=v["corrects_id"] is not None,
            doc_number=v["doc_number"],
            doc_issued_on=v["doc_issued_on"],
            doc_sealed=v["doc_sealed"],
            signatures=signatures[v["id"]],
            refusals=refusals[v["id"]],
        )
        snaps[record["case_id"]].records.append(
            RecordSnap(str(record_id), record["kind"], record["stage"], version, counts[record_id])
        )


def _add_recordings(snaps: dict[int, CaseSnap], ids: list[int]) -> None:
    rows = _RECORDINGS.rows(ids)
    if not rows:
        return
    officers: dict[int, list[str]] = defaultdict(list)
    for rid, cert in _RECORDING_OFFICERS.rows(ids):
        officers[rid].append(cert)
    evidenced: dict[int, list[str]] = defaultdict(list)
    for rid, record_id in _RECORDING_RECORDS.rows(ids):
        evidenced[rid].append(str(record_id))
    notes = _evidence_notes(ids) if any(r["used_as_evidence"] for r in rows) else {}
    for r in rows:
        snaps[r["case_id"]].recordings.append(
            RecordingSnap(
                ref=str(r["id"]),
                device_serial=r["device__serial"],
                device_capabilities=tuple(r["device__capabilities"] or ()),
                officer_certs=tuple(officers[r["id"]]),
                record_refs=tuple(evidenced[r["id"]]),
                evidence_notes=tuple(notes.get(r["id"], ())),
                **{name: r[name] for name in SNAPSHOT_VALUES},
            )
        )
    _add_devices(snaps, ids)


def _evidence_notes(ids: list[int]) -> dict[int, list[EvidenceNoteSnap]]:
    """The evidence notes of the cases' recordings used as evidence (two queries)."""
    rows = _EVIDENCE_NOTES.rows(ids)
    takers: dict[int, list[str]] = defaultdict(list)
    for nid, cert in _NOTE_TAKERS.rows(ids) if rows else ():
        takers[nid].append(cert)
    notes: dict[int, list[EvidenceNoteSnap]] = defaultdict(list)
    for r in rows:
        notes[r["recording_id"]].append(
            EvidenceNoteSnap(tuple(takers[r["id"]]), r["taken_at"], r["place"])
        )
    return notes


def _add_devices(snaps: dict[int, CaseSnap], ids: list[int]) -> None:
    """The register's facts on the devices the cases' recordings name (three queries):
    repairs and retirement, loans with their returns, pre-use checks."""
    devices: dict[str, DeviceSnap] = {}

    def device(serial: str) -> DeviceSnap:
        return devices.setdefault(serial, DeviceSnap(serial))

    for serial, kind, moment in _DEVICE_EVENTS.rows(ids):
        device(serial).status_changes.append((moment, str(STATUS_AFTER[kind])))
    for serial, cert, lent, returned in _DEVICE_LOANS.rows(ids):
        device(serial).loans.append(LoanSnap(cert, lent, returned))
    for serial, moment, ok in _DEVICE_CHECKS.rows(ids):
        device(serial).checks.append((moment, ok))
    for snap in snaps.values():
        for recording in snap.recordings:
            found = devices.get(recording.device_serial)
            if found is not None:
                snap.devices[recording.device_serial] = found


def _add_interruptions(snaps: dict[int, CaseSnap], ids: list[int]) -> None:
    rows = _INTERRUPTIONS.rows(ids)
    signers: dict[int, list[str]] = defaultdict(list)
    for iid, cert in _INTERRUPTION_SIGNERS.rows(ids) if rows else ():
        signers[iid].append(cert)
    for r in rows:
        snaps[r["case_id"]].interruptions.append(
            InterruptionSnap(
                ref=str(r["id"]),
                device_serial=r["device__serial"],
                started_at=r["started_at"],
                ended_at=r["ended_at"],
                reason=r["reason"],
                resumed=r["resumed"],
                spoken_explanation=r["spoken_explanation"],
                statement=r["statement"],
                signer_certs=tuple(signers[r["id"]]),
                session=r["session"],
            )
        )
