"""A form built from a pack's record kind: one input per field the kind names, of the
field's type, plus the document details and signatures when the kind is a document.

The form only parses; the action (``add_record``/``correct_record``) decides what is
required, so its errors, with their paths, land next to the fields here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quancheng.agencies.models import Officer
from quancheng.cases.actions import DocumentInput, RefusalInput, SignatureInput
from quancheng.cases.models import RecordVersion
from quancheng.policies.choices import FieldType, SignerRole
from quancheng.policies.schema import FieldDef, RecordKind
from quancheng.web.labels import label

_GROUPS = (FieldType.MULTICHOICE, FieldType.OFFICERS)
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def datetime_input() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def now_minute() -> dt.datetime:
    return timezone.localtime().replace(second=0, microsecond=0)


def pack_field(
    definition: FieldDef, officers: list[Officer], browser_required: bool = True
) -> forms.Field:
    """A form field for one field of a record kind."""
    options: dict[str, Any] = {
        "label": label(definition),
        "required": False,
        "help_text": definition.help or "",
    }
    kind = definition.type
    choices = [(c.id, label(c)) for c in definition.choices]
    if kind == FieldType.LONGTEXT:
        field: forms.Field = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **options)
    elif kind == FieldType.DATE:
        field = forms.DateField(widget=DATE, **options)
    elif kind == FieldType.DATETIME:
        field = forms.DateTimeField(widget=datetime_input(), **options)
    elif kind == FieldType.BOOLEAN and definition.required:
        # A required yes/no is answered explicitly: no silent "no" from an unticked box.
        yes_no = [("", "—"), ("true", _("Yes")), ("false", _("No"))]
        field = forms.NullBooleanField(widget=forms.Select(choices=yes_no), **options)
    elif kind == FieldType.BOOLEAN:
        field = forms.BooleanField(**options)
    elif kind == FieldType.INTEGER:
        field = forms.IntegerField(**options)
    elif kind == FieldType.CHOICE:
        field = forms.ChoiceField(choices=[("", "—"), *choices], **options)
    elif kind == FieldType.MULTICHOICE:
        field = forms.MultipleChoiceField(
            choices=choices, widget=forms.CheckboxSelectMultiple, **options
        )
    elif kind == FieldType.OFFICERS:
        field = forms.MultipleChoiceField(
            choices=[(o.cert_no, str(o)) for o in officers],
            widget=forms.CheckboxSelectMultiple,
            **options,
        )
    else:
        field = forms.CharField(max_length=500, **options)
    if browser_required and definition.required and kind not in _GROUPS:
        # The browser helps; the action still checks (and explains) on the server.
        field.widget.attrs["required"] = True
    field.pack_required = definition.required  # type: ignore[attr-defined]
    return field


def stored_value(value: Any) -> Any:
    """A cleaned form value as the action takes it (JSON: dates as ISO text)."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def initial_value(definition: FieldDef, value: Any) -> Any:
    """A stored value as a form's initial value."""
    if definition.type == FieldType.DATETIME and isinstance(value, str):
        try:
            return timezone.localtime(dt.datetime.fromisoformat(value))
        except ValueError:
            return value
    return value


