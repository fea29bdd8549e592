"""The bodies of C2SP ``tlog-witness`` ``add-checkpoint``, built and parsed.

A request body is::

    old <size>\\n                  the size the witness last cosigned (0: never)
    <base64 hash>\\n …             the RFC 6962 consistency proof from there, at most 63
    \\n                            a blank line
    <the signed checkpoint note>

The answers: 200 with one or more cosignature lines; 409 Conflict with the witness's size in
decimal and a newline (``Content-Type: text/x.tlog.size``) when ``old`` is not what it holds,
or when the sizes are equal but the roots are not; 422 when the proof does not verify; 403
when no key the witness trusts for the origin signed; 404 for an unknown origin; 400 for a
malformed body or an old size above the checkpoint's.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from quancheng.ledger.crypto import note

PATH = "add-checkpoint"
SIZE_CONTENT_TYPE = "text/x.tlog.size"
MAX_PROOF = 63
MAX_BODY = 64 * 1024  # a checkpoint with a few signatures and 63 hashes is ~4 KiB
_SIZE = r"0|[1-9][0-9]{0,18}"
_HASH = re.compile(r"[A-Za-z0-9+/]{43}=")


class ProtocolError(ValueError):
    """A body that is not what the protocol says (the witness answers 400)."""


@dataclass(frozen=True)
class AddCheckpoint:
    old_size: int
    proof: list[bytes]
    note: str  # the signed checkpoint note, as sent

    @property
    def body(self) -> str:
        return build_request(self.old_size, self.proof, self.note)


def build_request(old_size: int, proof: list[bytes], signed_note: str) -> str:
    if old_size < 0 or len(proof) > MAX_PROOF or any(len(h) != 32 for h in proof):
        raise ProtocolError("an old size of 0 or more and at most 63 32-byte hashes expected")
    lines = [f"old {old_size}\n"] + [base64.b64encode(h).decode() + "\n" for h in proof]
    return "".join(lines) + "\n" + signed_note


def parse_request(body: bytes | str) -> AddCheckpoint:
    """The parts of a request body; the note is checked to be a checkpoint note, not its
    signatures (that is the witness's business)."""
    if isinstance(body, bytes):
        try:
            body = body.decode()
        except UnicodeDecodeError:
            raise ProtocolError("the body is not UTF-8") from None
    head, blank, signed = body.partition("\n\n")
    lines = head.split("\n")
    if not blank or not (match := re.fullmatch(f"old ({_SIZE})", lines[0])):
        raise ProtocolError("the body must start with an 'old <size>' line and a proof")
    if len(lines) - 1 > MAX_PROOF:
        raise ProtocolError("more than 63 consistency proof lines")
    proof = []
    for line in lines[1:]:
        if not _HASH.fullmatch(line):
            raise ProtocolError(f"not a base64 SHA-256 hash: {line!r}")
        proof.append(base64.b64decode(line))
    try:
        text, _signatures = note.split(signed)
        note.parse_checkpoint(text)
    except (note.NoteError, binascii.Error) as exc:
        raise ProtocolError(f"not a signed checkpoint: {exc}") from None
    return AddCheckpoint(int(match[1]), proof, signed)


def parse_size(body: bytes | str) -> int:
    """The witness's size from a 409 answer's body."""
    if isinstance(body, bytes):
        body = body.decode("ascii", "replace")
    match = re.fullmatch(f"({_SIZE})\n", body)
    if not match:
        raise ProtocolError(f"not a tree size: {body[:40]!r}")
    return int(match[1])


def size_body(size: int) -> str:
    return f"{size}\n"
