"""Check a Quancheng proof bundle (``quancheng proof case``) with no database and no Quancheng.

Standalone on purpose: the Python standard library and ``cryptography`` only, so the bundle
can carry a copy of this file (``verify_proof.py``) and a court or a supervisor can run::

    pip install cryptography
    python verify_proof.py DIR            (messages in Simplified Chinese)
    python verify_proof.py DIR --lang en  (in English)

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
something fails, 2 when DIR is not a proof bundle at all (or the command line is wrong).

Every message is in ``MESSAGES``, in Simplified Chinese and English; the language is chosen
once per run (``--lang zh``, the default, or ``--lang en``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
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
LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"

# --- messages ---------------------------------------------------------------------------

# Every message the verifier prints, in both languages, with the same named placeholders
# (str.format). The words are the catalog's (quancheng/locale/zh_Hans/LC_MESSAGES/django.po):
# 事实 fact, 日志 log, 检查点 checkpoint, 包含证明 inclusion proof, 叶哈希/根哈希 leaf/root hash,
# 序号 seq, 大小 size, 见证方 witness, 联署 cosignature, 验证公钥 verifier key, 校验 verify.
MESSAGES: dict[str, dict[str, str]] = {
    # the command line
    "usage": {
        "zh": "用法：verify_proof.py 目录 [--lang zh|en]（“quancheng proof case”写出的证明包）",
        "en": "usage: verify_proof.py DIR [--lang zh|en]   "
        "(a bundle written by “quancheng proof case”)",
    },
    "unknown_language": {
        "zh": "未知的语言 {language!r}：请使用 --lang zh 或 --lang en。",
        "en": "Unknown language {language!r}: use --lang zh or --lang en.",
    },
    "needs_cryptography": {
        "zh": "本验证程序需要 cryptography 包：pip install cryptography",
        "en": "This verifier needs the cryptography package: pip install cryptography",
    },
    "needs_package": {
        "zh": "本证明包以 SM2（国密）签名，校验需要 {package} 包：pip install {package}",
        "en": "This bundle is signed with SM2 (国密); checking it needs the {package} package: "
        "pip install {package}",
    },
    "not_a_bundle": {
        "zh": "不是证明包：{error}",
        "en": "Not a proof bundle: {error}",
    },
    "verifier_key": {
        "zh": "验证公钥：{key}",
        "en": "Verifier key: {key}",
    },
    "summary": {
        "zh": "{facts} 条事实，{checkpoints} 个检查点",
        "en": "{facts} fact(s), {checkpoints} checkpoint(s)",
    },
    "verified": {
        "zh": "校验通过：{summary}；每条事实都在其已签名的日志中。",
        "en": "Verified: {summary}; every fact is in its signed log.",
    },
    "failed": {
        "zh": "校验失败：{problems} 个问题（{summary}）。",
        "en": "Verification FAILED: {problems} problems ({summary}).",
    },
    # what is not well formed (BundleError), said after a file's name or "Not a proof bundle"
    "manifest_unreadable": {
        "zh": "无法读取 {path}：{error}",
        "en": "{path} cannot be read: {error}",
    },
    "not_a_manifest": {
        "zh": "{manifest} 不是 {format} 格式的清单",
        "en": "{manifest} is not a {format} manifest",
    },
    "not_a_verifier_key": {
        "zh": "不是验证公钥：{text!r}",
        "en": "not a verifier key: {text!r}",
    },
    "not_a_valid_verifier_key": {
        "zh": "不是有效的 Ed25519 或 SM2 验证公钥：{text!r}",
        "en": "not a valid Ed25519 or SM2 verifier key: {text!r}",
    },
    "not_a_witness_key": {
        "zh": "不是见证方的联署密钥：{text!r}",
        "en": "not a witness's cosignature key: {text!r}",
    },
    "key_id_mismatch": {
        "zh": "{text!r} 的密钥 ID 与其密钥不符",
        "en": "the key id of {text!r} does not match its key",
    },
    "not_a_signed_note": {
        "zh": "不是签名文本（签名之前没有空行）",
        "en": "not a signed note (no blank line before the signatures)",
    },
    "not_a_checkpoint": {
        "zh": "不是检查点（应有来源、大小和根哈希三行）",
        "en": "not a checkpoint (origin, size and root hash lines expected)",
    },
    "bad_root_hash": {
        "zh": "检查点的根哈希不是以 base64 编码的 32 字节",
        "en": "the checkpoint's root hash is not 32 bytes of base64",
    },
    "not_a_signature_line": {
        "zh": "不是签名行：{line!r}",
        "en": "not a signature line: {line!r}",
    },
    "not_an_object": {
        "zh": "不是 JSON 对象",
        "en": "not an object",
    },
    # a fact, as the problems name it
    "fact": {
        "zh": "事实（序号 {seq}，{subject} 的 {kind}）",
        "en": "fact seq {seq} ({kind} on {subject})",
    },
    "fact_not_an_object": {
        "zh": "事实（不是 JSON 对象）",
        "en": "fact (not a JSON object)",
    },
    # the problems, each naming its file
    "in_file": {
        "zh": "{file}：{problem}。",
        "en": "{file}: {problem}.",
    },
    "unreadable": {
        "zh": "{file}：无法读取：{error}。",
        "en": "{file}: cannot be read: {error}.",
    },
    "no_verifier_key": {
        "zh": "{file}：没有验证公钥。",
        "en": "{file}: holds no verifier key.",
    },
    "not_listed": {
        "zh": "{file}：未列入 {manifest}。",
        "en": "{file}: not listed in {manifest}.",
    },
    "no_facts": {
        "zh": "{manifest} 没有列出任何事实。",
        "en": "{manifest} lists no facts.",
    },
    "checkpoint_of_other_log": {
        "zh": "{file}：该检查点属于日志 {found}，而非 {origin}。",
        "en": "{file}: the checkpoint is of log {found}, not {origin}.",
    },
    "cosigned": {
        "zh": "{file}：已由见证方 {witness} 联署",
        "en": "{file}: cosigned by witness {witness}",
    },
    "forged_cosignature": {
        "zh": "{file}：见证方 {witness} 的联署是伪造的，或检查点被改动"
        "（日志 {origin}，大小 {size}）。",
        "en": "{file}: the cosignature by witness {witness} is forged or the checkpoint was "
        "altered (log {origin}, size {size}).",
    },
    "forged_signature": {
        "zh": "{file}：{key} 的签名是伪造的，或检查点被改动（日志 {origin}，大小 {size}）。",
        "en": "{file}: the signature by {key} is forged or the checkpoint was altered "
        "(log {origin}, size {size}).",
    },
    "not_signed": {
        "zh": "{file}：未由 {keys} 中的任何密钥签名。",
        "en": "{file}: not signed by any key in {keys}.",
    },
    "fact_missing": {
        "zh": "{file}：缺失。",
        "en": "{file}: missing.",
    },
    "unreadable_proof": {
        "zh": "{file}：不是{fact}的可读包含证明：{error}。",
        "en": "{file}: not a readable inclusion proof of {fact}: {error}.",
    },
    "fact_not_json": {
        "zh": "{file}：已不是 JSON：事实被改动。",
        "en": "{file}: not JSON any more: the fact was altered.",
    },
    "leaf_hash_mismatch": {
        "zh": "{file}：日志 {origin} 的{fact}与 {proof} 中的叶哈希不符：事实被改动。",
        "en": "{file}: {fact} of log {origin} does not give the leaf hash in {proof}: "
        "the fact was altered.",
    },
    "wrong_position": {
        "zh": "{file}：证明的位置为 {index}，但{fact}所记的序号为 {seq}。",
        "en": "{file}: proves position {index}, but {fact} says it is at seq {seq}.",
    },
    "wrong_log": {
        "zh": "{file}：日志 {origin} 不是{fact}所在的日志（机关 {agency}）。",
        "en": "{file}: log {origin} is not the log of {fact} (agency {agency}).",
    },
    "no_checkpoint": {
        "zh": "{file}：证明包中没有日志 {origin} 的检查点。",
        "en": "{file}: the bundle has no checkpoint of log {origin}.",
    },
    "checkpoint_fails": {
        "zh": "{file}：{fact}无法校验：日志 {origin} 的检查点未通过校验。",
        "en": "{file}: {fact} cannot be checked: the checkpoint of log {origin} does not hold.",
    },
    "wrong_tree_size": {
        "zh": "{file}：证明{fact}位于大小为 {size} 的树中，但日志 {origin} 的检查点大小为 "
        "{checkpoint_size}。",
        "en": "{file}: proves {fact} in a tree of size {size}, but the checkpoint of log "
        "{origin} has size {checkpoint_size}.",
    },
    "wrong_root": {
        "zh": "{file}：{fact}的包含证明得不出日志 {origin} 检查点（大小 {size}）的根哈希："
        "证明或检查点被改动。",
        "en": "{file}: the inclusion proof of {fact} does not lead to the root of the "
        "checkpoint of log {origin} (size {size}): the proof or the checkpoint was altered.",
    },
}


def catalog(language: str) -> dict[str, str]:
    """The message templates of one language (``zh`` or ``en``), by message key."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    return {key: texts[language] for key, texts in MESSAGES.items()}


