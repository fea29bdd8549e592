"""Making and revoking API tokens; each change goes to the ledger."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from quancheng.agencies.models import User
from quancheng.agencies.roles import require
from quancheng.api.models import ApiToken
from quancheng.errors import ActionError
from quancheng.ledger.public import Actor, append_fact

TOKEN_PREFIX = "qc_"  # noqa: S105 (not a secret: marks the string as a Quancheng token)
# How stale ``last_used_at`` may get before a request writes it again.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def token_digest(raw: str) -> str:
    """The stored form of a token. Tokens are 256 random bits, so a plain hash suffices."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@transaction.atomic
def create_token(actor: Actor, user: User, name: str = "") -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the row and the token, which is never stored."""
    require(actor.user, "token.create")
    if not user.is_active:
        raise ActionError(_("The account is disabled."), "user")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name.strip(), prefix=raw[:10], digest=token_digest(raw)
    )
    append_fact(
        actor,
        "api_token.created",
        ("api_token", token.pk),
        {"user": user.get_username(), "name": token.name, "prefix": token.prefix},
        user.agency,
    )
    return token, raw


@transaction.atomic
def revoke_token(actor: Actor, token: ApiToken, at: dt.datetime | None = None) -> ApiToken:
    """Revoke a token: it stays in the table, refused from now on."""
    require(actor.user, "token.revoke")
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.is_revoked:
        raise ActionError(_("The token is already revoked."))
    token.revoked_at = at or timezone.now()
    token.save(update_fields=["revoked_at"])
    append_fact(
        actor,
        "api_token.revoked",
        ("api_token", token.pk),
        {"user": token.user.get_username(), "prefix": token.prefix, "revoked_at": token.revoked_at},
        token.user.agency,
    )
    return token


def user_for_token(raw: str) -> User | None:
    """The active owner of a valid, unrevoked token, or None. Notes when it was last used."""
    token = (
        ApiToken.objects.select_related("user__agency")
        .filter(digest=token_digest(raw.strip()), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
