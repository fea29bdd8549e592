"""The permission checks every page, API operation and command makes, written once: reading
through ``readable_case`` (``Case.objects.visible_to``, ``agencies/permissions.py``),
changing through the table in ``agencies/roles.py``. The web's helpers below turn a refusal
into its 404 or 403; the API's (``cases/api/access.py``) into its JSON errors."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from quancheng.agencies.models import Agency, User
from quancheng.agencies.permissions import can_open_case
from quancheng.agencies.requests import signed_in_user
from quancheng.agencies.roles import CASE_ACTIONS, allowed
from quancheng.cases.actions import record_case_viewed
from quancheng.cases.models import Case, Record
from quancheng.ledger.public import Actor
from quancheng.policies.registry import get_pack
from quancheng.policies.schema import RecordKind


def readable_case(user: User, pk: int, *related: str) -> Case | None:
    """Case ``pk`` if ``user`` may read it, with its ``related`` rows; else None, whether it
    exists elsewhere or not at all."""
    return Case.objects.visible_to(user).select_related(*related).filter(pk=pk).first()


def get_case_for_user(request: HttpRequest, pk: int) -> Case:
    """The case if the user may read it, else 404 (so its existence is not revealed)."""
    case = readable_case(signed_in_user(request), pk, "agency")
    if case is None:
        raise Http404
    return case


def log_view(request: HttpRequest, case: Case, what: str = "case") -> None:
    """Every read of a case's records is logged."""
    record_case_viewed(Actor.from_request(request), case, what)


def get_record_in(case: Case, record_id: int) -> Record:
    return get_object_or_404(case.records.all(), pk=record_id)


def may_write(user: User, case: Case) -> bool:
    """Whether forms that change ``case`` are shown to ``user`` (some change is allowed)."""
    if any(allowed(user, action, case=case) for action in CASE_ACTIONS):
        return True
    kinds = get_pack(case.pack_id).record_kinds
    return any(allowed(user, "record.add", case=case, kind=kind) for kind in kinds)


def require_write(
    request: HttpRequest, case: Case, action: str, kind: RecordKind | None = None
) -> None:
    """Refuse (403) a change the user's roles do not allow (``agencies/roles.py``): a
    supervisor only reads, a reviewer does not move stages, an officer not on the case…"""
    if not allowed(signed_in_user(request), action, case=case, kind=kind):
        raise PermissionDenied


def home_agency(request: HttpRequest) -> Agency:
    """The enforcement agency in which the user opens cases; 403 for users who cannot."""
    user = signed_in_user(request)
    if not can_open_case(user) or user.agency is None:
        raise PermissionDenied
    return user.agency.enforcement_agency
