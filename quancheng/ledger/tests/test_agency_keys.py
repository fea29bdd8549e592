"""An agency's own signing key: it signs that agency's log, and only that one."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from conftest import tamper
from quancheng.ledger import portable
from quancheng.ledger.actions import append_fact, current_key
from quancheng.ledger.context import Actor
from quancheng.ledger.crypto import note
from quancheng.ledger.models import Checkpoint, Fact, SigningKey
from quancheng.ledger.tests.test_verify import verify

A = "quancheng.local/agency/agency-a"
B = "quancheng.local/agency/agency-b"
SYSTEM = "quancheng.local/system"


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def signers(origin: str) -> list[bytes]:
    checkpoint = Checkpoint.objects.filter(log__origin=origin).order_by("-id").first()
    return [s.key_id for s in note.split(checkpoint.note)[1]]


@pytest.fixture
def agency_key(world, key_file) -> SigningKey:
    run("keys", "init")
    output = run("keys", "init", "--agency", "agency-a", "--algorithm", "sm2")
    assert f"Created {key_file.with_name('agency-agency-a.pem')}." in output
    return SigningKey.objects.get(name="quancheng.local/agency/agency-a")


def test_an_agencys_own_key_signs_its_log_and_the_installation_key_the_others(
    world, key_file, agency_key
):
    installation = SigningKey.objects.get(name="quancheng.local")
    assert agency_key.algorithm == "sm2"
    assert agency_key.verifier_key.startswith("quancheng.local/agency/agency-a+")
    fact = Fact.objects.get(kind="ledger.key_created", subject_id=str(agency_key.pk))
    assert fact.log.origin == A  # the key's creation is history of the agency's own log
    run("checkpoint")
    assert signers(A) == [bytes(agency_key.key_id)]
    assert signers(B) == [bytes(installation.key_id)]
    assert signers(SYSTEM) == [bytes(installation.key_id)]
    assert verify()[0]
    shown = run("keys", "show", "--agency", "agency-a")
    assert shown == f"Verifier key: {agency_key.verifier_key}\n"


def test_rotating_an_agency_key_is_a_fact_of_its_log_signed_by_both(world, key_file, agency_key):
    run("keys", "rotate", "--agency", "agency-a")
    new = SigningKey.objects.get(name=agency_key.name, pk__gt=agency_key.pk)
    assert new.algorithm == "sm2"
    fact = Fact.objects.get(kind="ledger.key_rotated")
    assert fact.log.origin == A and fact.payload["replaces"] == agency_key.verifier_key
    assert signers(A) == [bytes(agency_key.key_id), bytes(new.key_id)]
    retired = key_file.with_name(f"agency-agency-a.pem.{bytes(agency_key.key_id).hex()}.retired")
    assert retired.exists()
    with transaction.atomic():
        append_fact(Actor.system(), "test.event", ("x", 1), {}, world.a)
    run("checkpoint")
    assert signers(A) == [bytes(new.key_id)]
    assert verify()[0]


def test_another_agencys_key_on_a_log_is_named(world, key_file, agency_key):
    run("checkpoint")
    checkpoint = Checkpoint.objects.get(log__origin=B)
    text, _ = note.split(checkpoint.note)
    # agency A's key file, registered for A, signs B's checkpoint
    key_a = current_key(world.a)
    forged = text + "\n" + note.sign(text, key_a.name, key_a.private_key)
    tamper(
        "ledger_checkpoint",
        "UPDATE ledger_checkpoint SET note = %s WHERE id = %s",
        [forged, checkpoint.pk],
    )
    label = f"{agency_key.name}+{bytes(agency_key.key_id).hex()}"
    assert verify() == (
        False,
        [f"Checkpoint #{checkpoint.pk} of log {B} is signed by {label}, another agency's own key."],
    )


def test_an_agency_key_file_holding_another_scopes_key_is_refused(world, key_file, agency_key):
    key_file.with_name("agency-agency-b.pem").write_bytes(key_file.read_bytes())
    with pytest.raises(CommandError, match="is registered for another agency or the installation"):
        run("checkpoint")
    assert not Checkpoint.objects.exists()


def test_unknown_agency_code_is_a_clear_error(world, key_file):
    with pytest.raises(CommandError, match="^No agency has the code nope.$"):
        run("keys", "init", "--agency", "nope")


def test_a_bundle_of_an_agency_with_its_own_key_carries_that_key(
    world, new_case, key_file, agency_key, tmp_path
):
    case = new_case()
    out = tmp_path / "proof"
    run("proof", "case", case.number, "--out", str(out))
    assert (out / "key.vkey").read_text() == agency_key.verifier_key + "\n"
    manifest = json.loads((out / "manifest.json").read_text())
    assert list(manifest["checkpoints"]) == [A]
    result = portable.verify_bundle(out)
    assert (result.ok, result.problems) == (True, [])
