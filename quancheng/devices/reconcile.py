"""How the facts of the device register describe its rows (``quancheng.ledger.reconcile``):
devices, loans and returns, pre-use checks, faults, repairs and retirement.

Every fact is about its device; the loan, check or event it writes is named in the payload
(a return by its loan). Not proved by any fact: who wrote a row, and the note of a return
recorded before ``device.returned`` carried it."""

from __future__ import annotations

from typing import Any

from quancheng.ledger.reconcile import JSON, TEXT, TIME, VALUE, Expected, Table


def _model(name: str) -> Any:
    def get() -> Any:
        from quancheng.devices import models

        return getattr(models, name)

    return get


DEVICE, LOAN, RETURN = "devices_device", "devices_deviceloan", "devices_devicereturn"
CHECK, EVENT = "devices_devicecheck", "devices_deviceevent"

TABLES = [
    Table(
        DEVICE,
        _model("Device"),
        {
            "serial": ("serial", TEXT),
            "kind": ("kind", TEXT),
            "model": ("model", TEXT),
            "capabilities": ("capabilities", JSON),
            "keeper": ("keeper__username", TEXT),
            "status": ("status", TEXT),
        },
        agency="agency_id",
    ),
    Table(
        LOAN,
        _model("DeviceLoan"),
        {
            "device": ("device_id", VALUE),
            "officer": ("officer__cert_no", TEXT),
            "lent_at": ("lent_at", TIME),
            "note": ("note", TEXT),
        },
        agency="device__agency_id",
    ),
    Table(
        RETURN,
        _model("DeviceReturn"),
        {"returned_at": ("returned_at", TIME), "note": ("note", TEXT)},
        key="loan_id",
        agency="loan__device__agency_id",
    ),
    Table(
        CHECK,
        _model("DeviceCheck"),
        {
            "device": ("device_id", VALUE),
            "checked_at": ("checked_at", TIME),
            "battery_percent": ("battery_percent", VALUE),
            "free_storage_mb": ("free_storage_mb", VALUE),
            "ok": ("ok", VALUE),
            "note": ("note", TEXT),
        },
        agency="device__agency_id",
    ),
    Table(
        EVENT,
        _model("DeviceEvent"),
        {
            "device": ("device_id", VALUE),
            "kind": ("kind", TEXT),
            "occurred_at": ("occurred_at", TIME),
            "note": ("note", TEXT),
        },
        agency="device__agency_id",
    ),
]


def _registered(expected: Expected, subject: str, p: dict[str, Any]) -> None:
    expected.row(
        DEVICE, subject, serial=p["serial"], kind=p["kind"], model=p["model"],
        capabilities=p["capabilities"], keeper=p["keeper"], status="in_service",
    )  # fmt: skip


def _keeper(expected: Expected, subject: str, p: dict[str, Any]) -> None:
    expected.row(DEVICE, subject, keeper=p["keeper"])


def _lent(expected: Expected, subject: str, p: dict[str, Any]) -> None:
    expected.row(DEVICE, subject)
    expected.row(
        LOAN, p["loan"], device=int(subject), officer=p["officer"], lent_at=p["lent_at"],
        note=p["note"],
    )  # fmt: skip


def _returned(expected: Expected, subject: str, p: dict[str, Any]) -> None:
    expected.row(DEVICE, subject)
    # the note is in the facts written since 2026-12 (older returns do not prove it)
    note = {"note": p["note"]} if "note" in p else {}
    expected.row(RETURN, p["loan"], returned_at=p["returned_at"], **note)


def _checked(expected: Expected, subject: str, p: dict[str, Any]) -> None:
    expected.row(DEVICE, subject)
    values = {k: p[k] for k in ("checked_at", "battery_percent", "free_storage_mb", "ok", "note")}
    expected.row(CHECK, p["check"], device=int(subject), **values)


def _event(kind: str) -> Any:
    def fold(expected: Expected, subject: str, p: dict[str, Any]) -> None:
        expected.row(DEVICE, subject, status=p["status"])
        expected.row(
            EVENT, p["event"], device=int(subject), kind=kind, occurred_at=p["occurred_at"],
            note=p["note"],
        )  # fmt: skip

    return fold


FOLDS = {
    "device.registered": _registered,
    "device.keeper_set": _keeper,
    "device.lent": _lent,
    "device.returned": _returned,
    "device.checked": _checked,
    **{
        f"device.{kind}": _event(kind)
        for kind in ("fault", "repair_started", "repair_ended", "retired")
    },
}


def register() -> None:
    from quancheng.ledger import reconcile

    reconcile.register(tables=TABLES, folds=FOLDS)