def language_for(code: str | None) -> str:
    """``en`` for a Django language code of English (``en``, ``en-us`` …), else ``zh``."""
    return "en" if (code or "").lower().startswith("en") else "zh"


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
    """Something in the bundle is not well formed: the key of its message, and the values."""

    def __init__(self, key: str, /, **values: object) -> None:
        super().__init__(key, values)
        self.key = key
        self.values = values

    def text(self, messages: dict[str, str]) -> str:
        return messages[self.key].format(**self.values)

    def __str__(self) -> str:
        return self.text(catalog("en"))


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
        raise BundleError("not_a_verifier_key", text=text) from None
    if len(raw) == 33 and raw[0] == ED25519:
        public = raw[1:]
    elif raw.startswith(SM2_TYPE) and len(raw) == len(SM2_TYPE) + 65 and raw[-65] == 0x04:
        public = raw[-65:]
    else:
        public = b""
    if not name or not public or key_id(name, public) != kid:
        raise BundleError("not_a_valid_verifier_key", text=text)
    return name, kid, public


def parse_note(note: str) -> Checkpoint:
    cut = note.rfind("\n\n")
    if cut < 0 or not note.endswith("\n"):
        raise BundleError("not_a_signed_note")
    text, block = note[: cut + 1], note[cut + 2 :]
    lines = text.split("\n")
    if len(lines) < 4 or not re.fullmatch(r"0|[1-9][0-9]*", lines[1]):
        raise BundleError("not_a_checkpoint")
    try:
        root = base64.b64decode(lines[2], validate=True)
    except binascii.Error:
        root = b""
    if len(root) != 32:
        raise BundleError("bad_root_hash")
    signatures = []
    for line in block.splitlines():
        match = re.fullmatch(DASH + r" (\S+) ([A-Za-z0-9+/=]+)", line)
        blob = _b64(match[2]) if match else b""
        if not match or len(blob) < 5:
            raise BundleError("not_a_signature_line", line=line)
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
        raise BundleError("not_a_verifier_key", text=text) from None
    if len(raw) != 33 or raw[0] != COSIGNATURE_V1:
        raise BundleError("not_a_witness_key", text=text)
    if hashlib.sha256(name.encode() + b"\n" + raw).digest()[:4] != kid:
        raise BundleError("key_id_mismatch", text=text)
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
    language: str = DEFAULT_LANGUAGE  # of the problems and the cosignature lines
    facts: int = 0
    checkpoints: int = 0
    problems: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    cosigned: list[str] = field(default_factory=list)  # "<file>: cosigned by <witness>"
    messages: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.messages = catalog(self.language)

    @property
    def ok(self) -> bool:
        return not self.problems and self.facts > 0

    def text(self, key: str, /, **values: object) -> str:
        return self.messages[key].format(**values)

    def fail(self, key: str, /, **values: object) -> None:
        self.problems.append(self.text(key, **values))


