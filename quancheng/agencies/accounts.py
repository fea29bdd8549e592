"""Passwords and sign-ins: the checks a new password passes, and the ledger facts of signing
in, failing, being locked out, being unlocked and changing one's password.

A fact about an account goes to its agency's log (the system log for an administrator
without one). A failed sign-in for a name that is no account goes to the system log without
the name as typed: the ledger is kept for ever and shown in proof bundles, and what someone
typed in the user-name field may be their password. A keyed digest of it stands in, so
repeated tries of one name can still be told apart.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from quancheng.agencies.models import User
from quancheng.agencies.roles import NotAllowed, is_administrator
from quancheng.agencies.throttle import forget_failures
from quancheng.errors import ActionError
from quancheng.ledger.public import Actor, append_fact


def check_new_password(password: str, user: User | None = None) -> None:
    """Refuse a password that ``AUTH_PASSWORD_VALIDATORS`` reject, with their reasons."""
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ActionError(" ".join(exc.messages), "password") from None


@transaction.atomic
def change_password(actor: Actor, user: User, password: str) -> User:
    """Set a new password: the user's own, or a reset by the system actor (``quancheng user
    password``). Not in ``roles.ACTION_ROLES``: its rule is "oneself", which no role states."""
    if actor.user is not None and actor.user.pk != user.pk:
        raise NotAllowed(_("Only the user, or an administrator at the command line, may do this."))
    check_new_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    append_fact(
        actor,
        "user.password_changed",
        ("user", user.pk),
        {"username": user.get_username(), "by_self": actor.user == user},
        user.agency,
    )
    return user


def name_digest(name: str) -> str:
    """What stands in the ledger for a user name that is no account (see the module doc)."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, name.encode("utf-8", "replace"), hashlib.sha256).hexdigest()[:16]


def _account(name: str | None) -> User | None:
    if not name:
        return None
    return User.objects.select_related("agency").filter(username=name).first()


def _subject(name: str | None, user: User | None) -> tuple[tuple[str, object], dict[str, object]]:
    """The fact's subject and how the payload names the account."""
    if user is not None:
        return ("user", user.pk), {"username": user.get_username()}
    digest = name_digest(name or "")
    return ("account_name", digest), {"username": None, "name_digest": digest}


@transaction.atomic
def record_sign_in(actor: Actor, user: User) -> None:
    append_fact(
        actor, "user.signed_in", ("user", user.pk), {"username": user.get_username()}, user.agency
    )


@transaction.atomic
def record_sign_in_failure(actor: Actor, name: str | None, *, refused: bool) -> None:
    """A wrong password, or (``refused``) an attempt refused because of a lock."""
    user = _account(name)
    subject, who = _subject(name, user)
    append_fact(
        actor,
        "user.sign_in_failed",
        subject,
        {**who, "refused": refused},
        user.agency if user else None,
    )


@transaction.atomic
def record_lockout(actor: Actor, name: str | None, locked: list[str]) -> None:
    """A lock begins: on the account (``username`` in ``locked``), the address
    (``ip_address``), or both."""
    user = None
    subject: tuple[str, object] = ("address", actor.remote_addr or "")
    who: dict[str, object] = {"username": None}  # which account was tried last is incidental
    if "username" in locked:
        user = _account(name)
        subject, who = _subject(name, user)
    append_fact(
        actor,
        "user.locked_out",
        subject,
        {
            **who,
            "ip_address": actor.remote_addr,
            "locked": sorted(locked),
            "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        },
        user.agency if user else None,
    )


@transaction.atomic
def unlock(actor: Actor, *, username: str | None = None, ip_address: str | None = None) -> int:
    """Lift the locks on an account, an address, or both: forget the failures counted for the
    account (from any address) and from the address (for any account). Returns how many
    failures were forgotten."""
    if actor.user is not None and not is_administrator(actor.user):
        raise NotAllowed(_("Only the system may do this."))
    if not username and not ip_address:
        raise ActionError(_("Name an account or an address."), "username")
    user = _account(username)
    if username and user is None:
        raise ActionError(_("No account with that user name."), "username")
    if ip_address:
        try:
            ip_address = str(ipaddress.ip_address(ip_address))
        except ValueError:
            raise ActionError(_("Not an IP address."), "ip_address") from None
    forgotten = 0
    if user is not None:
        forgotten += forget_failures(username=user.get_username())
    if ip_address:
        forgotten += forget_failures(ip_address=ip_address)
    subject: tuple[str, object] = ("user", user.pk) if user else ("address", ip_address)
    append_fact(
        actor,
        "user.unlocked",
        subject,
        {
            "username": user.get_username() if user else None,
            "ip_address": ip_address or None,
            "failures_forgotten": forgotten,
        },
        user.agency if user else None,
    )
    return forgotten
