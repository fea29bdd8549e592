"""How the facts of cases describe their rows, for ``quancheng verify`` and proof bundles:
cases, parties, records, versions, signatures and refusals (``quancheng.ledger.reconcile``).

Not proved by any fact: who created a row (``created_by``) and when it was stored
(``created_at``); a party's name before facts recorded it stripped is compared stripped."""

from __future__ import annotations

from typing import Any

from quancheng.ledger.reconcile import DATE, JSON, TEXT, TIME, VALUE, Expected, Many, Table


def _model(name: str) -> Any:
    def get() -> Any:
        from quancheng.cases import models

        return getattr(models, name)

    return get


def _case_officers() -> Any:
    from quancheng.cases.models import Case

    return Case.officers.through


CASE, PARTY, RECORD, VERSION = "cases_case", "cases_party", "cases_record", "cases_recordversion"
SIGNATURE, REFUSAL = "cases_signature", "cases_signaturerefusal"

TABLES = [
    Table(
        CASE,
        _model("Case"),
        {
            "agency": ("agency__code", TEXT),
            "pack_id": ("pack_id", TEXT),
            "number": ("number", TEXT),
            "title": ("title", TEXT),
            "action_types": ("action_types", JSON),
            "start_mode": ("start_mode", TEXT),
            "is_major": ("is_major", VALUE),
            "confidential": ("confidential", VALUE),
            "stage": ("stage", TEXT),
            "opened_at": ("opened_at", TIME),
            "ended_at": ("ended_at", TIME),
            "closed_at": ("closed_at", TIME),
            "archived_at": ("archived_at", TIME),
        },
        many={"officers": Many(_case_officers, "case_id", "officer__cert_no")},
        agency="agency_id",
    ),
    Table(
        PARTY,
        _model("Party"),
        {
            "case": ("case_id", VALUE),
            "kind": ("kind", TEXT),
            "name": ("name", TEXT),
            "id_number": ("id_number", TEXT),
            "address": ("address", TEXT),
            "phone": ("phone", TEXT),
        },
        agency="case__agency_id",
    ),
    Table(
        RECORD,
        _model("Record"),
        {"case": ("case_id", VALUE), "kind": ("kind", TEXT), "stage": ("stage", TEXT)},
        agency="case__agency_id",
    ),
    Table(
        VERSION,
        _model("RecordVersion"),
        {
            "record": ("record_id", VALUE),
            "number": ("number", VALUE),
            "fields": ("fields", JSON),
            "occurred_at": ("occurred_at", TIME),
            "corrects": ("corrects_id", VALUE),
            "correction_reason": ("correction_reason", TEXT),
            "doc_number": ("doc_number", TEXT),
            "doc_issued_on": ("doc_issued_on", DATE),
            "doc_sealed": ("doc_sealed", VALUE),
        },
        agency="record__case__agency_id",
    ),
    Table(
        SIGNATURE,
        _model("Signature"),
        {
            "version": ("version_id", VALUE),
            "role": ("role", TEXT),
            "signer_name": ("signer_name", TEXT),
            "officer": ("officer__cert_no", TEXT),
            "refusal": ("refusal_id", VALUE),
            "signed_at": ("signed_at", TIME),
        },
        agency="version__record__case__agency_id",
    ),
    Table(
        REFUSAL,
        _model("SignatureRefusal"),
        {"version": ("version_id", VALUE), "note": ("note", TEXT), "noted_at": ("noted_at", TIME)},
        agency="version__record__case__agency_id",
    ),
]

_CASE_FIELDS = (
    "number",
    "title",
    "action_types",
    "start_mode",
    "is_major",
    "confidential",
    "stage",
    "opened_at",
    "officers",
)
_VERSION_FIELDS = (
    "number",
    "fields",
    "occurred_at",
    "corrects",
    "correction_reason",
    "doc_number",
    "doc_issued_on",
    "doc_sealed",
)


def _opened(expected: Expected, subject: str, p: dict[str, Any]) -> None:
    values = {name: p[name] for name in _CASE_FIELDS if name in p}
    expected.row(
        CASE, subject, agency=p["agency"], pack_id=p["pack"], ended_at=None, closed_at=None,
        archived_at=None, **values,
    )  # fmt: skip


