"""Shared test fixtures: a small hierarchy of agencies and named personas in it.

city (上级, supervisor) ─┬─ agency A (anhui): officer, second officer, legal reviewer, head,
                        │                     archivist; work group A1 with its own officer
                        └─ agency B (anhui): another officer

``personas`` adds the rest of a complete set for permission tests: agency A's device keeper
and administrator, and a city archivist (an upper-level account that is not a supervisor).
"""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from quancheng.agencies.actions import create_agency, create_user
from quancheng.api.actions import create_token
from quancheng.cases.actions import open_case
from quancheng.ledger.choices import Channel
from quancheng.ledger.context import Actor

SYSTEM = Actor.system()
PASSWORD = "persona-password-7"  # noqa: S105 - every persona's; passes AUTH_PASSWORD_VALIDATORS


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Personas are made for every test; the production hasher would cost seconds each time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_user(name, agency, roles, cert=""):
    """An account ``name`` (password ``PASSWORD``) in ``agency`` with ``roles``."""
    return create_user(
        SYSTEM,
        agency,
        username=name,
        password=PASSWORD,
        full_name=name,
        roles=roles,
        cert_no=cert,
    )


@pytest.fixture(autouse=True)
def _fresh_snapshot_cache():
    # Each test's database starts anew, and its case ids and revisions with it.
    from quancheng.casefile import snapshot_cache

    snapshot_cache.clear()


@pytest.fixture
def world(db):
    province = create_agency(
        SYSTEM, code="prov", name="省司法厅", level="province", pack_id="anhui"
    )
    city = create_agency(
        SYSTEM, code="city", name="市司法局", level="city", pack_id="anhui", parent=province
    )
    a = create_agency(
        SYSTEM, code="agency-a", name="甲市场监管局", level="agency", pack_id="anhui", parent=city
    )
    b = create_agency(
        SYSTEM, code="agency-b", name="乙城管局", level="agency", pack_id="anhui", parent=city
    )
    a1 = create_agency(
        SYSTEM, code="agency-a-g1", name="甲局一组", level="work_group", pack_id="anhui", parent=a
    )

    user = make_user
    return SimpleNamespace(
        province=province,
        city=city,
        a=a,
        b=b,
        a1=a1,
        officer=user("officer", a, ["officer"], "AH-0001"),
        officer2=user("officer2", a, ["officer"], "AH-0002"),
        group_officer=user("group_officer", a1, ["officer"], "AH-0101"),
        reviewer=user("reviewer", a, ["legal_reviewer"]),
        head=user("head", a, ["head"]),
        archivist=user("archivist", a, ["archivist"]),
        other_officer=user("other_officer", b, ["officer"], "AH-9001"),
        supervisor=user("supervisor", city, ["supervisor"]),
    )


@pytest.fixture
def personas(world):
    """Every kind of user a permission can tell apart, by name, for agency A's cases opened
    by ``world.officer`` (the officer on the case): ``officer2`` is of the same agency but
    not on it; ``other_officer`` of the sibling agency B; ``supervisor`` of the city above;
    ``city_archivist`` of the city too, without the supervisor role."""
    keeper = make_user("a_keeper", world.a, ["device_keeper"])
    administrator = make_user("a_admin", world.a, ["administrator"])
    city_archivist = make_user("city_archivist", world.city, ["archivist"])
    return {
        "officer": world.officer,
        "officer2": world.officer2,
        "reviewer": world.reviewer,
        "head": world.head,
        "archivist": world.archivist,
        "keeper": keeper,
        "administrator": administrator,
        "supervisor": world.supervisor,
        "other_officer": world.other_officer,
        "city_archivist": city_archivist,
    }


def web(user) -> Actor:
    """The actor of a change ``user`` makes through the web pages (the tests' one helper)."""
    return Actor(user, Channel.WEB)


def tamper(table: str, sql: str, params: list | None = None) -> None:
    """Run ``sql`` past the table's append-only trigger, if it has one, as someone with the
    database would."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for op in ("update", "delete"):
                cursor.execute(f'DROP TRIGGER IF EXISTS "{table}_no_{op}"')
            cursor.execute(sql, params or [])
            return
        cursor.execute("SELECT 1 FROM pg_trigger WHERE tgname = %s", [f"{table}_append_only"])
        guarded = cursor.fetchone() is not None
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks: ALTER may run
        if guarded:
            cursor.execute(f'ALTER TABLE {table} DISABLE TRIGGER "{table}_append_only"')
        cursor.execute(sql, params or [])
        if guarded:
            cursor.execute(f'ALTER TABLE {table} ENABLE TRIGGER "{table}_append_only"')


def at(text: str) -> dt.datetime:
    """An aware datetime in China time from ``2026-03-02 09:00``."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def new_case(world):
    """Open a case in agency A as its officer; keywords override the defaults."""
    counter = iter(range(1, 10_000))

    def make(user=None, **kwargs):
        user = user or world.officer
        fields = {
            "number": f"皖甲罚〔2026〕{next(counter)}号",
            "title": "无照经营",
            "action_types": ["penalty"],
            "start_mode": "ex_officio",
            "opened_at": timezone.now() - dt.timedelta(days=1),
            "officers": [user.officer] if hasattr(user, "officer") else [],
        }
        fields.update(kwargs)
        return open_case(Actor(user, "web"), user.agency.enforcement_agency, **fields)

    return make


# The local RFC 3161 TSA (``tests/tsa.py``): fixtures ``local_tsa`` and ``tsa``.
pytest_plugins = ["tests.tsa"]


@pytest.fixture
def english(settings):
    """Messages in English, for tests that assert them (the site's language is Chinese)."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


# --- the API as a persona: ``api.get(world.officer, "/cases")`` ---

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
