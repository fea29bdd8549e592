"""Stored rows as the plain data the output schemas describe, in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch, QuerySet

from quancheng.cases.models import (
    Case,
    CaseCompliance,
    Record,
    RecordVersion,
    Signature,
)
from quancheng.policies.registry import UnknownPack, get_pack
from quancheng.policies.schema import Pack
from quancheng.utilities.schemas import local


def _pack(pack_id: str) -> Pack | None:
    try:
        return get_pack(pack_id)
    except UnknownPack:
        return None


# What a case's summary shows, as ``.values()`` names: the list reads its rows this way, with
# no model instances (three per case with its agency and summary: a third of the list's time).
SUMMARY_VALUES = (
    "id",
    "number",
    "title",
    "agency__code",
    "agency__name",
    "pack_id",
    "stage",
    "action_types",
    "start_mode",
    "is_major",
    "confidential",
    "opened_at",
    "ended_at",
    "closed_at",
    "archived_at",
    "compliance__errors",
    "compliance__warnings",
    "compliance__next_deadline_at",
    "compliance__evaluated_at",
)


def summary_of_row(row: dict[str, Any]) -> dict[str, Any]:
    """A case's summary from its ``SUMMARY_VALUES``; ``compliance`` is None for a case not
    evaluated yet (no summary row)."""
    evaluated = row["compliance__evaluated_at"] is not None
    return {
        "id": row["id"],
        "number": row["number"],
        "title": row["title"],
        "agency": row["agency__code"],
        "agency_name": row["agency__name"],
        "pack": row["pack_id"],
        "stage": row["stage"],
        "action_types": list(row["action_types"]),
        "start_mode": row["start_mode"],
        "is_major": row["is_major"],
        "confidential": row["confidential"],
        "opened_at": local(row["opened_at"]),
        "ended_at": local(row["ended_at"]),
        "closed_at": local(row["closed_at"]),
        "archived_at": local(row["archived_at"]),
        "compliance": {
            "errors": row["compliance__errors"],
            "warnings": row["compliance__warnings"],
            "next_deadline_at": local(row["compliance__next_deadline_at"]),
            "evaluated_at": local(row["compliance__evaluated_at"]),
        }
        if evaluated
        else None,
    }


def case_summary(case: Case) -> dict[str, Any]:
    """The summary of a case already read (its agency and summary along)."""
    return summary_of_row({name: _value(case, name) for name in SUMMARY_VALUES})


def _value(case: Case, name: str) -> Any:
    target: Any = case
    for part in name.split("__"):
        try:
            target = getattr(target, part)
        except CaseCompliance.DoesNotExist:
            return None
    return target


def case_detail(case: Case) -> dict[str, Any]:
    pack = _pack(case.pack_id)
    stages = pack.stages if pack else ()
    return {
        **case_summary(case),
        "stages": [
            {"id": s.id, "label": s.label, "label_en": s.label_en, "current": s.id == case.stage}
            for s in stages
        ],
        "parties": [
            {
                "id": p.pk,
                "kind": p.kind,
                "name": p.name,
                "id_number": p.id_number,
                "address": p.address,
                "phone": p.phone,
            }
            for p in case.parties.all()
        ],
        "officers": [{"name": o.name, "cert_no": o.cert_no} for o in case.officers.all()],
        "record_count": case.records.count(),
    }


def records_queryset(case: Case) -> QuerySet[Record]:
    """The case's records with every version, signature and refusal: four queries."""
    versions = (
        RecordVersion.objects.select_related("created_by")
        .prefetch_related(
            Prefetch("signatures", queryset=Signature.objects.select_related("officer")),
            "refusals",
        )
        .order_by("number")
    )
    return (
        Record.objects.filter(case=case)
        .select_related("created_by")
        .prefetch_related(Prefetch("versions", queryset=versions))
    )


def version(v: RecordVersion) -> dict[str, Any]:
    return {
        "id": v.pk,
        "number": v.number,
        "fields": v.fields,
        "occurred_at": local(v.occurred_at),
        "corrects": v.corrects_id,
        "correction_reason": v.correction_reason,
        "document": {"number": v.doc_number, "issued_on": v.doc_issued_on, "sealed": v.doc_sealed},
        "signatures": [
            {
                "id": s.pk,
                "role": s.role,
                "name": s.signer_name,
                "officer": s.officer.cert_no if s.officer else None,
                "refusal": s.refusal_id,
                "signed_at": local(s.signed_at),
            }
            for s in v.signatures.all()
        ],
        "refusals": [
            {"id": r.pk, "note": r.note, "noted_at": local(r.noted_at)} for r in v.refusals.all()
        ],
        "created_at": local(v.created_at),
        "created_by": v.created_by.get_username() if v.created_by else None,
    }


def record(r: Record, pack: Pack | None, *, history: bool) -> dict[str, Any]:
    versions = list(r.versions.all())
    kind = next((k for k in pack.record_kinds if k.id == r.kind), None) if pack else None
    data = {
        "id": r.pk,
        "case": r.case_id,
        "kind": r.kind,
        "kind_label": kind.label if kind else r.kind,
        "stage": r.stage,
        "created_at": local(r.created_at),
        "created_by": r.created_by.get_username() if r.created_by else None,
        "version_count": len(versions),
        "current": version(versions[-1]),
    }
    if history:
        data["versions"] = [version(v) for v in versions]
    return data


def records(rows: Iterable[Record], pack_id: str, *, history: bool) -> list[dict[str, Any]]:
    pack = _pack(pack_id)
    return [record(r, pack, history=history) for r in rows]
