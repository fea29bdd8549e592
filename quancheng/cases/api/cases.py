"""``/cases``: list, open, read; move a case to another stage; end it; its findings."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import HttpError

from quancheng.agencies.permissions import can_open_case
from quancheng.agencies.requests import actor, caller
from quancheng.cases import actions, guards
from quancheng.cases.api import render
from quancheng.cases.api.access import readable_case, writable_case
from quancheng.cases.api.schemas import (
    CaseIn,
    CaseOut,
    CasePageOut,
    CaseQuery,
    EndIn,
    StageIn,
)
from quancheng.cases.filtersets import CaseFilter
from quancheng.cases.models import Case
from quancheng.utilities.schemas import error_responses

router = Router(tags=["cases"])


@router.get("", response={200: CasePageOut, **error_responses()}, summary="List cases")
def list_cases(request: HttpRequest, filters: Query[CaseQuery]) -> dict:
    """The cases the caller may read, newest first, filtered and a page at a time."""
    chosen = CaseFilter(
        stage=filters.stage,
        action_type=filters.action_type,
        has_errors=filters.has_errors,
        overdue=filters.overdue,
        closed=filters.closed,
        agency=filters.agency,
        pack=filters.pack,
        q=filters.q,
    )
    cases = chosen.apply(Case.objects.visible_to(caller(request)))
    start = (filters.page - 1) * filters.page_size
    page = cases.values(*render.SUMMARY_VALUES)[start : start + filters.page_size]
    return {
        "count": cases.count(),
        "page": filters.page,
        "page_size": filters.page_size,
        "items": [render.summary_of_row(row) for row in page],
    }


@router.post("", response={201: CaseOut, **error_responses(403, body=True)}, summary="Open a case")
def open_case(request: HttpRequest, payload: CaseIn) -> Status:
    """Open a case in the caller's agency, under the agency's pack, at its first stage."""
    user = caller(request)
    if not can_open_case(user) or user.agency is None:  # can_open_case needs an agency too
        raise HttpError(403, _("Your role cannot open cases."))
    agency = user.agency.enforcement_agency
    case = actions.open_case(
        actor(request),
        agency,
        number=payload.number,
        title=payload.title,
        action_types=[str(a) for a in payload.action_types],
        start_mode=str(payload.start_mode),
        opened_at=payload.opened_at,
        is_major=payload.is_major,
        confidential=payload.confidential,
        officers=guards.officers_by_cert(agency, payload.officers) if payload.officers else [],
        parties=[actions.PartyInput(**p.model_dump()) for p in payload.parties],
    )
    return Status(201, render.case_detail(readable_case(request, case.pk)))


@router.get("/{int:case_id}", response={200: CaseOut, **error_responses(404)}, summary="Get a case")
def get_case(request: HttpRequest, case_id: int) -> dict:
    """The case with its parties, officers, stages and compliance summary. The access is
    logged."""
    case = readable_case(request, case_id)
    actions.record_case_viewed(actor(request), case, "case")
    return render.case_detail(case)


@router.post(
    "/{int:case_id}/stage",
    response={200: CaseOut, **error_responses(403, 404, body=True)},
    summary="Move a case to a stage",
)
def move_stage(request: HttpRequest, case_id: int, payload: StageIn) -> dict:
    case = writable_case(request, case_id, "case.move_stage")
    actions.move_to_stage(actor(request), case, payload.stage)
    return render.case_detail(readable_case(request, case_id))


@router.post(
    "/{int:case_id}/end",
    response={200: CaseOut, **error_responses(403, 404, body=True)},
    summary="End a case",
)
def end_case(request: HttpRequest, case_id: int, payload: EndIn) -> dict:
    """The enforcement action has ended: the case is closed to new records (except in stages
    the pack keeps open after closing, such as archiving)."""
    case = writable_case(request, case_id, "case.end")
    actions.end_case(actor(request), case, payload.ended_at)
    return render.case_detail(readable_case(request, case_id))
