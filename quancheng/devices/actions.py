"""Changes to the device register: registering, lending and return, pre-use checks, faults,
repairs and retirement. Each writes its row and a ledger fact in one transaction.

Who may do what is in ``agencies/roles.py``: the device keeper keeps the register (register,
lend, take back, repair, retire), the keeper or the head names the keeper; an officer of the
agency may also record a pre-use check and report a fault. The system actor (imports, the
demo) may do everything.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from quancheng import bounds
from quancheng.agencies.choices import Role
from quancheng.agencies.models import Agency, Officer, User
from quancheng.agencies.roles import NotAllowed, allowed, require
from quancheng.bounds import require_aware
from quancheng.devices.choices import (
    STATUS_AFTER,
    Capability,
    DeviceEventKind,
    DeviceKind,
    DeviceStatus,
)
from quancheng.devices.models import Device, DeviceCheck, DeviceEvent, DeviceLoan, DeviceReturn
from quancheng.errors import ActionError
from quancheng.ledger.actions import append_fact
from quancheng.ledger.context import Actor


def may_keep(user: User | None, agency: Agency) -> bool:
    """Whether ``user`` may keep the register of ``agency`` (None is the system actor)."""
    return allowed(user, "device.lend", agency=agency)


def may_use(user: User | None, agency: Agency) -> bool:
    """Whether ``user`` may record checks and report faults for ``agency``'s devices."""
    return allowed(user, "device.check", agency=agency)


def _require(actor: Actor, agency: Agency, action: str) -> None:
    if not allowed(actor.user, action, agency=agency):
        raise NotAllowed(_("You may not change this agency's device register."), "device")


def _moment(value: dt.datetime | None, path: str) -> dt.datetime:
    require_aware(value, path)
    moment = value or timezone.now()
    if moment > timezone.now() + dt.timedelta(minutes=5):
        raise ActionError(_("This time is in the future."), path)
    return moment


def _fact(actor: Actor, device: Device, kind: str, payload: dict) -> None:
    append_fact(
        actor, kind, ("device", device.pk), {"serial": device.serial, **payload}, device.agency
    )


def _refresh_cases(device: Device, since: dt.datetime) -> None:
    """Cases with recordings of the device from the day before ``since`` on may now read
    differently (a back-dated repair, a check, a loan): refresh their summaries."""
    from quancheng.cases.compliance import deferred_refresh, schedule_refresh
    from quancheng.cases.models import Case

    with deferred_refresh():  # one batch of snapshots for all of them
        for case in Case.objects.filter(
            recordings__device=device, recordings__ended_at__gte=since - dt.timedelta(days=1)
        ).distinct():
            schedule_refresh(case)


@transaction.atomic
def register_device(
    actor: Actor,
    agency: Agency,
    *,
    serial: str,
    kind: str,
    model: str = "",
    capabilities: list[str] | None = None,
    keeper: User | None = None,
    from_case_file: bool = False,
) -> Device:
    """Enter a device in the agency's register (hebei §22). A keeper or the head does it;
    a device first named by an imported case file (``from_case_file``) is entered by
    whoever may import that case."""
    _require_registrar(actor, agency, from_case_file)
    serial = serial.strip()
    caps = capabilities or []
    _check_registration(serial, kind, caps)
    _check_keeper(keeper, agency)
    device = _insert_device(agency, serial, kind, model, caps, keeper)
    append_fact(
        actor,
        "device.registered",
        ("device", device.pk),
        {
            "serial": serial,
            "kind": kind,
            "model": model,
            "capabilities": caps,
            "keeper": keeper.username if keeper else None,
            "from_case_file": from_case_file,
        },
        agency,
    )
    return device


def _require_registrar(actor: Actor, agency: Agency, from_case_file: bool) -> None:
    """Refuse an actor who may not register devices of ``agency`` (for a device named by a
    case file: who may not open a case there)."""
    if from_case_file:
        require(actor.user, "case.open", agency=agency)
    else:
        _require(actor, agency, "device.register")


def _check_registration(serial: str, kind: str, caps: list[str]) -> None:
    """Refuse an empty serial number, an unknown kind and unknown capabilities."""
    if not serial:
        raise ActionError(_("A device needs a serial number."), "serial")
    if kind not in DeviceKind.values:
        raise ActionError(_("Unknown device kind “%(k)s”.") % {"k": kind}, "kind")
    for index, cap in enumerate(caps):
        if cap not in Capability.values:
            raise ActionError(
                _("Unknown capability “%(c)s”.") % {"c": cap}, f"capabilities.{index}"
            )


def _insert_device(
    agency: Agency, serial: str, kind: str, model: str, caps: list[str], keeper: User | None
) -> Device:
    """Create the Device row in a savepoint; a serial number already registered is refused."""
    try:
        with transaction.atomic():
            device = Device.objects.create(
                agency=agency,
                serial=serial,
                kind=kind,
                model=model,
                capabilities=caps,
                keeper=keeper,
            )
    except IntegrityError:
        raise ActionError(
            _("Device %(serial)s is already registered.") % {"serial": serial}, "serial"
        ) from None
    return device


def _check_keeper(keeper: User | None, agency: Agency) -> None:
    if keeper is None:
        return
    if not (
        keeper.agency is not None
        and keeper.agency.enforcement_agency.pk == agency.enforcement_agency.pk
        and keeper.has_role(Role.DEVICE_KEEPER)
    ):
        raise ActionError(_("The keeper must be a device keeper of this agency."), "keeper")


