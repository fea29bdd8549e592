"""The verification page: the last full verification (ledger, checkpoints, timestamps, stored
files) and, for administrators, a button that runs one in the background, with progress."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from quancheng.agencies.permissions import is_installation_administrator
from quancheng.agencies.requests import signed_in_user
from quancheng.ledger.context import Actor
from quancheng.ledger.models import VerificationRun
from quancheng.ledger.proving.proofs import visible_logs
from quancheng.ledger.verification.runs import (
    can_run_verification,
    request_verification,
    scoped_checked,
    scoped_problems,
)


def _administrator(request: HttpRequest) -> None:
    if not can_run_verification(request.user):
        raise PermissionDenied


@login_required
@require_GET
def verification(request: HttpRequest) -> HttpResponse:
    _administrator(request)
    latest = VerificationRun.objects.select_related("started_by").first()
    finished = (
        VerificationRun.objects.select_related("started_by")
        .filter(finished_at__isnull=False)
        .first()
    )
    pending = latest if latest is not None and latest.finished_at is None else None
    history = list(VerificationRun.objects.select_related("started_by")[:10])
    # an administrator of an agency sees the problems and counts of the logs they may see;
    # the rest is counted, not shown (a superuser sees everything)
    user = signed_in_user(request)
    origins = None
    if not is_installation_administrator(user):
        origins = set(visible_logs(user).values_list("origin", flat=True))
    # set on the rows for the template only (not model fields)
    for run in [finished, *history]:
        if run is not None:
            run.scoped = scoped_problems(run, origins)  # type: ignore[attr-defined]
    if finished is not None:
        finished.checked = scoped_checked(finished, origins)  # type: ignore[attr-defined]
    return render(
        request,
        "ledger/verification.html",
        {"last": finished, "pending": pending, "history": history, "everything": origins is None},
    )


@login_required
@require_POST
def verification_start(request: HttpRequest) -> HttpResponse:
    _administrator(request)
    _run, new = request_verification(Actor.from_request(request))
    if new:
        messages.success(request, _("Verification started."))
    else:
        messages.info(request, _("A verification is already running."))
    return redirect("verification")


@login_required
@require_GET
def verification_progress(request: HttpRequest, pk: int) -> JsonResponse:
    _administrator(request)
    row = get_object_or_404(VerificationRun, pk=pk)
    return JsonResponse(
        {
            "id": row.pk,
            "state": row.state,
            "state_label": row.get_state_display(),
            "phase": row.phase,
            "done": row.done,
            "total": row.total,
            "finished": row.finished_at is not None,
            "ok": row.ok,
        }
    )
