"""Typed readers for settings taken from the environment.

Each helper refuses a malformed value with ``ImproperlyConfigured`` naming the variable,
so a deployment fails at start-up rather than running on a silent default.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None:
        if default is None:
            raise ImproperlyConfigured(f"Environment variable {name} is required.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}.")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}.") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser().resolve() if value else default


def env_proxy_ssl_header(name: str) -> tuple[str, str] | None:
    """Django's ``SECURE_PROXY_SSL_HEADER`` from the header a proxy sets for https requests:
    ``X-Forwarded-Proto`` (its value then ``https``) or ``Header=value`` (``X-Forwarded-Ssl=on``).
    Unset or empty: ``None`` (the request's own scheme counts)."""
    value = os.environ.get(name, "").strip()
    if not value:
        return None
    header, _, expected = value.partition("=")
    header, expected = header.strip(), expected.strip() or "https"
    if not re.fullmatch(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*", header) or not re.fullmatch(
        r"[!-~]+", expected
    ):
        raise ImproperlyConfigured(
            f"{name} must be a header name such as X-Forwarded-Proto, optionally with "
            f"=value (default https), not {value!r}."
        )
    return "HTTP_" + header.upper().replace("-", "_"), expected
