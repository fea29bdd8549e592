"""Sign-in throttling: django-axes' database handler with a limit for each thing it counts.

axes counts failed sign-ins per lockout parameter (``AXES_LOCKOUT_PARAMETERS``: the account
name, the client's address) and compares the largest count with one ``AXES_FAILURE_LIMIT``.
Quancheng wants a different limit for each (``QUANCHENG_SIGN_IN_LIMITS``: 5 for an account,
30 for an address, where one office's officers may share a NAT address), so this handler
reports how many of those limits are reached, and ``AXES_FAILURE_LIMIT`` is 1.

A failure counts while the failures of its account (or address) keep coming less than the
cool-off apart: axes keeps one row per account, address and browser, with the time of its
last failure, and counts the rows whose last failure is within ``AXES_COOLOFF_TIME``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone


def cool_off() -> dt.timedelta:
    """How long a lock lasts, and how far apart failures may be to add up."""
    delta = get_cool_off()
    if delta is None:
        raise RuntimeError("AXES_COOLOFF_TIME must be set")
    return delta


def recent_failures(parameter: str, value: str | None, at: dt.datetime | None = None) -> int:
    """Failed sign-ins counted now (or ``at``) for an account (``parameter`` ``username``)
    or from an address (``ip_address``)."""
    since = (at or timezone.now()) - cool_off()
    rows = AccessAttempt.objects.filter(**{parameter: value}, attempt_time__gte=since)
    return rows.aggregate(n=Sum("failures_since_start"))["n"] or 0


def limits_reached(
    username: str | None, ip_address: str | None, at: dt.datetime | None = None
) -> list[str]:
    """The parameters (``username``, ``ip_address``) at or over their limit."""
    values = {"username": username, "ip_address": ip_address}
    return [
        parameter
        for parameter, limit in settings.QUANCHENG_SIGN_IN_LIMITS.items()
        if values[parameter] is not None
        and recent_failures(parameter, values[parameter], at) >= limit
    ]


class SignInThrottle(AxesDatabaseHandler):
    """The database handler (its counts are shared by every worker process), with
    ``QUANCHENG_SIGN_IN_LIMITS`` instead of one limit."""

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        """How many of the limits are reached (axes locks at ``AXES_FAILURE_LIMIT`` = 1)."""
        username = get_client_username(request, credentials)
        at = request.axes_attempt_time  # type: ignore[attr-defined]
        return len(limits_reached(username, request.axes_ip_address, at))  # type: ignore[attr-defined]

    def reset_user_attempts(
        self, request: HttpRequest, credentials: dict[str, Any] | None = None
    ) -> int:
        """After a successful sign-in, forget that account's failures only. (axes would also
        forget every failure from the address, so that signing in to one account would clear
        the count of an address trying other accounts' passwords.)"""
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count


class SignInGate(AxesStandaloneBackend):
    """axes' backend, first in ``AUTHENTICATION_BACKENDS``: refuses a sign-in while its account
    or address is locked, and marks the request ``sign_in_refused`` so that the ledger tells a
    refused attempt from the wrong password that started the lock."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        try:
            super().authenticate(request, username, password, **kwargs)
        except AxesBackendPermissionDenied:
            request.sign_in_refused = True  # type: ignore[union-attr]
            raise


def forget_failures(*, username: str | None = None, ip_address: str | None = None) -> int:
    """Forget the failures counted for an account, or from an address (given both: for the
    account from that address); returns how many there were."""
    if username is None and ip_address is None:
        raise ValueError("an account or an address")
    rows = AccessAttempt.objects.all()
    if username is not None:
        rows = rows.filter(username=username)
    if ip_address is not None:
        rows = rows.filter(ip_address=ip_address)
    failures = rows.aggregate(n=Sum("failures_since_start"))["n"] or 0
    rows.delete()
    return failures
