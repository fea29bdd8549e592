"""``quancheng verify_media``: missing or changed originals and unaccounted files."""

from __future__ import annotations

import io
import os

import pytest
from django.core.management import CommandError, call_command

from quancheng.media.store import key_for

pytestmark = pytest.mark.usefixtures("english")


def verify(*args):
    out = io.StringIO()
    call_command("verify_media", *args, stdout=out)
    return out.getvalue()


def test_all_in_order(store):
    store.save_stream(io.BytesIO(b"one"))
    store.save_stream(io.BytesIO(b"two"))
    assert "2 originals checked, 0 problems." in verify("--full")


def test_changed_missing_and_orphan_reported(store, media_dir):
    changed = store.save_stream(io.BytesIO(b"one"))
    missing = store.save_stream(io.BytesIO(b"two"))
    path = media_dir / changed.key
    os.chmod(path, 0o644)
    path.write_bytes(b"ONE")  # same size, other bytes: only a full check sees it
    (media_dir / missing.key).unlink()
    orphan = media_dir / key_for("f" * 64)
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"x")

    out = io.StringIO()
    with pytest.raises(CommandError) as info:
        call_command("verify_media", stdout=out)
    assert info.value.returncode == 1
    text = out.getvalue()
    assert f"{missing.key}: missing" in text and changed.key not in text
    assert f"{key_for('f' * 64)}: stored without a row" in text

    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_media", "--full", stdout=out)
    assert f"{changed.key}: its bytes have changed" in out.getvalue()
    assert "2 originals checked, 3 problems." in out.getvalue()
