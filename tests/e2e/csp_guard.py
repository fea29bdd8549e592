"""The browser tests run with the site's Content-Security-Policy enforced (the server sends
it; nothing here relaxes it) and fail on any violation: ``guarded_context`` opens a browser
context that records every ``securitypolicyviolation`` event and every console message in
which Chromium reports a blocked script, style, image or connection, and the autouse fixture
in ``conftest.py`` fails the test if any was recorded."""

from __future__ import annotations

from typing import Any

MARK = "CSP violation:"

# Added before any of the page's own scripts run (Playwright injects it through the
# DevTools protocol, so the policy does not apply to it).
LISTENER = f"""
document.addEventListener("securitypolicyviolation", function (event) {{
  console.error({MARK!r} + " " + event.violatedDirective + " blocked " +
                (event.blockedURI || "inline") + " in " + event.documentURI);
}});
"""

# What every context opened here saw, for the fixture to check after the test.
VIOLATIONS: list[str] = []


def is_violation(text: str) -> bool:
    return text.startswith(MARK) or "Content Security Policy" in text


def guarded_context(browser: Any, **options: Any) -> Any:
    """``browser.new_context(**options)`` that records CSP violations in ``VIOLATIONS``."""
    context = browser.new_context(**options)
    context.add_init_script(LISTENER)

    def seen(message: Any) -> None:
        if is_violation(message.text):
            VIOLATIONS.append(f"{message.text} ({message.location.get('url', '')})")

    context.on("console", seen)
    return context
