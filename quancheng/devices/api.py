"""``/devices``: the device register (list, register, one device with its history; lend,
take back, check, fault, repair, retire)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from quancheng import bounds
from quancheng.agencies.models import User
from quancheng.agencies.requests import actor, caller
from quancheng.cases.guards import officers_by_cert
from quancheng.devices import actions
from quancheng.devices import events as device_events
from quancheng.devices import queries as device_queries
from quancheng.devices.choices import Capability, DeviceEventKind, DeviceKind, DeviceStatus
from quancheng.devices.models import Device
from quancheng.devices.queries import history, visible_devices, with_open_loans
from quancheng.utilities.schemas import Cert, In, Moment, NonBlank, Word, error_responses, local

router = Router(tags=["devices"])


class DeviceIn(In):
    serial: NonBlank = Field(max_length=64)
    kind: DeviceKind
    model: str = Field("", max_length=100)
    capabilities: list[Capability] = Field(default_factory=list)
    keeper: str | None = Field(
        None, max_length=150, description="Username of a device keeper of the agency."
    )


class LoanIn(In):
    officer: Cert = Field(description="Certificate number (执法证号) of the officer.")
    lent_at: Moment | None = None
    note: str = Field("", max_length=300)


class ReturnIn(In):
    returned_at: Moment | None = None
    note: str = Field("", max_length=300)


class CheckIn(In):
    battery_percent: int = Field(ge=0, le=100)
    free_storage_mb: int = Field(ge=0, le=bounds.INT_MAX)
    ok: bool = Field(description="Whether the device is fit for the work.")
    checked_at: Moment | None = None
    note: str = Field("", max_length=300)


class EventIn(In):
    kind: DeviceEventKind
    occurred_at: Moment | None = None
    note: str = Field("", max_length=300)


class HistoryOut(Schema):
    at: dt.datetime
    kind: str
    text: str
    by: str


class DeviceOut(Schema):
    serial: str
    kind: str
    model: str
    capabilities: list[str]
    status: DeviceStatus
    agency: str
    keeper: str | None
    lent_to: str | None = Field(description="Certificate number of the current holder.")


class DeviceDetailOut(DeviceOut):
    history: list[HistoryOut]


def _out(device: Device, detail: bool = False) -> dict[str, Any]:
    loan = device_queries.open_loan(device)
    out: dict[str, Any] = {
        "serial": device.serial,
        "kind": device.kind,
        "model": device.model,
        "capabilities": list(device.capabilities),
        "status": device.status,
        "agency": device.agency.code,
        "keeper": device.keeper.username if device.keeper else None,
        "lent_to": loan.officer.cert_no if loan else None,
    }
    if detail:
        out["history"] = [
            {"at": local(e.at), "kind": e.kind, "text": e.text, "by": e.by} for e in history(device)
        ]
    return out


def _device(request: HttpRequest, serial: Word) -> Device:
    device = visible_devices(caller(request)).filter(serial=serial).first()
    if device is None:
        raise HttpError(404, _("No such device."))
    return device


def _refuse_unless(allowed: bool) -> None:
    if not allowed:
        raise HttpError(403, _("You may not change this agency's device register."))


@router.get("", response={200: list[DeviceOut], **error_responses()}, summary="List devices")
def list_devices(
    request: HttpRequest, status: DeviceStatus | None = None, kind: DeviceKind | None = None
) -> list[dict[str, Any]]:
    devices = visible_devices(caller(request))
    if status:
        devices = devices.filter(status=status)
    if kind:
        devices = devices.filter(kind=kind)
    return [_out(d) for d in with_open_loans(devices)]


@router.post(
    "", response={201: DeviceOut, **error_responses(403, body=True)}, summary="Register a device"
)
def register(request: HttpRequest, payload: DeviceIn) -> Status:
    user = caller(request)
    if user.agency is None:
        raise HttpError(403, _("You may not change this agency's device register."))
    agency = user.agency.enforcement_agency
    _refuse_unless(actions.may_keep(user, agency))
    keeper = None
    if payload.keeper:
        keeper = User.objects.filter(username=payload.keeper).first()
        if keeper is None:
            raise HttpError(422, _("The keeper must be a device keeper of this agency."))
    device = actions.register_device(
        actor(request),
        agency,
        serial=payload.serial,
        kind=payload.kind,
        model=payload.model,
        capabilities=[str(c) for c in payload.capabilities],
        keeper=keeper,
    )
    return Status(201, _out(device))


@router.get(
    "/{serial}", response={200: DeviceDetailOut, **error_responses(404)}, summary="Get a device"
)
def get_device(request: HttpRequest, serial: Word) -> dict[str, Any]:
    """The device and its history: loans, returns, checks, faults, repairs, retirement."""
    return _out(_device(request, serial), detail=True)


@router.post(
    "/{serial}/loans",
    response={201: DeviceOut, **error_responses(403, 404, body=True)},
    summary="Lend a device",
)
def lend(request: HttpRequest, serial: Word, payload: LoanIn) -> Status:
    device = _device(request, serial)
    _refuse_unless(actions.may_keep(caller(request), device.agency))
    # scoped to the device's agency: another agency's number is as unknown as a made-up one
    officer = officers_by_cert(device.agency, [payload.officer], "officer")[0]
    actions.lend_device(actor(request), device, officer, lent_at=payload.lent_at, note=payload.note)
    return Status(201, _out(device))


@router.post(
    "/{serial}/return",
    response={201: DeviceOut, **error_responses(403, 404, body=True)},
    summary="Take a device back",
)
def give_back(request: HttpRequest, serial: Word, payload: ReturnIn) -> Status:
    device = _device(request, serial)
    _refuse_unless(actions.may_keep(caller(request), device.agency))
    actions.return_device(
        actor(request), device, returned_at=payload.returned_at, note=payload.note
    )
    return Status(201, _out(device))


@router.post(
    "/{serial}/checks",
    response={201: DeviceOut, **error_responses(403, 404, body=True)},
    summary="Record a pre-use check",
)
def check(request: HttpRequest, serial: Word, payload: CheckIn) -> Status:
    device = _device(request, serial)
    _refuse_unless(actions.may_use(caller(request), device.agency))
    actions.check_device(
        actor(request),
        device,
        battery_percent=payload.battery_percent,
        free_storage_mb=payload.free_storage_mb,
        ok=payload.ok,
        checked_at=payload.checked_at,
        note=payload.note,
    )
    return Status(201, _out(device))


KEEPER_EVENTS = {
    DeviceEventKind.REPAIR_STARTED: device_events.start_repair,
    DeviceEventKind.REPAIR_ENDED: device_events.end_repair,
    DeviceEventKind.RETIRED: device_events.retire_device,
}


@router.post(
    "/{serial}/events",
    response={201: DeviceOut, **error_responses(403, 404, body=True)},
    summary="Report a fault, start or end a repair, retire",
)
def event(request: HttpRequest, serial: Word, payload: EventIn) -> Status:
    """Officers may report faults; the keeper or the head starts and ends repairs and
    retires devices."""
    device = _device(request, serial)
    user = caller(request)
    allowed = (
        actions.may_use(user, device.agency)
        if payload.kind == DeviceEventKind.FAULT
        else actions.may_keep(user, device.agency)
    )
    _refuse_unless(allowed)
    if payload.kind == DeviceEventKind.FAULT:
        device_events.report_fault(
            actor(request), device, payload.note, occurred_at=payload.occurred_at
        )
    else:
        KEEPER_EVENTS[payload.kind](
            actor(request), device, occurred_at=payload.occurred_at, note=payload.note
        )
    device.refresh_from_db()
    return Status(201, _out(device))
