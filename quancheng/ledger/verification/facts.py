"""One pass over a log's facts for ``quancheng verify``: every leaf recomputed from its row.

Per fact: the leaf from the row's columns (naming the changed fields from the per-field
digests), the sequence (a gap is a deleted fact; a fact whose only changed field is its
position was moved), the link to the previous fact on its subject, the order rows were stored
in, and the agency. This runs once per fact, a million times for a large log, so the rows
are read with as little conversion as each database allows.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import connection
from django.utils.translation import gettext as _

from quancheng.ledger.log import leaf, merkle
from quancheng.ledger.log.canonical import (
    CanonicalizationError,
    canonical_json,
    is_plain,
    plain_dumps,
)
from quancheng.ledger.models import Log

if TYPE_CHECKING:
    from quancheng.ledger.verification.verify import Advance, Report

_COLUMNS = (
    "id, seq, kind, subject_type, subject_id, {payload}, actor_label, channel, {remote_addr},"
    " {created_at}, prev_leaf, leaf_hash, field_digests, agency_id"
)
_SQL = "SELECT " + _COLUMNS + " FROM ledger_fact WHERE log_id = %s ORDER BY seq"  # noqa: S608
_SQLITE_SQL = _SQL.format(payload="payload", remote_addr="remote_addr", created_at="created_at")
# PostgreSQL writes the time in the leaf's own spelling (timestamptz keeps microseconds) and
# hands the payload and the address over as text: Django's loader for timestamptz and the
# jsonb and inet loaders would cost more than the rest of the fact's check.
POSTGRES_TIME = """to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""
_POSTGRES_SQL = _SQL.format(
    payload="payload::text",
    remote_addr="remote_addr::text",
    created_at=POSTGRES_TIME.format("created_at"),
)


@dataclass
class Scan:
    """What one pass over a log's facts found."""

    leaves: list[bytes] = field(default_factory=list)
    moved: list[tuple[int, int, bytes]] = field(default_factory=list)  # id, seq, seq digest
    missing: list[int] = field(default_factory=list)


Collect = Callable[[int, str, str, object], None]  # log id, kind, subject id, payload


def scan_facts(
    log: Log, report: Report, advance: Advance | None = None, collect: Collect | None = None
) -> Scan:
    """Recompute every fact of ``log`` in order; problems go to ``report``; ``collect`` is
    handed each fact's payload (parsed where the check parsed it, else its stored text)."""
    scan = Scan()
    last_on_subject: dict[str, bytes] = {}
    expected, previous_id = 0, 0
    origin, code = log.origin, log.agency_code
    postgres = connection.vendor == "postgresql"
    leaf_of = _postgres_leaf if postgres else _sqlite_leaf
    with connection.chunked_cursor() as cursor:
        cursor.execute(_POSTGRES_SQL if postgres else _SQLITE_SQL, [log.pk])
        while rows := cursor.fetchmany(5000):
            if advance:
                advance(len(rows))
            for row in rows:
                (pk, seq, kind, s_type, s_id, payload, actor, channel, remote) = row[:9]
                created, prev, stored, digests, agency_id = row[9:]
                prev = bytes(prev) if prev is not None else None
                stored = bytes(stored)
                if seq != expected:
                    scan.missing += range(expected, seq)
                    _missing(report, origin, expected, seq - 1)
                expected = seq + 1
                created = created if postgres else _iso(created)
                data = _entry(code, seq, kind, s_type, s_id, actor, channel, remote, created, prev)
                computed = leaf_of(data, payload, stored)
                if collect is not None:
                    parsed = data["payload"]
                    collect(log.pk, kind, s_id, payload if parsed is None else parsed)
                if computed != stored:
                    _changed(report, log, pk, seq, data, bytes(digests), scan)
                if agency_id != log.agency_id:
                    _moved_in(report, origin, pk)
                key = f"{s_type}:{s_id}"
                if prev != last_on_subject.get(key):
                    _not_following(report, origin, pk, seq, key)
                last_on_subject[key] = stored
                if pk < previous_id:
                    _reordered(report, origin, pk, seq, previous_id)
                previous_id = pk
                scan.leaves.append(computed)
    return scan


def _entry(
    code: str | None,
    seq: int,
    kind: str,
    s_type: str,
    s_id: str,
    actor: str,
    channel: str,
    remote: object,
    created: str,
    prev: bytes | None,
) -> dict:
    """The leaf entry of a row, with ``payload`` None until the leaf check puts the parsed
    payload there; ``created`` is already in the leaf's spelling of a time."""
    return {
        "v": leaf.VERSION,
        "agency": code,
        "seq": seq,
        "kind": kind,
        "subject": [s_type, s_id],
        "payload": None,
        "actor": actor,
        "channel": channel,
        "remote_addr": leaf.ip_text(remote),
        "created_at": created,
        "prev": prev.hex() if prev is not None else None,
    }


