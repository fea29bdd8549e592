"""Witnessing in one process: this installation's logs cosigned by a witness that is this
installation too (its endpoint through the test client), and the witness's refusals."""

from __future__ import annotations

import base64
import io
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client

from conftest import tamper
from quancheng.ledger import portable
from quancheng.ledger.actions import append_fact
from quancheng.ledger.checkpoints import schedule
from quancheng.ledger.context import Actor
from quancheng.ledger.crypto import cosignature, note
from quancheng.ledger.log import leaf, merkle
from quancheng.ledger.log.tree import LogTree
from quancheng.ledger.models import (
    Checkpoint,
    Cosignature,
    Fact,
    Log,
    SigningKey,
    WitnessedCheckpoint,
)
from quancheng.ledger.witnesses import protocol as witness_protocol
from quancheng.ledger.witnesses import witness, witnessing

A = "quancheng.local/agency/agency-a"
URL = "/api/v1/witness/add-checkpoint"
W = "quancheng.local/witness"


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def grow(world, n: int) -> None:
    with transaction.atomic():
        for i in range(n):
            append_fact(Actor.system(), "test.event", ("thing", i % 3), {"i": i}, world.a)


def client_post(url: str, body: bytes) -> witnessing.Answer:
    response = Client().post(url.removeprefix("http://testserver"), body, "text/plain")
    return witnessing.Answer(
        response.status_code, response["Content-Type"].split(";")[0], response.content
    )


@pytest.fixture
def setup(world, key_file, settings, tmp_path, english):
    """Signing key and witness key in this installation; agency A's log witnessed by it."""
    settings.QUANCHENG_WITNESS_KEY_FILE = tmp_path / "witness" / "key.pem"
    run("keys", "init")
    output = run("witness", "init")
    vkey = output.split("Verifier key: ")[1].strip()
    log_vkey = SigningKey.objects.get().verifier_key
    run("witness", "add-log", A, log_vkey)
    run("witnesses", "add", W, "http://testserver/api/v1/witness", vkey)
    return vkey


def sign(world, n: int) -> Checkpoint:
    grow(world, n)
    call_command("checkpoint", "--origin", A, stdout=io.StringIO(), stderr=io.StringIO())
    return Checkpoint.objects.filter(log__origin=A).latest("id")


def submit(checkpoint: Checkpoint) -> Cosignature | None:
    [row] = witnessing.online_witnesses()
    return witnessing.submit(checkpoint, row, client_post)


def test_checkpoints_are_cosigned_and_stored_beside_them(setup, world):
    first = submit(sign(world, 5))
    second = submit(sign(world, 7))
    assert first is not None and second is not None
    held = [(c.old_size, c.size) for c in WitnessedCheckpoint.objects.order_by("id")]
    assert held == [(0, 11), (11, 18)]
    key = cosignature.parse_verifier_key(setup)
    for row in (first, second):
        text, _ = note.split(row.checkpoint.note)
        assert row.text == text
        parsed, line = cosignature.find(row.line, text, key)
        assert line == row.line and parsed.time == row.signed_at
    facts = Fact.objects.filter(kind="witness.cosigned").order_by("id")
    assert [f.payload["size"] for f in facts] == [11, 18]
    assert submit(second.checkpoint) is None  # already cosigned: not sent again


def test_the_checkpoint_command_submits_to_the_witnesses(setup, world, monkeypatch):
    monkeypatch.setattr(witnessing, "http_post", client_post)
    grow(world, 3)
    out = io.StringIO()
    call_command("checkpoint", stdout=out, stderr=io.StringIO())
    assert f"{A} 9 cosigned by {W}" in out.getvalue()


def test_a_scheduler_round_submits_what_it_signed(setup, world, monkeypatch):
    monkeypatch.setattr(witnessing, "http_post", client_post)
    grow(world, 4)
    lines: list[str] = []
    result = schedule.run_round(lines.append, origins=[A])
    assert result.error == "" and [c.size for c in result.signed] == [10]
    [row] = Cosignature.objects.all()
    assert row.checkpoint == result.signed[0] and row.witness.name == W


