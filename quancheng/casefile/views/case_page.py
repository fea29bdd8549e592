"""The case page: everything about a case, its timeline with the findings on each record,
its recordings and documents."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from quancheng.agencies.requests import signed_in_user
from quancheng.agencies.roles import allowed
from quancheng.casefile.compliance import snapshot_and_evaluation
from quancheng.casefile.timeline import build_timeline
from quancheng.cases.access import get_case_for_user, log_view, may_write
from quancheng.documents.views import case_documents, unsealed_documents
from quancheng.media.views.recordings import recording_rows
from quancheng.policies.labels import action_type_labels, stage_label
from quancheng.policies.registry import get_pack


@login_required
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request, pk)
    log_view(request, case)
    prefetch_related_objects([case], "officers")  # the role checks of every record kind read them
    pack = get_pack(case.pack_id)
    user = signed_in_user(request)
    writer = may_write(user, case)
    snapshot, evaluation = snapshot_and_evaluation(case)
    timeline = build_timeline(case, pack, snapshot, evaluation, user, writer)
    documents = case_documents(case)
    current = sorted(
        (e for stage in timeline.stages for e in stage.records), key=lambda e: e.record_id
    )
    return render(
        request,
        "casefile/case_detail.html",
        {
            "case": case,
            "pack": pack,
            "stage": stage_label(pack, case.stage),
            "action_types": action_type_labels(case.action_types),
            "parties": case.parties.all(),
            "officers": case.officers.all(),
            "evaluation": evaluation,
            "timeline": timeline,
            "can_write": writer,
            "recordings": recording_rows(case),
            "documents": documents,
            "unsealed": (
                unsealed_documents(case, current, documents)
                if allowed(user, "document.seal", case=case)
                else []
            ),
        },
    )
