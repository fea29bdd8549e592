"""Django's SQLite backend, with one write transaction at a time per process.

SQLite has a single write lock. A writer that finds it taken waits in SQLite's busy
handler, which sleeps in growing steps (up to 100 ms a step) and retries: with many
threads of one server process writing at once (each page view appends its access fact),
a waiter can sleep through several others' transactions and a request's latency grows by
seconds. Here the threads of one process queue on a lock of their own before ``BEGIN
IMMEDIATE`` and are woken as soon as the one before them commits; only writers of other
processes (the other server workers, the task worker) still meet the busy handler. The
wait is bounded by the same timeout (``QUANCHENG_SQLITE_TIMEOUT``) and ends, as SQLite's
does, in "database is locked".
"""

from __future__ import annotations

import threading
from typing import Any

from django.db import OperationalError
from django.db.backends.sqlite3 import base

_write_lock = threading.Lock()
_DEFAULT_TIMEOUT = 5.0  # seconds, SQLite's own default


class DatabaseWrapper(base.DatabaseWrapper):
    _holds_write_lock = False

    def _start_transaction_under_autocommit(self) -> None:
        timeout = float(self.settings_dict.get("OPTIONS", {}).get("timeout", _DEFAULT_TIMEOUT))
        if not _write_lock.acquire(timeout=timeout):
            raise OperationalError("database is locked")
        self._holds_write_lock = True
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]  # not in the stubs
        except BaseException:
            self._release_write_lock()
            raise

    def _release_write_lock(self) -> None:
        if self._holds_write_lock:
            self._holds_write_lock = False
            _write_lock.release()

    def _commit(self) -> Any:
        try:
            return super()._commit()  # type: ignore[misc]
        finally:
            self._release_write_lock()

    def _rollback(self) -> Any:
        try:
            return super()._rollback()  # type: ignore[misc]
        finally:
            self._release_write_lock()

    def _close(self) -> Any:
        try:
            return super()._close()  # type: ignore[misc]
        finally:
            self._release_write_lock()
