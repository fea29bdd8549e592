"""Documents (文书): number, issue date, seal, and the party's signature or a valid refusal."""

from __future__ import annotations

from django.utils.translation import gettext as _

from quancheng.policies.choices import Severity, SignerRole
from quancheng.policies.engine import Context
from quancheng.policies.snapshot import RecordSnap, VersionSnap


def document_form(ctx: Context) -> None:
    """Documents issued to a party carry a number, a date and the agency's seal (anhui §11)."""
    for record in ctx.case.records:
        kind = ctx.index.kinds.get(record.kind)
        if kind is None or kind.document is None:
            continue
        rule, version = kind.document, record.current
        missing = []
        if rule.number_required and not version.doc_number:
            missing.append(("number", _("a document number")))
        if rule.issue_date_required and version.doc_issued_on is None:
            missing.append(("issue_date", _("an issue date")))
        if rule.seal_required and not version.doc_sealed:
            missing.append(("seal", _("the agency's seal")))
        for key, what in missing:
            ctx.add(
                f"document.{key}",
                rule.citation,
                Severity.ERROR,
                _("Document “%(kind)s” has no %(what)s.") % {"kind": kind.label, "what": what},
                f"record:{record.ref}",
            )


def party_signature(ctx: Context) -> None:
    """Records involving the party are signed by the party (anhui §11); a refusal is noted and
    signed by officers where the pack says how many (hebei §12: two or more)."""
    rules = ctx.pack.signatures
    if rules.party_signs is None:
        return
    for record in ctx.case.records:
        kind = ctx.index.kinds.get(record.kind)
        if kind is None or not kind.involves_party:
            continue
        version = record.current
        if any(s.role == SignerRole.PARTY for s in version.signatures):
            continue
        if not version.refusals:
            ctx.add(
                "signature.party",
                rules.party_signs.citation,
                Severity.ERROR,
                _("“%(kind)s” is not signed by the party, and no refusal is noted.")
                % {"kind": kind.label},
                f"record:{record.ref}",
            )
        elif rules.refusal is None:
            ctx.add(
                "signature.party_refused",
                rules.party_signs.citation,
                Severity.WARNING,
                _("The party refused to sign “%(kind)s”; the refusal is noted.")
                % {"kind": kind.label},
                f"record:{record.ref}",
            )
        else:
            _check_refusal(ctx, record, version, kind.label)


def _check_refusal(ctx: Context, record: RecordSnap, version: VersionSnap, label: str) -> None:
    rule = ctx.pack.signatures.refusal
    if rule is None:
        return
    for refusal in version.refusals:
        attesting = {
            s.officer_cert or s.name
            for s in version.signatures
            if s.refusal_ref == refusal.ref and s.role == SignerRole.OFFICER
        }
        if len(attesting) >= rule.min_officer_signatures:
            return
    ctx.add(
        "signature.refusal_attested",
        rule.citation,
        Severity.ERROR,
        _("The party's refusal to sign “%(kind)s” must be signed by at least %(n)d officers.")
        % {"kind": label, "n": rule.min_officer_signatures},
        f"record:{record.ref}",
    )


def correction_confirmed(ctx: Context) -> None:
    """A corrected record involving the party carries the party's confirmation (hebei §12)."""
    rule = ctx.pack.signatures.correction_confirmation
    if rule is None:
        return
    for record in ctx.case.records:
        kind = ctx.index.kinds.get(record.kind)
        version = record.current
        if kind is None or not kind.involves_party or not version.is_correction:
            continue
        if any(s.role == SignerRole.PARTY for s in version.signatures):
            continue
        ctx.add(
            "signature.correction_confirmed",
            rule.citation,
            Severity.ERROR,
            _("The correction of “%(kind)s” is not confirmed by the party.") % {"kind": kind.label},
            f"record:{record.ref}",
        )


def required_signers(ctx: Context) -> None:
    """The signatures a kind names beyond the party's (hebei §14 hearing participants, §15 the
    server, the recipient, and a witness when a document is left at the address)."""
    for record in ctx.case.records:
        kind = ctx.index.kinds.get(record.kind)
        if kind is None or not kind.signers:
            continue
        activities = ctx.record_activities[record.ref]
        signatures = record.current.signatures
        for rule in kind.signers:
            if rule.when is not None and not activities & set(rule.when):
                continue
            if activities & set(rule.unless):
                continue
            signed = {s.officer_cert or s.name for s in signatures if s.role == rule.role}
            if len(signed) >= rule.min_count:
                continue
            ctx.add(
                f"signature.required/{kind.id}.{rule.role}",
                rule.citation,
                Severity.ERROR,
                _("“%(kind)s” lacks the signature of: %(role)s (at least %(n)d).")
                % {"kind": kind.label, "n": rule.min_count, "role": SignerRole(rule.role).label},
                f"record:{record.ref}",
            )


RULES = (document_form, party_signature, correction_confirmed, required_signers)
