"""How the facts of API tokens describe their rows (``quancheng.ledger.reconcile``). When a
token was last used is not a fact and is not proved."""

from __future__ import annotations

from typing import Any

from quancheng.ledger.reconcile import TEXT, TIME, Expected, Table

TOKEN = "api_apitoken"  # noqa: S105 - a table name


def _token_model() -> Any:
    from quancheng.api.models import ApiToken

    return ApiToken


TABLES = [
    Table(
        TOKEN,
        _token_model,
        {
            "user": ("user__username", TEXT),
            "name": ("name", TEXT),
            "prefix": ("prefix", TEXT),
            "revoked_at": ("revoked_at", TIME),
        },
        agency="user__agency_id",
    )
]


def _created(expected: Expected, subject: str, p: dict[str, Any]) -> None:
    expected.row(
        TOKEN, subject, user=p["user"], name=p["name"], prefix=p["prefix"], revoked_at=None
    )


def _revoked(expected: Expected, subject: str, p: dict[str, Any]) -> None:
    expected.row(TOKEN, subject, revoked_at=p["revoked_at"])


FOLDS = {"api_token.created": _created, "api_token.revoked": _revoked}


def register() -> None:
    from quancheng.ledger import reconcile

    reconcile.register(tables=TABLES, folds=FOLDS)
