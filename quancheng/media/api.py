"""``/recordings/{id}/evidence-note``: the evidence note of a recording."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from quancheng.agencies.requests import actor, caller
from quancheng.agencies.roles import require
from quancheng.cases.guards import officers_by_cert
from quancheng.media.access import readable_recording
from quancheng.media.evidence import add_evidence_note
from quancheng.utilities.schemas import Cert, In, LongText, Moment, NonBlank, error_responses, local

router = Router(tags=["recordings"])


class EvidenceNoteIn(In):
    taken_by: list[Cert] = Field(description="Certificate numbers of the officers who took it.")
    taken_at: Moment
    place: NonBlank = Field(max_length=300)
    matter: LongText = ""


class EvidenceNoteOut(Schema):
    recording: int
    taken_by: list[str]
    taken_at: dt.datetime
    place: str
    matter: str


@router.post(
    "/{recording_id}/evidence-note",
    response={201: EvidenceNoteOut, **error_responses(403, 404, body=True)},
    summary="Write the evidence note of a recording",
)
def evidence_note(request: HttpRequest, recording_id: int, payload: EvidenceNoteIn) -> Status:
    """Mark the recording as evidence and note who took it, when and where (anhui §18,
    hebei §26, culture-tourism §17)."""
    user = caller(request)
    recording = readable_recording(user, recording_id, "case", "agency")
    if recording is None:
        raise HttpError(404, _("No such recording."))
    require(user, "recording.evidence", case=recording.case)
    note = add_evidence_note(
        actor(request),
        recording,
        taken_by=officers_by_cert(recording.agency, list(payload.taken_by), "taken_by"),
        taken_at=payload.taken_at,
        place=payload.place,
        matter=payload.matter,
    )
    return Status(
        201,
        {
            "recording": recording.pk,
            "taken_by": list(payload.taken_by),
            "taken_at": local(note.taken_at),
            "place": note.place,
            "matter": note.matter,
        },
    )
