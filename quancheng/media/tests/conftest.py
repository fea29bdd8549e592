from __future__ import annotations

import pytest

from quancheng.media.store import get_store


@pytest.fixture
def media_dir(settings, tmp_path):
    settings.QUANCHENG_MEDIA_STORAGE = "local"
    settings.QUANCHENG_MEDIA_DIR = tmp_path / "media"
    return settings.QUANCHENG_MEDIA_DIR


@pytest.fixture
def store(media_dir, db):
    return get_store()
