"""Password validators of ``AUTH_PASSWORD_VALIDATORS`` that differ from Django's own."""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.utils.translation import ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's, with its refusal in this project's catalog: Django 5.2 reworded the message
    and its Simplified Chinese catalog has only the old wording, so the refusal came out in
    English on a Chinese page."""

    def get_error_message(self) -> str:
        return ngettext(
            "This password is too short: it needs at least %(n)d character.",
            "This password is too short: it needs at least %(n)d characters.",
            self.min_length,
        ) % {"n": self.min_length}
