"""Writing a stored case as an exchange document (see docs/exchange.md).

Records, recordings and interruptions get document-local ids (``r1``, ``a1``, ``i1``) in
their stored order, so exporting a case, importing it elsewhere and exporting it again gives
the same document apart from ``source``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from quancheng.agencies.models import Officer
from quancheng.casefile.exchange.parse import FORMAT, FORMAT_VERSION
from quancheng.cases.models import Case, RecordVersion
from quancheng.ledger.reconcile import TIME
from quancheng.media.models import Interruption, Recording
from quancheng.media.values import RECORDING_VALUES

# Gives an officer's certificate number, noting the officer for the document's ``officers``.
_Cert = Callable[[Officer], str]


def _time(value: dt.datetime | None) -> str | None:
    return None if value is None else timezone.localtime(value).isoformat()


def export_case(case: Case) -> dict[str, Any]:
    """The whole case as a JSON-ready dict."""
    officers = _Officers(case)
    record_refs, records = _records(case, officers.cert)
    devices: dict[str, Any] = {}
    recordings = _recordings(case, record_refs, devices, officers.cert)
    interruptions = _interruptions(case, devices, officers.cert)
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "pack": case.pack_id,
        "source": _source(case),
        "case": _case_header(case),
        "parties": _parties(case),
        "officers": officers.export(),
        "devices": _devices(devices),
        "records": records,
        "recordings": recordings,
        "interruptions": interruptions,
    }


class _Officers:
    """The officers on the case, and every other officer the document names."""

    def __init__(self, case: Case) -> None:
        self.by_cert: dict[str, Officer] = {}
        self.on_case: set[str] = set()
        for officer in case.officers.all():
            self.by_cert[officer.cert_no] = officer
            self.on_case.add(officer.cert_no)

    def cert(self, officer: Officer) -> str:
        """``officer``'s certificate number, remembering the officer for ``officers``."""
        self.by_cert.setdefault(officer.cert_no, officer)
        return officer.cert_no

    def export(self) -> list[dict[str, Any]]:
        return [
            {"name": self.by_cert[c].name, "cert_no": c, "on_case": c in self.on_case}
            for c in sorted(self.by_cert)
        ]


def _source(case: Case) -> dict[str, Any]:
    return {
        "agency_code": case.agency.code,
        "agency_name": case.agency.name,
        "case_id": case.pk,
        "exported_at": _time(timezone.now()),
        "generator": "quancheng",
    }


def _case_header(case: Case) -> dict[str, Any]:
    return {
        "number": case.number,
        "title": case.title,
        "action_types": list(case.action_types),
        "start_mode": case.start_mode,
        "is_major": case.is_major,
        "confidential": case.confidential,
        "stage": case.stage,
        "opened_at": _time(case.opened_at),
        "ended_at": _time(case.ended_at),
        "closed_at": _time(case.closed_at),
        "archived_at": _time(case.archived_at),
    }


def _parties(case: Case) -> list[dict[str, Any]]:
    return [
        {
            "kind": p.kind,
            "name": p.name,
            "id_number": p.id_number,
            "address": p.address,
            "phone": p.phone,
        }
        for p in case.parties.order_by("id")
    ]


def _devices(devices: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "serial": d.serial,
            "kind": d.kind,
            "model": d.model,
            "capabilities": list(d.capabilities or []),
        }
        for _serial, d in sorted(devices.items())
    ]


def _records(case: Case, cert: _Cert) -> tuple[dict[int, str], list[dict[str, Any]]]:
    """The records with their versions, and each record's document id by primary key."""
    record_refs: dict[int, str] = {}
    records = []
    for index, record in enumerate(case.records.order_by("id"), start=1):
        record_refs[record.pk] = f"r{index}"
        versions = (
            record.versions.order_by("number")
            .prefetch_related("signatures__officer", "refusals")
            .all()
        )
        records.append(
            {
                "id": f"r{index}",
                "kind": record.kind,
                "stage": record.stage,
                "versions": [_version(v, cert) for v in versions],
            }
        )
    return record_refs, records


