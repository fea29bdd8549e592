"""The media store: originals kept once under their digest, never changed.

``get_store()`` gives the configured backend (``QUANCHENG_MEDIA_STORAGE``: ``local``, the
default, under ``QUANCHENG_MEDIA_DIR``; or ``s3``). See docs/media-storage.md.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from quancheng.media.models import Original
from quancheng.media.store.base import Store, StoreError, key_for
from quancheng.media.store.local import LocalStore

__all__ = ["Store", "StoreError", "get_store", "key_for", "store_of"]


def get_store(backend: str | None = None) -> Store:
    """The store new originals go to, or the one named by ``backend``."""
    name = backend or getattr(settings, "QUANCHENG_MEDIA_STORAGE", "local")
    if name == "local":
        return LocalStore(settings.QUANCHENG_MEDIA_DIR)
    if name == "s3":
        from quancheng.media.store.s3 import S3Store

        return S3Store.from_settings()
    raise ImproperlyConfigured(f"QUANCHENG_MEDIA_STORAGE must be 'local' or 's3', not {name!r}.")


def store_of(original: Original) -> Store:
    """The store that holds ``original`` (which may differ from where new files go)."""
    return get_store(original.backend)
