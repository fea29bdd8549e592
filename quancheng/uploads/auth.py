"""The API's authentication for the tus endpoints (plain Django views, so that the request
body streams): a bearer token, or the web session with its CSRF token on unsafe methods."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseBase
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.translation import gettext as _

from quancheng.agencies.bearer import user_for_token
from quancheng.agencies.models import User
from quancheng.uploads.errors import UploadError

SAFE = ("GET", "HEAD", "OPTIONS")


def upload_user(request: HttpRequest) -> User:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        token_user = user_for_token(header[7:])
        if token_user is None:
            raise UploadError(401, _("The token is unknown or revoked."))
        request.user = token_user
        return token_user
    user = request.user
    if not user.is_authenticated:
        raise UploadError(
            401, _("Sign in, or send an API token as “Authorization: Bearer <token>”.")
        )
    if request.method not in SAFE and not _csrf_ok(request):
        raise UploadError(403, _("CSRF check failed: send the X-CSRFToken header."))
    return user


def _csrf_ok(request: HttpRequest) -> bool:
    """Django's own CSRF check (the views are exempt from the middleware so that a token
    client needs no cookie). It reads the header, never the body of an octet stream."""
    middleware = CsrfViewMiddleware(_no_view)
    middleware.process_request(request)
    return middleware.process_view(request, _no_view, (), {}) is None


def _no_view(request: HttpRequest) -> HttpResponseBase:
    """The view and the next handler the middleware is given: its checks never call them."""
    raise NotImplementedError