def _recordings(
    case: Case, record_refs: dict[int, str], devices: dict[str, Any], cert: _Cert
) -> list[dict[str, Any]]:
    """The case's recordings in time order; their devices are added to ``devices``."""
    recordings = []
    for index, rec in enumerate(
        Recording.objects.filter(case=case)
        .select_related("device")
        .prefetch_related("officers", "records", "evidence_notes__taken_by")
        .order_by("started_at", "id"),
        start=1,
    ):
        devices[rec.device.serial] = rec.device
        recordings.append(_recording(f"a{index}", rec, record_refs, cert))
    return recordings


def _recording(
    ref: str, rec: Recording, record_refs: dict[int, str], cert: _Cert
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": ref,
        "device": rec.device.serial,
        "officers": sorted(cert(o) for o in rec.officers.all()),
        "records": [record_refs[r.pk] for r in sorted(rec.records.all(), key=_pk)],
        **_values(rec),
    }
    if rec.used_as_evidence:
        # Only for recordings used as evidence, so older documents round-trip unchanged.
        out["used_as_evidence"] = True
        out["evidence_notes"] = _evidence_notes(rec, cert)
    return out


def _values(rec: Recording) -> dict[str, Any]:
    """The recording's own values (``media/values.py``) but ``used_as_evidence`` (said only
    when true), times in ISO 8601."""
    return {
        name: _time(getattr(rec, name)) if kind == TIME else getattr(rec, name)
        for name, kind in RECORDING_VALUES.items()
        if name != "used_as_evidence"
    }


def _evidence_notes(rec: Recording, cert: _Cert) -> list[dict[str, Any]]:
    return [
        {
            "taken_by": sorted(cert(o) for o in note.taken_by.all()),
            "taken_at": _time(note.taken_at),
            "place": note.place,
            "matter": note.matter,
        }
        for note in rec.evidence_notes.all()
    ]


def _interruptions(case: Case, devices: dict[str, Any], cert: _Cert) -> list[dict[str, Any]]:
    """The case's interruptions in time order; their devices are added to ``devices``."""
    interruptions = []
    for index, item in enumerate(
        Interruption.objects.filter(case=case)
        .select_related("device")
        .prefetch_related("statement_signers")
        .order_by("started_at", "id"),
        start=1,
    ):
        devices[item.device.serial] = item.device
        interruptions.append(
            {
                "id": f"i{index}",
                "device": item.device.serial,
                "session": item.session,
                "started_at": _time(item.started_at),
                "ended_at": _time(item.ended_at),
                "reason": item.reason,
                "resumed": item.resumed,
                "spoken_explanation": item.spoken_explanation,
                "statement": item.statement,
                "signed_by": sorted(cert(o) for o in item.statement_signers.all()),
            }
        )
    return interruptions


def _pk(row: Any) -> int:
    return row.pk


def _version(version: RecordVersion, cert: _Cert) -> dict[str, Any]:
    out: dict[str, Any] = {
        "fields": version.fields,
        "occurred_at": _time(version.occurred_at),
    }
    if version.corrects_id is not None:
        out["correction_reason"] = version.correction_reason
    if version.doc_number or version.doc_issued_on or version.doc_sealed:
        out["document"] = {
            "number": version.doc_number,
            "issued_on": version.doc_issued_on.isoformat() if version.doc_issued_on else None,
            "sealed": version.doc_sealed,
        }
    signatures = sorted(version.signatures.all(), key=_pk)
    plain = [s for s in signatures if s.refusal_id is None]
    if plain:
        out["signatures"] = [
            {
                "role": s.role,
                "name": s.signer_name,
                **({"cert_no": cert(s.officer)} if s.officer else {}),
                "signed_at": _time(s.signed_at),
            }
            for s in plain
        ]
    refusals = sorted(version.refusals.all(), key=_pk)
    if refusals:
        out["refusals"] = [
            {
                "note": r.note,
                "noted_at": _time(r.noted_at),
                "signed_by": [
                    cert(s.officer) for s in signatures if s.refusal_id == r.pk and s.officer
                ],
            }
            for r in refusals
        ]
    return out