def _stage_changed(expected: Expected, subject: str, p: dict[str, Any]) -> None:
    expected.row(CASE, subject, stage=p["to"])


def _closed(expected: Expected, subject: str, p: dict[str, Any]) -> None:
    expected.row(CASE, subject, ended_at=p["ended_at"], closed_at=p["ended_at"])


def _archived(expected: Expected, subject: str, p: dict[str, Any]) -> None:
    expected.row(CASE, subject, archived_at=p["archived_at"])


def _party(expected: Expected, subject: str, p: dict[str, Any]) -> None:
    values = {k: str(p.get(k, "")).strip() for k in ("name", "id_number", "address", "phone")}
    expected.row(PARTY, subject, case=p["case"], kind=p["kind"], **values)


def _version(expected: Expected, record: object, p: dict[str, Any]) -> None:
    values = {name: p[name] for name in _VERSION_FIELDS if name in p}
    expected.row(VERSION, p["id"], record=int(str(record)), **values)


def _record_added(expected: Expected, subject: str, p: dict[str, Any]) -> None:
    expected.row(RECORD, subject, case=p["case"], kind=p["kind"], stage=p["stage"])
    _version(expected, subject, p["version"])


def _record_corrected(expected: Expected, subject: str, p: dict[str, Any]) -> None:
    _version(expected, p["record"], {**p["version"], "id": subject})


def _signature(expected: Expected, subject: str, p: dict[str, Any]) -> None:
    expected.row(
        SIGNATURE, subject, version=p["version"], role=p["role"], signer_name=p["signer"],
        officer=p["officer"], refusal=p["refusal"], signed_at=p["signed_at"],
    )  # fmt: skip


def _refusal(expected: Expected, subject: str, p: dict[str, Any]) -> None:
    expected.row(REFUSAL, subject, version=p["version"], note=p["note"], noted_at=p["noted_at"])


FOLDS = {
    "case.opened": _opened,
    "case.stage_changed": _stage_changed,
    "case.closed": _closed,
    "case.archived": _archived,
    "party.added": _party,
    "record.added": _record_added,
    "record.corrected": _record_corrected,
    "signature.added": _signature,
    "signature.refused": _refusal,
}
IGNORED = ("case.imported", "access.viewed")


def case_subjects(case_id: int) -> dict[str, list[Any]]:
    from quancheng.cases.models import Party, Record, RecordVersion, Signature, SignatureRefusal

    def ids(model: Any, **where: Any) -> list[Any]:
        return list(model.objects.filter(**where).values_list("pk", flat=True))

    return {
        "case": [case_id],
        "party": ids(Party, case_id=case_id),
        "record": ids(Record, case_id=case_id),
        "record_version": ids(RecordVersion, record__case_id=case_id),
        "signature": ids(Signature, version__record__case_id=case_id),
        "refusal": ids(SignatureRefusal, version__record__case_id=case_id),
    }


def find_case(value: str) -> Any:
    """A case by its number, or by its id when no case has that number."""
    from django.utils.translation import gettext as _

    from quancheng.cases.models import Case
    from quancheng.ledger.public import ProofError

    matches = list(Case.objects.filter(number=value).select_related("agency"))
    if len(matches) > 1:
        raise ProofError(
            _("%(n)s cases have the number %(number)s: give the case's id (%(ids)s).")
            % {"n": len(matches), "number": value, "ids": ", ".join(str(c.pk) for c in matches)}
        )
    if not matches and value.isdigit():
        matches = list(Case.objects.filter(pk=int(value)).select_related("agency"))
    if not matches:
        raise ProofError(_("No case with the number or id %(value)s.") % {"value": value}, 404)
    return matches[0]


def case_viewed(actor: Any, case: Any, what: str) -> None:
    from quancheng.cases.actions import record_case_viewed

    record_case_viewed(actor, case, what)


def register() -> None:
    from quancheng.ledger import reconcile

    reconcile.register(tables=TABLES, folds=FOLDS, ignored=IGNORED, case_subjects=case_subjects)
    reconcile.register_cases(find_case, case_viewed)
