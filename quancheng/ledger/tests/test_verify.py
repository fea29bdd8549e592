"""``quancheng verify`` against a ledger tampered with directly in the database."""

from __future__ import annotations

import base64
import datetime as dt
import io

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from conftest import tamper
from quancheng.ledger.actions import append_fact
from quancheng.ledger.context import Actor
from quancheng.ledger.crypto import note
from quancheng.ledger.log import leaf
from quancheng.ledger.models import Checkpoint, Fact, Log, SigningKey

A = "quancheng.local/agency/agency-a"


def verify() -> tuple[bool, list[str]]:
    out = io.StringIO()
    try:
        call_command("verify", stdout=out, stderr=io.StringIO())
    except CommandError as exc:
        assert exc.returncode == 1
        assert str(exc).startswith("Verification FAILED: ")
        return False, out.getvalue().splitlines()
    return True, out.getvalue().splitlines()


@pytest.fixture
def ledger(world, key_file):
    """Agency A's log with 20 facts (6 from the world, 14 on three subjects), checkpointed."""
    call_command("keys", "init", stdout=io.StringIO())
    with transaction.atomic():
        for i in range(14):
            append_fact(Actor.system(), "test.event", ("thing", i % 3), {"i": i}, world.a)
    call_command("checkpoint", stdout=io.StringIO())
    log = Log.objects.get(origin=A)
    assert log.facts.count() == 20
    facts = {f.seq: f for f in log.facts.all()}
    return facts, Checkpoint.objects.get(log=log)


def test_an_untouched_ledger_verifies(ledger):
    ok, lines = verify()
    assert ok
    assert lines[-1].startswith(
        "Verified: 28 facts in 6 logs, 6 checkpoints (0 timestamped), 0 originals, "
        "0 document PDFs, in "
    )


def test_a_changed_field_is_named(ledger):
    facts, checkpoint = ledger
    tamper(
        "ledger_fact",
        "UPDATE ledger_fact SET payload = '{\"i\": 99}' WHERE id = %s",
        [facts[17].pk],
    )
    assert verify() == (
        False,
        [
            f"Fact #{facts[17].pk} (log {A}, seq 17): payload changed since it was appended.",
            f"Checkpoint #{checkpoint.pk} of log {A} (size 20): the facts no longer give its "
            "root hash.",
        ],
    )


def test_a_change_inside_a_cached_subtree_names_the_range_too(ledger):
    facts, checkpoint = ledger
    tamper(
        "ledger_fact",
        "UPDATE ledger_fact SET actor_label = 'someone' WHERE id = %s",
        [facts[3].pk],
    )
    assert verify() == (
        False,
        [
            f"Fact #{facts[3].pk} (log {A}, seq 3): actor changed since it was appended.",
            f"Log {A}: the facts at seq 0–15 no longer give the tree node cached for them: they "
            "were changed, or the cache was.",
            f"Checkpoint #{checkpoint.pk} of log {A} (size 20): the facts no longer give its "
            "root hash.",
        ],
    )


def test_a_deleted_fact_is_named_by_its_seq(ledger):
    facts, checkpoint = ledger
    tamper("ledger_fact", "DELETE FROM ledger_fact WHERE id = %s", [facts[10].pk])
    assert verify() == (
        False,
        [
            f"Log {A}: the fact at seq 10 is missing (deleted).",
            f"Fact #{facts[13].pk} (log {A}, seq 13) does not follow the previous fact on "
            "thing:1: a fact on it was removed or reordered.",
            f"Log {A}: the facts at seq 0–15 no longer give the tree node cached for them: they "
            "were changed, or the cache was.",
            f"Checkpoint #{checkpoint.pk} of log {A} covers 20 facts but the log has 19: facts "
            "were deleted.",
        ],
    )


def test_deleting_the_latest_facts_is_caught_by_the_checkpoint(ledger):
    facts, checkpoint = ledger
    tamper(
        "ledger_fact", "DELETE FROM ledger_fact WHERE seq >= 18 AND log_id = %s", [facts[18].log_id]
    )
    assert verify() == (
        False,
        [
            f"Checkpoint #{checkpoint.pk} of log {A} covers 20 facts but the log has 18: facts "
            "were deleted."
        ],
    )


def test_reordered_entries_are_named_with_where_they_were_appended(ledger):
    facts, checkpoint = ledger
    a, b = facts[18].pk, facts[19].pk
    for pk, seq in ((a, -1), (b, 18), (a, 19)):
        tamper("ledger_fact", "UPDATE ledger_fact SET seq = %s WHERE id = %s", [seq, pk])
    assert verify() == (
        False,
        [
            f"Fact #{a} sits at seq 19 of log {A} after fact #{b}, which was stored later: "
            "entries were reordered.",
            f"Fact #{b} of log {A} was appended at seq 19 but now sits at seq 18: entries were "
            "reordered.",
            f"Fact #{a} of log {A} was appended at seq 18 but now sits at seq 19: entries were "
            "reordered.",
            f"Checkpoint #{checkpoint.pk} of log {A} (size 20): the facts no longer give its "
            "root hash.",
        ],
    )


