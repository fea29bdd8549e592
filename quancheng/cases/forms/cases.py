"""Forms for opening a case and filtering the case list. They parse what people type; the
actions check it against the pack."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from quancheng.agencies.models import Officer
from quancheng.cases.actions import PartyInput
from quancheng.cases.choices import PartyKind
from quancheng.cases.filtersets import CaseFilter
from quancheng.policies.choices import ActionType, StartMode
from quancheng.policies.schema import Pack, RecordKind
from quancheng.utilities.widgets import MomentField, datetime_input, now_minute

YES_NO_ANY = [("", _("Any")), ("yes", _("Yes")), ("no", _("No"))]


class OpenCaseForm(forms.Form):
    """The fields of ``open_case``; the start record comes from ``StartRecordForms``."""

    number = forms.CharField(label=_("Case number"), max_length=100)
    title = forms.CharField(label=_("Title"), max_length=300)
    action_types = forms.MultipleChoiceField(
        label=_("Action types"), widget=forms.CheckboxSelectMultiple
    )
    start_mode = forms.ChoiceField(
        label=_("Start mode"),
        choices=StartMode.choices,
        widget=forms.RadioSelect,
        initial=StartMode.EX_OFFICIO,
    )
    opened_at = MomentField(label=_("Opened"), widget=datetime_input())
    is_major = forms.BooleanField(
        label=_("Major decision"),
        required=False,
        help_text=_("Needs legal review and collective discussion before the decision."),
    )
    confidential = forms.BooleanField(label=_("Involves secrets or privacy"), required=False)
    officers = forms.ModelMultipleChoiceField(
        label=_("Officers"),
        queryset=Officer.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, pack: Pack, officers: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # self.fields holds copies of the fields declared above, typed as plain Fields
        cast(forms.MultipleChoiceField, self.fields["action_types"]).choices = [
            (a, ActionType(a).label) for a in pack.scope.action_types
        ]
        self.fields["opened_at"].initial = now_minute
        cast(forms.ModelMultipleChoiceField, self.fields["officers"]).queryset = officers

    def action_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "number": data["number"],
            "title": data["title"],
            "action_types": data["action_types"],
            "start_mode": data["start_mode"],
            "opened_at": data["opened_at"],
            "is_major": data["is_major"],
            "confidential": data["confidential"],
            "officers": list(data["officers"]),
        }


class PartyForm(forms.Form):
    # The initial kind lets an untouched extra row count as empty (a select always submits).
    kind = forms.ChoiceField(label=_("Kind"), choices=PartyKind.choices, initial=PartyKind.PERSON)
    name = forms.CharField(label=_("Name"), max_length=200)
    id_number = forms.CharField(label=_("Identity or credit code"), max_length=64, required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)

    def party(self) -> PartyInput:
        return PartyInput(**self.cleaned_data)


PartyFormSet = forms.formset_factory(PartyForm, extra=2)


def start_kinds(pack: Pack) -> dict[str, list[RecordKind]]:
    """For each start mode, the record kinds the pack requires in its first stage for a case
    started that way (anhui §7: 依职权 → the start record; 依申请 → application, acceptance)."""
    first = pack.stages[0].id
    kinds = {k.id: k for k in pack.record_kinds}
    found: dict[str, list[RecordKind]] = {mode: [] for mode in StartMode.values}
    for req in pack.requirements:
        mode = req.when.start_mode
        kind = kinds[req.kinds[0]]
        if mode is not None and kind.stage == first and kind not in found[mode]:
            found[mode].append(kind)
    return found


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class CaseFilterForm(forms.Form):
    """The case list's filters, read from the query string into a ``CaseFilter``."""

    q = forms.CharField(label=_("Number or title"), required=False, max_length=300)  # as the API
    stage = forms.ChoiceField(label=_("Stage"), required=False)
    action_type = forms.ChoiceField(
        label=_("Action type"), required=False, choices=[("", _("Any")), *ActionType.choices]
    )
    has_errors = forms.ChoiceField(label=_("Has errors"), required=False, choices=YES_NO_ANY)
    overdue = forms.ChoiceField(label=_("Overdue"), required=False, choices=YES_NO_ANY)
    closed = forms.ChoiceField(label=_("Closed"), required=False, choices=YES_NO_ANY)

    agency = forms.ChoiceField(label=_("Agency"), required=False)

    def __init__(
        self,
        stages: list[tuple[str, str]],
        agencies: list[tuple[str, str]],
        *args: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["stage"]).choices = [("", _("Any")), *stages]
        if len(agencies) > 1:  # a supervisor's list spans several agencies
            cast(forms.ChoiceField, self.fields["agency"]).choices = [("", _("Any")), *agencies]
        else:
            del self.fields["agency"]

    def case_filter(self) -> CaseFilter:
        if not self.is_valid():
            return CaseFilter()
        data = self.cleaned_data
        return CaseFilter(
            stage=data["stage"] or None,
            action_type=data["action_type"] or None,
            has_errors=_yes_no(data["has_errors"]),
            overdue=_yes_no(data["overdue"]),
            closed=_yes_no(data["closed"]),
            q=data["q"].strip() or None,
            agency=data.get("agency") or None,
        )
