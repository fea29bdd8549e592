"""Reading the device register: what a user may see, and one device's history in time order.
Shared by the web pages and the API."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from quancheng.agencies.models import User
from quancheng.agencies.permissions import visible_agencies
from quancheng.devices.models import Device, DeviceLoan


def visible_devices(user: User) -> QuerySet[Device]:
    """The devices of the agencies whose records ``user`` reads (a supervisor's: those below)."""
    return Device.objects.filter(agency__in=visible_agencies(user)).select_related(
        "agency", "keeper"
    )


def with_open_loans(devices: QuerySet[Device]) -> QuerySet[Device]:
    """``devices`` with the loan of each not yet returned fetched along in one query for the
    whole list (``open_loans``, read by ``open_loan``), not one query per device."""
    loans = DeviceLoan.objects.filter(returned__isnull=True).select_related("officer")
    return devices.prefetch_related(Prefetch("loans", queryset=loans, to_attr="open_loans"))


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    at: dt.datetime
    kind: str
    text: str
    by: str


def history(device: Device) -> list[HistoryEntry]:
    """Loans, returns, checks and events of the device, oldest first."""
    entries: list[HistoryEntry] = []

    def by(user: User | None) -> str:
        return str(user) if user else ""

    for loan in device.loans.select_related("officer", "created_by", "returned__created_by"):
        entries.append(
            HistoryEntry(
                loan.lent_at, "lent", _("Lent to %(o)s") % {"o": loan.officer}, by(loan.created_by)
            )
        )
        back = getattr(loan, "returned", None)
        if back is not None:
            entries.append(
                HistoryEntry(
                    back.returned_at,
                    "returned",
                    _("Returned by %(o)s") % {"o": loan.officer},
                    by(back.created_by),
                )
            )
    for check in device.checks.select_related("created_by"):
        verdict = _("ready") if check.ok else _("not ready")
        entries.append(
            HistoryEntry(
                check.checked_at,
                "checked",
                _("Checked: battery %(b)d%%, %(s)d MB free, %(v)s")
                % {"b": check.battery_percent, "s": check.free_storage_mb, "v": verdict},
                by(check.created_by),
            )
        )
    for event in device.events.select_related("created_by"):
        text = event.get_kind_display()
        if event.note:
            text = f"{text}: {event.note}"
        entries.append(HistoryEntry(event.occurred_at, event.kind, text, by(event.created_by)))
    entries.sort(key=lambda e: e.at)
    return entries


def open_loan(device: Device) -> DeviceLoan | None:
    """The loan of ``device`` not yet returned, if any (taken from ``open_loans`` when a list
    fetched it along: see ``with_open_loans``)."""
    fetched = getattr(device, "open_loans", None)
    if fetched is not None:
        return fetched[0] if fetched else None
    return device.loans.filter(returned__isnull=True).select_related("officer").first()