def _read_json(path: Path) -> object:
    return json.loads(path.read_text(encoding="utf-8"))


def _describe(data: object, result: Result) -> str:
    """``fact seq 17 (record.corrected on record:7)`` from a fact's JSON, as far as it can."""
    if not isinstance(data, dict):
        return result.text("fact_not_an_object")
    subject = data.get("subject")
    on = ":".join(str(s) for s in subject) if isinstance(subject, list) else "?"
    return result.text("fact", seq=data.get("seq"), kind=data.get("kind"), subject=on)


def verify_bundle(directory: Path | str, language: str = DEFAULT_LANGUAGE) -> Result:
    """Check every checkpoint, fact and proof of the bundle; collect what fails, said in
    ``language`` (``zh`` or ``en``)."""
    root_dir = Path(directory)
    result = Result(language)
    try:
        manifest = _read_json(root_dir / MANIFEST)
    except (OSError, ValueError) as exc:
        raise BundleError("manifest_unreadable", path=root_dir / MANIFEST, error=exc) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BundleError("not_a_manifest", manifest=MANIFEST, format=FORMAT)

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
            result.fail("not_listed", file=name, manifest=MANIFEST)
    if not result.facts and not result.problems:
        result.fail("no_facts", manifest=MANIFEST)
    return result


