"""The list of recordings due or stored late, as the compliance engine finds them."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from quancheng.agencies.requests import signed_in_user
from quancheng.casefile.due import due_recordings


class DueFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[
            ("", _("Any")),
            ("late", _("Stored late")),
            ("overdue", _("Overdue")),
            ("due_soon", _("Due soon")),
        ],
    )
    device = forms.CharField(label=_("Device serial"), required=False, max_length=64)
    officer = forms.CharField(label=_("Officer certificate"), required=False, max_length=64)


@login_required
@require_GET
def due_list(request: HttpRequest) -> HttpResponse:
    form = DueFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = due_recordings(
        signed_in_user(request),
        state=filters.get("state", ""),
        device=filters.get("device", "").strip(),
        officer=filters.get("officer", "").strip(),
    )
    return render(
        request,
        "casefile/due_list.html",
        {"form": form, "rows": rows},
    )
