"""Forms built from the packs: every record kind of every installed pack gets an input per
field, and what a person enters there is what the action accepts."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django import forms
from django.utils.timezone import now

from quancheng.cases.forms.records import RecordFieldsForm, RecordForm
from quancheng.cases.validation import clean_fields
from quancheng.errors import ActionError
from quancheng.policies.choices import FieldType
from quancheng.policies.registry import all_packs
from quancheng.policies.schema import FieldDef, RecordKind
from quancheng.utilities.form_errors import attach_error, field_for_path

KINDS = [
    pytest.param(pack, kind, id=f"{pack.id}:{kind.id}")
    for pack in all_packs().values()
    for kind in pack.record_kinds
]


def typed_input(definition: FieldDef, cert: str) -> object:
    """What a browser submits for a valid value of the field's type."""
    first = definition.choices[0].id if definition.choices else None
    return {
        FieldType.DATE: "2026-03-02",
        FieldType.DATETIME: "2026-03-02T09:30",
        FieldType.BOOLEAN: "true" if definition.required else "on",
        FieldType.INTEGER: "3",
        FieldType.CHOICE: first,
        FieldType.MULTICHOICE: [first],
        FieldType.OFFICERS: [cert],
    }.get(definition.type, "某某内容")


@pytest.mark.parametrize(("pack", "kind"), KINDS)
def test_each_kind_gets_a_form_whose_values_the_action_accepts(world, pack, kind):
    officers = [world.officer.officer, world.officer2.officer]
    form = RecordForm(kind, officers)
    for definition in kind.fields:
        field = form.fields[f"fields__{definition.id}"]
        assert field.pack_required == definition.required
        if definition.choices:
            assert {c.id for c in definition.choices} <= {v for v, _ in field.choices}
    assert ("doc_number" in form.fields) == (kind.document is not None)

    data = {"occurred_at": "2026-03-02T09:00"}
    data.update(
        {f"fields__{d.id}": typed_input(d, "AH-0001") for d in kind.fields},
    )
    form = RecordForm(kind, officers, data)
    assert form.is_valid(), form.errors
    values = form.pack_fields()
    assert clean_fields(kind, values, strict=True) == values
    for definition in kind.fields:
        if definition.type == FieldType.DATETIME:
            assert values[definition.id] == "2026-03-02T09:30:00+08:00"
        if definition.type == FieldType.BOOLEAN:
            assert values[definition.id] is True


def test_correcting_starts_from_the_current_content():
    kind = next(k for k in all_packs()["anhui"].record_kinds if k.id == "ex_officio_start")

    version = SimpleNamespace(fields={"source": "complaint", "reason": "举报"}, occurred_at=now())
    initial = RecordForm.initial_from(kind, version)  # type: ignore[arg-type]
    form = RecordForm(kind, [], initial=initial, correcting=True)
    assert form["fields__reason"].value() == "举报"
    assert "reason" in form.fields


class Sample(forms.Form):
    number = forms.CharField()
    officers = forms.CharField()
    fields__reason = forms.CharField()


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("number", "number"),
        ("officers.0", "officers"),
        ("fields.reason", "fields__reason"),
        ("fields.unknown", None),
        ("", None),
    ],
)
def test_an_error_path_finds_its_field(path, field):
    assert field_for_path(Sample(), path) == field


def test_an_error_without_a_field_is_shown_for_the_whole_form():
    form = Sample({"number": "1", "officers": "x", "fields__reason": "y"})
    form.is_valid()
    attach_error(form, ActionError("不行。", "version"))
    assert form.non_field_errors() == ["不行。"]


def test_an_unticked_box_alone_is_no_entry():
    kind = RecordKind(
        id="note",
        label="说明",
        stage="initiation",
        citation="§1",
        fields=(
            FieldDef(id="flag", label="标记", type=FieldType.BOOLEAN),
            FieldDef(id="text", label="内容", type=FieldType.TEXT),
        ),
    )
    untouched = RecordFieldsForm(kind, [], {})
    assert untouched.is_valid() and not untouched.has_entries()
    filled = RecordFieldsForm(kind, [], {"fields__text": "有内容"})
    assert filled.is_valid() and filled.has_entries()
    assert filled.pack_fields() == {"flag": False, "text": "有内容"}
