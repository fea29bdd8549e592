"""Every change of state of a case. Each action checks, writes, and appends its ledger fact
in one transaction; nothing here edits a stored record in place."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from quancheng import bounds
from quancheng.agencies.models import Agency, Officer
from quancheng.agencies.roles import require
from quancheng.bounds import require_aware, require_text
from quancheng.cases.compliance import schedule_refresh
from quancheng.cases.guards import column_length, ensure_writable, kind_of, pack_of
from quancheng.cases.models import (
    Case,
    Party,
    Record,
    RecordVersion,
)
from quancheng.cases.signing import RefusalInput, SignatureInput, sign_all
from quancheng.cases.validation import clean_fields
from quancheng.errors import ActionError
from quancheng.ledger.public import Actor, append_fact
from quancheng.policies.choices import ActionType, StartMode
from quancheng.policies.registry import UnknownPack, get_pack
from quancheng.policies.schema import Pack


@dataclass
class PartyInput:
    kind: str
    name: str
    id_number: str = ""
    address: str = ""
    phone: str = ""


@dataclass
class DocumentInput:
    number: str = ""
    issued_on: dt.date | None = None
    sealed: bool = False


@transaction.atomic
def open_case(
    actor: Actor,
    agency: Agency,
    *,
    number: str,
    title: str,
    action_types: list[str],
    start_mode: str,
    opened_at: dt.datetime,
    is_major: bool = False,
    confidential: bool = False,
    officers: list[Officer] | None = None,
    parties: list[PartyInput] | None = None,
) -> Case:
    """Open a case in ``agency`` under the agency's pack, at its first stage."""
    require(actor.user, "case.open", agency=agency)
    try:
        pack = get_pack(agency.pack_id)
    except UnknownPack:
        raise ActionError(_("Unknown policy pack “%(pack)s”.") % {"pack": agency.pack_id}) from None
    _check_case_fields(pack, number, title, action_types, start_mode, opened_at)
    try:
        with transaction.atomic():
            case = Case.objects.create(
                agency=agency,
                pack_id=pack.id,
                number=number.strip(),
                title=title.strip(),
                action_types=action_types,
                start_mode=start_mode,
                is_major=is_major,
                confidential=confidential,
                stage=pack.stages[0].id,
                opened_at=opened_at,
                created_by=actor.user,
            )
    except IntegrityError:
        raise ActionError(
            _("Case number %(number)s is already used in this agency.") % {"number": number},
            "number",
        ) from None
    if officers:
        case.officers.add(*officers)
    append_fact(actor, "case.opened", ("case", case.pk), _case_payload(case), agency)
    for party in parties or []:
        add_party(actor, case, party)
    schedule_refresh(case)
    return case


def _check_case_fields(
    pack: Pack,
    number: str,
    title: str,
    action_types: list[str],
    start_mode: str,
    opened_at: dt.datetime,
) -> None:
    if not number.strip():
        raise ActionError(_("A case needs a number."), "number")
    if not title.strip():
        raise ActionError(_("A case needs a title."), "title")
    require_text(number, "number", column_length(Case, "number"))
    require_text(title, "title", column_length(Case, "title"))
    if not action_types:
        raise ActionError(_("Choose at least one action type."), "action_types")
    for index, action in enumerate(action_types):
        if action not in ActionType.values:
            raise ActionError(
                _("Unknown action type “%(a)s”.") % {"a": action}, f"action_types.{index}"
            )
        if action not in pack.scope.action_types:
            raise ActionError(
                _("%(pack)s does not cover “%(a)s” (%(cite)s).")
                % {"pack": pack.title, "a": ActionType(action).label, "cite": pack.scope.citation},
                f"action_types.{index}",
            )
    if start_mode not in StartMode.values:
        raise ActionError(_("Unknown start mode “%(m)s”.") % {"m": start_mode}, "start_mode")
    require_aware(opened_at, "opened_at")


