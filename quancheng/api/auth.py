"""Who is calling: a bearer token, or the signed-in browser session (with its CSRF token)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from quancheng.api.actions import user_for_token


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``. A token that is unknown or revoked is refused
    outright (no fall-back to the session)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is None:
            raise AuthenticationError(401, _("The token is unknown or revoked."))
        request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The Django session of the web UI. Unsafe methods need the CSRF token (header
    ``X-CSRFToken``) as in the web UI, so another site cannot post in the user's name."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if not request.user.is_authenticated:
            return None
        if check_csrf(request) is not None:
            raise HttpError(403, _("CSRF check failed: send the X-CSRFToken header."))
        return request.user