def _keys(root_dir: Path, result: Result) -> dict[tuple[str, bytes], bytes]:
    keys: dict[tuple[str, bytes], bytes] = {}
    try:
        lines = (root_dir / KEYS).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        result.fail("unreadable", file=KEYS, error=exc.strerror)
        return keys
    for line in lines:
        if not line.strip():
            continue
        try:
            name, kid, public = parse_verifier_key(line)
        except BundleError as exc:
            result.fail("in_file", file=KEYS, problem=exc.text(result.messages))
            continue
        keys[(name, kid)] = public
        result.keys.append(line.strip())
    if not keys and not result.problems:
        result.fail("no_verifier_key", file=KEYS)
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
                result.fail("in_file", file=WITNESS_KEYS, problem=exc.text(result.messages))
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
        checkpoint = _read_checkpoint(root_dir, name, result)
        if checkpoint is None:
            continue
        result.checkpoints += 1
        if checkpoint.origin != origin:
            result.fail(
                "checkpoint_of_other_log", file=name, found=checkpoint.origin, origin=origin
            )
            continue
        if _signatures_hold(name, checkpoint, keys, witnesses, result):
            out[origin] = checkpoint
    return out


def _read_checkpoint(root_dir: Path, name: str, result: Result) -> Checkpoint | None:
    """The checkpoint in the file ``name``; None (reported) if it cannot be read or parsed."""
    try:
        return parse_note((root_dir / name).read_text(encoding="utf-8"))
    except OSError as exc:
        result.fail("unreadable", file=name, error=exc.strerror)
    except BundleError as exc:
        result.fail("in_file", file=name, problem=exc.text(result.messages))
    return None


