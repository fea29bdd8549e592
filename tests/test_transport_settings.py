"""Transport and cookies from the environment: HSTS with secure cookies, the proxy's
forwarded-protocol header, the session's lifetime, and an HttpOnly CSRF cookie.

Settings are read once at start-up, so each case starts a fresh interpreter with its own
environment and asks a real request of the site there (the login page needs no database).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
response = Client().get("/accounts/login/", headers=json.loads(__import__("sys").argv[1]))
csrf = response.cookies[settings.CSRF_COOKIE_NAME]
print(json.dumps({
    "hsts_seconds": settings.SECURE_HSTS_SECONDS,
    "proxy_header": settings.SECURE_PROXY_SSL_HEADER,
    "session_age": settings.SESSION_COOKIE_AGE,
    "status": response.status_code,
    "hsts": response.headers.get("Strict-Transport-Security"),
    "csp": response.headers.get("Content-Security-Policy"),
    "csrf_httponly": bool(csrf["httponly"]),
    "csrf_secure": bool(csrf["secure"]),
}))
"""


def site(tmp_path: Path, headers: dict[str, str] | None = None, **variables: str):
    """The settings and the login page's headers under ``variables``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("QUANCHENG_") and key != "DATABASE_URL"
    }
    env.update(
        DJANGO_SETTINGS_MODULE="quancheng.settings",
        QUANCHENG_DATA_DIR=str(tmp_path),
        PYTHONPATH=str(ROOT),
        **variables,
    )
    done = subprocess.run(  # noqa: S603 - our own probe
        [sys.executable, "-c", PROBE, json.dumps(headers or {})],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    if done.returncode != 0:
        return done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_defaults_plain_http_eight_hour_sessions_httponly_csrf(tmp_path):
    seen = site(tmp_path, {"X-Forwarded-Proto": "https"})
    assert seen["status"] == 200
    assert seen["session_age"] == 8 * 3600
    assert seen["hsts_seconds"] == 0 and seen["hsts"] is None
    assert seen["proxy_header"] is None  # a forwarded header counts for nothing by default
    assert seen["csrf_httponly"] is True and seen["csrf_secure"] is False
    assert "script-src 'self'" in seen["csp"]


def test_secure_cookies_behind_a_proxy_send_hsts_for_a_year(tmp_path):
    variables = {
        "QUANCHENG_SECURE_COOKIES": "1",
        "QUANCHENG_PROXY_SSL_HEADER": "X-Forwarded-Proto",
    }
    seen = site(tmp_path, {"X-Forwarded-Proto": "https"}, **variables)
    assert seen["proxy_header"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert seen["hsts"] == "max-age=31536000"
    assert seen["csrf_httponly"] is True and seen["csrf_secure"] is True
    # The same request over plain http (the proxy says so) gets no HSTS: browsers ignore it.
    assert site(tmp_path, {"X-Forwarded-Proto": "http"}, **variables)["hsts"] is None


def test_hsts_length_subdomains_and_another_proxy_header(tmp_path):
    seen = site(
        tmp_path,
        {"X-Forwarded-Ssl": "on"},
        QUANCHENG_SECURE_COOKIES="true",
        QUANCHENG_PROXY_SSL_HEADER="X-Forwarded-Ssl=on",
        QUANCHENG_HSTS_SECONDS="600",
        QUANCHENG_HSTS_INCLUDE_SUBDOMAINS="1",
    )
    assert seen["proxy_header"] == ["HTTP_X_FORWARDED_SSL", "on"]
    assert seen["hsts"] == "max-age=600; includeSubDomains"


def test_session_hours(tmp_path):
    assert site(tmp_path, QUANCHENG_SESSION_HOURS="12")["session_age"] == 12 * 3600


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("QUANCHENG_PROXY_SSL_HEADER", "X-Forwarded-Proto: https"),
        ("QUANCHENG_PROXY_SSL_HEADER", "HTTP_X_FORWARDED_PROTO"),
        ("QUANCHENG_PROXY_SSL_HEADER", "X-Forwarded-Proto=ht tps"),
        ("QUANCHENG_SESSION_HOURS", "0"),
        ("QUANCHENG_SESSION_HOURS", "eight"),
        ("QUANCHENG_HSTS_SECONDS", "-1"),
    ],
)
def test_bad_values_stop_the_start_naming_the_variable(tmp_path, variable, value):
    extra = {"QUANCHENG_SECURE_COOKIES": "1"} if variable == "QUANCHENG_HSTS_SECONDS" else {}
    error = site(tmp_path, **{variable: value, **extra})
    assert isinstance(error, str)
    assert "ImproperlyConfigured" in error and variable in error