def _case_payload(case: Case) -> dict[str, Any]:
    officers = sorted(case.officers.values_list("cert_no", flat=True))
    return case_payload(case, case.agency.code, officers)


def case_payload(case: Case, agency_code: str, officers: list[str]) -> dict[str, Any]:
    """What ``case.opened`` says of a case (its agency's code and officers' 执法证号 given)."""
    return {
        "agency": agency_code,
        "pack": case.pack_id,
        "number": case.number,
        "title": case.title,
        "action_types": case.action_types,
        "start_mode": case.start_mode,
        "is_major": case.is_major,
        "confidential": case.confidential,
        "stage": case.stage,
        "opened_at": case.opened_at,
        "officers": officers,
    }


@transaction.atomic
def add_party(actor: Actor, case: Case, party: PartyInput) -> Party:
    ensure_writable(actor, case, "case.add_party")
    if not party.name.strip():
        raise ActionError(_("A party needs a name."), "parties.name")
    for name in ("name", "id_number", "address", "phone"):
        require_text(getattr(party, name), f"parties.{name}", column_length(Party, name))
    row = Party.objects.create(
        case=case,
        kind=party.kind,
        name=party.name.strip(),
        id_number=party.id_number,
        address=party.address,
        phone=party.phone,
    )
    values = {k: getattr(row, k) for k in ("kind", "name", "id_number", "address", "phone")}
    append_fact(actor, "party.added", ("party", row.pk), {"case": case.pk, **values}, case.agency)
    return row


@transaction.atomic
def add_record(
    actor: Actor,
    case: Case,
    kind_id: str,
    fields: dict[str, Any],
    occurred_at: dt.datetime,
    *,
    document: DocumentInput | None = None,
    signatures: list[SignatureInput] | None = None,
    refusals: list[RefusalInput] | None = None,
    strict: bool = True,
) -> Record:
    """Add a record of ``kind_id`` to the stage its kind belongs to."""
    pack = pack_of(case)
    kind = kind_of(pack, kind_id)
    ensure_writable(actor, case, "record.add", kind)
    cleaned = clean_fields(kind, fields, strict=strict)
    require_aware(occurred_at, "occurred_at")
    record = Record.objects.create(case=case, kind=kind.id, stage=kind.stage, created_by=actor.user)
    version = _write_version(actor, record, 1, cleaned, occurred_at, document, None, "")
    append_fact(
        actor,
        "record.added",
        ("record", record.pk),
        {
            "case": case.pk,
            "kind": kind.id,
            "stage": kind.stage,
            "version": version_payload(version),
        },
        case.agency,
    )
    sign_all(actor, case, version, signatures or [], refusals or [])
    schedule_refresh(case)
    return record


@transaction.atomic
def correct_record(
    actor: Actor,
    record: Record,
    fields: dict[str, Any],
    occurred_at: dt.datetime,
    reason: str,
    *,
    document: DocumentInput | None = None,
    signatures: list[SignatureInput] | None = None,
    refusals: list[RefusalInput] | None = None,
) -> RecordVersion:
    """A correction: a new version pointing at the one it corrects. The old one stays."""
    case = record.case
    kind = kind_of(pack_of(case), record.kind)
    ensure_writable(actor, case, "record.correct", kind)
    if not reason.strip():
        raise ActionError(_("Say why the record is corrected."), "reason")
    require_text(reason, "reason")
    cleaned = clean_fields(kind, fields, strict=True)
    require_aware(occurred_at, "occurred_at")
    previous = record.latest_version()
    version = _write_version(
        actor, record, previous.number + 1, cleaned, occurred_at, document, previous, reason
    )
    append_fact(
        actor,
        "record.corrected",
        ("record_version", version.pk),
        {"record": record.pk, "corrects": previous.pk, "version": version_payload(version)},
        case.agency,
    )
    sign_all(actor, case, version, signatures or [], refusals or [])
    schedule_refresh(case)
    return version