def _signatures_hold(
    name: str,
    checkpoint: Checkpoint,
    keys: dict[tuple[str, bytes], bytes],
    witnesses: dict[tuple[str, bytes], bytes],
    result: Result,
) -> bool:
    """Check the signatures on the checkpoint in the file ``name``: each witness's
    cosignature, and those by the bundle's keys. True when one of those keys signed it and
    no signature by them is forged; what fails is reported."""
    good: list[str] = []
    bad: list[str] = []
    for signer, kid, signature in checkpoint.signatures:
        witness = witnesses.get((signer, kid))
        if witness is not None:
            _check_cosignature(name, checkpoint, signer, signature, witness, result)
            continue
        public = keys.get((signer, kid))
        if public is None:
            continue  # a cosignature by a key the bundle does not vouch for
        label = f"{signer}+{kid.hex()}"
        (good if signature_holds(checkpoint.text, signature, public) else bad).append(label)
    for label in bad:
        result.fail(
            "forged_signature", file=name, key=label, origin=checkpoint.origin, size=checkpoint.size
        )
    if not good and not bad:
        result.fail("not_signed", file=name, keys=KEYS)
    return bool(good) and not bad


def _check_cosignature(
    name: str,
    checkpoint: Checkpoint,
    witness: str,
    signature: bytes,
    public_key: bytes,
    result: Result,
) -> None:
    """Say who cosigned the checkpoint in the file ``name``, or report a forged cosignature."""
    if cosignature_holds(checkpoint.text, signature, public_key):
        result.cosigned.append(result.text("cosigned", file=name, witness=witness))
    else:
        result.fail(
            "forged_cosignature",
            file=name,
            witness=witness,
            origin=checkpoint.origin,
            size=checkpoint.size,
        )


@dataclass(frozen=True)
class _Proof:
    """An inclusion proof as its file states it."""

    name: str  # the file's name in the bundle
    origin: str
    index: int
    size: int
    leaf_hash: bytes
    audit_path: list[bytes]


def _read_proof(root_dir: Path, name: str, result: Result) -> _Proof:
    """The inclusion proof in the file ``name``; raises ``OSError``, ``ValueError``,
    ``KeyError`` or ``TypeError`` when it cannot be read or lacks a member."""
    proof = _read_json(root_dir / name)
    if not isinstance(proof, dict):
        raise ValueError(result.text("not_an_object"))
    origin = str(proof["origin"])
    index, size = int(proof["leaf_index"]), int(proof["tree_size"])
    stated = bytes.fromhex(proof["leaf_hash"])
    path = [bytes.fromhex(h) for h in proof["audit_path"]]
    return _Proof(name, origin, index, size, stated, path)


def _check_fact(
    root_dir: Path, item: dict, checkpoints: dict[str, Checkpoint | None], result: Result
) -> None:
    """Check one fact of the manifest: its file, that its proof is of it, at its position in
    its own log, and that the proof leads to that log's checkpoint; failures are reported."""
    fact_name, proof_name = str(item.get("fact")), str(item.get("proof"))
    try:
        data = (root_dir / fact_name).read_bytes()
    except OSError:
        result.fail("fact_missing", file=fact_name)
        return
    try:
        fact = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        fact = None
    what = _describe(fact, result)
    try:
        proof = _read_proof(root_dir, proof_name, result)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        result.fail("unreadable_proof", file=proof_name, fact=what, error=exc)
        return
    result.facts += 1
    computed = leaf_hash(data)
    if fact is None:
        result.fail("fact_not_json", file=fact_name)
        return
    if computed != proof.leaf_hash:
        result.fail(
            "leaf_hash_mismatch", file=fact_name, fact=what, origin=proof.origin, proof=proof_name
        )
        return
    if _proves_its_place(fact, what, proof, result):
        _check_inclusion(proof, what, computed, checkpoints, result)


def _proves_its_place(fact: dict, what: str, proof: _Proof, result: Result) -> bool:
    """Whether the proof is at the fact's own seq, in its agency's log (else reported)."""
    if fact.get("seq") != proof.index:
        result.fail(
            "wrong_position", file=proof.name, index=proof.index, fact=what, seq=fact.get("seq")
        )
        return False
    agency = fact.get("agency")
    if not proof.origin.endswith("/system" if agency is None else f"/agency/{agency}"):
        result.fail("wrong_log", file=proof.name, origin=proof.origin, fact=what, agency=agency)
        return False
    return True


