"""``/cases/{id}/records``: list, add, read with history, correct (a new version)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.errors import HttpError

from quancheng.agencies.models import Agency, Officer
from quancheng.agencies.requests import actor
from quancheng.cases import actions, guards, signing
from quancheng.cases.api import render
from quancheng.cases.api.access import readable_case, record_of, require_change
from quancheng.cases.api.schemas import (
    DocumentIn,
    RecordIn,
    RecordOut,
    RecordSummaryOut,
    RefusalIn,
    SignatureIn,
    VersionIn,
)
from quancheng.cases.models import Case, Record
from quancheng.errors import ActionError
from quancheng.policies.schema import RecordKind
from quancheng.utilities.schemas import error_responses

router = Router(tags=["records"])


@router.get(
    "/{int:case_id}/records",
    response={200: list[RecordSummaryOut], **error_responses(404)},
    summary="List a case's records",
)
def list_records(request: HttpRequest, case_id: int) -> list[dict]:
    """Every record of the case with its current version. The access is logged."""
    case = readable_case(request, case_id)
    rows = render.records_queryset(case)
    actions.record_case_viewed(actor(request), case, "records")
    return render.records(rows, case.pack_id, history=False)


@router.get(
    "/{int:case_id}/records/{int:record_id}",
    response={200: RecordOut, **error_responses(404)},
    summary="Get a record with its version history",
)
def get_record(request: HttpRequest, case_id: int, record_id: int) -> dict:
    case = readable_case(request, case_id)
    record = _load(case, record_id)
    actions.record_case_viewed(actor(request), case, f"record:{record.pk}")
    return render.records([record], case.pack_id, history=True)[0]


@router.post(
    "/{int:case_id}/records",
    response={201: RecordOut, **error_responses(403, 404, body=True)},
    summary="Add a record",
)
def add_record(request: HttpRequest, case_id: int, payload: RecordIn) -> Status:
    """Add a record of a kind of the case's pack, with the fields that kind requires; a
    document kind also takes its number, issue date and seal, and the signatures or the
    party's refusal (attested by officers' signatures)."""
    case = readable_case(request, case_id)
    kind = guards.kind_of(guards.pack_of(case), payload.kind)
    require_change(request, case, "record.add", kind)
    extras = _extras(case, kind, payload.document, payload.signatures, payload.refusals)
    record = actions.add_record(
        actor(request), case, kind.id, payload.fields, payload.occurred_at, **extras
    )
    return Status(201, render.records([_load(case, record.pk)], case.pack_id, history=True)[0])


@router.post(
    "/{int:case_id}/records/{int:record_id}/versions",
    response={201: RecordOut, **error_responses(403, 404, body=True)},
    summary="Correct a record (new version)",
)
def correct_record(
    request: HttpRequest, case_id: int, record_id: int, payload: VersionIn
) -> Status:
    """A correction is a new version pointing at the one it corrects; the old one stays."""
    case = readable_case(request, case_id)
    record = record_of(case, record_id)
    kind = guards.kind_of(guards.pack_of(case), record.kind)
    require_change(request, case, "record.correct", kind)
    extras = _extras(case, kind, payload.document, payload.signatures, payload.refusals)
    actions.correct_record(
        actor(request), record, payload.fields, payload.occurred_at, payload.reason, **extras
    )
    return Status(201, render.records([_load(case, record.pk)], case.pack_id, history=True)[0])


def _load(case: Case, record_id: int) -> Record:
    record = render.records_queryset(case).filter(pk=record_id).first()
    if record is None:
        raise HttpError(404, _("No such record in this case."))
    return record


def _extras(
    case: Case,
    kind: RecordKind,
    document: DocumentIn | None,
    signatures: list[SignatureIn],
    refusals: list[RefusalIn],
) -> dict:
    """The document, signatures and refusals as the actions take them; officers are named by
    certificate number and must belong to the case's agency."""
    if document is not None and kind.document is None:
        raise ActionError(
            _("A “%(kind)s” is not a document: it has no number, date or seal.")
            % {"kind": kind.label},
            "document",
        )
    agency: Agency = case.agency
    return {
        "document": (
            actions.DocumentInput(document.number, document.issued_on, document.sealed)
            if document
            else None
        ),
        "signatures": [
            signing.SignatureInput(
                role=str(s.role),
                name=s.name,
                signed_at=s.signed_at,
                officer=_officer(agency, s.officer, f"signatures.{i}.officer"),
            )
            for i, s in enumerate(signatures)
        ],
        "refusals": [
            signing.RefusalInput(
                note=r.note,
                noted_at=r.noted_at,
                officers=guards.officers_by_cert(agency, r.officers, f"refusals.{i}.officers"),
            )
            for i, r in enumerate(refusals)
        ],
    }


def _officer(agency: Agency, cert: str | None, path: str) -> Officer | None:
    if not cert:
        return None
    try:
        return guards.officers_by_cert(agency, [cert])[0]
    except ActionError as exc:
        raise ActionError(exc.message, path) from None
