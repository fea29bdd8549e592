"""The device register: list, register, one device with its history and the forms that
change it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from quancheng.agencies.models import Agency, User
from quancheng.agencies.requests import signed_in_user
from quancheng.agencies.roles import allowed
from quancheng.devices import actions
from quancheng.devices import events as device_events
from quancheng.devices import queries as device_queries
from quancheng.devices.choices import Capability, DeviceEventKind
from quancheng.devices.forms import (
    CheckForm,
    DeviceFilterForm,
    EventForm,
    LendForm,
    RegisterDeviceForm,
    ReturnForm,
)
from quancheng.devices.models import Device
from quancheng.devices.queries import history, visible_devices, with_open_loans
from quancheng.errors import ActionError
from quancheng.ledger.public import Actor
from quancheng.utilities.form_errors import attach_error


def _device(request: HttpRequest, serial: str) -> Device:
    device = visible_devices(signed_in_user(request)).filter(serial=serial).first()
    if device is None:
        raise Http404
    return device


def _home(user: User) -> Agency | None:
    agency = user.agency
    return agency.enforcement_agency if agency else None


@login_required
@require_GET
def device_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = DeviceFilterForm(request.GET or None)
    devices = visible_devices(user)
    if form.is_valid():
        if form.cleaned_data["status"]:
            devices = devices.filter(status=form.cleaned_data["status"])
        if form.cleaned_data["kind"]:
            devices = devices.filter(kind=form.cleaned_data["kind"])
    home = _home(user)
    rows = [(d, device_queries.open_loan(d)) for d in with_open_loans(devices)]
    return render(
        request,
        "devices/device_list.html",
        {
            "form": form,
            "rows": rows,
            "can_register": home is not None and actions.may_keep(user, home),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def device_register(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    home = _home(user)
    if home is None or not actions.may_keep(user, home):
        raise PermissionDenied
    form = RegisterDeviceForm(home, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            device = actions.register_device(
                Actor.from_request(request),
                home,
                serial=data["serial"],
                kind=data["kind"],
                model=data["model"],
                capabilities=data["capabilities"],
                keeper=data["keeper"],
            )
        except ActionError as error:
            attach_error(form, error)
        else:
            messages.success(request, _("Device %(s)s registered.") % {"s": device.serial})
            return redirect("devices:detail", serial=device.serial)
    return render(request, "devices/device_register.html", {"form": form})


def _event_kinds(device: Device, keeper: bool, user_ok: bool) -> list[str]:
    kinds: list[str] = []
    if user_ok and device.status == "in_service":
        kinds.append(DeviceEventKind.FAULT)
    if keeper:
        kinds += [
            k
            for k, allowed in device_events.ALLOWED_FROM.items()
            if k != DeviceEventKind.FAULT and device.status in allowed
        ]
    return kinds


@login_required
@require_GET
def device_detail(request: HttpRequest, serial: str) -> HttpResponse:
    device = _device(request, serial)
    user = signed_in_user(request)
    keeper = actions.may_keep(user, device.agency)
    user_ok = actions.may_use(user, device.agency)
    loan = device_queries.open_loan(device)
    in_service = device.status == "in_service"
    kinds = _event_kinds(device, keeper, user_ok)
    return render(
        request,
        "devices/device_detail.html",
        {
            "device": device,
            "loan": loan,
            "history": history(device),
            "capabilities": [Capability(c).label for c in device.capabilities],
            "lend_form": (
                LendForm(device.agency, prefix="lend")
                if keeper and in_service and not loan
                else None
            ),
            "return_form": ReturnForm(prefix="return") if keeper and loan else None,
            "check_form": CheckForm(prefix="check") if user_ok and in_service else None,
            "event_form": EventForm(kinds, prefix="event") if kinds else None,
        },
    )


ACT_ACTIONS = {"lend": "device.lend", "return": "device.return", "check": "device.check"}
EVENT_ACTIONS = {
    DeviceEventKind.FAULT: "device.report_fault",
    DeviceEventKind.REPAIR_STARTED: "device.start_repair",
    DeviceEventKind.REPAIR_ENDED: "device.end_repair",
    DeviceEventKind.RETIRED: "device.retire",
}


def _require(request: HttpRequest, device: Device, action: str) -> None:
    """403 where the roles refuse ``action`` (agencies/roles.py), not a message."""
    if action and not allowed(signed_in_user(request), action, agency=device.agency):
        raise PermissionDenied


@login_required
@require_POST
def device_act(request: HttpRequest, serial: str, what: str) -> HttpResponse:
    """Apply one of the device page's forms; a refusal comes back as a message."""
    device = _device(request, serial)
    actor = Actor.from_request(request)
    forms = {
        "lend": lambda: LendForm(device.agency, request.POST, prefix=what),
        "return": lambda: ReturnForm(request.POST, prefix=what),
        "check": lambda: CheckForm(request.POST, prefix=what),
        "event": lambda: EventForm(
            [k for k, _label in DeviceEventKind.choices], request.POST, prefix=what
        ),
    }
    if what not in forms:
        raise Http404
    _require(request, device, ACT_ACTIONS.get(what, ""))
    form = forms[what]()
    if not form.is_valid():
        _form_errors_as_messages(request, form)
        return redirect("devices:detail", serial=serial)
    data = form.cleaned_data
    _require(request, device, EVENT_ACTIONS[data["kind"]] if what == "event" else "")
    try:
        _apply(actor, device, what, data)
    except ActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Saved."))
    return redirect("devices:detail", serial=serial)


def _form_errors_as_messages(request: HttpRequest, form: Form) -> None:
    """Each invalid field's errors as one error message, headed by the field's label."""
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        # iterating an ErrorList gives its messages as str (the stubs say maybe not)
        text = " ".join(map(str, errors))
        messages.error(request, f"{label}: {text}" if label else text)


def _apply(actor: Actor, device: Device, what: str, data: dict[str, Any]) -> None:
    """Run the device action of form ``what`` with its cleaned ``data``; an action's
    refusal raises ``ActionError``."""
    if what == "lend":
        actions.lend_device(
            actor, device, data["officer"], lent_at=data["lent_at"], note=data["note"]
        )
    elif what == "return":
        actions.return_device(actor, device, returned_at=data["returned_at"], note=data["note"])
    elif what == "check":
        actions.check_device(
            actor,
            device,
            battery_percent=data["battery_percent"],
            free_storage_mb=data["free_storage_mb"],
            ok=data["ok"],
            checked_at=data["checked_at"],
            note=data["note"],
        )
    elif data["kind"] == DeviceEventKind.FAULT:
        device_events.report_fault(actor, device, data["note"], occurred_at=data["occurred_at"])
    else:
        do = {
            DeviceEventKind.REPAIR_STARTED: device_events.start_repair,
            DeviceEventKind.REPAIR_ENDED: device_events.end_repair,
            DeviceEventKind.RETIRED: device_events.retire_device,
        }[data["kind"]]
        do(actor, device, occurred_at=data["occurred_at"], note=data["note"])
