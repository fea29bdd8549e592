"""Every page and endpoint refuses an anonymous visitor, except the few that are public on
purpose: signing in, choosing a language, and the API's description (no data in it)."""

from __future__ import annotations

import re
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

PUBLIC = {
    "accounts/login/",  # the sign-in page itself
    "i18n/setlang/",  # choosing the language of the sign-in page
    "api/v1/openapi.json",  # the API's shape, no data
    "api/v1/docs",
    # C2SP tlog-witness: the log's signature on the checkpoint is the authentication; an
    # anonymous POST of anything else gets 400/403/404 and nothing is stored
    "api/v1/witness/add-checkpoint",
}

CONVERTERS = {"int": "1", "str": "x", "uuid": str(uuid.UUID(int=1)), "path": "x", "slug": "x"}


def _routes(resolver: URLResolver, prefix: str = ""):
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern, route)
        elif isinstance(pattern, URLPattern):
            yield route


def _url(route: str) -> str:
    def value(match: re.Match) -> str:
        kind, _, name = match.group(1).rpartition(":")
        return CONVERTERS[kind or "str"]

    return "/" + re.sub(r"<([^>]+)>", value, route)


ROUTES = sorted({r for r in _routes(get_resolver()) if not r.startswith("admin/")})


@pytest.mark.parametrize("route", ROUTES)
def test_an_anonymous_visitor_gets_nothing(client, db, route):
    url = _url(route)
    for method in ("get", "post"):
        response = getattr(client, method)(url, follow=True)
        if route in PUBLIC:
            continue
        if response.redirect_chain:
            assert response.request["PATH_INFO"] == "/accounts/login/", (method, url)
        else:
            assert response.status_code in (401, 403, 404, 405, 412), (
                method,
                url,
                response.status_code,
            )


def test_the_routes_were_found():
    assert "cases/<int:pk>/" in ROUTES and "api/v1/cases" in ROUTES
    assert "verification/" in ROUTES and "api/v1/uploads/<uuid:key>" in ROUTES