def _check_inclusion(
    proof: _Proof,
    what: str,
    leaf: bytes,
    checkpoints: dict[str, Checkpoint | None],
    result: Result,
) -> None:
    """Check that the proof leads from ``leaf`` to the root of its log's checkpoint, one
    that holds and is of the proof's tree size; a failure is reported."""
    origin = proof.origin
    if origin not in checkpoints:
        result.fail("no_checkpoint", file=proof.name, origin=origin)
        return
    checkpoint = checkpoints[origin]
    if checkpoint is None:
        result.fail("checkpoint_fails", file=proof.name, fact=what, origin=origin)
        return
    if proof.size != checkpoint.size:
        result.fail(
            "wrong_tree_size",
            file=proof.name,
            fact=what,
            size=proof.size,
            origin=origin,
            checkpoint_size=checkpoint.size,
        )
        return
    root = root_from_inclusion_proof(proof.index, proof.size, leaf, proof.audit_path)
    if root != checkpoint.root:
        result.fail("wrong_root", file=proof.name, fact=what, origin=origin, size=proof.size)


def _arguments(args: list[str], language: str) -> tuple[list[str], str, str | None]:
    """The positional arguments, the language (``--lang``, else ``language``) and an unknown
    ``--lang`` value, if one was given."""
    positional: list[str] = []
    unknown = None
    rest = iter(args)
    for arg in rest:
        if arg != "--lang" and not arg.startswith("--lang="):
            positional.append(arg)
            continue
        value = next(rest, "") if arg == "--lang" else arg.partition("=")[2]
        if value in LANGUAGES:
            language = value
        else:
            unknown = value
    return positional, language, unknown


def main(
    argv: list[str] | None = None,
    stdout: TextIO | None = None,
    language: str = DEFAULT_LANGUAGE,
) -> int:
    """Check the bundle named in ``argv``; print the result in ``language`` (or the one
    ``--lang`` names); return the exit status."""
    args, language, unknown = _arguments(sys.argv[1:] if argv is None else argv, language)
    messages = catalog(language)
    stream = stdout or sys.stdout

    def say(key: str, /, **values: object) -> str:
        return messages[key].format(**values)

    def _out(line: str) -> None:
        stream.write(line + "\n")

    if unknown is not None:
        sys.stderr.write(say("unknown_language", language=unknown) + "\n")
        return 2
    if len(args) != 1 or args[0] in ("-h", "--help"):
        _out(say("usage"))
        return 2
    try:
        import cryptography  # noqa: F401 - only checks that it is there
    except ImportError:
        sys.stderr.write(say("needs_cryptography") + "\n")
        return 2
    try:
        result = verify_bundle(args[0], language)
    except BundleError as exc:
        sys.stderr.write(say("not_a_bundle", error=exc.text(messages)) + "\n")
        return 2
    except MissingLibrary as exc:
        sys.stderr.write(say("needs_package", package=exc) + "\n")
        return 2
    for key in result.keys:
        _out(say("verifier_key", key=key))
    for line in result.cosigned:
        _out(line)
    for problem in result.problems:
        _out(problem)
    summary = say("summary", facts=result.facts, checkpoints=result.checkpoints)
    if result.ok:
        _out(say("verified", summary=summary))
        return 0
    _out(say("failed", problems=len(result.problems), summary=summary))
    return 1


if __name__ == "__main__":
    # a console or file whose encoding has no Chinese (cp1252 …) gets escapes, not a crash;
    # the exit status says the result either way
    for _stream in (sys.stdout, sys.stderr):
        if isinstance(_stream, io.TextIOWrapper):
            _stream.reconfigure(errors="backslashreplace")
    sys.exit(main())
