"""Checking the store against the database: every original present, of its size and (in a
full check) its digest; and every stored file accounted for by a row."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _

from quancheng.media.models import Original
from quancheng.media.store import Store, get_store, store_of
from quancheng.media.store.base import hash_only


@dataclass
class Problem:
    key: str
    message: str


def check_original(original: Original, *, full: bool) -> str | None:
    """What is wrong with the stored bytes of ``original``, or None."""
    store = store_of(original)
    if not store.exists(original):
        return _("missing, or not of its recorded size")
    if full:
        with store.open(original) as stream:
            sha256 = hash_only(stream, None).hexdigests()[0]
        if sha256 != original.sha256:
            return _("its bytes have changed: SHA-256 is now %(sha)s") % {"sha": sha256}
    return None


def verify(*, full: bool, store: Store | None = None) -> Iterator[Problem]:
    """Problems, one by one: originals whose bytes are missing or changed, and files in the
    configured store that no row accounts for (left by a save cut off before its row was
    written: harmless, adopted by the next save of the same bytes)."""
    for original in Original.objects.order_by("id").iterator():
        problem = check_original(original, full=full)
        if problem is not None:
            yield Problem(original.key, problem)
    store = store or get_store()
    known = set(Original.objects.filter(backend=store.backend).values_list("key", flat=True))
    for key in store.stored_keys():
        if key not in known:
            yield Problem(key, _("stored without a row (an interrupted save)"))
