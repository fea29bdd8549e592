"""``/ledger``: inclusion and consistency proofs and the latest checkpoints, per agency."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import transaction

from quancheng.ledger.actions import append_fact
from quancheng.ledger.context import Actor
from quancheng.ledger.crypto import note
from quancheng.ledger.log import merkle
from quancheng.ledger.models import Checkpoint, Fact
from quancheng.ledger.tests.conftest import key_file  # noqa: F401 - fixture

A = "quancheng.local/agency/agency-a"
B = "quancheng.local/agency/agency-b"
SYSTEM_LOG = "quancheng.local/system"


@pytest.fixture
def signed(world, new_case, key_file):  # noqa: F811
    """Cases in agencies A and B, and a signed checkpoint of every log."""
    call_command("keys", "init", stdout=io.StringIO())
    a_case = new_case()
    b_case = new_case(world.other_officer)
    call_command("checkpoint", stdout=io.StringIO())
    a_fact = Fact.objects.get(kind="case.opened", subject_id=str(a_case.pk))
    b_fact = Fact.objects.get(kind="case.opened", subject_id=str(b_case.pk))
    return a_fact, b_fact


def test_fact_proof_verifies_against_the_signed_checkpoint(api, world, signed):
    a_fact, _ = signed
    response = api.get(world.officer, f"/ledger/facts/{a_fact.pk}/proof")
    assert response.status_code == 200, response.content
    proof = response.json()
    text, _sigs = note.split(proof["checkpoint"]["note"])
    body = note.parse_checkpoint(text)
    assert (proof["origin"], proof["tree_size"]) == (A, body.size)
    path = [bytes.fromhex(h) for h in proof["audit_path"]]
    assert merkle.verify_inclusion(
        proof["leaf_index"], body.size, bytes.fromhex(proof["leaf_hash"]), path, body.root_hash
    )
    # a supervisor reads the agencies below; an administrator everything
    assert api.get(world.supervisor, f"/ledger/facts/{a_fact.pk}/proof").status_code == 200


def test_another_agencys_fact_is_not_found(api, world, signed):
    a_fact, b_fact = signed
    response = api.get(world.other_officer, f"/ledger/facts/{a_fact.pk}/proof")
    assert response.status_code == 404
    assert response.json() == {"detail": f"No such fact: #{a_fact.pk}.", "path": None}
    assert api.get(world.officer, f"/ledger/facts/{b_fact.pk}/proof").status_code == 404
    # facts of the system log (keys, accounts) are for administrators only
    key_fact = Fact.objects.get(kind="ledger.key_created")
    assert api.get(world.officer, f"/ledger/facts/{key_fact.pk}/proof").status_code == 404
    assert api.get(None, f"/ledger/facts/{a_fact.pk}/proof").status_code == 401


def test_checkpoint_of_another_log_is_refused(api, world, signed):
    a_fact, _ = signed
    system_cp = Checkpoint.objects.get(log__origin=SYSTEM_LOG)
    b_cp = Checkpoint.objects.get(log__origin=B)
    response = api.get(world.officer, f"/ledger/facts/{a_fact.pk}/proof?checkpoint={system_cp.pk}")
    assert response.status_code == 422
    assert "is of log quancheng.local/system" in response.json()["detail"]
    # agency B's checkpoint is not even visible to agency A
    response = api.get(world.officer, f"/ledger/facts/{a_fact.pk}/proof?checkpoint={b_cp.pk}")
    assert response.status_code == 404


def test_consistency_between_checkpoints_and_sizes(api, world, signed):
    with transaction.atomic():
        for i in range(7):
            append_fact(Actor.system(), "test.event", ("thing", i), {}, world.a)
    call_command("checkpoint", stdout=io.StringIO())
    old, new = Checkpoint.objects.filter(log__origin=A).order_by("id")
    response = api.get(world.officer, f"/ledger/consistency?from={old.pk}&to={new.pk}")
    assert response.status_code == 200, response.content
    proof = response.json()
    assert proof["from"]["checkpoint"]["id"] == old.pk
    assert proof["to"]["tree_size"] == new.size
    path = [bytes.fromhex(h) for h in proof["proof"]]
    assert merkle.verify_consistency(
        old.size, new.size, bytes(old.root_hash), bytes(new.root_hash), path
    )
    by_size = api.get(world.officer, f"/ledger/consistency?from=2&to={new.size}&origin={A}")
    assert by_size.status_code == 200
    assert by_size.json()["to"]["root"] == bytes(new.root_hash).hex()
    too_big = api.get(world.officer, f"/ledger/consistency?from=2&to={new.size + 1}&origin={A}")
    assert too_big.status_code == 422
    assert f"there is no tree of size {new.size + 1}" in too_big.json()["detail"]
    hidden = api.get(world.other_officer, f"/ledger/consistency?from={old.pk}&to={new.pk}")
    assert hidden.status_code == 404
    system_cp = Checkpoint.objects.get(log__origin=SYSTEM_LOG)
    mixed = api.get(world.officer, f"/ledger/consistency?from={system_cp.pk}&to={new.pk}")
    assert mixed.status_code == 422 and "different logs" in mixed.json()["detail"]
    negative = api.get(world.officer, f"/ledger/consistency?from=-1&to=2&origin={A}")
    assert negative.status_code == 422 and "negative" in negative.json()["detail"]
    missing = api.get(world.officer, "/ledger/consistency?from=1")
    assert missing.status_code == 422 and missing.json()["path"] == "to"


def test_latest_checkpoints_of_the_logs_the_caller_sees(api, world, signed):
    call_command("checkpoint", "--force", stdout=io.StringIO())
    seen = api.get(world.officer, "/ledger/checkpoints").json()
    assert {cp["origin"] for cp in seen} == {A, A + "-g1", SYSTEM_LOG}  # with its work group
    latest = Checkpoint.objects.filter(log__origin=A).order_by("-id").first()
    assert next(cp for cp in seen if cp["origin"] == A)["id"] == latest.pk
    assert {cp["origin"] for cp in api.get(world.other_officer, "/ledger/checkpoints").json()} == {
        B,
        SYSTEM_LOG,
    }
    assert {cp["origin"] for cp in api.get(world.supervisor, "/ledger/checkpoints").json()} >= {
        A,
        B,
    }


def test_a_checkpoints_cosignatures(api, world, signed, settings, tmp_path):
    from quancheng.ledger.crypto import cosignature
    from quancheng.ledger.models import SigningKey
    from quancheng.ledger.witnesses import witness, witnessing

    settings.QUANCHENG_WITNESS_KEY_FILE = tmp_path / "witness.pem"
    system = Actor.system()
    vkey = witness.init_key(system).verifier_key
    checkpoint = Checkpoint.objects.get(log__origin=A)
    witness.add_log(system, A, SigningKey.objects.get().verifier_key)
    row = witnessing.add_witness(system, "quancheng.local/witness", "", vkey)
    lines = witness.add_checkpoint(system, witnessing.request_for(checkpoint, 0).body)
    witnessing.store(checkpoint, row, lines)
    response = api.get(world.officer, f"/ledger/checkpoints/{checkpoint.pk}/cosignatures")
    assert response.status_code == 200, response.content
    data = response.json()
    assert [c["witness"] for c in data["cosignatures"]] == ["quancheng.local/witness"]
    text, signatures = note.split(data["note"])
    assert len(signatures) == 2 and data["note"].endswith(lines)
    key = cosignature.parse_verifier_key(data["cosignatures"][0]["verifier_key"])
    assert cosignature.find(data["cosignatures"][0]["line"], text, key) is not None
    path = f"/ledger/checkpoints/{checkpoint.pk}/cosignatures"
    assert api.get(world.other_officer, path).status_code == 404
