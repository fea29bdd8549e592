"""Faults, repairs and retirement of a device (hebei §24): each an event that may follow only
certain statuses, moves the device's status on, and is written with its fact."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from quancheng.devices.choices import STATUS_AFTER, DeviceEventKind, DeviceStatus
from quancheng.devices.models import Device, DeviceEvent
from quancheng.devices.queries import open_loan
from quancheng.devices.writes import device_fact, locked, moment_of, refresh_cases, require_right
from quancheng.errors import ActionError
from quancheng.ledger.public import Actor

# Which status each event may follow.
ALLOWED_FROM = {
    DeviceEventKind.FAULT: {DeviceStatus.IN_SERVICE},
    DeviceEventKind.REPAIR_STARTED: {DeviceStatus.IN_SERVICE},
    DeviceEventKind.REPAIR_ENDED: {DeviceStatus.UNDER_REPAIR},
    DeviceEventKind.RETIRED: {DeviceStatus.IN_SERVICE, DeviceStatus.UNDER_REPAIR},
}


def _event(
    actor: Actor,
    device: Device,
    kind: DeviceEventKind,
    occurred_at: dt.datetime | None,
    note: str,
    action: str,
) -> DeviceEvent:
    device = locked(device)
    require_right(actor, device.agency, action)
    moment = moment_of(occurred_at, "occurred_at")
    if device.status not in ALLOWED_FROM[kind]:
        raise ActionError(
            _("Device %(serial)s is %(status)s.")
            % {"serial": device.serial, "status": device.get_status_display()},
            "device",
        )
    latest = device.events.order_by("-occurred_at").first()
    if latest is not None and moment < latest.occurred_at:
        raise ActionError(_("This is earlier than the device's last event."), "occurred_at")
    if kind == DeviceEventKind.FAULT and not note.strip():
        raise ActionError(_("Describe the fault."), "note")
    if kind == DeviceEventKind.RETIRED and open_loan(device) is not None:
        raise ActionError(_("Take the device back before retiring it."), "device")
    item = DeviceEvent.objects.create(
        device=device, kind=kind, occurred_at=moment, note=note.strip(), created_by=actor.user
    )
    status = STATUS_AFTER.get(kind)
    if status is not None:
        device.status = status
        device.save(update_fields=["status"])
    device_fact(
        actor,
        device,
        f"device.{kind}",
        {"event": item.pk, "occurred_at": moment, "note": item.note, "status": device.status},
    )
    refresh_cases(device, moment)
    return item


@transaction.atomic
def report_fault(
    actor: Actor, device: Device, note: str, *, occurred_at: dt.datetime | None = None
) -> DeviceEvent:
    """An officer reports a fault and stops using the device (hebei §24)."""
    return _event(actor, device, DeviceEventKind.FAULT, occurred_at, note, "device.report_fault")


@transaction.atomic
def start_repair(
    actor: Actor, device: Device, *, occurred_at: dt.datetime | None = None, note: str = ""
) -> DeviceEvent:
    """The device goes to repair (hebei §24: 联系专业部门进行维修); it is out of service."""
    return _event(
        actor, device, DeviceEventKind.REPAIR_STARTED, occurred_at, note, "device.start_repair"
    )


@transaction.atomic
def end_repair(
    actor: Actor, device: Device, *, occurred_at: dt.datetime | None = None, note: str = ""
) -> DeviceEvent:
    """The device is back from repair and in service again."""
    return _event(
        actor, device, DeviceEventKind.REPAIR_ENDED, occurred_at, note, "device.end_repair"
    )


@transaction.atomic
def retire_device(
    actor: Actor, device: Device, *, occurred_at: dt.datetime | None = None, note: str = ""
) -> DeviceEvent:
    """Take the device out of the register for good; its history stays."""
    return _event(actor, device, DeviceEventKind.RETIRED, occurred_at, note, "device.retire")
