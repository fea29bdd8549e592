"""Calling the API as a persona: ``api.get(world.officer, "/cases")``."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from quancheng.api.actions import create_token
from quancheng.cases.models import Case, Record, RecordVersion, Signature, SignatureRefusal
from quancheng.ledger.context import Actor
from quancheng.ledger.models import Fact

BASE = "/api/v1"


class Api:
    def __init__(self) -> None:
        self.client = Client()
        self.tokens: dict[int, str] = {}

    def token(self, user: Any) -> str:
        if user.pk not in self.tokens:
            self.tokens[user.pk] = create_token(Actor.system(), user, "tests")[1]
        return self.tokens[user.pk]

    def call(
        self,
        user: Any,
        method: str,
        path: str,
        body: Any = None,
        *,
        raw: str | None = None,
        lang: str = "en",
    ) -> Any:
        headers = {"Accept-Language": lang}
        if user is not None:
            headers["Authorization"] = f"Bearer {self.token(user)}"
        data = raw if raw is not None else (json.dumps(body) if body is not None else "")
        return self.client.generic(
            method,
            BASE + path,
            data=data,
            content_type="application/json",
            headers=headers,
        )

    def get(self, user: Any, path: str, **kwargs: Any) -> Any:
        return self.call(user, "GET", path, **kwargs)

    def post(self, user: Any, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.call(user, "POST", path, body, **kwargs)


@pytest.fixture
def api(world):
    """An API client with a token for every persona of ``world``, made before the test so
    that counting ledger facts around a request counts only what the request wrote."""
    client = Api()
    for user in vars(world).values():
        if hasattr(user, "roles"):
            client.token(user)
    return client


def counts() -> dict[str, int]:
    """Rows of every table a write of the API could touch."""
    return {
        model.__name__: model.objects.count()
        for model in (Case, Record, RecordVersion, Signature, SignatureRefusal, Fact)
    }
