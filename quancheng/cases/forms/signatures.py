"""Signatures on a record: the party's, or its refusal noted and attested by officers
(hebei §12), and those of the other signers a kind names (hebei §14, §15: officers, a
witness). Entered with the record, or later on its current version."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quancheng.agencies.models import Officer
from quancheng.bounds import max_text
from quancheng.cases.signing import RefusalInput, SignatureInput
from quancheng.policies.choices import SignerRole
from quancheng.policies.schema import RecordKind
from quancheng.utilities.widgets import MomentField, datetime_input, now_minute

_NAMES = re.compile(r"[,，、;；\n]+")


def takes_signatures(kind: RecordKind) -> bool:
    return kind.document is not None or kind.involves_party or bool(kind.signers)


def _signer_roles(kind: RecordKind) -> list[str]:
    """The roles besides the party that the kind names, in the pack's order."""
    roles = [rule.role for rule in kind.signers if rule.role != SignerRole.PARTY]
    return list(dict.fromkeys(roles))


def _officer_choices(officers: list[Officer]) -> list[tuple[str, str]]:
    return [(o.cert_no, str(o)) for o in officers]


def signature_fields(kind: RecordKind, officers: list[Officer]) -> dict[str, forms.Field]:
    """Form fields for the signatures a record of ``kind`` takes."""
    fields: dict[str, forms.Field] = {
        "party_signer": forms.CharField(
            label=_("Signed by the party (name)"), max_length=200, required=False
        ),
        "party_signed_at": MomentField(
            label=_("Signed at"), widget=datetime_input(), required=False
        ),
        "refusal_note": forms.CharField(
            label=_("The party refused to sign: how"),
            widget=forms.Textarea(attrs={"rows": 2}),
            required=False,
            max_length=max_text(),
        ),
        "refusal_officers": forms.MultipleChoiceField(
            label=_("Officers attesting the refusal"),
            choices=_officer_choices(officers),
            widget=forms.CheckboxSelectMultiple,
            required=False,
        ),
    }
    for role in _signer_roles(kind):
        if role == SignerRole.OFFICER:
            fields["signers__officer"] = forms.MultipleChoiceField(
                label=_("Officers signing"),
                choices=_officer_choices(officers),
                widget=forms.CheckboxSelectMultiple,
                required=False,
            )
        else:
            fields[f"signers__{role}"] = forms.CharField(
                label=_("Signed by: %(role)s (names, separated by “、”)")
                % {"role": SignerRole(role).label},
                max_length=500,
                required=False,
            )
    return fields


def signature_inputs(
    data: dict[str, Any], officers: list[Officer], default_at: dt.datetime
) -> list[SignatureInput]:
    """The signatures entered: the party's, then each other signer's."""
    at = data.get("party_signed_at") or default_at
    found = []
    name = (data.get("party_signer") or "").strip()
    if name:
        found.append(SignatureInput(SignerRole.PARTY, name, at))
    by_cert = {o.cert_no: o for o in officers}
    for cert in data.get("signers__officer") or []:
        officer = by_cert[cert]
        found.append(SignatureInput(SignerRole.OFFICER, officer.name, at, officer))
    for key, value in data.items():
        role = key.removeprefix("signers__")
        if key.startswith("signers__") and role != SignerRole.OFFICER and value:
            names = [n.strip() for n in _NAMES.split(value) if n.strip()]
            found.extend(SignatureInput(role, n, at) for n in names)
    return found


def party_refusals(
    data: dict[str, Any], officers: list[Officer], at: dt.datetime
) -> list[RefusalInput]:
    note = (data.get("refusal_note") or "").strip()
    if not note:
        return []
    by_cert = {o.cert_no: o for o in officers}
    attesting = [by_cert[c] for c in data.get("refusal_officers") or []]
    return [RefusalInput(note, data.get("party_signed_at") or at, attesting)]


class SignForm(forms.Form):
    """Signatures added to a record's current version later, or the party's refusal."""

    def __init__(
        self, kind: RecordKind, officers: list[Officer], *args: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.officers = officers
        self.fields.update(signature_fields(kind, officers))
        self.fields["party_signed_at"].initial = now_minute

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.signatures_in(data) and not (data.get("refusal_note") or "").strip():
            raise forms.ValidationError(_("Enter who signed, or how the party refused."))
        return data

    def signatures_in(self, data: dict[str, Any]) -> list[SignatureInput]:
        return signature_inputs(data, self.officers, timezone.now())

    def signatures(self) -> list[SignatureInput]:
        return self.signatures_in(self.cleaned_data)

    def refusals(self) -> list[RefusalInput]:
        return party_refusals(self.cleaned_data, self.officers, timezone.now())
