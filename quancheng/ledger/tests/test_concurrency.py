"""Several writers appending at once on PostgreSQL end with one consistent tree per log."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import connection, transaction

from quancheng.agencies.actions import create_agency
from quancheng.ledger.actions import append_fact
from quancheng.ledger.context import Actor
from quancheng.ledger.log import merkle
from quancheng.ledger.log.tree import LogTree
from quancheng.ledger.models import Fact, Log
from quancheng.ledger.verification.verify import verify_ledger

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="row locks between concurrent connections need PostgreSQL (DATABASE_URL)",
    ),
]

WRITERS, ROUNDS, PER_ROUND = 6, 8, 5


def test_concurrent_writers_end_with_one_consistent_tree(transactional_db):
    system = Actor.system()
    a = create_agency(system, code="pa", name="甲", level="agency", pack_id="anhui")
    b = create_agency(system, code="pb", name="乙", level="agency", pack_id="anhui")
    start = threading.Barrier(WRITERS)
    errors: list[BaseException] = []

    def writer(number: int) -> None:
        try:
            start.wait()
            for round_ in range(ROUNDS):
                agency = [a, b, None][(number + round_) % 3]
                with transaction.atomic():
                    for i in range(PER_ROUND):
                        # shared subjects: the previous-state links race too
                        append_fact(system, "test.event", ("case", i % 2), {"w": number}, agency)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []

    total = WRITERS * ROUNDS * PER_ROUND + 2  # and the two agency.created facts
    assert Fact.objects.count() == total
    for log in Log.objects.all():
        facts = list(Fact.objects.filter(log=log).order_by("seq"))
        assert [f.seq for f in facts] == list(range(len(facts)))
        # one writer at a time per log: seq order is commit order is id order
        assert [f.pk for f in facts] == sorted(f.pk for f in facts)
        # the time is taken under the lock too: it follows seq
        assert [f.created_at for f in facts] == sorted(f.created_at for f in facts)
        leaves = [bytes(f.leaf_hash) for f in facts]
        assert LogTree(log).root(len(leaves)) == merkle.root(leaves)
    report = verify_ledger()
    assert report.problems == [] and report.facts == total


def test_concurrent_submissions_to_a_witness_advance_it_once(
    transactional_db, key_file, settings, tmp_path
):
    import io

    from django.core.management import call_command

    from quancheng.ledger.actions import sign_checkpoints
    from quancheng.ledger.models import SigningKey, WitnessedCheckpoint
    from quancheng.ledger.witnesses import witness, witnessing

    settings.QUANCHENG_WITNESS_KEY_FILE = tmp_path / "witness.pem"
    system = Actor.system()
    agency = create_agency(system, code="pw", name="丙", level="agency", pack_id="anhui")
    call_command("keys", "init", stdout=io.StringIO())
    witness.init_key(system)
    signer = witness.current_signer()
    with transaction.atomic():
        append_fact(system, "test.event", ("case", 1), {}, agency)
    [first] = sign_checkpoints(system, origins=[Log.objects.get(agency=agency).origin])
    witness.add_log(system, first.log.origin, SigningKey.objects.get().verifier_key)
    with transaction.atomic():
        append_fact(system, "test.event", ("case", 1), {}, agency)
    [second] = sign_checkpoints(system, origins=[first.log.origin])
    # all from old size 0: whichever is first advances the witness, the others must get 409
    bodies = [witnessing.request_for(c, 0).body for c in (first, second) * 3]
    start = threading.Barrier(len(bodies))
    statuses: list[int] = []

    def submitter(body: str) -> None:
        try:
            start.wait()
            witness.add_checkpoint(system, body, signer)
            statuses.append(200)
        except witness.Refusal as refusal:
            statuses.append(refusal.status)
        finally:
            connection.close()

    threads = [threading.Thread(target=submitter, args=(b,)) for b in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] + [409] * (len(bodies) - 1)
    assert WitnessedCheckpoint.objects.count() == 1
