"""Building engine snapshots of stored cases, many at a time in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from quancheng.cases.models import Case, Party, Record, RecordVersion, Signature, SignatureRefusal
from quancheng.devices.choices import STATUS_AFTER
from quancheng.devices.models import DeviceCheck, DeviceEvent, DeviceLoan
from quancheng.media.models import EvidenceNote, Interruption, Recording
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


def load_snapshots(case_ids: list[int]) -> dict[int, CaseSnap]:
    """Snapshots of the given cases; at most sixteen queries whatever their number."""
    cases = {
        row["id"]: row
        for row in Case.objects.filter(id__in=case_ids).values(
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
    }
    parties: dict[int, list[str]] = defaultdict(list)
    for case_id, name in Party.objects.filter(case_id__in=cases).values_list("case_id", "name"):
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
    _add_records(snaps)
    _add_recordings(snaps)
    _add_interruptions(snaps)
    _add_devices(snaps)
    return snaps


def _add_records(snaps: dict[int, CaseSnap]) -> None:
    records = {
        r["id"]: r
        for r in Record.objects.filter(case_id__in=snaps).values("id", "case_id", "kind", "stage")
    }
    # the rows .values() gives (the stubs type corrects_id as int: it is int | None)
    latest: dict[int, Mapping[str, Any]] = {}
    counts: dict[int, int] = defaultdict(int)
    for row in (
        RecordVersion.objects.filter(record__case_id__in=snaps)
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
    ):
        latest[row["record_id"]] = row
        counts[row["record_id"]] += 1
    version_ids = [v["id"] for v in latest.values()]
    signatures: dict[int, list[SignatureSnap]] = defaultdict(list)
    for s in Signature.objects.filter(version_id__in=version_ids).values(
        "version_id", "role", "signer_name", "officer__cert_no", "refusal_id"
    ):
        signatures[s["version_id"]].append(
            SignatureSnap(
                s["role"],
                s["signer_name"],
                s["officer__cert_no"],
                str(s["refusal_id"]) if s["refusal_id"] else None,
            )
        )
    refusals: dict[int, list[RefusalSnap]] = defaultdict(list)
    for r in SignatureRefusal.objects.filter(version_id__in=version_ids).values(
        "id", "version_id", "note"
    ):
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


def _add_recordings(snaps: dict[int, CaseSnap]) -> None:
    rows = list(
        Recording.objects.filter(case_id__in=snaps).values(
            "id",
            "case_id",
            "device__serial",
            "device__capabilities",
            "started_at",
            "ended_at",
            "uploaded_at",
            "session",
            "place",
            "scenario",
            "production_method",
            "maker",
            "opening_statement",
            "device_checked",
            "party_informed",
            "delay_reason",
            "returned_at",
            "file_name",
            "used_as_evidence",
        )
    )
    ids = [r["id"] for r in rows]
    officers: dict[int, list[str]] = defaultdict(list)
    for rid, cert in Recording.officers.through.objects.filter(recording_id__in=ids).values_list(
        "recording_id", "officer__cert_no"
    ):
        officers[rid].append(cert)
    evidenced: dict[int, list[str]] = defaultdict(list)
    for rid, record_id in Recording.records.through.objects.filter(
        recording_id__in=ids
    ).values_list("recording_id", "record_id"):
        evidenced[rid].append(str(record_id))
    notes = _evidence_notes([r["id"] for r in rows if r["used_as_evidence"]])
    for r in rows:
        snaps[r["case_id"]].recordings.append(
            RecordingSnap(
                ref=str(r["id"]),
                device_serial=r["device__serial"],
                started_at=r["started_at"],
                ended_at=r["ended_at"],
                uploaded_at=r["uploaded_at"],
                device_capabilities=tuple(r["device__capabilities"] or ()),
                officer_certs=tuple(officers[r["id"]]),
                session=r["session"],
                place=r["place"],
                scenario=r["scenario"],
                production_method=r["production_method"],
                maker=r["maker"],
                record_refs=tuple(evidenced[r["id"]]),
                opening_statement=r["opening_statement"],
                device_checked=r["device_checked"],
                party_informed=r["party_informed"],
                delay_reason=r["delay_reason"],
                returned_at=r["returned_at"],
                file_name=r["file_name"],
                used_as_evidence=r["used_as_evidence"],
                evidence_notes=tuple(notes[r["id"]]),
            )
        )


def _evidence_notes(recording_ids: list[int]) -> dict[int, list[EvidenceNoteSnap]]:
    """The evidence notes of the recordings used as evidence (two queries)."""
    rows = list(
        EvidenceNote.objects.filter(recording_id__in=recording_ids).values(
            "id", "recording_id", "taken_at", "place"
        )
    )
    takers: dict[int, list[str]] = defaultdict(list)
    for nid, cert in EvidenceNote.taken_by.through.objects.filter(
        evidencenote_id__in=[r["id"] for r in rows]
    ).values_list("evidencenote_id", "officer__cert_no"):
        takers[nid].append(cert)
    notes: dict[int, list[EvidenceNoteSnap]] = defaultdict(list)
    for r in rows:
        notes[r["recording_id"]].append(
            EvidenceNoteSnap(tuple(takers[r["id"]]), r["taken_at"], r["place"])
        )
    return notes


def _add_devices(snaps: dict[int, CaseSnap]) -> None:
    """The register's facts on the devices the cases' recordings name (three queries):
    repairs and retirement, loans with their returns, pre-use checks."""
    serials = {r.device_serial for snap in snaps.values() for r in snap.recordings}
    if not serials:
        return
    devices: dict[str, DeviceSnap] = {}

    def device(serial: str) -> DeviceSnap:
        return devices.setdefault(serial, DeviceSnap(serial))

    for serial, kind, moment in DeviceEvent.objects.filter(
        device__serial__in=serials, kind__in=list(STATUS_AFTER)
    ).values_list("device__serial", "kind", "occurred_at"):
        device(serial).status_changes.append((moment, str(STATUS_AFTER[kind])))
    for serial, cert, lent, returned in DeviceLoan.objects.filter(
        device__serial__in=serials
    ).values_list("device__serial", "officer__cert_no", "lent_at", "returned__returned_at"):
        device(serial).loans.append(LoanSnap(cert, lent, returned))
    for serial, moment, ok in DeviceCheck.objects.filter(device__serial__in=serials).values_list(
        "device__serial", "checked_at", "ok"
    ):
        device(serial).checks.append((moment, ok))
    for snap in snaps.values():
        for recording in snap.recordings:
            found = devices.get(recording.device_serial)
            if found is not None:
                snap.devices[recording.device_serial] = found


def _add_interruptions(snaps: dict[int, CaseSnap]) -> None:
    rows = list(
        Interruption.objects.filter(case_id__in=snaps).values(
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
    signers: dict[int, list[str]] = defaultdict(list)
    for iid, cert in Interruption.statement_signers.through.objects.filter(
        interruption_id__in=[r["id"] for r in rows]
    ).values_list("interruption_id", "officer__cert_no"):
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
