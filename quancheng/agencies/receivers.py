"""The sign-in facts, triggered by Django's auth signals and axes' lockout signal.

The house style keeps domain behaviour out of signal receivers (STYLE.md); sign-in is the
exception Django makes itself: ``user_logged_in`` and ``user_login_failed`` are the documented
hooks of ``django.contrib.auth`` (the login view, the admin's and the test client's all send
them), and ``user_locked_out`` is axes'. Each receiver only reads the request and calls an
action in ``agencies/accounts.py``.
"""

from __future__ import annotations

from typing import Any

from axes.helpers import get_client_ip_address
from django.http import HttpRequest

from quancheng.agencies import accounts
from quancheng.agencies.models import User
from quancheng.agencies.throttle import limits_reached
from quancheng.ledger.public import Actor, Channel


def _actor(request: HttpRequest | None, user: User | None = None) -> Actor:
    """Who acts, from the address axes counts (``AXES_IPWARE_*``, by default REMOTE_ADDR)."""
    address = get_client_ip_address(request) if request is not None else None
    return Actor(user=user, channel=Channel.WEB, remote_addr=address)


def signed_in(sender: object, request: HttpRequest, user: User, **kwargs: Any) -> None:
    accounts.record_sign_in(_actor(request, user), user)


def sign_in_failed(
    sender: object, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    name = credentials.get(User.USERNAME_FIELD)
    refused = bool(getattr(request, "sign_in_refused", False))
    accounts.record_sign_in_failure(_actor(request), _text(name), refused=refused)


def locked_out(
    sender: object, request: HttpRequest, username: str | None, ip_address: str | None, **kw: Any
) -> None:
    """A lock began with this attempt; axes signals again for each attempt it refuses
    (``sign_in_refused``), which ``sign_in_failed`` records."""
    if getattr(request, "sign_in_refused", False):
        return
    locked = limits_reached(_text(username), ip_address, request.axes_attempt_time)  # type: ignore[attr-defined]
    accounts.record_lockout(_actor(request), _text(username), locked)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None
