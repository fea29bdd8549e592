"""Which log a fact goes to, and the lock that makes one writer per log."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings

from quancheng.ledger.models import SYSTEM_LOG_KEY, Log

if TYPE_CHECKING:
    from quancheng.agencies.models import Agency


def log_key(agency: Agency | None) -> str:
    return SYSTEM_LOG_KEY if agency is None else f"agency:{agency.pk}"


def origin_for(agency: Agency | None) -> str:
    """The checkpoint origin of a log: ``<installation origin>/agency/<code>`` or ``…/system``."""
    base = settings.QUANCHENG_LEDGER_ORIGIN.rstrip("/")
    return f"{base}/system" if agency is None else f"{base}/agency/{agency.code}"


def lock_log(agency: Agency | None) -> Log:
    """The agency's log, locked until the transaction ends (created on first use).

    PostgreSQL: ``SELECT … FOR UPDATE`` on the log's row, so appends to one log queue while
    other logs are written in parallel. SQLite: the database's single write lock, taken at
    ``BEGIN IMMEDIATE`` (settings), already orders every writer.
    """
    key = log_key(agency)
    locked = Log.objects.select_for_update().filter(key=key)
    log = locked.first()
    if log is None:
        Log.objects.bulk_create(
            [
                Log(
                    key=key,
                    agency=agency,
                    agency_code=agency.code if agency else None,
                    origin=origin_for(agency),
                )
            ],
            ignore_conflicts=True,  # another writer may have created it meanwhile
        )
        log = locked.first()
        if log is None:
            raise RuntimeError(f"ledger log {key} could not be created (origin taken?)")
    return log