def test_a_scheduler_round_reports_a_witness_it_cannot_reach(setup, world):
    grow(world, 4)
    lines: list[str] = []
    result = schedule.run_round(lines.append, origins=[A])
    assert result.signed and result.error == ""
    assert any("cannot be reached" in line for line in lines)
    assert not Cosignature.objects.exists()


def test_a_witness_that_cannot_be_reached_leaves_the_checkpoint_standing(setup, world):
    grow(world, 3)
    err = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("checkpoint", "--require-witness", stdout=io.StringIO(), stderr=err)
    assert exc.value.returncode == 3
    assert "cannot be reached" in err.getvalue()
    assert Checkpoint.objects.filter(log__origin=A, size=9).exists()
    assert not Cosignature.objects.exists()


def test_a_witness_behind_answers_409_and_the_log_resyncs(setup, world):
    first = sign(world, 5)
    # the witness learnt size 11 by another road (a file, another submitter)
    witness.add_checkpoint(Actor.system(), witnessing.request_for(first, 0).body)
    second = sign(world, 4)
    answer = client_post(URL, witnessing.request_for(second, 0).body.encode())
    assert (answer.status, answer.content_type, answer.body) == (409, "text/x.tlog.size", b"11\n")
    row = submit(second)  # we never stored a cosignature: sends old 0, gets 409, resends old 11
    assert row is not None and row.checkpoint == second
    assert [c.old_size for c in WitnessedCheckpoint.objects.order_by("id")] == [0, 11]


def test_a_rewritten_history_is_refused_with_422_and_kept_as_evidence(setup, world):
    first = sign(world, 14)
    assert submit(first) is not None
    fact = Log.objects.get(origin=A).facts.get(seq=17)
    tamper(
        "ledger_fact", "UPDATE ledger_fact SET leaf_hash = %s WHERE id = %s", [bytes(32), fact.pk]
    )
    forked = sign(world, 3)
    with pytest.raises(witnessing.WitnessError, match="HTTP 422"):
        submit(forked)
    assert not forked.cosignatures.exists()
    [evidence] = Fact.objects.filter(kind="witness.inconsistent")
    assert evidence.payload["note"] == forked.note and evidence.payload["old_size"] == 20
    assert WitnessedCheckpoint.objects.count() == 1


def test_same_size_other_root_is_a_409(setup, world):
    first = sign(world, 5)
    submit(first)
    text = note.checkpoint_text(A, first.size, bytes(32))
    forked = text + "\n" + _log_signature(text)
    answer = client_post(URL, witness_protocol.build_request(first.size, [], forked).encode())
    assert answer.status == 409 and answer.body == b"11\n"
    assert Fact.objects.filter(kind="witness.inconsistent").count() == 1


def _log_signature(text: str) -> str:
    from quancheng.ledger.actions import current_key

    key = current_key()
    return note.sign(text, key.name, key.private_key)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"nonsense", 400),
        (
            b"old 0\n\n"
            + b"unknown.example/log\n1\n"
            + base64.b64encode(bytes(32))
            + b"\n\n"
            + "\u2014 x AAAAAAAA\n".encode(),
            404,
        ),
    ],
)
def test_malformed_and_unknown(setup, body, status):
    assert client_post(URL, body).status == status


def test_a_checkpoint_signed_by_another_key_is_403(setup, world):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    checkpoint = sign(world, 2)
    text, _ = note.split(checkpoint.note)
    stranger = note.sign(text, "quancheng.local", Ed25519PrivateKey.generate())
    body = witness_protocol.build_request(0, [], text + "\n" + stranger)
    assert client_post(URL, body.encode()).status == 403
    old_too_big = witness_protocol.build_request(checkpoint.size + 1, [], checkpoint.note)
    assert client_post(URL, old_too_big.encode()).status == 400


