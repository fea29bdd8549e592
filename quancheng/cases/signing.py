"""Signatures on a record's version and a party's refusal to sign (hebei §12): written with
the version (``add_record``, ``correct_record``) or after it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from quancheng.agencies.models import Officer
from quancheng.bounds import require_aware, require_text
from quancheng.cases.compliance import schedule_refresh
from quancheng.cases.guards import column_length, ensure_writable
from quancheng.cases.models import Case, RecordVersion, Signature, SignatureRefusal
from quancheng.errors import ActionError
from quancheng.ledger.public import Actor, append_fact
from quancheng.policies.choices import SignerRole


@dataclass
class SignatureInput:
    role: str
    name: str
    signed_at: dt.datetime
    officer: Officer | None = None


@dataclass
class RefusalInput:
    note: str
    noted_at: dt.datetime
    officers: list[Officer] = field(default_factory=list)


def sign_all(
    actor: Actor,
    case: Case,
    version: RecordVersion,
    signatures: list[SignatureInput],
    refusals: list[RefusalInput],
) -> None:
    for signature in signatures:
        _add_signature(actor, case, version, signature, None)
    for refusal in refusals:
        _note_refusal(actor, case, version, refusal)


@transaction.atomic
def sign_version(actor: Actor, version: RecordVersion, signature: SignatureInput) -> Signature:
    """A signature added after the version was written (the party signs later)."""
    case = version.record.case
    ensure_writable(actor, case, "signature.add")
    row = _add_signature(actor, case, version, signature, None)
    schedule_refresh(case)
    return row


@transaction.atomic
def note_refusal(actor: Actor, version: RecordVersion, refusal: RefusalInput) -> SignatureRefusal:
    """The party refuses to sign: the refusal is noted and officers sign it (hebei §12)."""
    case = version.record.case
    ensure_writable(actor, case, "signature.refuse")
    row = _note_refusal(actor, case, version, refusal)
    schedule_refresh(case)
    return row


def _add_signature(
    actor: Actor,
    case: Case,
    version: RecordVersion,
    signature: SignatureInput,
    refusal: SignatureRefusal | None,
) -> Signature:
    if signature.role not in SignerRole.values:
        raise ActionError(
            _("Unknown signer role “%(r)s”.") % {"r": signature.role}, "signatures.role"
        )
    if not signature.name.strip():
        raise ActionError(_("A signature needs the signer's name."), "signatures.name")
    require_text(signature.name, "signatures.name", column_length(Signature, "signer_name"))
    require_aware(signature.signed_at, "signatures.signed_at")
    row = Signature.objects.create(
        version=version,
        role=signature.role,
        signer_name=signature.name.strip(),
        officer=signature.officer,
        refusal=refusal,
        signed_at=signature.signed_at,
    )
    append_fact(
        actor,
        "signature.added",
        ("signature", row.pk),
        {
            "version": version.pk,
            "role": row.role,
            "signer": row.signer_name,
            "officer": signature.officer.cert_no if signature.officer else None,
            "refusal": refusal.pk if refusal else None,
            "signed_at": row.signed_at,
        },
        case.agency,
    )
    return row


def _note_refusal(
    actor: Actor, case: Case, version: RecordVersion, refusal: RefusalInput
) -> SignatureRefusal:
    if not refusal.note.strip():
        raise ActionError(_("Note how the party refused."), "refusals.note")
    require_text(refusal.note, "refusals.note")
    require_aware(refusal.noted_at, "refusals.noted_at")
    row = SignatureRefusal.objects.create(
        version=version, note=refusal.note.strip(), noted_at=refusal.noted_at
    )
    append_fact(
        actor,
        "signature.refused",
        ("refusal", row.pk),
        {"version": version.pk, "note": row.note, "noted_at": row.noted_at},
        case.agency,
    )
    for officer in refusal.officers:
        _add_signature(
            actor,
            case,
            version,
            SignatureInput(SignerRole.OFFICER, officer.name, refusal.noted_at, officer),
            row,
        )
    return row
