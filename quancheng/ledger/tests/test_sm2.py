"""Checkpoints signed with SM2 and SM3 (国密 mode), cross-checked with the openssl command."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from conftest import tamper
from quancheng.ledger import portable
from quancheng.ledger.crypto import note, sm2
from quancheng.ledger.models import Checkpoint, Fact, SigningKey
from quancheng.ledger.tests.test_proofs import BLOCK_DJANGO, _subprocess, check
from quancheng.ledger.tests.test_verify import verify

A = "quancheng.local/agency/agency-a"
TEXT = "quancheng.local/agency/agency-a\n7\n" + base64.b64encode(bytes(range(32))).decode() + "\n"


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def openssl(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        ["openssl", *args],  # noqa: S607
        capture_output=True,
        env={**os.environ, **(env or {})},
        timeout=60,
        check=False,
    )


def sm3_sign_args(key: Path) -> list[str]:
    return ["-rawin", "-digest", "sm3", "-pkeyopt", "distid:1234567812345678", "-inkey", str(key)]


@pytest.fixture(scope="module")
def key() -> sm2.Sm2PrivateKey:
    return sm2.Sm2PrivateKey.generate()


# --- the signature and the verifier key --------------------------------------------------


def test_sm2_note_signature_verifies_and_fails_on_a_changed_text_or_another_key(key):
    line = note.sign(TEXT, "quancheng.local", key)
    body, [signature] = note.split(TEXT + "\n" + line)
    assert body == TEXT
    assert signature.key_id == note.key_id("quancheng.local", key.public_bytes())
    assert note.verify(TEXT, signature, key.public_bytes())
    assert not note.verify(TEXT.replace("\n7\n", "\n8\n"), signature, key.public_bytes())
    other = sm2.Sm2PrivateKey.generate()
    assert not note.verify(TEXT, signature, other.public_bytes())
    # a signature that is no DER, or whose numbers are out of range, is simply false
    assert not sm2.verify(key.public_bytes(), b"\x30\x00", TEXT.encode())
    zero = sm2._der_signature(0, 1)
    assert not sm2.verify(key.public_bytes(), zero, TEXT.encode())


def test_sm2_verifier_key_is_type_0xff_with_its_identifier(key):
    public = key.public_bytes()
    assert len(public) == 65 and public[0] == 0x04
    vkey = note.verifier_key("court.example", public)
    name, hex_id, encoded = vkey.split("+", 2)
    raw = base64.b64decode(encoded)
    assert raw == b"\xff" + b"1.2.156.10197.1.501/der/1234567812345678" + public
    typed = b"court.example\n" + raw
    assert bytes.fromhex(hex_id) == hashlib.sha256(typed).digest()[:4]
    assert note.parse_verifier_key(vkey) == ("court.example", bytes.fromhex(hex_id), public)
    assert portable.parse_verifier_key(vkey) == note.parse_verifier_key(vkey)
    # a point off the curve is no verifier key
    bad = public[:-1] + bytes([public[-1] ^ 1])
    off_curve = f"x+{note.key_id('x', bad).hex()}+{base64.b64encode(raw[:-65] + bad).decode()}"
    with pytest.raises(note.NoteError, match="not a valid SM2 verifier key"):
        note.parse_verifier_key(off_curve)


def test_our_sm2_signature_and_key_file_are_accepted_by_openssl(key, tmp_path):
    pem = tmp_path / "key.pem"
    pem.write_bytes(key.to_encrypted_pem(b"s3cret"))
    public_pem = tmp_path / "public.pem"
    done = openssl(
        "pkey", "-in", str(pem), "-passin", "env:PW", "-pubout", "-out", str(public_pem),
        env={"PW": "s3cret"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    done = openssl("pkey", "-pubin", "-in", str(public_pem), "-outform", "DER")
    assert done.stdout.endswith(key.public_bytes())  # the SPKI ends in the point
    (tmp_path / "text").write_text(TEXT)
    _, [signature] = note.split(TEXT + "\n" + note.sign(TEXT, "quancheng.local", key))
    (tmp_path / "sig").write_bytes(signature.signature)
    args = ["pkeyutl", "-verify", "-pubin", *sm3_sign_args(public_pem)]
    files = ["-in", str(tmp_path / "text"), "-sigfile", str(tmp_path / "sig")]
    done = openssl(*args, *files)
    assert done.returncode == 0 and b"Signature Verified Successfully" in done.stdout
    (tmp_path / "text").write_text(TEXT.replace("7", "8"))
    assert openssl(*args, *files).returncode != 0
    # with the wrong passphrase openssl cannot read it either
    assert openssl("pkey", "-in", str(pem), "-passin", "pass:nope").returncode != 0


def test_an_openssl_sm2_key_and_signature_are_accepted_here(tmp_path):
    pem = tmp_path / "openssl.pem"
    done = openssl(
        "genpkey", "-algorithm", "SM2", "-aes256", "-pass", "pass:s3cret", "-out", str(pem)
    )
    assert done.returncode == 0, done.stderr
    key = sm2.Sm2PrivateKey.from_encrypted_pem(pem.read_bytes(), b"s3cret")
    with pytest.raises(sm2.Sm2KeyError):
        sm2.Sm2PrivateKey.from_encrypted_pem(pem.read_bytes(), b"nope")
    (tmp_path / "text").write_text(TEXT)
    done = openssl(
        "pkeyutl", "-sign", *sm3_sign_args(pem), "-passin", "pass:s3cret",
        "-in", str(tmp_path / "text"), "-out", str(tmp_path / "sig"),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    blob = note.key_id("quancheng.local", key.public_bytes()) + (tmp_path / "sig").read_bytes()
    line = f"— quancheng.local {base64.b64encode(blob).decode()}\n"
    _, [signature] = note.split(TEXT + "\n" + line)
    assert note.verify(TEXT, signature, key.public_bytes())
    assert not note.verify(TEXT + "x\n", signature, key.public_bytes())


# --- keys, checkpoints, rotation ---------------------------------------------------------


def test_keys_init_sm2_writes_an_encrypted_key_openssl_reads(world, key_file):
    output = run("keys", "init", "--algorithm", "sm2")
    assert key_file.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    row = SigningKey.objects.get()
    assert row.algorithm == "sm2" and len(bytes(row.public_key)) == 65
    assert f"Verifier key: {row.verifier_key}" in output
    fact = Fact.objects.get(kind="ledger.key_created")
    assert fact.payload["algorithm"] == "sm2"
    assert fact.payload["verifier_key"] == row.verifier_key
    done = openssl(
        "pkey", "-in", str(key_file), "-passin", "env:QUANCHENG_LEDGER_KEY_PASSPHRASE",
        "-pubout", "-outform", "DER",
    )  # fmt: skip
    assert done.returncode == 0 and done.stdout.endswith(bytes(row.public_key))
    run("checkpoint")
    checkpoint = Checkpoint.objects.get(log__origin=A)
    text, [signature] = note.split(checkpoint.note)
    assert signature.key_id == bytes(row.key_id)
    assert note.verify(text, signature, bytes(row.public_key))
    assert verify()[0]


def test_guomi_mode_makes_sm2_the_default(world, key_file, settings):
    settings.QUANCHENG_GUOMI = True
    run("keys", "init")
    assert SigningKey.objects.get().algorithm == "sm2"


def test_wrong_passphrase_for_an_sm2_key_file_is_a_clear_error(world, key_file, monkeypatch):
    run("keys", "init", "--algorithm", "sm2")
    monkeypatch.setenv("QUANCHENG_LEDGER_KEY_PASSPHRASE", "not it")
    with pytest.raises(CommandError) as caught:
        run("checkpoint")
    assert str(caught.value) == (
        f"Wrong passphrase for the ledger key file {key_file}: check "
        "QUANCHENG_LEDGER_KEY_PASSPHRASE (or the file is damaged)."
    )
    assert not Checkpoint.objects.exists()


def test_rotation_from_ed25519_to_sm2_is_signed_by_both_and_keeps_sm2(world, key_file):
    run("keys", "init")
    old = SigningKey.objects.get()
    assert old.algorithm == "ed25519"
    run("keys", "rotate", "--algorithm", "sm2")
    new = SigningKey.objects.exclude(pk=old.pk).get()
    assert new.algorithm == "sm2"
    fact = Fact.objects.get(kind="ledger.key_rotated")
    assert fact.payload["replaces"] == old.verifier_key
    assert fact.payload["algorithm"] == "sm2"
    system = Checkpoint.objects.get(log__origin="quancheng.local/system")
    text, signatures = note.split(system.note)
    assert [s.key_id for s in signatures] == [bytes(old.key_id), bytes(new.key_id)]
    assert note.verify(text, signatures[0], bytes(old.public_key))
    assert note.verify(text, signatures[1], bytes(new.public_key))
    run("checkpoint")
    _, [signature] = note.split(Checkpoint.objects.get(log__origin=A).note)
    assert signature.key_id == bytes(new.key_id)
    assert verify()[0]
    # a rotation without --algorithm keeps the current key's
    run("keys", "rotate")
    assert SigningKey.objects.order_by("-id").first().algorithm == "sm2"
    assert verify()[0]


def test_verify_names_a_forged_sm2_signature(world, key_file):
    run("keys", "init", "--algorithm", "sm2")
    run("checkpoint")
    checkpoint = Checkpoint.objects.get(log__origin=A)
    text, [real] = note.split(checkpoint.note)
    forger = sm2.Sm2PrivateKey.generate()  # the real key's name and id, another key's signature
    blob = base64.b64encode(real.key_id + forger.sign(text.encode())).decode()
    tamper(
        "ledger_checkpoint",
        "UPDATE ledger_checkpoint SET note = %s WHERE id = %s",
        [f"{text}\n— quancheng.local {blob}\n", checkpoint.pk],
    )
    key = SigningKey.objects.get()
    assert verify() == (
        False,
        [
            f"Checkpoint #{checkpoint.pk} of log {A} (size {checkpoint.size}): the signature by "
            f"quancheng.local+{bytes(key.key_id).hex()} is forged or the note was altered."
        ],
    )


def test_verify_names_an_sm2_key_row_relabelled_as_ed25519(world, key_file):
    run("keys", "init", "--algorithm", "sm2")
    key = SigningKey.objects.get()
    tamper("ledger_signingkey", "UPDATE ledger_signingkey SET algorithm = 'ed25519'")
    ok, lines = verify()
    assert not ok and f"Signing key #{key.pk} was altered." in lines


# --- the portable bundle -----------------------------------------------------------------


@pytest.fixture
def sm2_bundle(world, new_case, key_file, tmp_path) -> Path:
    run("keys", "init", "--algorithm", "sm2")
    case = new_case()
    out = tmp_path / "proof"
    run("proof", "case", case.number, "--out", str(out))
    return out


def test_a_bundle_signed_with_sm2_verifies_standalone(sm2_bundle):
    vkey = (sm2_bundle / "key.vkey").read_text().strip()
    assert vkey == SigningKey.objects.get().verifier_key
    assert "pip install cryptography gmalg" in (sm2_bundle / "README.txt").read_text()
    assert check(sm2_bundle) == (True, [])
    copy = str(sm2_bundle / "verify_proof.py")
    done = _subprocess([sys.executable, "-c", BLOCK_DJANGO, copy, str(sm2_bundle), "--lang", "en"])
    assert done.returncode == 0, (done.stdout, done.stderr)
    assert f"Verifier key: {vkey}" in done.stdout and "Verified: " in done.stdout
    # without the SM2 package it says what is missing, and checks nothing
    gmalg_gone = "sys.modules['quancheng'] = None; sys.modules['gmalg'] = None;"
    blocked = BLOCK_DJANGO.replace("sys.modules['quancheng'] = None;", gmalg_gone)
    done = _subprocess([sys.executable, "-c", blocked, copy, str(sm2_bundle), "--lang", "en"])
    assert done.returncode == 2
    assert "needs the gmalg package: pip install gmalg" in done.stderr


def test_a_forged_sm2_signature_in_a_bundle_is_named(sm2_bundle):
    manifest = json.loads((sm2_bundle / "manifest.json").read_text())
    path = sm2_bundle / manifest["checkpoints"][A]
    text, [signature] = note.split(path.read_text())
    forged = sm2.Sm2PrivateKey.generate().sign(text.encode())
    blob = base64.b64encode(signature.key_id + forged).decode()
    path.write_text(f"{text}\n— {signature.name} {blob}\n")
    ok, problems = check(sm2_bundle)
    assert not ok
    assert problems[0].startswith(
        f"{path.relative_to(sm2_bundle).as_posix()}: the signature by quancheng.local+"
    )
    assert "is forged or the checkpoint was altered" in problems[0]
