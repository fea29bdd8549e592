"""Witness cosignatures, C2SP ``tlog-cosignature`` v1 (Ed25519).

A cosignature is a signed-note signature line on a checkpoint::

    — <witness name> base64(key id || 8-byte big-endian timestamp || Ed25519 signature)

The key id is the first 4 bytes of SHA-256(name || 0x0A || 0x04 || public key). The signed
message is ``cosignature/v1\\ntime <unix seconds>\\n`` followed by the checkpoint text (every
line up to the blank one). A witness's verifier key is
``<name>+<hex key id>+<base64(0x04 || public key)>``. The name is not signed, so one key must
not serve two witness names.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from quancheng.ledger.crypto.note import DASH, NoteError, check_name

COSIGNATURE_V1 = 0x04
_MAX_TIME = 2**63 - 1
_LINE = re.compile(DASH + r" (\S+) ([A-Za-z0-9+/]+={0,2})")


@dataclass(frozen=True)
class Cosignature:
    name: str
    key_id: bytes
    timestamp: int  # POSIX seconds
    signature: bytes

    @property
    def time(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.timestamp, dt.UTC)


@dataclass(frozen=True)
class WitnessKey:
    """A witness's public key as its verifier key names it."""

    name: str
    key_id: bytes
    public_key: bytes

    @property
    def verifier_key(self) -> str:
        return verifier_key(self.name, self.public_key)


def key_id(name: str, public_key: bytes) -> bytes:
    data = name.encode() + b"\n" + bytes([COSIGNATURE_V1]) + public_key
    return hashlib.sha256(data).digest()[:4]


def verifier_key(name: str, public_key: bytes) -> str:
    encoded = base64.b64encode(bytes([COSIGNATURE_V1]) + public_key).decode()
    return f"{check_name(name)}+{key_id(name, public_key).hex()}+{encoded}"


def parse_verifier_key(text: str) -> WitnessKey:
    """A witness key from its verifier key (type 0x04, Ed25519 cosignature v1)."""
    try:
        name, hex_id, encoded = text.strip().split("+", 2)
        raw = base64.b64decode(encoded, validate=True)
        kid = bytes.fromhex(hex_id)
    except (ValueError, binascii.Error):
        raise NoteError(f"not a verifier key: {text!r}") from None
    if len(raw) != 33 or raw[0] != COSIGNATURE_V1:
        raise NoteError(f"not an Ed25519 cosignature (type 0x04) verifier key: {text!r}")
    if len(kid) != 4 or key_id(check_name(name), raw[1:]) != kid:
        raise NoteError(f"the key id of verifier key {text!r} does not match its key")
    return WitnessKey(name, kid, raw[1:])


def message(text: str, timestamp: int) -> bytes:
    """What a cosignature signs: the header, the time line, and the checkpoint text."""
    if not 0 <= timestamp <= _MAX_TIME:
        raise NoteError(f"a cosignature time must be between 0 and 2^63-1: {timestamp}")
    return f"cosignature/v1\ntime {timestamp}\n".encode() + text.encode()


def cosign(text: str, name: str, private_key: Ed25519PrivateKey, timestamp: int) -> str:
    """The cosignature line of ``text`` (a checkpoint's signed text) at ``timestamp``."""
    public = private_key.public_key().public_bytes_raw()
    signature = private_key.sign(message(text, timestamp))
    blob = key_id(name, public) + timestamp.to_bytes(8, "big") + signature
    return f"{DASH} {check_name(name)} {base64.b64encode(blob).decode()}\n"


def parse_line(line: str) -> Cosignature:
    """A cosignature from its signature line (with or without the final newline)."""
    match = _LINE.fullmatch(line.removesuffix("\n"))
    if not match:
        raise NoteError(f"not a signature line: {line!r}")
    blob = _blob(line)
    if len(blob) != 4 + 8 + 64:
        raise NoteError(f"not an Ed25519 cosignature (wrong length): {line!r}")
    timestamp = int.from_bytes(blob[4:12], "big")
    if timestamp > _MAX_TIME:
        raise NoteError(f"the cosignature's time is out of range: {line!r}")
    return Cosignature(match[1], blob[:4], timestamp, blob[12:])


def _blob(line: str) -> bytes:
    try:
        return base64.b64decode(line.split(" ")[-1].strip(), validate=True)
    except binascii.Error:
        raise NoteError(f"the signature is not base64: {line!r}") from None


def verify(text: str, cosignature: Cosignature, key: WitnessKey) -> bool:
    """Whether ``cosignature`` is ``key``'s over ``text`` (name, key id and signature)."""
    if (cosignature.name, cosignature.key_id) != (key.name, key.key_id):
        return False
    try:
        Ed25519PublicKey.from_public_bytes(key.public_key).verify(
            cosignature.signature, message(text, cosignature.timestamp)
        )
    except InvalidSignature:
        return False
    return True


def find(lines: str, text: str, key: WitnessKey) -> tuple[Cosignature, str] | None:
    """The first valid cosignature by ``key`` on ``text`` among signature ``lines``, and
    its line. Lines of other keys are ignored (C2SP tlog-witness: "MUST ignore cosignatures
    from unknown keys"); a malformed line raises ``NoteError``."""
    for line in lines.splitlines():
        match = _LINE.fullmatch(line)
        if not match:
            raise NoteError(f"not a signature line: {line!r}")
        if match[1] != key.name or _blob(line)[:4] != key.key_id:
            continue
        cosignature = parse_line(line)
        if verify(text, cosignature, key):
            return cosignature, line + "\n"
    return None
