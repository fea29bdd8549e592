"""Changes to the device register."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from quancheng.agencies.models import Agency
from quancheng.cases.validation import ActionError
from quancheng.devices.choices import Capability, DeviceKind
from quancheng.devices.models import Device
from quancheng.ledger.actions import append_fact
from quancheng.ledger.context import Actor


@transaction.atomic
def register_device(
    actor: Actor,
    agency: Agency,
    *,
    serial: str,
    kind: str,
    model: str = "",
    capabilities: list[str] | None = None,
) -> Device:
    """Enter a device in the agency's register (hebei §22)."""
    serial = serial.strip()
    if not serial:
        raise ActionError(_("A device needs a serial number."), "serial")
    if kind not in DeviceKind.values:
        raise ActionError(_("Unknown device kind “%(k)s”.") % {"k": kind}, "kind")
    caps = capabilities or []
    for index, cap in enumerate(caps):
        if cap not in Capability.values:
            raise ActionError(
                _("Unknown capability “%(c)s”.") % {"c": cap}, f"capabilities.{index}"
            )
    try:
        with transaction.atomic():
            device = Device.objects.create(
                agency=agency, serial=serial, kind=kind, model=model, capabilities=caps
            )
    except IntegrityError:
        raise ActionError(
            _("Device %(serial)s is already registered.") % {"serial": serial}, "serial"
        ) from None
    append_fact(
        actor,
        "device.registered",
        ("device", device.pk),
        {"serial": serial, "kind": kind, "model": model, "capabilities": caps},
        agency,
    )
    return device
