from __future__ import annotations

import pytest
from django.utils import translation

PASSPHRASE = "correct horse battery staple"


@pytest.fixture
def key_file(settings, tmp_path, monkeypatch):
    """A key file location and passphrase for this test (the key itself: ``keys init``)."""
    path = tmp_path / "ledger" / "signing-key.pem"
    settings.QUANCHENG_LEDGER_KEY_FILE = path
    monkeypatch.setenv("QUANCHENG_LEDGER_KEY_PASSPHRASE", PASSPHRASE)
    return path


@pytest.fixture(autouse=True)
def _english():
    # messages are asserted word for word; they are English msgids translated elsewhere
    with translation.override("en"):
        yield