def test_a_bad_proof_is_422(setup, world):
    first = sign(world, 5)
    submit(first)
    second = sign(world, 5)
    proof = LogTree(second.log).consistency_proof(first.size, second.size)
    proof[0] = merkle.node_hash(proof[0], proof[0])
    body = witness_protocol.build_request(first.size, proof, second.note)
    assert client_post(URL, body.encode()).status == 422


def test_a_too_large_body_is_refused(setup):
    assert client_post(URL, b"x" * (witness_protocol.MAX_BODY + 1)).status == 413


def test_the_endpoint_takes_only_post(setup, client):
    assert client.get(URL).status_code == 405


# --- by file -------------------------------------------------------------------------------


def test_a_round_trip_by_file(setup, world, tmp_path, settings):
    sign(world, 5)
    requests = tmp_path / "requests.json"
    replies = tmp_path / "replies.json"
    run("checkpoints", "export", "--witness", W, "--out", str(requests))
    data = json.loads(requests.read_text())
    assert [r["origin"] for r in data["requests"]] == [A]
    run("checkpoints", "import", str(requests), "--out", str(replies))
    assert [r["status"] for r in json.loads(replies.read_text())["replies"]] == [200]
    output = run("checkpoints", "import", str(replies))
    assert f"{A}: cosignature by {W} stored for size 11." in output
    assert Cosignature.objects.count() == 1
    run("checkpoints", "export", "--witness", W, "--out", str(requests))
    assert json.loads(requests.read_text())["requests"] == []


def test_a_tampered_reply_file_stores_nothing(setup, world, tmp_path):
    sign(world, 5)
    requests, replies = tmp_path / "requests.json", tmp_path / "replies.json"
    run("checkpoints", "export", "--witness", W, "--out", str(requests))
    run("checkpoints", "import", str(requests), "--out", str(replies))
    data = json.loads(replies.read_text())
    line = data["replies"][0]["body"]
    blob = bytearray(base64.b64decode(line.split()[-1]))
    blob[20] ^= 1
    data["replies"][0]["body"] = f"\u2014 {W} {base64.b64encode(bytes(blob)).decode()}\n"
    replies.write_text(json.dumps(data))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("checkpoints", "import", str(replies), stdout=io.StringIO(), stderr=err)
    assert f"Witness {W} returned no valid cosignature" in err.getvalue()
    assert not Cosignature.objects.exists()


