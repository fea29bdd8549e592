"""In a real browser against the real server: the Content-Security-Policy is enforced (an
injected inline script does not run, and the guard of tests/e2e/csp_guard.py sees it), the pages
and the interactive API docs work under it, and the CSRF cookie is out of scripts' reach."""

from __future__ import annotations

import pytest

from tests.e2e.csp_guard import VIOLATIONS
from tests.e2e.test_browser import page, site  # noqa: F401 - fixtures

pytestmark = pytest.mark.e2e


OFFICER = ("e2e-officer", "e2e-password-7")  # seed_site.py


def sign_in(page, username: str, password: str) -> None:  # noqa: F811
    from playwright.sync_api import expect

    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="案件")).to_be_visible()


def test_an_injected_inline_script_is_blocked_and_reported(page):  # noqa: F811
    sign_in(page, *OFFICER)
    ran = page.evaluate(
        """() => { const s = document.createElement("script");
                   s.textContent = "window.injected = true;";
                   document.head.appendChild(s);
                   return window.injected === true; }"""
    )
    assert ran is False
    page.wait_for_function("() => true")  # let the console message arrive
    page.reload()
    assert any("script-src" in seen for seen in VIOLATIONS), VIOLATIONS
    VIOLATIONS.clear()  # expected here; any other test fails on one
    assert "csrftoken" not in page.evaluate("document.cookie")  # HttpOnly


def test_the_pages_work_under_the_policy(page):  # noqa: F811
    from playwright.sync_api import expect

    sign_in(page, *OFFICER)
    for url in ("/cases/", "/devices/", "/recordings/due/"):
        response = page.goto(url)
        assert response is not None and response.ok, url
        assert "script-src 'self'" in response.headers["content-security-policy"]
    page.goto("/cases/new/")
    page.get_by_label("依职权").check()  # start-mode.js shows only that mode's fields
    expect(page.locator("[data-start-mode=ex_officio]")).to_be_visible()
    expect(page.locator("[data-start-mode]:not([data-start-mode=ex_officio])").first).to_be_hidden()


def test_the_api_docs_work_under_the_policy(page):  # noqa: F811
    from playwright.sync_api import expect

    sign_in(page, *OFFICER)
    page.goto("/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Quancheng API")
    page.locator(".opblock-summary", has_text="/api/v1/me").first.click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    expect(page.locator(".live-responses-table tbody .response-col_status").first).to_have_text(
        "200"
    )
