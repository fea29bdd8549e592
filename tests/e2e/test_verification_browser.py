"""In a real browser against the real server and its task worker: an administrator starts a
verification from the top bar's link; the page follows its progress and shows the result."""

from __future__ import annotations

import pytest

from tests.e2e.test_browser import page, site  # noqa: F401 - fixtures

pytestmark = pytest.mark.e2e


def test_an_administrator_runs_a_verification(page):  # noqa: F811 - the fixture
    from playwright.sync_api import expect

    page.goto("/accounts/login/")
    page.fill("input[name=username]", "e2e-admin")
    page.fill("input[name=password]", "e2e-password-8")
    page.get_by_role("button", name="登录").click()
    page.locator("nav a[href='/verification/']").click()
    expect(page).to_have_url("/verification/")
    page.locator("form[action='/verification/start/'] button").click()
    # queued: the progress box polls; the worker runs it; the page reloads with the result
    expect(page.locator("#verification-progress")).to_be_visible()
    expect(page.locator("#verification-result .badge.ok")).to_be_visible(timeout=30_000)
    expect(page.locator("#verification-progress")).to_have_count(0)
    assert page.request.get("/static/web/verification.js").ok
