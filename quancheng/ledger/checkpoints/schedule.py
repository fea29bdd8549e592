"""Checkpoints at an interval: ``quancheng checkpoint --every SECONDS`` (started by
``quancheng serve`` when ``QUANCHENG_CHECKPOINT_INTERVAL`` is above 0).

Each round signs a checkpoint of every log that grew since its last one, stamps it when a
TSA is configured (a failing TSA leaves it unstamped and the loop goes on), then calls
``after_round``. Several schedulers may run (one per application server): on PostgreSQL a
round first takes an advisory lock and is skipped while another scheduler holds it, and on
any database the checkpoints are written under each log's lock after checking again that
no checkpoint of that size was stored meanwhile (``actions._write_checkpoints``), so two
rounds at once never sign two checkpoints of one size.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import close_old_connections, connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from quancheng.ledger.actions import sign_checkpoints
from quancheng.ledger.choices import Channel
from quancheng.ledger.context import Actor
from quancheng.ledger.models import Checkpoint
from quancheng.ledger.witnesses import witnessing

# pg_try_advisory_lock key for a checkpoint round: "QCcp" as a number
ROUND_LOCK = 0x51436370


def after_round(checkpoints: list[Checkpoint], failed: Callable[[str], None] | None = None) -> None:
    """Called after every round with the checkpoints it signed (possibly none): submits them
    to the witnesses configured with a URL (``witnessing.submit_all``, which also sends again
    what a witness missed); a witness that fails is reported through ``failed`` and the
    checkpoints stand. An exception is reported on the round's line and the loop goes on."""
    witnessing.submit_all(checkpoints, failed=failed)


@dataclass
class Round:
    """What one round did, for its line on stderr."""

    signed: list[Checkpoint] = field(default_factory=list)
    stamped: int = 0
    skipped: bool = False  # another scheduler held the round lock
    error: str = ""


@contextmanager
def _round_lock() -> Iterator[bool]:
    """PostgreSQL: whether this scheduler may run the round now (an advisory lock, held for
    the round). Elsewhere always true (SQLite has one writer anyway)."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [ROUND_LOCK])
        held = bool(cursor.fetchone()[0])
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [ROUND_LOCK])


def run_round(
    report: Callable[[str], None],
    origins: list[str] | None = None,
    require_timestamp: bool = False,
) -> Round:
    """Sign (and stamp) a checkpoint of every log (or those named) that grew, then call
    ``after_round``.

    Timestamp failures go to ``report`` one by one; any other failure (with
    ``require_timestamp``, a TSA that failed: nothing is written) is kept in ``Round.error``
    and the next round tries again."""
    result = Round()
    if not connection.in_atomic_block:  # (a caller's transaction, as in tests, is kept)
        close_old_connections()  # a database restarted between rounds: reconnect
    try:
        with _round_lock() as held:
            if not held:
                result.skipped = True
                return result
            result.signed = sign_checkpoints(
                Actor.system(Channel.TASK),
                origins=origins,
                require_timestamp=require_timestamp,
                timestamp_failed=report,
            )
    except Exception as exc:  # noqa: BLE001 - one bad round must not end the loop
        result.error = str(exc) or type(exc).__name__
        return result
    result.stamped = sum(1 for c in result.signed if hasattr(c, "stamp"))
    try:
        after_round(result.signed, report)
    except Exception as exc:  # noqa: BLE001 - reported; the checkpoints are stored
        result.error = _("after the round: %(e)s") % {"e": exc}
    return result


def describe(result: Round, interval: float) -> str:
    """The round's line on stderr: UTC time, what was done, when the next round is."""
    when = timezone.now().astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if result.skipped:
        text = _("another scheduler is signing; round skipped")
    elif result.signed:
        text = ngettext(
            "%(n)s checkpoint signed, %(t)s timestamped",
            "%(n)s checkpoints signed, %(t)s timestamped",
            len(result.signed),
        ) % {
            "n": len(result.signed),
            "t": result.stamped,
        }
    elif not result.error:
        text = _("no log grew")
    else:
        text = ""
    if result.error:
        text = "; ".join(t for t in (text, _("round failed: %(e)s") % {"e": result.error}) if t)
    return _("%(when)s checkpoints: %(text)s; next round in %(s)s s.") % {
        "when": when,
        "text": text,
        "s": f"{interval:g}",
    }


def run_every(
    interval: float,
    stop: threading.Event,
    report: Callable[[str], None],
    signed: Callable[[Checkpoint], None] | None = None,
    origins: list[str] | None = None,
    require_timestamp: bool = False,
) -> None:
    """Run a round every ``interval`` seconds until ``stop`` is set (the round under way is
    finished first). ``report`` gets each round's line and the timestamp failures."""
    while not stop.is_set():
        started = time.monotonic()
        result = run_round(report, origins, require_timestamp)
        for checkpoint in result.signed:
            if signed:
                signed(checkpoint)
        report(describe(result, interval))
        stop.wait(max(0.0, interval - (time.monotonic() - started)))
