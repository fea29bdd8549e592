"""A recording used as evidence, and the note the packs ask for: who took it, when, where
(anhui §18, hebei §26, culture-tourism §17)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from quancheng.agencies.models import Officer
from quancheng.bounds import require_aware
from quancheng.cases.compliance import schedule_refresh
from quancheng.cases.guards import ensure_writable
from quancheng.cases.models import Case
from quancheng.errors import ActionError
from quancheng.ledger.public import Actor, append_fact
from quancheng.media.models import EvidenceNote, Recording


def _case_of(recording: Recording) -> Case:
    if recording.case is None:
        raise ActionError(_("The recording belongs to no case."), "recording")
    return recording.case


@transaction.atomic
def use_as_evidence(actor: Actor, recording: Recording) -> Recording:
    """Mark the recording as evidence in its case; from then on the pack's note is due."""
    case = _case_of(recording)
    ensure_writable(actor, case, "recording.evidence")
    if recording.used_as_evidence:
        return recording
    recording.used_as_evidence = True
    recording.save(update_fields=["used_as_evidence"])
    append_fact(
        actor,
        "recording.used_as_evidence",
        ("recording", recording.pk),
        {"case": recording.case_id},
        recording.agency,
    )
    schedule_refresh(case)
    return recording


@transaction.atomic
def add_evidence_note(
    actor: Actor,
    recording: Recording,
    *,
    taken_by: list[Officer],
    taken_at: dt.datetime,
    place: str,
    matter: str = "",
) -> EvidenceNote:
    """Write the note for a recording used as evidence; it marks the recording as evidence."""
    case = _case_of(recording)
    ensure_writable(actor, case, "recording.evidence")
    require_aware(taken_at, "taken_at")
    if not taken_by:
        raise ActionError(_("Name the officers who took the recording."), "taken_by")
    home = recording.agency.enforcement_agency.pk
    for index, officer in enumerate(taken_by):
        if officer.agency.enforcement_agency.pk != home:
            raise ActionError(_("The officer belongs to another agency."), f"taken_by.{index}")
    if taken_at is None:
        raise ActionError(_("Say when the recording was taken."), "taken_at")
    if not place.strip():
        raise ActionError(_("Say where the recording was taken."), "place")
    if not recording.used_as_evidence:
        use_as_evidence(actor, recording)
    note = EvidenceNote.objects.create(
        recording=recording,
        taken_at=taken_at,
        place=place.strip(),
        matter=matter.strip(),
        created_by=actor.user,
    )
    note.taken_by.add(*taken_by)
    append_fact(
        actor,
        "recording.evidence_note",
        ("recording", recording.pk),
        {
            "note": note.pk,
            "taken_by": [o.cert_no for o in taken_by],
            "taken_at": taken_at,
            "place": note.place,
            "matter": note.matter,
        },
        recording.agency,
    )
    schedule_refresh(case)
    return note
