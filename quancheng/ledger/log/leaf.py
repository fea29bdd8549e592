"""What a ledger leaf is: the canonical JSON of a fact, field by field.

A leaf is ``SHA-256(0x00 || JCS(entry))`` (RFC 9162 leaf hash of the RFC 8785 serialization
of ``entry``), where ``entry`` is a JSON object with exactly these members:

=============  ===============================================================================
``v``          1, the version of this format
``agency``     the code of the agency whose log holds the fact, or null (system log)
``seq``        the fact's position in that log, from 0
``kind``       what happened (``case.opened``, ``record.corrected`` …)
``subject``    ``[subject_type, subject_id]``, both strings
``payload``    the fact's data, a JSON object
``actor``      who acted (user name, or ``[channel]`` for the system)
``channel``    web, api, cli, import, task, system
``remote_addr`` the client's IP address, fully written out (IPv6 with all eight groups), or null
``created_at`` when it was appended, UTC, ``YYYY-MM-DDTHH:MM:SS.ffffffZ``
``prev``       hex leaf hash of the previous fact on the same subject in this log (the state
               this fact replaces), or null for the first
=============  ===============================================================================

Beside the leaf hash each fact keeps a 4-byte digest of every member but ``v``, so that
``quancheng verify`` can say *which* field of a changed fact no longer matches.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from quancheng.ledger.log.canonical import canonical_json
from quancheng.ledger.log.merkle import leaf_hash

VERSION = 1
FIELDS = (
    "actor",
    "agency",
    "channel",
    "created_at",
    "kind",
    "payload",
    "prev",
    "remote_addr",
    "seq",
    "subject",
)  # sorted, as RFC 8785 orders them; "v" sorts last
DIGEST_SIZE = 4


def iso_utc(value: dt.datetime) -> str:
    """``2026-03-02T01:00:00.000000Z``: the one spelling of an instant in a leaf."""
    if value.tzinfo is None:
        raise ValueError("ledger times must be aware")
    naive = value.astimezone(dt.UTC).replace(tzinfo=None)
    return naive.isoformat(timespec="microseconds") + "Z"


def ip_text(value: object) -> str | None:
    """An address as Python writes it out in full, whatever form the database returns."""
    if value is None or value == "":
        return None
    return _ip_text(str(value))


@functools.lru_cache(maxsize=4096)
def _ip_text(value: str) -> str:
    text = value.split("/", 1)[0]
    try:
        return ipaddress.ip_address(text).exploded
    except ValueError:
        return text


def entry(
    *,
    agency: str | None,
    seq: int,
    kind: str,
    subject_type: str,
    subject_id: str,
    payload: Mapping[str, Any],
    actor: str,
    channel: str,
    remote_addr: object,
    created_at: dt.datetime,
    prev: bytes | None,
) -> dict[str, Any]:
    """The JSON object a fact's leaf is the hash of."""
    return {
        "v": VERSION,
        "agency": agency,
        "seq": seq,
        "kind": kind,
        "subject": [subject_type, subject_id],
        "payload": payload,
        "actor": actor,
        "channel": channel,
        "remote_addr": ip_text(remote_addr),
        "created_at": iso_utc(created_at),
        "prev": prev.hex() if prev is not None else None,
    }


def encode(data: Mapping[str, Any]) -> bytes:
    """The leaf's data: RFC 8785 canonical JSON of the entry."""
    return canonical_json(data)


def field_digest(value: Any) -> bytes:
    """4 bytes of SHA-256 of a member's canonical JSON."""
    return hashlib.sha256(canonical_json(value)).digest()[:DIGEST_SIZE]


def field_digests(data: Mapping[str, Any]) -> bytes:
    """The digest of each member, in ``FIELDS`` order."""
    return b"".join(field_digest(data[name]) for name in FIELDS)