def test_a_rewritten_fact_with_a_recomputed_leaf_still_breaks_the_signed_root(ledger):
    facts, checkpoint = ledger
    fact = facts[17]
    data = leaf.entry(
        agency="agency-a",
        seq=17,
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
    assert verify() == (
        False,
        [
            f"Checkpoint #{checkpoint.pk} of log {A} (size 20): the facts no longer give its "
            "root hash."
        ],
    )


def test_a_changed_stored_leaf_hash_is_named(ledger):
    facts, _ = ledger
    tamper(
        "ledger_fact",
        "UPDATE ledger_fact SET leaf_hash = %s WHERE id = %s",
        [b"\x00" * 32, facts[19].pk],
    )
    assert verify() == (
        False,
        [f"Fact #{facts[19].pk} (log {A}, seq 19): its stored leaf hash was changed."],
    )


def _as_stored(column: str, value: object) -> object:
    return Fact._meta.get_field(column).get_db_prep_save(value, connection)


def test_a_time_changed_by_a_microsecond_is_named(ledger):
    facts, checkpoint = ledger
    later = facts[12].created_at + dt.timedelta(microseconds=1)
    tamper(
        "ledger_fact",
        "UPDATE ledger_fact SET created_at = %s WHERE id = %s",
        [_as_stored("created_at", later), facts[12].pk],
    )
    assert verify() == (
        False,
        [
            f"Fact #{facts[12].pk} (log {A}, seq 12): created_at changed since it was appended.",
            f"Log {A}: the facts at seq 0–15 no longer give the tree node cached for them: they "
            "were changed, or the cache was.",
            f"Checkpoint #{checkpoint.pk} of log {A} (size 20): the facts no longer give its "
            "root hash.",
        ],
    )


@pytest.mark.parametrize(
    ("address", "changed"), [("10.9.9.9", True), ("::ffff:10.1.2.3", True), (None, False)]
)
def test_a_changed_client_address_is_named(ledger, world, address, changed):
    with transaction.atomic():
        fact = append_fact(Actor(None, "web", "10.1.2.3"), "test.event", ("x", 1), {}, world.a)
    call_command("checkpoint", stdout=io.StringIO())
    if address is not None:
        tamper(
            "ledger_fact",
            "UPDATE ledger_fact SET remote_addr = %s WHERE id = %s",
            [_as_stored("remote_addr", address), fact.pk],
        )
    ok, lines = verify()
    assert ok is not changed
    message = f"Fact #{fact.pk} (log {A}, seq 20): remote_addr changed since it was appended."
    assert (message in lines) is changed


def test_a_fact_moved_to_another_agency_is_named(ledger, world):
    facts, _ = ledger
    tamper(
        "ledger_fact",
        "UPDATE ledger_fact SET agency_id = %s WHERE id = %s",
        [world.b.pk, facts[5].pk],
    )
    assert verify() == (False, [f"Fact #{facts[5].pk} was moved into log {A} from another agency."])


def test_a_forged_signature_is_named(ledger):
    _, checkpoint = ledger
    text, [real] = note.split(checkpoint.note)
    # the real key's name and id, the forger's signature
    forger = Ed25519PrivateKey.generate()
    blob = base64.b64encode(real.key_id + forger.sign(text.encode())).decode()
    forged_line = f"— quancheng.local {blob}\n"
    tamper(
        "ledger_checkpoint",
        "UPDATE ledger_checkpoint SET note = %s WHERE id = %s",
        [text + "\n" + forged_line, checkpoint.pk],
    )
    key = SigningKey.objects.get()
    assert verify() == (
        False,
        [
            f"Checkpoint #{checkpoint.pk} of log {A} (size 20): the signature by "
            f"quancheng.local+{bytes(key.key_id).hex()} is forged or the note was altered."
        ],
    )


def test_a_signature_by_an_unknown_key_is_named(ledger):
    _, checkpoint = ledger
    text, _ = note.split(checkpoint.note)
    mallory = Ed25519PrivateKey.generate()
    line = note.sign(text, "mallory", mallory)
    kid = note.key_id("mallory", mallory.public_key().public_bytes_raw()).hex()
    tamper(
        "ledger_checkpoint",
        "UPDATE ledger_checkpoint SET note = %s WHERE id = %s",
        [checkpoint.note + line, checkpoint.pk],
    )
    assert verify() == (
        False,
        [f"Checkpoint #{checkpoint.pk} of log {A} is signed by an unknown key mallory+{kid}."],
    )


def test_many_problems_of_one_kind_are_counted_not_all_printed(ledger, world):
    with transaction.atomic():
        for i in range(5):
            append_fact(Actor.system(), "test.event", ("other", i), {}, world.a)
    tamper("ledger_fact", "UPDATE ledger_fact SET channel = 'api'")
    ok, lines = verify()
    assert not ok
    changed = [line for line in lines if line.endswith("channel changed since it was appended.")]
    assert Fact.objects.filter(log__origin=A).count() == 25
    assert len(changed) == 20 + 8  # agency A's first 20 (the cap), all 8 of the other logs
    assert "… and 5 more problems of kind “changed”." in lines


def test_the_same_payload_written_differently_is_not_a_change(ledger):
    facts, _ = ledger
    with connection.cursor() as cursor:
        cursor.execute("SELECT payload FROM ledger_fact WHERE id = %s", [facts[17].pk])
        (text,) = cursor.fetchone()
    if connection.vendor == "sqlite":  # stored as canonical JSON, verified as it is
        assert text == '{"i":11}'
    spaced = "UPDATE ledger_fact SET payload = '{ \"i\" : 11 }' WHERE id = %s"
    tamper("ledger_fact", spaced, [facts[17].pk])
    assert verify()[0]


def test_a_payload_that_is_no_longer_an_object_is_a_changed_payload(ledger):
    facts, checkpoint = ledger
    # both databases refuse text that is not JSON (jsonb; SQLite's JSON_VALID check)
    tamper("ledger_fact", "UPDATE ledger_fact SET payload = '\"x\"' WHERE id = %s", [facts[17].pk])
    assert verify() == (
        False,
        [
            f"Fact #{facts[17].pk} (log {A}, seq 17): payload changed since it was appended.",
            f"Checkpoint #{checkpoint.pk} of log {A} (size 20): the facts no longer give its "
            "root hash.",
        ],
    )
