"""Finding what the caller may read or change; everything else is "not found". Reading goes
through ``cases.access.readable_case``, changing through the table in ``agencies/roles.py``
— the same pair the web pages use; here a refusal is the API's JSON error."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import HttpError

from quancheng.agencies.requests import caller
from quancheng.agencies.roles import allowed, refusal
from quancheng.cases import access
from quancheng.cases.models import Case, Record
from quancheng.policies.schema import RecordKind


def readable_case(request: HttpRequest, case_id: int) -> Case:
    """A case the caller may read. Another agency's case is "not found", not "forbidden",
    so the API does not tell which case numbers exist elsewhere."""
    case = access.readable_case(caller(request), case_id, "agency", "compliance")
    if case is None:
        raise HttpError(404, _("No such case."))
    return case


def writable_case(request: HttpRequest, case_id: int, action: str) -> Case:
    """A case the caller may read and whose roles allow ``action`` on it (a supervisor reads
    below, but never writes); 404 if unreadable, 403 if the roles do not allow it."""
    case = readable_case(request, case_id)
    require_change(request, case, action)
    return case


def require_change(
    request: HttpRequest, case: Case, action: str, kind: RecordKind | None = None
) -> None:
    """403 unless the caller's roles allow ``action`` on ``case`` (``agencies/roles.py``)."""
    user = caller(request)
    if not allowed(user, action, case=case, kind=kind):
        raise HttpError(403, refusal(user, action, case=case, kind=kind))


def record_of(case: Case, record_id: int) -> Record:
    record = Record.objects.filter(case=case, pk=record_id).first()
    if record is None:
        raise HttpError(404, _("No such record in this case."))
    record.case = case
    return record
