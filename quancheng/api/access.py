"""Finding what the caller may read or change; everything else is "not found"."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import HttpError

from quancheng.agencies.models import User
from quancheng.agencies.permissions import can_write_in
from quancheng.cases.models import Case, Record
from quancheng.ledger.choices import Channel
from quancheng.ledger.context import Actor


def caller(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]  # set by ninja's authentication


def actor(request: HttpRequest) -> Actor:
    return Actor(caller(request), Channel.API, request.META.get("REMOTE_ADDR"))


def readable_case(request: HttpRequest, case_id: int) -> Case:
    """A case the caller may read. Another agency's case is "not found", not "forbidden",
    so the API does not tell which case numbers exist elsewhere."""
    case = (
        Case.objects.visible_to(caller(request))
        .select_related("agency", "compliance")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise HttpError(404, _("No such case."))
    return case


def writable_case(request: HttpRequest, case_id: int) -> Case:
    """A case the caller may add to: readable, and of the caller's own agency with a role
    that writes (a supervisor reads below, but never writes)."""
    case = readable_case(request, case_id)
    if not can_write_in(caller(request), case.agency):
        raise HttpError(403, _("You may read this case but not change it."))
    return case


def record_of(case: Case, record_id: int) -> Record:
    record = Record.objects.filter(case=case, pk=record_id).first()
    if record is None:
        raise HttpError(404, _("No such record in this case."))
    record.case = case
    return record