def test_a_tampered_request_file_is_refused_by_the_witness(setup, world, tmp_path):
    sign(world, 5)
    requests, replies = tmp_path / "requests.json", tmp_path / "replies.json"
    run("checkpoints", "export", "--witness", W, "--out", str(requests))
    data = json.loads(requests.read_text())
    data["requests"][0]["body"] = data["requests"][0]["body"].replace("\n11\n", "\n12\n")
    requests.write_text(json.dumps(data))
    with pytest.raises(CommandError):
        call_command(
            "checkpoints",
            "import",
            str(requests),
            "--out",
            str(replies),
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    statuses = [r["status"] for r in json.loads(replies.read_text())["replies"]]
    assert statuses == [403]
    assert not WitnessedCheckpoint.objects.exists()


# --- verify --------------------------------------------------------------------------------


def verify() -> tuple[bool, list[str]]:
    out = io.StringIO()
    try:
        call_command("verify", stdout=out, stderr=io.StringIO())
    except CommandError:
        return False, out.getvalue().splitlines()
    return True, out.getvalue().splitlines()


def test_verify_checks_cosignatures_and_the_witness_chain(setup, world):
    submit(sign(world, 5))
    submit(sign(world, 3))
    ok, lines = verify()
    assert ok, lines
    assert lines[-1].endswith("2 cosignatures by witnesses; 2 checkpoints cosigned as a witness.")


def rewrite(fact: Fact) -> None:
    """Change a fact's payload and every hash derived from it, as an insider would."""
    data = leaf.entry(
        agency="agency-a",
        seq=fact.seq,
        kind=fact.kind,
        subject_type=fact.subject_type,
        subject_id=fact.subject_id,
        payload={"i": 99},
        actor=fact.actor_label,
        channel=fact.channel,
        remote_addr=fact.remote_addr,
        created_at=fact.created_at,
        prev=bytes(fact.prev_leaf),
    )
    tamper(
        "ledger_fact",
        "UPDATE ledger_fact SET payload = '{\"i\": 99}', leaf_hash = %s, field_digests = %s"
        " WHERE id = %s",
        [leaf.hash_entry(data), leaf.field_digests(data), fact.pk],
    )


def test_verify_names_a_history_rewritten_after_the_witness_cosigned(setup, world):
    cosigned = submit(sign(world, 14)).checkpoint  # size 20
    rewrite(Log.objects.get(origin=A).facts.get(seq=17))
    # the insider holding the log key re-signs the checkpoint over the rewritten tree
    forged = note.checkpoint_text(A, 20, LogTree(cosigned.log).root(20))
    tamper(
        "ledger_checkpoint",
        "UPDATE ledger_checkpoint SET note = %s, root_hash = %s WHERE id = %s",
        [
            forged + "\n" + _log_signature(forged),
            note.parse_checkpoint(forged).root_hash,
            cosigned.pk,
        ],
    )
    ok, lines = verify()
    assert not ok
    assert (
        f"Checkpoint #{cosigned.pk} of log {A}, cosigned by witness {W} at size 20: the log's "
        "tree at size 20 no longer has that root: history was rewritten."
    ) in lines
    assert (
        f"Checkpoint #{cosigned.pk} of log {A} was changed after witness {W} cosigned it." in lines
    )


def test_verify_names_a_forged_cosignature(setup, world):
    row = submit(sign(world, 5))
    blob = bytearray(base64.b64decode(row.line.split()[-1]))
    blob[40] ^= 1
    line = f"\u2014 {W} {base64.b64encode(bytes(blob)).decode()}\n"
    tamper(
        "ledger_cosignature",
        "UPDATE ledger_cosignature SET line = %s WHERE id = %s",
        [line, row.pk],
    )
    ok, lines = verify()
    assert (
        f"Checkpoint #{row.checkpoint.pk} of log {A}: the cosignature by witness {W} does not "
        "verify: it is forged, or what it signs was altered."
    ) in lines


def test_verify_names_an_altered_witness_record(setup, world):
    submit(sign(world, 5))
    submit(sign(world, 3))
    first = WitnessedCheckpoint.objects.order_by("id").first()
    tamper(
        "ledger_witnessedcheckpoint",
        "UPDATE ledger_witnessedcheckpoint SET root_hash = %s WHERE id = %s",
        [bytes(32), first.pk],
    )
    ok, lines = verify()
    assert not ok
    assert any("Witnessed log" in line and "size 11" in line for line in lines), lines
    assert any("does not follow from the one held before (size 11)" in line for line in lines)


def test_a_missed_checkpoint_is_sent_again_with_the_next_ones(setup, world):
    submit(sign(world, 5))
    second = sign(world, 3)

    def down(url: str, body: bytes) -> witnessing.Answer:
        raise witnessing.WitnessError("down")

    failures: list[str] = []
    assert witnessing.submit_all([second], failures.append, down) == []
    assert failures == ["down"]
    [row] = witnessing.submit_all([], failures.append, client_post)
    assert row.checkpoint == second


# --- commands: bad input -------------------------------------------------------------------


def fails(*args: str) -> str:
    with pytest.raises(CommandError) as exc:
        call_command(*args, stdout=io.StringIO(), stderr=io.StringIO())
    return str(exc.value)


def test_commands_refuse_bad_input(setup, world, tmp_path):
    log_vkey = SigningKey.objects.get().verifier_key
    # a checkpoint key (type 0x01) is not a witness's cosignature key, and the other way round
    assert "not an Ed25519 cosignature" in fails("witnesses", "add", "x", "-", log_vkey)
    assert "not an Ed25519 or SM2 verifier key" in fails("witness", "add-log", A, setup)
    assert "is of quancheng.local/witness, not other" in fails(
        "witnesses", "add", "other", "-", setup
    )
    assert "already configured" in fails("witnesses", "add", W, "-", setup)
    assert "http:// or https://" in fails("witnesses", "add", W, "ftp://x", setup)
    assert "already trusted" in fails("witness", "add-log", A, log_vkey)
    assert "one word" in fails("witness", "add-log", "two words", log_vkey)
    assert "already exists" in fails("witness", "init")
    junk = tmp_path / "junk.json"
    junk.write_text("{not json")
    assert "not JSON" in fails("checkpoints", "import", str(junk))
    junk.write_text('{"format": "something/1"}')
    assert "unknown format" in fails("checkpoints", "import", str(junk))
    assert "No witness named nobody" in fails(
        "checkpoints", "export", "--witness", "nobody", "--out", str(junk)
    )
    requests = tmp_path / "requests.json"
    sign(world, 2)
    run("checkpoints", "export", "--witness", W, "--out", str(requests))
    assert "give --out" in fails("checkpoints", "import", str(requests))
    assert Fact.objects.filter(kind="ledger.witness_added").count() == 1


def test_without_a_witness_key_file(world, key_file, settings, tmp_path, english):
    settings.QUANCHENG_WITNESS_KEY_FILE = tmp_path / "none.pem"
    assert "run “quancheng witness init”" in fails("witness", "show")
    run("keys", "init")
    with pytest.raises(CommandError) as exc:
        call_command("checkpoint", "--require-witness", stdout=io.StringIO(), stderr=io.StringIO())
    assert exc.value.returncode == 3  # no witness configured
    assert Checkpoint.objects.exists()  # the checkpoints stand


# --- verify --against: checkpoints held outside the installation ----------------------------


def cover_up(cosigned: Checkpoint) -> None:
    """An insider with the database removes every trace of the checkpoint on this side: its
    cosignatures, the checkpoint itself and the cached tree nodes."""
    tamper("ledger_cosignature", "DELETE FROM ledger_cosignature")
    tamper("ledger_checkpoint", "DELETE FROM ledger_checkpoint WHERE id = %s", [cosigned.pk])
    tamper("ledger_treenode", "DELETE FROM ledger_treenode")


def verify_against(*paths) -> tuple[bool, list[str]]:
    out = io.StringIO()
    args = [a for p in paths for a in ("--against", str(p))]
    try:
        call_command("verify", *args, stdout=out, stderr=io.StringIO())
    except CommandError as exc:
        assert exc.returncode == 1
        return False, out.getvalue().splitlines()
    return True, out.getvalue().splitlines()


def test_the_witness_gives_the_checkpoint_it_holds_with_its_cosignature(setup, world):
    row = submit(sign(world, 5))
    held = run("witness", "held", A)
    assert held == row.checkpoint.note + row.line
    text, signatures = note.split(held)
    assert {s.name for s in signatures} == {"quancheng.local", W}
    assert cosignature.find(held[len(text) + 1 :], text, cosignature.parse_verifier_key(setup))
    assert "holds no checkpoint of elsewhere" in fails("witness", "held", "elsewhere")


def test_verify_against_a_held_checkpoint_names_a_covered_up_rewrite(setup, world, tmp_path):
    cosigned = submit(sign(world, 14)).checkpoint  # size 20
    held = tmp_path / "held.txt"
    held.write_text(run("witness", "held", A))
    ok, lines = verify_against(held)
    assert ok and lines[-1].endswith("Checked against 1 checkpoints held elsewhere."), lines
    rewrite(Log.objects.get(origin=A).facts.get(seq=17))
    cover_up(cosigned)
    ok, lines = verify_against(held)
    assert not ok
    assert (
        f"{held}: the checkpoint of log {A} at size 20 held elsewhere (cosigned by {W}) has "
        "another root than the log's tree at that size: history was rewritten after it was "
        "signed."
    ) in lines, lines


def test_verify_against_names_facts_deleted_after_the_checkpoint(setup, world, tmp_path):
    cosigned = submit(sign(world, 14)).checkpoint  # size 20
    held = tmp_path / "held.txt"
    held.write_text(run("witness", "held", A))
    cover_up(cosigned)
    log = Log.objects.get(origin=A)
    tamper("ledger_fact", "DELETE FROM ledger_fact WHERE log_id = %s AND seq >= 18", [log.pk])
    ok, lines = verify_against(held)
    assert not ok
    assert (
        f"{held}: the checkpoint of log {A} at size 20 held elsewhere (cosigned by {W}): the "
        "log has only 18 facts now: facts were deleted."
    ) in lines, lines


def test_verify_against_refuses_what_proves_nothing(setup, world, tmp_path):
    row = submit(sign(world, 5))
    text, _signatures = note.split(row.checkpoint.note)
    foreign = tmp_path / "foreign.txt"
    mallory = Ed25519PrivateKey.generate()
    foreign.write_text(text + "\n" + note.sign(text, "quancheng.local", mallory))
    unknown = tmp_path / "unknown.txt"
    other = note.checkpoint_text("elsewhere.example/agency/x", 3, bytes(32))
    unknown.write_text(other + "\n" + _log_signature(other))
    ok, lines = verify_against(foreign, unknown)
    assert not ok
    assert (
        f"{foreign}: the checkpoint of log {A} at size {row.checkpoint.size} is not signed by a "
        "key of this installation: it proves nothing about this log."
    ) in lines
    assert any(
        line.startswith(f"{unknown}: a checkpoint of log elsewhere.example") for line in lines
    )
    garbage = tmp_path / "garbage.txt"
    garbage.write_text("not a note")
    with pytest.raises(CommandError) as exc:
        call_command("verify", "--against", str(garbage), stdout=io.StringIO())
    assert exc.value.returncode == 2 and "is not a signed checkpoint note" in str(exc.value)


# --- the portable proof of a case carries the cosignatures -----------------------------------


def test_a_case_bundle_carries_the_cosignatures_and_the_verifier_checks_them(
    setup, world, new_case, tmp_path
):
    case = new_case()
    call_command("checkpoint", stdout=io.StringIO(), stderr=io.StringIO())
    cosigned = submit(Checkpoint.objects.filter(log__origin=A).latest("id"))
    assert cosigned is not None
    out = tmp_path / "proof"
    run("proof", "case", case.number, "--out", str(out))
    manifest = json.loads((out / "manifest.json").read_text())
    name = manifest["checkpoints"][A]
    assert (out / name).read_text() == cosigned.checkpoint.note + cosigned.line
    assert (out / "witnesses.vkey").read_text() == setup + "\n"
    assert "witnesses.vkey" in (out / "README.txt").read_text()
    result = portable.verify_bundle(out, "en")
    assert result.ok, result.problems
    assert result.cosigned == [f"{name}: cosigned by witness {W}"]
    printed = io.StringIO()
    assert portable.main([str(out), "--lang", "en"], printed) == 0
    assert f"{name}: cosigned by witness {W}" in printed.getvalue()
    # a forged cosignature is named; the log's own signature still holds
    text = (out / name).read_text()
    line = cosigned.line.strip()
    blob = bytearray(base64.b64decode(line.split()[-1]))
    blob[20] ^= 1
    forged = f"\u2014 {W} {base64.b64encode(bytes(blob)).decode()}"
    (out / name).write_text(text.replace(line, forged))
    result = portable.verify_bundle(out, "en")
    assert not result.ok
    assert result.problems == [
        f"{name}: the cosignature by witness {W} is forged or the checkpoint was altered "
        f"(log {A}, size {cosigned.checkpoint.size})."
    ]
