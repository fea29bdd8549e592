"""The checkpoints page: each log the user may see with its latest signed checkpoints (size,
root hash, when signed, when timestamped, which witnesses cosigned) and each signed note to
download."""

from __future__ import annotations

import re

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import F, OuterRef, Subquery, Window
from django.db.models.functions import RowNumber
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from quancheng.agencies.permissions import can_see_checkpoints
from quancheng.agencies.requests import signed_in_user
from quancheng.ledger.models import Checkpoint, Fact
from quancheng.ledger.proving.proofs import ProofError, checkpoint_for, checkpoint_logs

LATEST = 5  # checkpoints shown per log


@login_required
@require_GET
def checkpoint_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if not can_see_checkpoints(user):
        raise PermissionDenied
    last_seq = Fact.objects.filter(log=OuterRef("pk")).order_by("-seq").values("seq")[:1]
    logs = list(
        checkpoint_logs(user)
        .select_related("agency")
        .annotate(last_seq=Subquery(last_seq))
        .order_by("agency__path", "id")
    )
    latest = (
        Checkpoint.objects.filter(log__in=[log.pk for log in logs])
        .select_related("stamp")
        .prefetch_related("cosignatures__witness")
        .annotate(rank=Window(RowNumber(), partition_by=F("log_id"), order_by=F("id").desc()))
        .filter(rank__lte=LATEST)
        .order_by("-id")
    )
    by_log: dict[int, list[Checkpoint]] = {}
    for checkpoint in latest:
        by_log.setdefault(checkpoint.log_id, []).append(checkpoint)
    rows = []
    for log in logs:
        size = 0 if log.last_seq is None else log.last_seq + 1
        checkpoints = by_log.get(log.pk, [])
        signed = max((c.size for c in checkpoints), default=0)
        rows.append(
            {"log": log, "size": size, "unsigned": size - signed, "checkpoints": checkpoints}
        )
    return render(request, "ledger/checkpoints.html", {"rows": rows, "latest": LATEST})


@login_required
@require_GET
def checkpoint_note(request: HttpRequest, pk: int) -> HttpResponse:
    """The signed note exactly as stored (C2SP signed-note), as a text file."""
    user = signed_in_user(request)
    if not can_see_checkpoints(user):
        raise PermissionDenied
    try:
        checkpoint = checkpoint_for(user, pk)
    except ProofError:
        raise Http404 from None
    name = re.sub(r"[^A-Za-z0-9.-]+", "_", checkpoint.log.origin)
    response = HttpResponse(checkpoint.note, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{checkpoint.size}.txt"'
    return response
