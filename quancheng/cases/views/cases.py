"""Case list, opening a case, and moving it through its stages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.forms import BaseForm, BaseFormSet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from quancheng.agencies.choices import AgencyLevel
from quancheng.agencies.models import Agency, Officer, User
from quancheng.agencies.permissions import can_open_case, visible_agencies
from quancheng.agencies.requests import signed_in_user
from quancheng.cases.access import (
    get_case_for_user,
    home_agency,
    require_write,
)
from quancheng.cases.actions import add_record, end_case, move_to_stage, open_case
from quancheng.cases.forms.cases import (
    CaseFilterForm,
    OpenCaseForm,
    PartyForm,
    PartyFormSet,
    start_kinds,
)
from quancheng.cases.forms.records import RecordFieldsForm
from quancheng.cases.models import Case
from quancheng.errors import ActionError
from quancheng.ledger.public import Actor
from quancheng.policies.choices import StartMode
from quancheng.policies.labels import action_type_labels, label, stage_label
from quancheng.policies.registry import get_pack
from quancheng.utilities.form_errors import attach_error

PAGE_SIZE = 25


@dataclass(frozen=True)
class CaseRow:
    case: Case
    stage: str
    action_types: list[str]
    overdue: bool


def _stage_choices(cases: list[str], own_pack: str | None) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for pack_id in sorted({*cases, *([own_pack] if own_pack else [])}):
        for stage in get_pack(pack_id).stages:
            seen.setdefault(stage.id, label(stage))
    return list(seen.items())


def _agency_choices(user: User) -> list[tuple[str, str]]:
    """The enforcement agencies whose cases ``user`` reads (several for a supervisor)."""
    agencies = visible_agencies(user).filter(level=AgencyLevel.AGENCY)
    return list(agencies.values_list("code", "name"))


@login_required
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    visible = Case.objects.visible_to(user)
    own_pack = user.agency.pack_id if user.agency else None
    pack_ids = list(visible.order_by().values_list("pack_id", flat=True).distinct())
    form = CaseFilterForm(
        _stage_choices(pack_ids, own_pack), _agency_choices(user), request.GET or None
    )
    now = timezone.now()
    cases = form.case_filter().apply(visible, now).select_related("agency", "compliance")
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [_row(case, now) for case in page]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/case_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "can_open": can_open_case(user),
        },
    )


def _row(case: Case, now: datetime) -> CaseRow:
    deadline = getattr(getattr(case, "compliance", None), "next_deadline_at", None)
    return CaseRow(
        case=case,
        stage=stage_label(get_pack(case.pack_id), case.stage),
        action_types=action_type_labels(case.action_types),
        overdue=deadline is not None and deadline < now,
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_open(request: HttpRequest) -> HttpResponse:
    agency = home_agency(request)
    pack = get_pack(agency.pack_id)
    officers = Officer.objects.filter(agency__path__startswith=agency.path)
    data = request.POST if request.method == "POST" else None
    own = Officer.objects.filter(user=signed_in_user(request)).first()
    form = OpenCaseForm(pack, officers, data, initial={"officers": [own] if own else []})
    parties = PartyFormSet(data, prefix="parties")
    start_forms = {
        mode: [
            # Optional now (hidden for the other start mode), so no browser "required".
            RecordFieldsForm(
                k, list(officers), data, prefix=f"start-{k.id}", browser_required=False
            )
            for k in kinds
        ]
        for mode, kinds in start_kinds(pack).items()
    }
    if data is not None and _all_valid(form, parties, start_forms):
        case = _open(request, agency, form, parties, start_forms[form.cleaned_data["start_mode"]])
        if case is not None:
            messages.success(request, _("Case %(number)s opened.") % {"number": case.number})
            return redirect(case)
    start_sections = [
        {"mode": mode, "label": label_, "forms": start_forms[mode]}
        for mode, label_ in StartMode.choices  # the form's start_mode choices
        if start_forms[mode]
    ]
    return render(
        request,
        "cases/case_open.html",
        {"form": form, "parties": parties, "start_sections": start_sections, "pack": pack},
    )


def _all_valid(form: OpenCaseForm, parties: BaseFormSet[PartyForm], start_forms: dict) -> bool:
    results = [form.is_valid(), parties.is_valid()]
    results += [f.is_valid() for forms in start_forms.values() for f in forms]
    return all(results)


def _open(
    request: HttpRequest,
    agency: Agency,
    form: OpenCaseForm,
    parties: BaseFormSet[PartyForm],
    start_forms: list[RecordFieldsForm],
) -> Case | None:
    """Open the case and add the start records entered with it, all or nothing."""
    actor = Actor.from_request(request)
    target: BaseForm = form
    try:
        with transaction.atomic():
            case = open_case(
                actor,
                agency,
                **form.action_kwargs(),
                parties=[p.party() for p in parties if p.has_changed()],
            )
            for target in start_forms:  # noqa: B007 - the form an error belongs to
                if target.has_entries():
                    add_record(
                        actor,
                        case,
                        target.kind.id,
                        target.pack_fields(),
                        form.cleaned_data["opened_at"],
                    )
    except ActionError as error:
        attach_error(target, error)
        return None
    return case


@login_required
@require_POST
def case_move(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request, pk)
    require_write(request, case, "case.move_stage")
    try:
        move_to_stage(Actor.from_request(request), case, request.POST.get("stage", ""))
    except ActionError as error:
        messages.error(request, error.message)
    else:
        pack = get_pack(case.pack_id)
        messages.success(
            request, _("The case is now in stage “%(s)s”.") % {"s": stage_label(pack, case.stage)}
        )
    return redirect(case)


@login_required
@require_POST
def case_end(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request, pk)
    require_write(request, case, "case.end")
    try:
        end_case(Actor.from_request(request), case, timezone.now())
    except ActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The case has ended; the archiving period runs from now."))
    return redirect(case)
