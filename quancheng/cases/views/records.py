"""Adding a record to a case, correcting it, and its version history."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from quancheng.agencies.models import Officer
from quancheng.agencies.requests import signed_in_user
from quancheng.agencies.roles import allowed
from quancheng.cases.access import get_case_for_user, get_record_in, log_view, require_write
from quancheng.cases.actions import add_record, correct_record
from quancheng.cases.display import Change, Row, version_changes, version_rows
from quancheng.cases.forms.records import RecordForm
from quancheng.cases.forms.signatures import SignForm, takes_signatures
from quancheng.cases.guards import kind_of
from quancheng.cases.models import Case, Record, RecordVersion
from quancheng.cases.signing import note_refusal, sign_version
from quancheng.errors import ActionError
from quancheng.ledger.public import Actor
from quancheng.policies.labels import label, stage_label
from quancheng.policies.registry import get_pack
from quancheng.policies.schema import RecordKind
from quancheng.utilities.form_errors import attach_error


@dataclass(frozen=True)
class VersionEntry:
    version: RecordVersion
    rows: list[Row]
    changes: list[Change]


def _officers(case: Case) -> list[Officer]:
    home = case.agency.enforcement_agency.path
    return list(Officer.objects.filter(agency__path__startswith=home))


def _kind(case: Case, kind_id: str) -> RecordKind:
    try:
        return kind_of(get_pack(case.pack_id), kind_id)
    except ActionError:
        raise Http404(kind_id) from None


@login_required
@require_http_methods(["GET", "POST"])
def record_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request, pk)
    kind = _kind(case, request.GET.get("kind", ""))
    require_write(request, case, "record.add", kind)
    data = request.POST if request.method == "POST" else None
    form = RecordForm(kind, _officers(case), data)
    if data is not None and form.is_valid():
        try:
            add_record(
                Actor.from_request(request),
                case,
                kind.id,
                form.pack_fields(),
                form.cleaned_data["occurred_at"],
                document=form.document(),
                signatures=form.signatures(),
                refusals=form.refusals(),
            )
        except ActionError as error:
            attach_error(form, error)
        else:
            messages.success(request, _("“%(kind)s” recorded.") % {"kind": label(kind)})
            return redirect(f"{case.get_absolute_url()}#stage-{kind.stage}")
    return _render_form(request, case, kind, form, None)


def _render_form(
    request: HttpRequest, case: Case, kind: RecordKind, form: RecordForm, record: object
) -> HttpResponse:
    pack = get_pack(case.pack_id)
    return render(
        request,
        "cases/record_form.html",
        {
            "case": case,
            "kind": kind,
            "kind_label": label(kind),
            "stage": stage_label(pack, kind.stage),
            "form": form,
            "record": record,
        },
    )


@login_required
@require_GET
def record_history(request: HttpRequest, pk: int, record_id: int) -> HttpResponse:
    case = get_case_for_user(request, pk)
    record = get_record_in(case, record_id)
    log_view(request, case, f"record:{record.pk}")
    return _render_history(request, case, record, None)


def _render_history(
    request: HttpRequest, case: Case, record: Record, sign_form: SignForm | None
) -> HttpResponse:
    kind = _kind(case, record.kind)
    versions = list(
        record.versions.select_related("created_by").prefetch_related(
            "signatures", "refusals__attestations"
        )
    )
    entries = [
        VersionEntry(
            version,
            version_rows(kind, version),
            version_changes(kind, versions[i - 1], version) if i else [],
        )
        for i, version in enumerate(versions)
    ]
    entries.reverse()
    user = signed_in_user(request)
    signer = allowed(user, "signature.add", case=case)
    pack = get_pack(case.pack_id)
    # A closed case takes nothing more, except in a stage the pack keeps open (archiving).
    stage = next((s for s in pack.stages if s.id == record.stage), None)
    correctable = not case.is_closed or (stage is not None and stage.open_after_close)
    if sign_form is None and signer and not case.is_closed and takes_signatures(kind):
        sign_form = SignForm(kind, _officers(case))
    return render(
        request,
        "cases/record_history.html",
        {
            "case": case,
            "record": record,
            "kind_label": label(kind),
            "stage": stage_label(pack, record.stage),
            "entries": entries,
            "can_write": correctable and allowed(user, "record.correct", case=case, kind=kind),
            "sign_form": sign_form if signer else None,
        },
    )


@login_required
@require_POST
def record_sign(request: HttpRequest, pk: int, record_id: int) -> HttpResponse:
    """The party's signature, or a noted refusal, on the record's current version."""
    case = get_case_for_user(request, pk)
    require_write(request, case, "signature.add")
    record = get_record_in(case, record_id)
    form = SignForm(_kind(case, record.kind), _officers(case), request.POST)
    if form.is_valid():
        actor, version = Actor.from_request(request), record.latest_version()
        try:
            with transaction.atomic():
                for signature in form.signatures():
                    sign_version(actor, version, signature)
                for refusal in form.refusals():
                    note_refusal(actor, version, refusal)
        except ActionError as error:
            attach_error(form, error)
        else:
            messages.success(request, _("Added to version %(n)s.") % {"n": version.number})
            return redirect(record)
    return _render_history(request, case, record, form)


@login_required
@require_http_methods(["GET", "POST"])
def record_correct(request: HttpRequest, pk: int, record_id: int) -> HttpResponse:
    case = get_case_for_user(request, pk)
    record = get_record_in(case, record_id)
    kind = _kind(case, record.kind)
    require_write(request, case, "record.correct", kind)
    data = request.POST if request.method == "POST" else None
    initial = RecordForm.initial_from(kind, record.latest_version())
    form = RecordForm(kind, _officers(case), data, initial=initial, correcting=True)
    if data is not None and form.is_valid():
        try:
            correct_record(
                Actor.from_request(request),
                record,
                form.pack_fields(),
                form.cleaned_data["occurred_at"],
                form.cleaned_data.get("reason") or "",
                document=form.document(),
                signatures=form.signatures(),
                refusals=form.refusals(),
            )
        except ActionError as error:
            attach_error(form, error)
        else:
            messages.success(request, _("The correction was saved as a new version."))
            return redirect(record)
    return _render_form(request, case, kind, form, record)