def _write_version(
    actor: Actor,
    record: Record,
    number: int,
    fields: dict[str, Any],
    occurred_at: dt.datetime,
    document: DocumentInput | None,
    corrects: RecordVersion | None,
    reason: str,
) -> RecordVersion:
    doc = document or DocumentInput()
    require_text(doc.number, "document.number", column_length(RecordVersion, "doc_number"))
    if doc.issued_on is not None and bounds.date_problem(doc.issued_on):
        raise ActionError(bounds.date_problem(doc.issued_on) or "", "document.issued_on")
    try:
        with transaction.atomic():
            return RecordVersion.objects.create(
                record=record,
                number=number,
                fields=fields,
                occurred_at=occurred_at,
                corrects=corrects,
                correction_reason=reason.strip(),
                doc_number=doc.number.strip(),
                doc_issued_on=doc.issued_on,
                doc_sealed=doc.sealed,
                created_by=actor.user,
            )
    except IntegrityError:
        raise ActionError(
            _("This version was corrected meanwhile; reload and try again."), "version"
        ) from None


def version_payload(version: RecordVersion) -> dict[str, Any]:
    """What a version's fact (``record.added``, ``record.corrected``) says of it."""
    return {
        "id": version.pk,
        "number": version.number,
        "fields": version.fields,
        "occurred_at": version.occurred_at,
        "corrects": version.corrects_id,
        "correction_reason": version.correction_reason,
        "doc_number": version.doc_number,
        "doc_issued_on": version.doc_issued_on,
        "doc_sealed": version.doc_sealed,
    }


@transaction.atomic
def move_to_stage(actor: Actor, case: Case, stage: str) -> Case:
    """Move the case to another stage of its pack."""
    pack = pack_of(case)
    if stage not in {s.id for s in pack.stages}:
        raise ActionError(_("Unknown stage “%(s)s”.") % {"s": stage}, "stage")
    ensure_writable(actor, case, "case.move_stage")
    previous, case.stage = case.stage, stage
    case.save(update_fields=["stage"])
    append_fact(
        actor, "case.stage_changed", ("case", case.pk), {"from": previous, "to": stage}, case.agency
    )
    schedule_refresh(case)
    return case


@transaction.atomic
def end_case(actor: Actor, case: Case, ended_at: dt.datetime) -> Case:
    """The enforcement action has ended (行政执法行为终结): the archiving period starts, and
    the case is closed to new records."""
    ensure_writable(actor, case, "case.end")
    require_aware(ended_at, "ended_at")
    if ended_at < case.opened_at:
        raise ActionError(_("A case cannot end before it opened."), "ended_at")
    case.ended_at = ended_at
    case.closed_at = ended_at
    case.save(update_fields=["ended_at", "closed_at"])
    append_fact(actor, "case.closed", ("case", case.pk), {"ended_at": ended_at}, case.agency)
    schedule_refresh(case)
    return case


@transaction.atomic
def archive_case(actor: Actor, case: Case, archived_at: dt.datetime) -> Case:
    """The case file is archived (立卷归档)."""
    require(actor.user, "case.archive", case=case)
    if not case.is_closed:
        raise ActionError(_("Only a closed case can be archived."))
    if case.archived_at is not None:
        raise ActionError(_("The case is already archived."))
    require_aware(archived_at, "archived_at")
    case.archived_at = archived_at
    case.save(update_fields=["archived_at"])
    append_fact(
        actor, "case.archived", ("case", case.pk), {"archived_at": archived_at}, case.agency
    )
    schedule_refresh(case)
    return case


def record_case_viewed(actor: Actor, case: Case, what: str = "case") -> None:
    """Every access to a record is logged (anhui §20: use of records is restricted)."""
    with transaction.atomic():
        append_fact(actor, "access.viewed", ("case", case.pk), {"what": what}, case.agency)
