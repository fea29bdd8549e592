"""Signing keys in an encrypted file, checkpoints as C2SP signed notes, key rotation."""

from __future__ import annotations

import base64
import io
import stat

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError, call_command
from django.db import transaction

from quancheng.ledger.actions import append_fact
from quancheng.ledger.context import Actor
from quancheng.ledger.crypto import note
from quancheng.ledger.log.tree import LogTree
from quancheng.ledger.models import Checkpoint, Fact, Log, SigningKey


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_signed_note_matches_the_go_reference_vector():
    # golang.org/x/mod/sumdb/note documentation example (Ed25519 signatures are deterministic)
    seed = base64.b64decode("AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz")[1:]
    key = Ed25519PrivateKey.from_private_bytes(seed)
    public = key.public_key().public_bytes_raw()
    assert note.verifier_key("PeterNeumann", public) == (
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
    )
    text = (
        "If you think cryptography is the answer to your problem,\n"
        "then you don't know what your problem is.\n"
    )
    line = note.sign(text, "PeterNeumann", key)
    assert line == (
        "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotp"
        "RZb6KE6RyyBwJnAM=\n"
    )
    body, [signature] = note.split(text + "\n" + line)
    assert body == text
    assert note.verify(text, signature, public)
    assert not note.verify(text.replace("you", "we"), signature, public)


def test_keys_init_writes_an_encrypted_key_file_and_records_the_public_key(world, key_file):
    output = run("keys", "init")
    pem = key_file.read_bytes()
    assert pem.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = SigningKey.objects.get()
    assert f"Verifier key: {key.verifier_key}" in output
    assert key.verifier_key.startswith("quancheng.local+")
    fact = Fact.objects.get(kind="ledger.key_created")
    assert fact.log.origin == "quancheng.local/system"
    assert fact.payload["verifier_key"] == key.verifier_key
    with pytest.raises(CommandError, match="already exists at .*keys rotate"):
        run("keys", "init")


def test_checkpoint_is_a_signed_note_of_each_logs_size_and_root(world, key_file):
    run("keys", "init")
    output = run("checkpoint")
    log = Log.objects.get(origin="quancheng.local/agency/agency-a")
    checkpoint = Checkpoint.objects.get(log=log)
    size = Fact.objects.filter(log=log).count()
    root = LogTree(log).root(size)
    b64 = base64.b64encode(root).decode()
    assert f"quancheng.local/agency/agency-a {size} {b64}\n" in output
    text, [signature] = note.split(checkpoint.note)
    assert text == f"quancheng.local/agency/agency-a\n{size}\n{b64}\n"
    assert checkpoint.note.startswith(text + "\n— quancheng.local ")
    name, key_id, public = note.parse_verifier_key(SigningKey.objects.get().verifier_key)
    assert (signature.name, signature.key_id) == (name, key_id)
    assert note.verify(text, signature, public)
    assert checkpoint.size == size and bytes(checkpoint.root_hash) == root
    # nothing grew: nothing to sign; one more fact: only that log gets a new checkpoint
    assert run("checkpoint") == "No log grew since its last checkpoint.\n"
    with transaction.atomic():
        append_fact(Actor.system(), "test.event", ("x", 1), {}, world.a)
    assert run("checkpoint").startswith(f"quancheng.local/agency/agency-a {size + 1} ")
    assert Checkpoint.objects.filter(log=log).count() == 2


def test_wrong_or_missing_passphrase_is_a_clear_error(world, key_file, monkeypatch):
    run("keys", "init")
    monkeypatch.setenv("QUANCHENG_LEDGER_KEY_PASSPHRASE", "not it")
    with pytest.raises(CommandError) as caught:
        run("checkpoint")
    assert str(caught.value) == (
        f"Wrong passphrase for the ledger key file {key_file}: check "
        "QUANCHENG_LEDGER_KEY_PASSPHRASE (or the file is damaged)."
    )
    monkeypatch.delenv("QUANCHENG_LEDGER_KEY_PASSPHRASE")
    with pytest.raises(CommandError, match="^Set QUANCHENG_LEDGER_KEY_PASSPHRASE to the passph"):
        run("checkpoint")
    assert not Checkpoint.objects.exists()


def test_no_key_file_is_a_clear_error(world, key_file):
    with pytest.raises(CommandError) as caught:
        run("checkpoint")
    assert str(caught.value) == (
        f"There is no ledger key file at {key_file}: run “quancheng keys init”."
    )


def test_rotation_is_a_fact_signed_by_both_keys_and_new_checkpoints_use_the_new_key(
    world, key_file
):
    run("keys", "init")
    old = SigningKey.objects.get()
    run("keys", "rotate")
    new = SigningKey.objects.exclude(pk=old.pk).get()
    fact = Fact.objects.get(kind="ledger.key_rotated")
    assert fact.payload["replaces"] == old.verifier_key
    assert fact.payload["verifier_key"] == new.verifier_key
    system = Checkpoint.objects.get(log__origin="quancheng.local/system")
    assert system.size == Fact.objects.filter(log=system.log).count()  # includes the rotation
    _, signatures = note.split(system.note)
    assert [bytes(s.key_id) for s in signatures] == [bytes(old.key_id), bytes(new.key_id)]
    retired = key_file.with_name(f"signing-key.pem.{bytes(old.key_id).hex()}.retired")
    assert retired.exists()
    run("checkpoint")
    checkpoint = Checkpoint.objects.get(log__origin="quancheng.local/agency/agency-a")
    _, [signature] = note.split(checkpoint.note)
    assert signature.key_id == bytes(new.key_id)
    assert run("verify", "--quiet").startswith("Verified: ")
