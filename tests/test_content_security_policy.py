"""Every page gets a strict Content-Security-Policy: scripts and styles from our static files
only, no plugins, no <base>, no framing, forms posting only to us. Media responses carry
their own, stricter ``sandbox`` (quancheng/media/serving.py). The browser tests
(tests/e2e) run with it enforced and fail on any violation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

from tests.test_every_url_needs_sign_in import ROUTES, _url

ROOT = Path(__file__).resolve().parent.parent
PAGE_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def directives(header: str) -> dict[str, str]:
    parts = (part.strip().split(None, 1) for part in header.split(";") if part.strip())
    return {part[0]: part[1] if len(part) > 1 else "" for part in parts}


def assert_page_policy(response) -> None:
    policy = directives(response["Content-Security-Policy"])
    for name, value in PAGE_POLICY.items():
        assert policy.get(name) == value, (name, policy)
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


@pytest.mark.parametrize("route", ROUTES)
def test_every_route_answers_with_a_policy(client, world, new_case, route):
    new_case()
    for user in (None, world.officer):
        if user is not None:
            client.force_login(user)
        response = client.get(_url(route))
        assert "Content-Security-Policy" in response, (route, response.status_code)
        if response["Content-Security-Policy"] != "sandbox":  # a media response
            assert_page_policy(response)


def test_the_pages_people_use_carry_the_page_policy(client, world, new_case):
    case = new_case()
    assert_page_policy(client.get("/accounts/login/"))
    client.force_login(world.officer)
    for url in ("/cases/", case.get_absolute_url(), "/devices/", "/no-such-page/"):
        assert_page_policy(client.get(url))
    assert_page_policy(Client().get("/api/v1/docs"))


TEMPLATES = sorted(ROOT.glob("quancheng/**/templates/**/*.html"))
INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I), "script"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "event handler attribute"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"<style", re.I), "style element"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_templates_have_nothing_inline_the_policy_would_block(template):
    text = template.read_text()
    for pattern, what in INLINE:
        assert not pattern.search(text), f"{what} in {template.relative_to(ROOT)}"
