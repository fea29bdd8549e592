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
from quancheng.bounds import BIGINT_MAX, max_text
from quancheng.cases.actions import DocumentInput
from quancheng.cases.forms.signatures import (
    party_refusals,
    signature_fields,
    signature_inputs,
    takes_signatures,
)
from quancheng.cases.models import RecordVersion
from quancheng.cases.signing import RefusalInput, SignatureInput
from quancheng.policies.choices import FieldType
from quancheng.policies.labels import label
from quancheng.policies.schema import FieldDef, RecordKind
from quancheng.utilities.widgets import DATE, DayField, MomentField, datetime_input, now_minute

_GROUPS = (FieldType.MULTICHOICE, FieldType.OFFICERS)


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
        field: forms.Field = forms.CharField(
            widget=forms.Textarea(attrs={"rows": 3}), max_length=max_text(), **options
        )
    elif kind == FieldType.DATE:
        field = DayField(widget=DATE, **options)
    elif kind == FieldType.DATETIME:
        field = MomentField(widget=datetime_input(), **options)
    elif kind == FieldType.BOOLEAN and definition.required:
        # A required yes/no is answered explicitly: no silent "no" from an unticked box.
        yes_no = [("", "—"), ("true", _("Yes")), ("false", _("No"))]
        field = forms.NullBooleanField(widget=forms.Select(choices=yes_no), **options)
    elif kind == FieldType.BOOLEAN:
        field = forms.BooleanField(**options)
    elif kind == FieldType.INTEGER:
        field = forms.IntegerField(min_value=-BIGINT_MAX, max_value=BIGINT_MAX, **options)
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

    occurred_at = MomentField(label=_("Occurred"), widget=datetime_input())

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
        self.takes_signatures = takes_signatures(kind)
        if self.is_document:
            self._add_document_fields()
        if self.takes_signatures:
            self._add_signature_fields()
        if correcting:
            self.fields["reason"] = forms.CharField(
                label=_("Reason for the correction"),
                widget=forms.Textarea(attrs={"rows": 2, "required": True}),
                required=False,
                max_length=max_text(),
            )
            self.fields["reason"].pack_required = True  # type: ignore[attr-defined]

    def _add_document_fields(self) -> None:
        self.fields["doc_number"] = forms.CharField(
            label=_("Document number"), max_length=100, required=False
        )
        self.fields["doc_issued_on"] = DayField(label=_("Issue date"), widget=DATE, required=False)
        self.fields["doc_sealed"] = forms.BooleanField(
            label=_("Sealed by the agency"), required=False
        )

    def _add_signature_fields(self) -> None:
        self.fields.update(signature_fields(self.kind, self.officers))

    def document_fields(self) -> list[forms.BoundField]:
        names = ("doc_number", "doc_issued_on", "doc_sealed")
        return [self[n] for n in names if n in self.fields]

    def signature_fields(self) -> list[forms.BoundField]:
        names = signature_fields(self.kind, self.officers) if self.takes_signatures else {}
        return [self[n] for n in names]

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
        return signature_inputs(self.cleaned_data, self.officers, self.cleaned_data["occurred_at"])

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
