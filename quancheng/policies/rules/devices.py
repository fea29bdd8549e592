"""Audio-visual rules that read the device register and the evidence notes: the device in
service and lent to the recording's officers, checked before use, and the note for a
recording used as evidence."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from quancheng.policies.choices import Severity
from quancheng.policies.deadlines import CHINA
from quancheng.policies.engine import Context
from quancheng.policies.snapshot import DeviceSnap, RecordingSnap

IN_SERVICE = "in_service"
STATUS_LABELS = {
    "under_repair": gettext_lazy("under repair"),
    "retired": gettext_lazy("retired"),
}


def status_during(device: DeviceSnap, start: dt.datetime, end: dt.datetime) -> list[str]:
    """The statuses the device had at any moment of [start, end]: the one in force at
    ``start`` and every one it changed to before ``end``."""
    current = IN_SERVICE
    found: list[str] = []
    for moment, status in device.status_changes:
        if moment <= start:
            current = status
        elif moment <= end:
            found.append(status)
    return [current, *found]


def lent_at(device: DeviceSnap, moment: dt.datetime) -> set[str]:
    """Certificate numbers of the officers who held the device at ``moment``."""
    return {
        loan.officer_cert
        for loan in device.loans
        if loan.lent_at <= moment and (loan.returned_at is None or moment <= loan.returned_at)
    }


def pre_use_check(device: DeviceSnap | None, start: dt.datetime) -> tuple[dt.datetime, bool] | None:
    """The latest check of the device on the recording's day (China time) before it began."""
    if device is None:
        return None
    day = start.astimezone(CHINA).date()
    found = [
        (moment, ok)
        for moment, ok in device.checks
        if moment <= start and moment.astimezone(CHINA).date() == day
    ]
    return max(found, default=None, key=lambda item: item[0])


def device_checked(ctx: Context, recording: RecordingSnap) -> bool | None:
    """Whether the device was checked before this recording: a check in the register on the
    same day before it began decides; else what the recording itself says."""
    check = pre_use_check(ctx.case.devices.get(recording.device_serial), recording.started_at)
    if check is not None:
        return check[1]
    return recording.device_checked


def _clock(moment: dt.datetime) -> str:
    return moment.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")


def device_in_service(ctx: Context) -> None:
    """A recording made while its device was under repair or retired (hebei §24: a faulty
    device is not used until repaired)."""
    rule = ctx.pack.audio_visual.device_register
    if rule is None:
        return
    for recording in ctx.case.recordings:
        device = ctx.case.devices.get(recording.device_serial)
        if device is None:
            continue
        bad = [
            s
            for s in status_during(device, recording.started_at, recording.ended_at)
            if s != IN_SERVICE
        ]
        if bad:
            ctx.add(
                "av.device.out_of_service",
                rule.citation,
                Severity.ERROR,
                _("Device %(serial)s was %(status)s when this recording was made.")
                % {"serial": device.serial, "status": STATUS_LABELS.get(bad[0], bad[0])},
                f"recording:{recording.ref}",
            )


def device_lent(ctx: Context) -> None:
    """A recording whose device was not lent to any of its officers when it began. Only for
    devices the agency lends: a device never lent is not reported."""
    rule = ctx.pack.audio_visual.device_register
    if rule is None:
        return
    for recording in ctx.case.recordings:
        device = ctx.case.devices.get(recording.device_serial)
        if device is None or not device.loans:
            continue
        holders = lent_at(device, recording.started_at)
        if holders & set(recording.officer_certs):
            continue
        ctx.add(
            "av.device.not_lent",
            rule.citation,
            Severity.ERROR,
            _("Device %(serial)s was not lent to any officer of this recording at %(time)s.")
            % {"serial": device.serial, "time": _clock(recording.started_at)},
            f"recording:{recording.ref}",
        )


def evidence_notes(ctx: Context) -> None:
    """A recording used as evidence has a note of who took it, when and where (anhui §18,
    hebei §26, culture-tourism §17)."""
    rule = ctx.pack.audio_visual.evidence_note
    if rule is None:
        return
    for recording in ctx.case.recordings:
        if not recording.used_as_evidence:
            continue
        complete = any(
            note.taken_by and note.taken_at and note.place.strip()
            for note in recording.evidence_notes
        )
        if not complete:
            ctx.add(
                "av.evidence_note",
                rule.citation,
                Severity.ERROR,
                _(
                    "The recording is used as evidence, but no note says who took it, when "
                    "and where."
                ),
                f"recording:{recording.ref}",
            )


RULES = (device_in_service, device_lent, evidence_notes)
