"""Check a Quancheng proof bundle (``quancheng proof case``) with no database and no Quancheng.

Standalone on purpose: the Python standard library and ``cryptography`` only, so the bundle
can carry a copy of this file (``verify_proof.py``) and a court or a supervisor can run::

    pip install cryptography
    python verify_proof.py DIR

(a bundle signed with SM2 in 国密 mode also needs ``pip install gmalg``, imported only then).

It checks, for the bundle in DIR:

1. every checkpoint (C2SP ``tlog-checkpoint`` in a C2SP ``signed-note``) is signed by a key
   in ``key.vkey`` (C2SP verifier keys, Ed25519 or SM2 with SM3);
2. every fact file's bytes (the RFC 8785 canonical JSON a ledger leaf is made of) give the
   leaf hash of its proof: ``SHA-256(0x00 || bytes)`` (RFC 9162);
3. every inclusion proof leads from that leaf to the root hash of its log's checkpoint
   (RFC 9162 §2.1.3.2), at the fact's own position;
4. where the bundle has ``witnesses.vkey``, every cosignature on a checkpoint by a witness
   listed there (C2SP ``tlog-cosignature`` v1, Ed25519) holds, and says who cosigned.

Each failure names the file and the fact. Exit status 0 only when everything holds, 1 when
something fails, 2 when DIR is not a proof bundle at all.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

FORMAT = "quancheng-proof/1"
MANIFEST = "manifest.json"
KEYS = "key.vkey"
WITNESS_KEYS = "witnesses.vkey"
ED25519 = 0x01
COSIGNATURE_V1 = 0x04
# signed-note's 0xff (no assigned type byte) and the identifier of SM2 with SM3, as in note.py
SM2_TYPE = b"\xff" + b"1.2.156.10197.1.501/der/1234567812345678"
SM2_ID = b"1234567812345678"
SM2_ORDER = 0xFFFFFFFE_FFFFFFFF_FFFFFFFF_FFFFFFFF_7203DF6B_21C6052B_53BBF409_39D54123
SM2_PACKAGE = "gmalg"
DASH = "\u2014"


# --- RFC 9162 ---------------------------------------------------------------------------


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def root_from_inclusion_proof(
    index: int, size: int, leaf: bytes, proof: list[bytes]
) -> bytes | None:
    """The root an inclusion proof leads to (RFC 9162 §2.1.3.2), or None if it cannot."""
    if not 0 <= index < size:
        return None
    fn, sn = index, size - 1
    r = leaf
    for p in proof:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None


# --- C2SP signed notes ------------------------------------------------------------------


class BundleError(ValueError):
    """Something in the bundle is not well formed."""


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    text: str
    signatures: list[tuple[str, bytes, bytes]]  # name, key id, signature


class MissingLibrary(Exception):
    """A package this check needs is not installed."""


def _signature_type(public_key: bytes) -> bytes:
    return bytes([ED25519]) if len(public_key) == 32 else SM2_TYPE


def key_id(name: str, public_key: bytes) -> bytes:
    typed = _signature_type(public_key) + public_key
    return hashlib.sha256(name.encode() + b"\n" + typed).digest()[:4]


def parse_verifier_key(text: str) -> tuple[str, bytes, bytes]:
    """``(name, key id, public key)`` from ``<name>+<hex key id>+<base64(type || key)>``:
    type ``0x01`` and a 32-byte Ed25519 key, or ``SM2_TYPE`` and a 65-byte SM2 point."""
    try:
        name, hex_id, encoded = text.strip().split("+", 2)
        raw = base64.b64decode(encoded, validate=True)
        kid = bytes.fromhex(hex_id)
    except (ValueError, binascii.Error):
        raise BundleError(f"not a verifier key: {text!r}") from None
    if len(raw) == 33 and raw[0] == ED25519:
        public = raw[1:]
    elif raw.startswith(SM2_TYPE) and len(raw) == len(SM2_TYPE) + 65 and raw[-65] == 0x04:
        public = raw[-65:]
    else:
        public = b""
    if not name or not public or key_id(name, public) != kid:
        raise BundleError(f"not a valid Ed25519 or SM2 verifier key: {text!r}")
    return name, kid, public


def parse_note(note: str) -> Checkpoint:
    cut = note.rfind("\n\n")
    if cut < 0 or not note.endswith("\n"):
        raise BundleError("not a signed note (no blank line before the signatures)")
    text, block = note[: cut + 1], note[cut + 2 :]
    lines = text.split("\n")
    if len(lines) < 4 or not re.fullmatch(r"0|[1-9][0-9]*", lines[1]):
        raise BundleError("not a checkpoint (origin, size and root hash lines expected)")
    try:
        root = base64.b64decode(lines[2], validate=True)
    except binascii.Error:
        root = b""
    if len(root) != 32:
        raise BundleError("the checkpoint's root hash is not 32 bytes of base64")
    signatures = []
    for line in block.splitlines():
        match = re.fullmatch(DASH + r" (\S+) ([A-Za-z0-9+/=]+)", line)
        blob = _b64(match[2]) if match else b""
        if not match or len(blob) < 5:
            raise BundleError(f"not a signature line: {line!r}")
        signatures.append((match[1], blob[:4], blob[4:]))
    return Checkpoint(lines[0], int(lines[1]), root, text, signatures)


def _b64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except binascii.Error:
        return b""


def _der_integers(der: bytes) -> tuple[int, int] | None:
    """``(r, s)`` from a DER ``SEQUENCE { INTEGER, INTEGER }``, or None if not exactly that."""

    def integer(at: int) -> tuple[int, int] | None:
        if at + 2 > len(der) or der[at] != 0x02 or not 1 <= der[at + 1] <= 33:
            return None
        body = der[at + 2 : at + 2 + der[at + 1]]
        if len(body) != der[at + 1] or body[0] & 0x80:
            return None
        if len(body) > 1 and body[0] == 0 and not body[1] & 0x80:
            return None  # not minimal
        return int.from_bytes(body, "big"), at + 2 + len(body)

    if len(der) < 8 or der[0] != 0x30 or der[1] != len(der) - 2:
        return None
    first = integer(2)
    second = integer(first[1]) if first else None
    if not first or not second or second[1] != len(der):
        return None
    return first[0], second[0]


def sm2_signature_holds(text: str, signature: bytes, public_key: bytes) -> bool:
    """SM2 with SM3 (GB/T 32918.2), the default identifier, a DER signature."""
    try:
        from gmalg import SM2
    except ImportError:
        raise MissingLibrary(SM2_PACKAGE) from None
    numbers = _der_integers(signature)
    if numbers is None or not all(1 <= n < SM2_ORDER for n in numbers):
        return False
    try:
        if not SM2().verify_pk(public_key):
            return False
        verifier = SM2(uid=SM2_ID, pk=public_key)
        r, s = (n.to_bytes(32, "big") for n in numbers)
        return bool(verifier.verify(text.encode(), r, s))
    except Exception:  # noqa: BLE001 - gmalg's own errors for a malformed point
        return False


def signature_holds(text: str, signature: bytes, public_key: bytes) -> bool:
    if len(public_key) == 65:
        return sm2_signature_holds(text, signature, public_key)
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, text.encode())
    except InvalidSignature:
        return False
    return True


def parse_witness_key(text: str) -> tuple[str, bytes, bytes]:
    """``(name, key id, Ed25519 public key)`` of a witness's cosignature verifier key
    ``<name>+<hex key id>+<base64(0x04 || key)>``."""
    try:
        name, hex_id, encoded = text.strip().split("+", 2)
        raw = base64.b64decode(encoded, validate=True)
        kid = bytes.fromhex(hex_id)
    except (ValueError, binascii.Error):
        raise BundleError(f"not a verifier key: {text!r}") from None
    if len(raw) != 33 or raw[0] != COSIGNATURE_V1:
        raise BundleError(f"not a witness's cosignature key: {text!r}")
    if hashlib.sha256(name.encode() + b"\n" + raw).digest()[:4] != kid:
        raise BundleError(f"the key id of {text!r} does not match its key")
    return name, kid, raw[1:]


def cosignature_holds(text: str, blob: bytes, public_key: bytes) -> bool:
    """A tlog-cosignature v1 over the checkpoint ``text``: ``blob`` is the 8-byte big-endian
    time followed by the Ed25519 signature of ``cosignature/v1\ntime <t>\n`` + text."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    if len(blob) != 8 + 64:
        return False
    signed = f"cosignature/v1\ntime {int.from_bytes(blob[:8], 'big')}\n{text}".encode()
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(blob[8:], signed)
    except InvalidSignature:
        return False
    return True


