"""Changes to the device register: registering, lending and return, pre-use checks (faults,
repairs and retirement: ``events.py``). Each writes its row and a ledger fact in one
transaction.

Who may do what is in ``agencies/roles.py``: the device keeper keeps the register (register,
lend, take back, repair, retire), the keeper or the head names the keeper; an officer of the
agency may also record a pre-use check and report a fault. The system actor (imports, the
demo) may do everything.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from quancheng import bounds
from quancheng.agencies.choices import Role
from quancheng.agencies.models import Agency, Officer, User
from quancheng.agencies.roles import allowed, require
from quancheng.devices.choices import (
    Capability,
    DeviceKind,
    DeviceStatus,
)
from quancheng.devices.models import Device, DeviceCheck, DeviceLoan, DeviceReturn
from quancheng.devices.queries import open_loan
from quancheng.devices.writes import device_fact, locked, moment_of, refresh_cases, require_right
from quancheng.errors import ActionError
from quancheng.ledger.public import Actor, append_fact


def may_keep(user: User | None, agency: Agency) -> bool:
    """Whether ``user`` may keep the register of ``agency`` (None is the system actor)."""
    return allowed(user, "device.lend", agency=agency)


def may_use(user: User | None, agency: Agency) -> bool:
    """Whether ``user`` may record checks and report faults for ``agency``'s devices."""
    return allowed(user, "device.check", agency=agency)


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
        require_right(actor, agency, "device.register")


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
    device = locked(device)
    require_right(actor, device.agency, "device.set_keeper")
    _check_keeper(keeper, device.agency)
    device.keeper = keeper
    device.save(update_fields=["keeper"])
    device_fact(actor, device, "device.keeper_set", {"keeper": keeper.username})
    return device


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
    device = locked(device)
    require_right(actor, device.agency, "device.lend")
    moment = moment_of(lent_at, "lent_at")
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
    device_fact(
        actor,
        device,
        "device.lent",
        {"loan": loan.pk, "officer": officer.cert_no, "lent_at": moment, "note": loan.note},
    )
    refresh_cases(device, moment)
    return loan


@transaction.atomic
def return_device(
    actor: Actor, device: Device, *, returned_at: dt.datetime | None = None, note: str = ""
) -> DeviceReturn:
    """Take the device back: a new row closing the open loan."""
    device = locked(device)
    require_right(actor, device.agency, "device.return")
    moment = moment_of(returned_at, "returned_at")
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
    device_fact(
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
    refresh_cases(device, moment)
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
    device = locked(device)
    require_right(actor, device.agency, "device.check")
    moment = moment_of(checked_at, "checked_at")
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
    device_fact(
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
    refresh_cases(device, moment)
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
