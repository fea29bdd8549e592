"""What every change of the device register does: check the right to it, take its moment,
lock the device's row, append its fact, and refresh the cases whose recordings it touches."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from quancheng.agencies.models import Agency
from quancheng.agencies.roles import NotAllowed, allowed
from quancheng.bounds import require_aware
from quancheng.devices.models import Device
from quancheng.errors import ActionError
from quancheng.ledger.public import Actor, append_fact


def require_right(actor: Actor, agency: Agency, action: str) -> None:
    if not allowed(actor.user, action, agency=agency):
        raise NotAllowed(_("You may not change this agency's device register."), "device")


def moment_of(value: dt.datetime | None, path: str) -> dt.datetime:
    require_aware(value, path)
    moment = value or timezone.now()
    if moment > timezone.now() + dt.timedelta(minutes=5):
        raise ActionError(_("This time is in the future."), path)
    return moment


def device_fact(actor: Actor, device: Device, kind: str, payload: dict) -> None:
    append_fact(
        actor, kind, ("device", device.pk), {"serial": device.serial, **payload}, device.agency
    )


def refresh_cases(device: Device, since: dt.datetime) -> None:
    """Cases with recordings of the device from the day before ``since`` on may now read
    differently (a back-dated repair, a check, a loan): refresh their summaries."""
    from quancheng.cases.compliance import deferred_refresh, schedule_refresh
    from quancheng.cases.models import Case

    with deferred_refresh():  # one batch of snapshots for all of them
        for case in Case.objects.filter(
            recordings__device=device, recordings__ended_at__gte=since - dt.timedelta(days=1)
        ).distinct():
            schedule_refresh(case)


def locked(device: Device) -> Device:
    return Device.objects.select_for_update().select_related("agency").get(pk=device.pk)
