"""Who is asking: the signed-in user of a page, the caller of an API endpoint, and the
``Actor`` their changes are written to the ledger as."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from quancheng.agencies.models import User
from quancheng.ledger.public import Actor, Channel


def signed_in_user(request: HttpRequest) -> User:
    """The user of a view behind ``login_required``, where nobody is anonymous (403 if so)."""
    user = request.user
    if not user.is_authenticated:
        raise PermissionDenied
    return user


def caller(request: HttpRequest) -> User:
    """The user an API request authenticated as."""
    return request.auth  # type: ignore[attr-defined]  # set by ninja's authentication


def actor(request: HttpRequest) -> Actor:
    """The API caller as the ledger records them."""
    return Actor(caller(request), Channel.API, request.META.get("REMOTE_ADDR"))
