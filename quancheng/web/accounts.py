"""The signed-in user's own account: changing the password; and the page a locked-out sign-in
gets (axes' ``AXES_LOCKOUT_CALLABLE``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.views import PasswordChangeView
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from quancheng.agencies.accounts import change_password
from quancheng.agencies.requests import signed_in_user
from quancheng.errors import ActionError
from quancheng.ledger.public import Actor


class PasswordChange(PasswordChangeView):
    """Django's page (old password, new twice, the validators' rules shown), with the change
    made by the action so that it is a fact in the ledger."""

    template_name = "web/password_change.html"
    success_url = reverse_lazy("cases:list")

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        try:
            user = change_password(
                Actor.from_request(self.request),
                signed_in_user(self.request),
                form.cleaned_data["new_password1"],
            )
        except ActionError as exc:  # the form ran the same validators; kept for safety
            form.add_error("new_password2", exc.message)
            return self.form_invalid(form)
        update_session_auth_hash(self.request, user)  # stay signed in with the new password
        messages.success(self.request, _("Your password has been changed."))
        return HttpResponseRedirect(self.get_success_url())


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any
) -> HttpResponse:
    """What a sign-in gets while its account or address is locked (429)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "web/locked_out.html", {"minutes": minutes}, status=429)
