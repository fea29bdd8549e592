"""What the API computes over a whole case: ``/cases/{id}/findings`` (the compliance engine,
afresh) and ``/recordings/due`` (recordings stored late, overdue or soon due)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from quancheng.agencies.requests import actor, caller
from quancheng.casefile.compliance import evaluate_case
from quancheng.casefile.due import due_recordings
from quancheng.cases import actions
from quancheng.cases.api.access import readable_case
from quancheng.utilities.schemas import In, Moment, error_responses, local

cases_router = Router(tags=["cases"])
recordings_router = Router(tags=["recordings"])


class FindingOut(Schema):
    rule_id: str
    citation: str
    severity: str
    message: str
    subject: str
    due_at: dt.datetime | None


class FindingsOut(Schema):
    case: int
    at: dt.datetime
    errors: int
    warnings: int
    next_deadline_at: dt.datetime | None
    findings: list[FindingOut]


@cases_router.get(
    "/{int:case_id}/findings",
    response={200: FindingsOut, **error_responses(404)},
    summary="Findings for a case",
)
def findings(request: HttpRequest, case_id: int, at: Moment | None = None) -> dict:
    """Evaluate the case now (or at ``at``, an ISO time with its zone) under its pack. Always
    computed afresh, never taken from the cached summary."""
    case = readable_case(request, case_id)
    moment = at or timezone.now()
    result = evaluate_case(case, moment)
    actions.record_case_viewed(actor(request), case, "findings")
    return {
        "case": case.pk,
        "at": local(moment),
        "errors": result.errors,
        "warnings": result.warnings,
        "next_deadline_at": local(result.next_deadline_at),
        "findings": [
            {
                "rule_id": f.rule_id,
                "citation": f.citation,
                "severity": f.severity,
                "message": f.message,
                "subject": f.subject,
                "due_at": local(f.due_at),
            }
            for f in result.findings
        ],
    }


class DueOut(Schema):
    recording: int
    case: int
    case_number: str
    device: str
    officers: list[str]
    ended_at: dt.datetime
    uploaded_at: dt.datetime | None
    due_at: dt.datetime | None
    state: str
    citation: str
    message: str


class DueQuery(In):
    state: Literal["late", "overdue", "due_soon"] | None = None
    device: str | None = Field(None, max_length=64, description="Device serial.")
    officer: str | None = Field(None, max_length=64, description="Officer certificate number.")


@recordings_router.get(
    "/due", response={200: list[DueOut], **error_responses()}, summary="Recordings due"
)
def due(request: HttpRequest, filters: Query[DueQuery]) -> list[dict[str, Any]]:
    """Recordings of the caller's cases stored late, overdue, or due soon, earliest deadline
    first, as the compliance engine computes them (anhui §17, culture-tourism §15)."""
    rows = due_recordings(
        caller(request),
        state=filters.state or "",
        device=filters.device or "",
        officer=filters.officer or "",
    )
    return [
        {
            "recording": r.recording_id,
            "case": r.case_id,
            "case_number": r.case_number,
            "device": r.device_serial,
            "officers": list(r.officer_certs),
            "ended_at": local(r.ended_at),
            "uploaded_at": local(r.uploaded_at),
            "due_at": local(r.due_at),
            "state": r.state,
            "citation": r.citation,
            "message": r.message,
        }
        for r in rows
    ]
