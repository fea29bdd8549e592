"""The agency's list of recordings stored late, overdue or soon due, as the compliance
engine computes them (anhui §17, culture-tourism §15), so the list and the case pages agree."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from quancheng.agencies.models import User
from quancheng.casefile.snapshots import load_snapshots
from quancheng.cases.compliance import gap_tolerance
from quancheng.cases.models import Case
from quancheng.policies.engine import Finding, evaluate
from quancheng.policies.registry import get_pack
from quancheng.policies.snapshot import CaseSnap, RecordingSnap
from quancheng.policies.workdays import WorkCalendar, default_calendar

# Engine rule ids → the state shown in the list.
STATES = {
    "av.upload.late": "late",
    "av.upload.overdue": "overdue",
    "av.upload.due_soon": "due_soon",
}


@dataclass(frozen=True, slots=True)
class DueRecording:
    recording_id: int
    case_id: int
    case_number: str
    device_serial: str
    officer_certs: tuple[str, ...]
    ended_at: dt.datetime
    uploaded_at: dt.datetime | None
    due_at: dt.datetime | None
    state: str
    citation: str
    message: str


def due_recordings(
    user: User,
    *,
    at: dt.datetime | None = None,
    state: str = "",
    device: str = "",
    officer: str = "",
    calendar: WorkCalendar | None = None,
) -> list[DueRecording]:
    """Recordings of the cases ``user`` may read that were stored late, are overdue or are
    due soon, earliest deadline first; ``state``, ``device`` (serial) and ``officer``
    (certificate number) narrow the list."""
    at = at or timezone.now()
    calendar = calendar or default_calendar()
    rows: list[DueRecording] = []
    for snap in load_snapshots(_case_ids(user, device, officer)).values():
        result = evaluate(snap, get_pack(snap.pack_id), at, calendar, gap_tolerance())
        rows += _due_rows(snap, result.findings, state, device, officer)
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    rows.sort(key=lambda r: (r.due_at or far, r.recording_id))
    return rows


def _case_ids(user: User, device: str, officer: str) -> list[int]:
    """The ids of the cases ``user`` may read that have recordings, of ``device`` and by
    ``officer`` where given."""
    cases = Case.objects.visible_to(user).filter(recordings__isnull=False)
    if device:
        cases = cases.filter(recordings__device__serial=device)
    if officer:
        cases = cases.filter(recordings__officers__cert_no=officer)
    return list(cases.values_list("id", flat=True).distinct())


def _due_rows(
    snap: CaseSnap, findings: list[Finding], state: str, device: str, officer: str
) -> list[DueRecording]:
    """The rows of one case's upload deadline findings, narrowed by ``state``, ``device``
    and ``officer`` where given, in the order of the findings."""
    recordings = {r.ref: r for r in snap.recordings}
    rows: list[DueRecording] = []
    for finding in findings:
        found = STATES.get(finding.rule_id)
        if found is None or (state and found != state):
            continue
        recording = recordings[finding.subject.removeprefix("recording:")]
        if device and recording.device_serial != device:
            continue
        if officer and officer not in recording.officer_certs:
            continue
        rows.append(_due_row(snap, recording, finding, found))
    return rows


def _due_row(
    snap: CaseSnap, recording: RecordingSnap, finding: Finding, state: str
) -> DueRecording:
    """One list row: the recording, its case and the finding shown as ``state``."""
    return DueRecording(
        recording_id=int(recording.ref),
        case_id=int(snap.ref),
        case_number=snap.number,
        device_serial=recording.device_serial,
        officer_certs=recording.officer_certs,
        ended_at=recording.ended_at,
        uploaded_at=recording.uploaded_at,
        due_at=finding.due_at,
        state=state,
        citation=finding.citation,
        message=finding.message,
    )
