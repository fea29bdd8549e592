"""Keys made once per session (demo CA, agency A's seal, its officers), copied per test."""

from __future__ import annotations

import shutil

import pytest

from quancheng.documents import keys

PASSPHRASE = "test-passphrase"


@pytest.fixture(scope="session")
def _session_keys(tmp_path_factory):
    directory = tmp_path_factory.mktemp("keys")
    mp = pytest.MonkeyPatch()
    mp.setenv(keys.PASSPHRASE_ENV, PASSPHRASE)
    from django.conf import settings

    old = getattr(settings, "QUANCHENG_KEYS_DIR", None)
    settings.QUANCHENG_KEYS_DIR = directory
    try:
        keys.init_ca()
        keys.issue_agency_cert("agency-a", "甲市场监管局")
        keys.issue_agency_cert("agency-b", "乙城管局")
        for name, cert_no in (("officer", "AH-0001"), ("officer2", "AH-0002")):
            keys.issue_officer_cert("agency-a", "甲市场监管局", name, cert_no)
    finally:
        settings.QUANCHENG_KEYS_DIR = old
        mp.undo()
    return directory


@pytest.fixture
def signing(settings, tmp_path, monkeypatch, _session_keys):
    """DATA_DIR in a fresh folder with the session's keys; no TSA unless a test sets one."""
    settings.DATA_DIR = tmp_path
    shutil.copytree(_session_keys, tmp_path / "keys")
    monkeypatch.setenv(keys.PASSPHRASE_ENV, PASSPHRASE)
    monkeypatch.delenv("QUANCHENG_TSA_URL", raising=False)
    monkeypatch.delenv("QUANCHENG_TSA_ROOTS", raising=False)
    return tmp_path
