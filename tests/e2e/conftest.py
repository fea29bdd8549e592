"""Every browser test fails on a Content-Security-Policy violation (tests/e2e/csp_guard.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.csp_guard import VIOLATIONS


@pytest.fixture(autouse=True)
def no_csp_violations() -> Iterator[None]:
    VIOLATIONS.clear()
    yield
    found, VIOLATIONS[:] = list(VIOLATIONS), []
    assert not found, "Content-Security-Policy violations:\n" + "\n".join(found)
