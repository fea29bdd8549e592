"""Checkpoints as signed notes: C2SP ``tlog-checkpoint`` text signed per C2SP ``signed-note``.

A checkpoint note::

    quancheng.local/agency/agency-a          origin: names the log
    1204                                     tree size, decimal
    Qm9vdC1oYXNoLWJhc2U2NC1lbmNvZGVkLi4uLg==  root hash, base64
                                             blank line ends the text
    — quancheng.local Az3grk8w2P…           one line per signature

A signature line is an em dash, a space, the key's name, a space, and base64 of the 4-byte
key id followed by the signature of the text (every line up to the blank one, each ending in
a newline). The key id is the first 4 bytes of SHA-256(name || 0x0A || type || public key);
a verifier key is written ``<name>+<hex key id>+<base64(type || public key)>``.

The type is ``0x01`` for Ed25519 (the signature is 64 bytes, the key 32). For SM2 with SM3
(国密 mode) signed-note has no assigned byte: the type is ``0xff`` (reserved for types
without one) followed by the identifier ``SM2_IDENTIFIER``, the key is the 65-byte
uncompressed point and the signature DER (see ``quancheng.ledger.crypto.sm2``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

if TYPE_CHECKING:
    from quancheng.ledger.crypto.sm2 import Sm2PrivateKey

ED25519 = 0x01
OTHER = 0xFF
# 0xff, then the dotted OID of SM2 signatures with SM3 (GM/T 0006) and the encoding used.
SM2_IDENTIFIER = b"1.2.156.10197.1.501/der/1234567812345678"
SM2_TYPE = bytes([OTHER]) + SM2_IDENTIFIER
ALGORITHMS = ("ed25519", "sm2")
DASH = "\u2014"
_BAD_NAME = re.compile(r"[\s+]")


class NoteError(ValueError):
    """A note, checkpoint or verifier key that is not well formed."""


@dataclass(frozen=True)
class Signature:
    name: str
    key_id: bytes
    signature: bytes


@dataclass(frozen=True)
class CheckpointBody:
    origin: str
    size: int
    root_hash: bytes


def check_name(name: str) -> str:
    if not name or _BAD_NAME.search(name):
        raise NoteError(f"a key name must be non-empty, without spaces or '+': {name!r}")
    return name


def algorithm(public_key: bytes) -> str:
    """``ed25519`` (32-byte key) or ``sm2`` (65-byte uncompressed point)."""
    if len(public_key) == 32:
        return "ed25519"
    if len(public_key) == 65 and public_key[0] == 0x04:
        return "sm2"
    raise NoteError("not an Ed25519 or SM2 public key")


def signature_type(public_key: bytes) -> bytes:
    return bytes([ED25519]) if algorithm(public_key) == "ed25519" else SM2_TYPE


def key_id(name: str, public_key: bytes) -> bytes:
    typed = signature_type(public_key) + public_key
    return hashlib.sha256(name.encode() + b"\n" + typed).digest()[:4]


def verifier_key(name: str, public_key: bytes) -> str:
    encoded = base64.b64encode(signature_type(public_key) + public_key).decode()
    return f"{check_name(name)}+{key_id(name, public_key).hex()}+{encoded}"


def parse_verifier_key(text: str) -> tuple[str, bytes, bytes]:
    """``(name, key id, public key)`` from a verifier key (Ed25519 or SM2)."""
    try:
        name, hex_id, encoded = text.strip().split("+", 2)
        raw = base64.b64decode(encoded, validate=True)
        kid = bytes.fromhex(hex_id)
    except (ValueError, binascii.Error):
        raise NoteError(f"not a verifier key: {text!r}") from None
    if len(raw) == 33 and raw[0] == ED25519:
        public = raw[1:]
    elif raw.startswith(SM2_TYPE) and len(raw) == len(SM2_TYPE) + 65:
        public = raw[len(SM2_TYPE) :]
        if not _sm2().public_key_valid(public):
            raise NoteError(f"not a valid SM2 verifier key: {text!r}")
    else:
        raise NoteError(f"not an Ed25519 or SM2 verifier key: {text!r}")
    if key_id(check_name(name), public) != kid:
        raise NoteError(f"the key id of verifier key {text!r} does not match its key")
    return name, kid, public


def _sm2():  # noqa: ANN202 - the module, imported only where an SM2 key is met
    from quancheng.ledger.crypto import sm2

    return sm2


def checkpoint_text(origin: str, size: int, root_hash: bytes) -> str:
    if not origin or "\n" in origin or _BAD_NAME.search(origin):
        raise NoteError(f"a checkpoint origin must be one word: {origin!r}")
    return f"{origin}\n{size}\n{base64.b64encode(root_hash).decode()}\n"


def parse_checkpoint(text: str) -> CheckpointBody:
    lines = text.split("\n")
    if len(lines) < 4 or lines[-1] != "" or not re.fullmatch(r"0|[1-9][0-9]*", lines[1]):
        raise NoteError("not a checkpoint: origin, size and root hash lines expected")
    try:
        root = base64.b64decode(lines[2], validate=True)
    except binascii.Error:
        raise NoteError("the checkpoint's root hash is not base64") from None
    if len(root) != 32:
        raise NoteError("the checkpoint's root hash is not 32 bytes")
    return CheckpointBody(lines[0], int(lines[1]), root)


def public_bytes(private_key: Ed25519PrivateKey | Sm2PrivateKey) -> bytes:
    if isinstance(private_key, Ed25519PrivateKey):
        return private_key.public_key().public_bytes_raw()
    return private_key.public_bytes()


def sign(text: str, name: str, private_key: Ed25519PrivateKey | Sm2PrivateKey) -> str:
    """One signature line for ``text`` (Ed25519 or SM2 with SM3)."""
    blob = key_id(name, public_bytes(private_key)) + private_key.sign(text.encode())
    return f"{DASH} {check_name(name)} {base64.b64encode(blob).decode()}\n"


def split(note: str) -> tuple[str, list[Signature]]:
    """The signed text and the signatures of a note."""
    cut = note.rfind("\n\n")
    if cut < 0 or not note.endswith("\n"):
        raise NoteError("not a signed note: no blank line before the signatures")
    text, block = note[: cut + 1], note[cut + 2 :]
    signatures = []
    for line in block.splitlines():
        match = re.fullmatch(DASH + r" (\S+) ([A-Za-z0-9+/=]+)", line)
        if not match:
            raise NoteError(f"not a signature line: {line!r}")
        blob = base64.b64decode(match[2])
        if len(blob) < 5:
            raise NoteError(f"signature too short: {line!r}")
        signatures.append(Signature(match[1], blob[:4], blob[4:]))
    if not signatures:
        raise NoteError("the note has no signature")
    return text, signatures


def verify(text: str, signature: Signature, public_key: bytes) -> bool:
    if algorithm(public_key) == "sm2":
        return _sm2().verify(public_key, signature.signature, text.encode())
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature.signature, text.encode())
    except InvalidSignature:
        return False
    return True