@transaction.atomic
def set_keeper(actor: Actor, device: Device, keeper: User) -> Device:
    """Name the person who keeps the device (hebei §22: 明确专门人员)."""
    device = _locked(device)
    _require(actor, device.agency, "device.set_keeper")
    _check_keeper(keeper, device.agency)
    device.keeper = keeper
    device.save(update_fields=["keeper"])
    _fact(actor, device, "device.keeper_set", {"keeper": keeper.username})
    return device


def _locked(device: Device) -> Device:
    return Device.objects.select_for_update().select_related("agency").get(pk=device.pk)


def open_loan(device: Device) -> DeviceLoan | None:
    """The loan of ``device`` not yet returned, if any (taken from ``open_loans`` when a list
    fetched it along: see ``queries.with_open_loans``)."""
    fetched = getattr(device, "open_loans", None)
    if fetched is not None:
        return fetched[0] if fetched else None
    return device.loans.filter(returned__isnull=True).select_related("officer").first()


@transaction.atomic
def lend_device(
    actor: Actor,
    device: Device,
    officer: Officer,
    *,
    lent_at: dt.datetime | None = None,
    note: str = "",
) -> DeviceLoan:
    """Hand the device to an officer of the agency, who holds it until it is returned."""
    device = _locked(device)
    _require(actor, device.agency, "device.lend")
    moment = _moment(lent_at, "lent_at")
    if officer.agency.enforcement_agency.pk != device.agency.enforcement_agency.pk:
        raise ActionError(_("The officer belongs to another agency."), "officer")
    if device.status != DeviceStatus.IN_SERVICE:
        raise ActionError(
            _("Device %(serial)s is %(status)s and cannot be lent.")
            % {"serial": device.serial, "status": device.get_status_display()},
            "device",
        )
    current = open_loan(device)
    if current is not None:
        raise ActionError(
            _("Device %(serial)s is already lent to %(officer)s.")
            % {"serial": device.serial, "officer": current.officer},
            "device",
        )
    last = device.loans.filter(returned__returned_at__gt=moment).exists()
    if last:
        raise ActionError(_("The device was still lent at that time."), "lent_at")
    loan = DeviceLoan.objects.create(
        device=device, officer=officer, lent_at=moment, note=note.strip(), created_by=actor.user
    )
    _fact(
        actor,
        device,
        "device.lent",
        {"loan": loan.pk, "officer": officer.cert_no, "lent_at": moment, "note": loan.note},
    )
    _refresh_cases(device, moment)
    return loan


@transaction.atomic
def return_device(
    actor: Actor, device: Device, *, returned_at: dt.datetime | None = None, note: str = ""
) -> DeviceReturn:
    """Take the device back: a new row closing the open loan."""
    device = _locked(device)
    _require(actor, device.agency, "device.return")
    moment = _moment(returned_at, "returned_at")
    loan = open_loan(device)
    if loan is None:
        raise ActionError(
            _("Device %(serial)s is not lent to anyone.") % {"serial": device.serial}, "device"
        )
    if moment < loan.lent_at:
        raise ActionError(_("A device cannot come back before it was lent."), "returned_at")
    item = DeviceReturn.objects.create(
        loan=loan, returned_at=moment, note=note.strip(), created_by=actor.user
    )
    _fact(
        actor,
        device,
        "device.returned",
        {
            "loan": loan.pk,
            "officer": loan.officer.cert_no,
            "returned_at": moment,
            "note": item.note,
        },
    )
    _refresh_cases(device, moment)
    return item


@transaction.atomic
def check_device(
    actor: Actor,
    device: Device,
    *,
    battery_percent: int,
    free_storage_mb: int,
    ok: bool,
    checked_at: dt.datetime | None = None,
    note: str = "",
) -> DeviceCheck:
    """Record the check before use: battery and free storage (hebei §22, culture-tourism
    §12, shanxi §13). ``ok`` says whether the device is fit for the work."""
    device = _locked(device)
    _require(actor, device.agency, "device.check")
    moment = _moment(checked_at, "checked_at")
    _check_readings(device, battery_percent, free_storage_mb)
    item = DeviceCheck.objects.create(
        device=device,
        checked_at=moment,
        battery_percent=battery_percent,
        free_storage_mb=free_storage_mb,
        ok=ok,
        note=note.strip(),
        created_by=actor.user,
    )
    _fact(
        actor,
        device,
        "device.checked",
        {
            "check": item.pk,
            "checked_at": moment,
            "battery_percent": battery_percent,
            "free_storage_mb": free_storage_mb,
            "ok": ok,
            "note": item.note,
        },
    )
    _refresh_cases(device, moment)
    return item


def _check_readings(device: Device, battery_percent: int, free_storage_mb: int) -> None:
    """Refuse a battery outside 0–100 %, a free storage out of range and a device that is
    not in service."""
    if not 0 <= battery_percent <= 100:
        raise ActionError(_("Battery is a percentage from 0 to 100."), "battery_percent")
    if free_storage_mb < 0:
        raise ActionError(_("Free storage cannot be negative."), "free_storage_mb")
    if free_storage_mb > bounds.INT_MAX:
        raise ActionError(_("Must be at most %(n)s.") % {"n": bounds.INT_MAX}, "free_storage_mb")
    if device.status != DeviceStatus.IN_SERVICE:
        raise ActionError(
            _("Device %(serial)s is %(status)s; it cannot be checked for use.")
            % {"serial": device.serial, "status": device.get_status_display()},
            "device",
        )


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
    device = _locked(device)
    _require(actor, device.agency, action)
    moment = _moment(occurred_at, "occurred_at")
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
    _fact(
        actor,
        device,
        f"device.{kind}",
        {"event": item.pk, "occurred_at": moment, "note": item.note, "status": device.status},
    )
    _refresh_cases(device, moment)
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
