"""Forms of the device pages: register, lend, return, check, event; the due-list filters."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from quancheng import bounds
from quancheng.agencies.models import Agency, Officer, User
from quancheng.devices.choices import Capability, DeviceEventKind, DeviceKind, DeviceStatus
from quancheng.policies.choices import Role
from quancheng.utilities.widgets import MomentField, datetime_input, now_minute


class RegisterDeviceForm(forms.Form):
    serial = forms.CharField(label=_("Serial number"), max_length=64)
    kind = forms.ChoiceField(label=_("Kind"), choices=DeviceKind.choices)
    model = forms.CharField(label=_("Model"), max_length=100, required=False)
    capabilities = forms.MultipleChoiceField(
        label=_("Capabilities"),
        choices=Capability.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    keeper = forms.ModelChoiceField(label=_("Keeper"), queryset=User.objects.none(), required=False)

    def __init__(self, agency: Agency, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        keepers = User.objects.filter(agency__path__startswith=agency.path, is_active=True)
        self.fields["keeper"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            pk__in=[u.pk for u in keepers if u.has_role(Role.DEVICE_KEEPER)]
        )


class LendForm(forms.Form):
    officer = forms.ModelChoiceField(label=_("Officer"), queryset=Officer.objects.none())
    lent_at = MomentField(label=_("Lent"), widget=datetime_input(), initial=now_minute)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, agency: Agency, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["officer"].queryset = Officer.objects.filter(  # type: ignore[attr-defined]
            agency__path__startswith=agency.path
        )


class ReturnForm(forms.Form):
    returned_at = MomentField(label=_("Returned"), widget=datetime_input(), initial=now_minute)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class CheckForm(forms.Form):
    battery_percent = forms.IntegerField(label=_("Battery (%)"), min_value=0, max_value=100)
    free_storage_mb = forms.IntegerField(
        label=_("Free storage (MB)"), min_value=0, max_value=bounds.INT_MAX
    )
    ok = forms.BooleanField(label=_("Ready for use"), required=False)
    checked_at = MomentField(label=_("Checked"), widget=datetime_input(), initial=now_minute)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class EventForm(forms.Form):
    kind = forms.ChoiceField(label=_("Event"), choices=DeviceEventKind.choices)
    occurred_at = MomentField(label=_("When"), widget=datetime_input(), initial=now_minute)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, kinds: list[str], *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["kind"].choices = [  # type: ignore[attr-defined]
            (k, label) for k, label in DeviceEventKind.choices if k in kinds
        ]


class DeviceFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any")), *DeviceStatus.choices], required=False
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("Any")), *DeviceKind.choices], required=False
    )