def _iso(value: dt.datetime | str) -> str:
    """``leaf.iso_utc`` of a stored time, where SQLite hands back naive UTC text: the naive
    value is written as it is (going through ``iso_utc`` costs 1.5 µs a fact more)."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.isoformat(timespec="microseconds") + "Z"


# --- the leaf of a row ---------------------------------------------------------------------
# Each fills in ``data["payload"]`` when the leaf differs, for the report to name the fields.


def _sqlite_leaf(data: dict, payload: object, stored: bytes) -> bytes:
    """SQLite keeps the payload as the canonical JSON it was hashed from: spliced into the
    entry as it is, a hash match means the stored text is the very bytes of the leaf.
    Anything else (the text was rewritten, even as equal JSON) takes the full path."""
    if isinstance(payload, str):
        try:
            text = plain_dumps(data).replace(b'"payload":null', b'"payload":' + payload.encode(), 1)
        except (CanonicalizationError, UnicodeEncodeError):
            text = b""
        if text and merkle.leaf_hash(text) == stored:
            return stored
    return _full_leaf(data, _parsed(payload))


class _NotPlain(Exception):
    """The payload holds a value the fast path does not write as RFC 8785 does."""


def _no_float(text: str) -> float:
    raise _NotPlain


def _safe_int(text: str) -> int:
    if len(text) > 15:  # maybe beyond ±(2**53 − 1): RFC 8785 writes it as a double
        raise _NotPlain
    return int(text)


_load_plain = json.JSONDecoder(parse_float=_no_float, parse_int=_safe_int).decode
_HIGH_CHARACTER = re.compile("[\ue000-\U0010ffff]")  # keys may sort otherwise in UTF-16


def _postgres_leaf(data: dict, payload: str, stored: bytes) -> bytes:
    """jsonb hands back its own spelling of the payload: parsed, and written canonically."""
    if "\\u" not in payload and _HIGH_CHARACTER.search(payload) is None:
        try:
            data["payload"] = _load_plain(payload)
        except _NotPlain:
            pass
        else:
            try:
                return merkle.leaf_hash(plain_dumps(data))
            except CanonicalizationError:
                return b""
    return _full_leaf(data, json.loads(payload))


def _full_leaf(data: dict, payload: object) -> bytes:
    data["payload"] = payload
    try:
        # every member but the payload is a string, int, null or list of strings
        text = plain_dumps(data) if is_plain(payload) else canonical_json(data)
    except CanonicalizationError:
        return b""
    return merkle.leaf_hash(text)


def _parsed(payload: object) -> object:
    if not isinstance(payload, str):
        return payload
    try:
        return json.loads(payload)
    except ValueError:
        return payload  # not JSON any more: compared as the text it is, it differs


# --- what is wrong -------------------------------------------------------------------------


def _missing(report: Report, origin: str, first: int, last: int) -> None:
    if first == last:
        message = _("Log %(log)s: the fact at seq %(seq)s is missing (deleted).") % {
            "log": origin,
            "seq": first,
        }
    else:
        message = _("Log %(log)s: the facts at seq %(first)s–%(last)s are missing (deleted).") % {
            "log": origin,
            "first": first,
            "last": last,
        }
    report.add(origin, "missing", message)


def _moved_in(report: Report, origin: str, pk: int) -> None:
    """Fact ``pk`` belongs to another agency than its log's."""
    report.add(
        origin,
        "agency",
        _("Fact #%(id)s was moved into log %(log)s from another agency.")
        % {"id": pk, "log": origin},
    )


def _not_following(report: Report, origin: str, pk: int, seq: int, key: str) -> None:
    """Fact ``pk`` does not link to the previous fact on its subject ``key``."""
    report.add(
        origin,
        "chain",
        _(
            "Fact #%(id)s (log %(log)s, seq %(seq)s) does not follow the previous "
            "fact on %(subject)s: a fact on it was removed or reordered."
        )
        % {"id": pk, "log": origin, "seq": seq, "subject": key},
    )


def _reordered(report: Report, origin: str, pk: int, seq: int, previous_id: int) -> None:
    """Fact ``pk`` sits after fact ``previous_id``, which was stored later."""
    report.add(
        origin,
        "order",
        _(
            "Fact #%(id)s sits at seq %(seq)s of log %(log)s after fact "
            "#%(other)s, which was stored later: entries were reordered."
        )
        % {"id": pk, "seq": seq, "log": origin, "other": previous_id},
    )


def _changed(
    report: Report, log: Log, pk: int, seq: int, data: dict, digests: bytes, scan: Scan
) -> None:
    try:
        fields = leaf.changed_fields(data, digests)
    except CanonicalizationError:
        fields = ["payload"]
    if fields == ["seq"]:
        scan.moved.append((pk, seq, digests[leaf.FIELDS.index("seq") * leaf.DIGEST_SIZE :][:4]))
        return
    args = {"id": pk, "log": log.origin, "seq": seq, "fields": ", ".join(fields)}
    if fields:
        message = _(
            "Fact #%(id)s (log %(log)s, seq %(seq)s): %(fields)s changed since it was appended."
        )
    else:
        message = _("Fact #%(id)s (log %(log)s, seq %(seq)s): its stored leaf hash was changed.")
    report.add(log.origin, "changed", message % args)


def explain_moves(log: Log, scan: Scan, report: Report) -> None:
    """A fact whose only changed field is its seq was moved: find where it was appended."""
    if not scan.moved:
        return
    candidates = [seq for _, seq, _ in scan.moved] + scan.missing
    for pk, seq, digest in scan.moved:
        was = next((c for c in candidates if leaf.field_digest(c) == digest), None)
        if was is None:
            was = next(
                (c for c in range(len(scan.leaves) + 1) if leaf.field_digest(c) == digest), None
            )
        args = {"id": pk, "log": log.origin, "seq": seq, "was": was}
        if was is None:
            message = _(
                "Fact #%(id)s (log %(log)s, seq %(seq)s): seq changed since it was appended."
            )
        else:
            message = _(
                "Fact #%(id)s of log %(log)s was appended at seq %(was)s but now sits at seq "
                "%(seq)s: entries were reordered."
            )
        report.add(log.origin, "moved", message % args)