def changed_fields(data: Mapping[str, Any], stored: bytes) -> list[str]:
    """The members whose digest differs from the one stored when the fact was appended."""
    now = field_digests(data)
    if len(stored) != len(now):
        return list(FIELDS)
    return [
        name
        for i, name in enumerate(FIELDS)
        if now[i * DIGEST_SIZE : (i + 1) * DIGEST_SIZE]
        != stored[i * DIGEST_SIZE : (i + 1) * DIGEST_SIZE]
    ]


def hash_entry(data: Mapping[str, Any]) -> bytes:
    return leaf_hash(encode(data))


def hash_and_digests(data: Mapping[str, Any]) -> tuple[bytes, bytes]:
    """``hash_entry`` and ``field_digests`` at once: the entry's canonical JSON is put together
    from its members' (RFC 8785 sorts members by name, and every name here is ASCII)."""
    pieces = {name: canonical_json(data[name]) for name in FIELDS}
    digests = b"".join(hashlib.sha256(pieces[name]).digest()[:DIGEST_SIZE] for name in FIELDS)
    pieces["v"] = canonical_json(data["v"])
    body = b",".join(b'"' + name.encode() + b'":' + pieces[name] for name in sorted(pieces))
    return leaf_hash(b"{" + body + b"}"), digests


# --- the leaf put together by the database --------------------------------------------------

# The members only known under the log's lock. On PostgreSQL ``append_fact`` sends the rest of
# the canonical JSON cut around them, and the database function ``quancheng_ledger_append``
# (migration ledger/0007) writes them in, hashes and inserts in one round trip.
LATE = ("created_at", "prev", "seq")


@dataclass(frozen=True)
class Template:
    """An entry's canonical JSON without its late members, and its field digests.

    ``parts`` are the four pieces around ``created_at``, ``prev`` and ``seq`` (each ends with
    the member's ``"name":``); ``digests`` has zeros where theirs go."""

    parts: tuple[bytes, bytes, bytes, bytes]
    digests: bytes


def template(
    *,
    agency: str | None,
    kind: str,
    subject_type: str,
    subject_id: str,
    payload: Mapping[str, Any],
    actor: str,
    channel: str,
    remote_addr: object,
) -> Template:
    """The entry ``entry`` would give, but for ``created_at``, ``prev`` and ``seq``."""
    known = {
        "v": VERSION,
        "agency": agency,
        "kind": kind,
        "subject": [subject_type, subject_id],
        "payload": payload,
        "actor": actor,
        "channel": channel,
        "remote_addr": ip_text(remote_addr),
    }
    pieces = {name: canonical_json(value) for name, value in known.items()}
    parts: list[bytes] = []
    text = b"{"
    for index, name in enumerate(sorted([*pieces, *LATE])):  # every name is ASCII
        text += (b"," if index else b"") + b'"' + name.encode() + b'":'
        if name in LATE:
            parts.append(text)
            text = b""
        else:
            text += pieces[name]
    parts.append(text + b"}")
    digests = b"".join(
        bytes(DIGEST_SIZE) if name in LATE else hashlib.sha256(pieces[name]).digest()[:DIGEST_SIZE]
        for name in FIELDS
    )
    return Template((parts[0], parts[1], parts[2], parts[3]), digests)


def fill(
    made: Template, *, created_at: dt.datetime, prev: bytes | None, seq: int
) -> tuple[bytes, bytes]:
    """The leaf hash and field digests of the entry once its late members are known: what
    ``hash_and_digests`` gives for the whole entry (and the database function computes)."""
    late = {
        "created_at": canonical_json(iso_utc(created_at)),
        "prev": canonical_json(prev.hex() if prev is not None else None),
        "seq": canonical_json(seq),
    }
    head, body, middle, tail = made.parts
    data = head + late["created_at"] + body + late["prev"] + middle + late["seq"] + tail
    digests = bytearray(made.digests)
    for name in LATE:
        at = FIELDS.index(name) * DIGEST_SIZE
        digests[at : at + DIGEST_SIZE] = hashlib.sha256(late[name]).digest()[:DIGEST_SIZE]
    return leaf_hash(data), bytes(digests)
