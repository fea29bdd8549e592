"""Who a bearer token belongs to, for the apps below the API that authenticate requests of
their own (the tus endpoints of ``uploads``). Tokens are the API's (``api/models.py``); the
API registers its lookup here from ``ApiConfig.ready()``, so no lower app imports it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from quancheng.agencies.models import User

_lookup: Callable[[str], User | None] | None = None


def register(lookup: Callable[[str], User | None]) -> None:
    global _lookup
    _lookup = lookup


def user_for_token(raw: str) -> User | None:
    """The active owner of a valid, unrevoked token, or None (also when no API is installed)."""
    return _lookup(raw) if _lookup is not None else None
