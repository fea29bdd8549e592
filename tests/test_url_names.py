"""Every named URL answers where it did: the names pages and tests reverse, with their
routes, as ``tests/url_names.txt`` lists them (Django admin's own left out). A change of a
name or a route fails here; regenerate the file only for a change users are told about."""

from __future__ import annotations

from pathlib import Path

from django.urls import URLResolver, get_resolver

EXPECTED = Path(__file__).with_name("url_names.txt")


def named_routes(resolver: URLResolver, namespace: str = "", prefix: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = namespace + (f"{entry.namespace}:" if entry.namespace else "")
            yield from named_routes(entry, inner, prefix + str(entry.pattern))
        elif entry.name:
            yield f"{namespace}{entry.name}", prefix + str(entry.pattern)


def test_the_url_names_and_routes_are_unchanged():
    found = sorted(
        f"{name} {route}"
        for name, route in set(named_routes(get_resolver()))
        if not name.startswith("admin:")
    )
    assert found == EXPECTED.read_text().splitlines()