# --- the bundle -------------------------------------------------------------------------


@dataclass
class Result:
    facts: int = 0
    checkpoints: int = 0
    problems: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    cosigned: list[str] = field(default_factory=list)  # "<file>: cosigned by <witness>"

    @property
    def ok(self) -> bool:
        return not self.problems and self.facts > 0


def _read_json(path: Path) -> object:
    return json.loads(path.read_text(encoding="utf-8"))


def _describe(data: object) -> str:
    """``seq 17 (record.corrected on record:7)`` from a fact's JSON, as far as it can."""
    if not isinstance(data, dict):
        return "(not a JSON object)"
    subject = data.get("subject")
    on = ":".join(str(s) for s in subject) if isinstance(subject, list) else "?"
    return f"seq {data.get('seq')} ({data.get('kind')} on {on})"


def verify_bundle(directory: Path | str) -> Result:
    """Check every checkpoint, fact and proof of the bundle; collect what fails."""
    root_dir = Path(directory)
    result = Result()
    try:
        manifest = _read_json(root_dir / MANIFEST)
    except (OSError, ValueError) as exc:
        raise BundleError(f"{root_dir / MANIFEST} cannot be read: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BundleError(f"{MANIFEST} is not a {FORMAT} manifest")

    keys = _keys(root_dir, result)
    witnesses = _witness_keys(root_dir, result)
    checkpoints = _checkpoints(root_dir, manifest, keys, witnesses, result)
    listed = set()
    for item in manifest.get("facts", []):
        listed.add(item.get("fact"))
        _check_fact(root_dir, item, checkpoints, result)
    for path in sorted((root_dir / "facts").glob("*.json")):
        name = f"facts/{path.name}"
        if name not in listed:
            result.problems.append(f"{name}: not listed in {MANIFEST}.")
    if not result.facts and not result.problems:
        result.problems.append(f"{MANIFEST} lists no facts.")
    return result


def _keys(root_dir: Path, result: Result) -> dict[tuple[str, bytes], bytes]:
    keys: dict[tuple[str, bytes], bytes] = {}
    try:
        lines = (root_dir / KEYS).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        result.problems.append(f"{KEYS}: cannot be read: {exc.strerror}.")
        return keys
    for line in lines:
        if not line.strip():
            continue
        try:
            name, kid, public = parse_verifier_key(line)
        except BundleError as exc:
            result.problems.append(f"{KEYS}: {exc}.")
            continue
        keys[(name, kid)] = public
        result.keys.append(line.strip())
    if not keys and not result.problems:
        result.problems.append(f"{KEYS}: holds no verifier key.")
    return keys


def _witness_keys(root_dir: Path, result: Result) -> dict[tuple[str, bytes], bytes]:
    """The witnesses' keys in ``witnesses.vkey``, if the bundle has one."""
    path = root_dir / WITNESS_KEYS
    if not path.exists():
        return {}
    keys: dict[tuple[str, bytes], bytes] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            try:
                name, kid, public = parse_witness_key(line)
            except BundleError as exc:
                result.problems.append(f"{WITNESS_KEYS}: {exc}.")
                continue
            keys[(name, kid)] = public
    return keys


def _checkpoints(
    root_dir: Path,
    manifest: dict,
    keys: dict[tuple[str, bytes], bytes],
    witnesses: dict[tuple[str, bytes], bytes],
    result: Result,
) -> dict[str, Checkpoint | None]:
    """Each log's checkpoint by origin; None for one that does not hold (already reported)."""
    out: dict[str, Checkpoint | None] = {}
    for origin, name in sorted(manifest.get("checkpoints", {}).items()):
        out[origin] = None
        try:
            checkpoint = parse_note((root_dir / name).read_text(encoding="utf-8"))
        except OSError as exc:
            result.problems.append(f"{name}: cannot be read: {exc.strerror}.")
            continue
        except BundleError as exc:
            result.problems.append(f"{name}: {exc}.")
            continue
        result.checkpoints += 1
        if checkpoint.origin != origin:
            result.problems.append(
                f"{name}: the checkpoint is of log {checkpoint.origin}, not {origin}."
            )
            continue
        good: list[str] = []
        bad: list[str] = []
        for signer, kid, signature in checkpoint.signatures:
            witness = witnesses.get((signer, kid))
            if witness is not None:
                if cosignature_holds(checkpoint.text, signature, witness):
                    result.cosigned.append(f"{name}: cosigned by witness {signer}")
                else:
                    result.problems.append(
                        f"{name}: the cosignature by witness {signer} is forged or the "
                        f"checkpoint was altered (log {origin}, size {checkpoint.size})."
                    )
                continue
            public = keys.get((signer, kid))
            if public is None:
                continue  # a cosignature by a key the bundle does not vouch for
            label = f"{signer}+{kid.hex()}"
            (good if signature_holds(checkpoint.text, signature, public) else bad).append(label)
        for label in bad:
            result.problems.append(
                f"{name}: the signature by {label} is forged or the checkpoint was altered "
                f"(log {origin}, size {checkpoint.size})."
            )
        if not good and not bad:
            result.problems.append(f"{name}: not signed by any key in {KEYS}.")
        out[origin] = checkpoint if good and not bad else None
    return out


def _check_fact(
    root_dir: Path, item: dict, checkpoints: dict[str, Checkpoint | None], result: Result
) -> None:
    fact_name, proof_name = str(item.get("fact")), str(item.get("proof"))
    try:
        data = (root_dir / fact_name).read_bytes()
    except OSError:
        result.problems.append(f"{fact_name}: missing.")
        return
    try:
        fact = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        fact = None
    what = _describe(fact)
    try:
        proof = _read_json(root_dir / proof_name)
        if not isinstance(proof, dict):
            raise ValueError("not an object")
        origin = str(proof["origin"])
        index, size = int(proof["leaf_index"]), int(proof["tree_size"])
        stated = bytes.fromhex(proof["leaf_hash"])
        path = [bytes.fromhex(h) for h in proof["audit_path"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        result.problems.append(
            f"{proof_name}: not a readable inclusion proof of fact {what}: {exc}."
        )
        return
    result.facts += 1
    computed = leaf_hash(data)
    if fact is None:
        result.problems.append(f"{fact_name}: not JSON any more: the fact was altered.")
        return
    if computed != stated:
        result.problems.append(
            f"{fact_name}: fact {what} of log {origin} does not give the leaf hash in "
            f"{proof_name}: the fact was altered."
        )
        return
    if fact.get("seq") != index:
        result.problems.append(
            f"{proof_name}: proves position {index}, but fact {what} says it is at seq "
            f"{fact.get('seq')}."
        )
        return
    agency = fact.get("agency")
    if not origin.endswith("/system" if agency is None else f"/agency/{agency}"):
        result.problems.append(
            f"{proof_name}: log {origin} is not the log of fact {what} (agency {agency})."
        )
        return
    if origin not in checkpoints:
        result.problems.append(f"{proof_name}: the bundle has no checkpoint of log {origin}.")
        return
    checkpoint = checkpoints[origin]
    if checkpoint is None:
        result.problems.append(
            f"{proof_name}: fact {what} cannot be checked: the checkpoint of log {origin} "
            "does not hold."
        )
        return
    if size != checkpoint.size:
        result.problems.append(
            f"{proof_name}: proves fact {what} in a tree of size {size}, but the checkpoint "
            f"of log {origin} has size {checkpoint.size}."
        )
        return
    if root_from_inclusion_proof(index, size, computed, path) != checkpoint.root:
        result.problems.append(
            f"{proof_name}: the inclusion proof of fact {what} does not lead to the root of "
            f"the checkpoint of log {origin} (size {size}): the proof or the checkpoint was "
            "altered."
        )


def main(argv: list[str] | None = None, stdout: TextIO | None = None) -> int:
    """Check the bundle named in ``argv``; print the result; return the exit status."""
    args = sys.argv[1:] if argv is None else argv
    stream = stdout or sys.stdout

    def _out(line: str) -> None:
        stream.write(line + "\n")

    if len(args) != 1 or args[0] in ("-h", "--help"):
        _out("usage: verify_proof.py DIR   (a bundle written by “quancheng proof case”)")
        return 2
    try:
        import cryptography  # noqa: F401 - only checks that it is there
    except ImportError:
        sys.stderr.write("This verifier needs the cryptography package: pip install cryptography\n")
        return 2
    try:
        result = verify_bundle(args[0])
    except BundleError as exc:
        sys.stderr.write(f"Not a proof bundle: {exc}\n")
        return 2
    except MissingLibrary as exc:
        sys.stderr.write(
            f"This bundle is signed with SM2 (国密); checking it needs the {exc} package: "
            f"pip install {exc}\n"
        )
        return 2
    for key in result.keys:
        _out(f"Verifier key: {key}")
    for line in result.cosigned:
        _out(line)
    for problem in result.problems:
        _out(problem)
    summary = f"{result.facts} fact(s), {result.checkpoints} checkpoint(s)"
    if result.ok:
        _out(f"Verified: {summary}; every fact is in its signed log.")
        return 0
    _out(f"Verification FAILED: {len(result.problems)} problems ({summary}).")
    return 1


if __name__ == "__main__":
    sys.exit(main())