class RecordFieldsForm(forms.Form):
    """The pack's fields of one record kind, named ``fields__<id>`` after the action's
    error paths (``fields.<id>``)."""

    def __init__(
        self,
        kind: RecordKind,
        officers: list[Officer],
        *args: Any,
        browser_required: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.kind_label = label(kind)
        self.officers = officers
        for definition in kind.fields:
            self.fields[f"fields__{definition.id}"] = pack_field(
                definition, officers, browser_required
            )

    def pack_fields(self) -> dict[str, Any]:
        """The values entered, blanks left out."""
        values: dict[str, Any] = {}
        for definition in self.kind.fields:
            value = self.cleaned_data.get(f"fields__{definition.id}")
            if value is None or value == "" or value == []:
                continue
            values[definition.id] = stored_value(value)
        return values

    def has_entries(self) -> bool:
        """Whether anything was entered (an unticked box is not an entry)."""
        return any(value is not False for value in self.pack_fields().values())

    def pack_bound_fields(self) -> list[forms.BoundField]:
        return [self[f"fields__{d.id}"] for d in self.kind.fields]


class RecordForm(RecordFieldsForm):
    """Adding a record, or correcting one (``correcting=True`` asks for the reason)."""

    occurred_at = forms.DateTimeField(label=_("Occurred"), widget=datetime_input())

    def __init__(
        self,
        kind: RecordKind,
        officers: list[Officer],
        *args: Any,
        correcting: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(kind, officers, *args, **kwargs)
        self.fields["occurred_at"].initial = now_minute
        self.is_document = kind.document is not None
        self.takes_signatures = self.is_document or kind.involves_party
        if self.is_document:
            self._add_document_fields()
        if self.takes_signatures:
            self._add_signature_fields()
        if correcting:
            self.fields["reason"] = forms.CharField(
                label=_("Reason for the correction"),
                widget=forms.Textarea(attrs={"rows": 2, "required": True}),
                required=False,
            )
            self.fields["reason"].pack_required = True  # type: ignore[attr-defined]

    def _add_document_fields(self) -> None:
        self.fields["doc_number"] = forms.CharField(
            label=_("Document number"), max_length=100, required=False
        )
        self.fields["doc_issued_on"] = forms.DateField(
            label=_("Issue date"), widget=DATE, required=False
        )
        self.fields["doc_sealed"] = forms.BooleanField(
            label=_("Sealed by the agency"), required=False
        )

    def _add_signature_fields(self) -> None:
        self.fields.update(signature_fields(self.officers))

    def document_fields(self) -> list[forms.BoundField]:
        names = ("doc_number", "doc_issued_on", "doc_sealed")
        return [self[n] for n in names if n in self.fields]

    def signature_fields(self) -> list[forms.BoundField]:
        names = ("party_signer", "party_signed_at", "refusal_note", "refusal_officers")
        return [self[n] for n in names if n in self.fields]

    def document(self) -> DocumentInput | None:
        if not self.is_document:
            return None
        data = self.cleaned_data
        return DocumentInput(
            number=data.get("doc_number") or "",
            issued_on=data.get("doc_issued_on"),
            sealed=bool(data.get("doc_sealed")),
        )

    def signatures(self) -> list[SignatureInput]:
        if not self.takes_signatures:
            return []
        return party_signatures(self.cleaned_data, self.cleaned_data["occurred_at"])

    def refusals(self) -> list[RefusalInput]:
        if not self.takes_signatures:
            return []
        return party_refusals(self.cleaned_data, self.officers, self.cleaned_data["occurred_at"])

    @classmethod
    def initial_from(cls, kind: RecordKind, version: RecordVersion) -> dict[str, Any]:
        """Initial values for correcting ``version``: its content as it stands."""
        initial: dict[str, Any] = {"occurred_at": timezone.localtime(version.occurred_at)}
        for definition in kind.fields:
            if definition.id in version.fields:
                initial[f"fields__{definition.id}"] = initial_value(
                    definition, version.fields[definition.id]
                )
        if kind.document is not None:
            initial.update(
                doc_number=version.doc_number,
                doc_issued_on=version.doc_issued_on,
                doc_sealed=version.doc_sealed,
            )
        return initial


def signature_fields(officers: list[Officer]) -> dict[str, forms.Field]:
    """The party's signature, or the refusal noted and the officers attesting it."""
    return {
        "party_signer": forms.CharField(
            label=_("Signed by the party (name)"), max_length=200, required=False
        ),
        "party_signed_at": forms.DateTimeField(
            label=_("Signed at"), widget=datetime_input(), required=False
        ),
        "refusal_note": forms.CharField(
            label=_("The party refused to sign: how"),
            widget=forms.Textarea(attrs={"rows": 2}),
            required=False,
        ),
        "refusal_officers": forms.MultipleChoiceField(
            label=_("Officers attesting the refusal"),
            choices=[(o.cert_no, str(o)) for o in officers],
            widget=forms.CheckboxSelectMultiple,
            required=False,
        ),
    }


def party_signatures(data: dict[str, Any], default_at: dt.datetime) -> list[SignatureInput]:
    name = (data.get("party_signer") or "").strip()
    if not name:
        return []
    return [SignatureInput(SignerRole.PARTY, name, data.get("party_signed_at") or default_at)]


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
    """The party signs the current version later, or its refusal is noted (hebei §12)."""

    def __init__(self, officers: list[Officer], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.officers = officers
        self.fields.update(signature_fields(officers))
        self.fields["party_signed_at"].initial = now_minute

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            not (data.get("party_signer") or "").strip()
            and not (data.get("refusal_note") or "").strip()
        ):
            raise forms.ValidationError(_("Enter the party's name, or how the party refused."))
        return data

    def signatures(self) -> list[SignatureInput]:
        return party_signatures(self.cleaned_data, timezone.now())

    def refusals(self) -> list[RefusalInput]:
        return party_refusals(self.cleaned_data, self.officers, timezone.now())
