"""Facts become leaves of their agency's log; the database tree gives the in-memory tree's
roots and proofs; the ledger tables refuse UPDATE and DELETE."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction

from quancheng.ledger.actions import append_fact
from quancheng.ledger.context import Actor
from quancheng.ledger.log import leaf, merkle
from quancheng.ledger.log.tree import LogTree, TreeError
from quancheng.ledger.models import Fact, Log, TreeNode

SYSTEM = Actor.system()


def _append(n: int, agency=None, subject=lambda i: ("thing", i % 7)) -> list[Fact]:
    with transaction.atomic():
        return [append_fact(SYSTEM, "test.event", subject(i), {"i": i}, agency) for i in range(n)]


def test_each_agency_has_its_own_log_and_system_facts_their_own(world):
    _append(2)
    facts = Fact.objects.order_by("id")
    by_log = {}
    for fact in facts:
        by_log.setdefault(fact.log.origin, []).append(fact.seq)
    assert by_log["quancheng.local/agency/agency-a"][:3] == [0, 1, 2]
    assert all(seqs == list(range(len(seqs))) for seqs in by_log.values())
    officer_fact = facts.get(kind="user.created", subject_id=str(world.officer.pk))
    assert officer_fact.log.agency == world.a
    assert Log.objects.get(key="system").origin == "quancheng.local/system"


def test_the_leaf_is_the_canonical_json_of_the_fields_and_links_the_previous_state(world):
    first, second = _append(2, world.b, subject=lambda i: ("case", 42))
    assert bytes(second.prev_leaf) == bytes(first.leaf_hash)
    data = {
        "v": 1,
        "agency": "agency-b",
        "seq": second.seq,
        "kind": "test.event",
        "subject": ["case", "42"],
        "payload": {"i": 1},
        "actor": "[system]",
        "channel": "system",
        "remote_addr": None,
        "created_at": second.created_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "prev": bytes(first.leaf_hash).hex(),
    }
    text = (
        '{"actor":"[system]","agency":"agency-b","channel":"system",'
        f'"created_at":"{data["created_at"]}","kind":"test.event","payload":{{"i":1}},'
        f'"prev":"{data["prev"]}","remote_addr":null,"seq":{second.seq},'
        '"subject":["case","42"],"v":1}'
    )
    assert leaf.encode(data) == text.encode()
    assert bytes(second.leaf_hash) == merkle.leaf_hash(text.encode())
    assert leaf.changed_fields(data, bytes(second.field_digests)) == []
    assert leaf.changed_fields({**data, "kind": "x"}, bytes(second.field_digests)) == ["kind"]


def test_ipv6_and_mapped_addresses_have_one_spelling_whatever_the_database_returns():
    assert leaf.ip_text("::FFFF:1.2.3.4") == leaf.ip_text("::ffff:102:304")
    assert leaf.ip_text("10.0.0.1") == "10.0.0.1"
    assert leaf.ip_text("2001:db8::1/128") == "2001:0db8:0000:0000:0000:0000:0000:0001"


def test_remote_address_round_trips_through_the_database(db):
    with transaction.atomic():
        fact = append_fact(
            Actor(None, "web", "2001:DB8::1"), "test.event", ("x", 1), {"when": 1}, None
        )
    stored = Fact.objects.get(pk=fact.pk)
    data = leaf.entry(
        agency=None,
        seq=stored.seq,
        kind=stored.kind,
        subject_type="x",
        subject_id="1",
        payload=stored.payload,
        actor=stored.actor_label,
        channel=stored.channel,
        remote_addr=stored.remote_addr,
        created_at=stored.created_at,
        prev=None,
    )
    assert leaf.hash_entry(data) == bytes(stored.leaf_hash)


def test_database_tree_gives_the_same_roots_and_proofs_as_the_memory_tree(db):
    facts = _append(150)
    log = facts[0].log
    memory = merkle.MemoryTree([bytes(f.leaf_hash) for f in facts])
    tree = LogTree(log)
    for size in (1, 2, 15, 16, 17, 31, 32, 33, 100, 150):
        assert tree.root(size) == memory.root(size)
        for index in {0, size // 2, size - 1}:
            assert tree.inclusion_proof(index, size) == memory.inclusion_proof(index, size)
        for old in {1, size // 3 or 1, size - 1 or 1}:
            assert tree.consistency_proof(old, size) == memory.consistency_proof(old, size)
    # nodes of 16 leaves and more are cached, exactly as the memory tree has them
    nodes = TreeNode.objects.filter(log=log)
    assert {(n.level, n.index) for n in nodes} == {
        (lv, i) for lv in range(4, 8) for i in range(150 >> lv)
    }
    assert all(bytes(n.hash) == memory.levels[n.level][n.index] for n in nodes)
    more = _append(40)
    memory = merkle.MemoryTree([*memory.levels[0], *(bytes(f.leaf_hash) for f in more)])
    assert tree.root(190) == memory.root(190)
    assert tree.consistency_proof(150, 190) == memory.consistency_proof(150, 190)


def test_a_proof_for_a_size_larger_than_the_log_is_refused(db):
    log = _append(3)[0].log
    with pytest.raises(TreeError, match="the log has 3 entries, not 4"):
        LogTree(log).inclusion_proof(0, 4)


@pytest.mark.parametrize("table", ["ledger_fact", "ledger_log", "ledger_treenode"])
def test_ledger_tables_refuse_update_and_delete(db, table):
    _append(20)
    for sql in (f"UPDATE {table} SET id = id", f"DELETE FROM {table}"):  # noqa: S608
        with pytest.raises(DatabaseError, match="append-only"):
            with transaction.atomic(), connection.cursor() as cursor:
                LogTree(Log.objects.get()).root(20)
                cursor.execute(sql)


def test_bulk_appends_give_the_leaves_one_by_one_appends_would(world):
    from quancheng.ledger.actions import append_facts

    with transaction.atomic():
        append_fact(SYSTEM, "test.event", ("case", 1), {"n": 0}, world.b)
        bulk = append_facts(
            SYSTEM,
            [("test.event", ("case", i % 3), {"n": i}) for i in range(1, 40)],
            world.b,
        )
        append_fact(SYSTEM, "test.event", ("case", 2), {"n": 40}, world.b)
    facts = list(Fact.objects.filter(log=bulk[0].log).order_by("seq"))
    assert [f.seq for f in facts] == list(range(len(facts)))
    assert [f.pk for f in bulk] == [f.pk for f in facts[3:42]]  # after the world's 2, n=0
    from quancheng.ledger.verification.verify import verify_ledger

    report = verify_ledger()
    assert report.problems == []
    # the chain on each subject runs through the bulk facts
    on_case_2 = [f for f in facts if f.subject_id == "2"]
    assert bytes(on_case_2[-1].prev_leaf) == bytes(on_case_2[-2].leaf_hash)


def test_an_append_costs_one_statement_on_postgresql_two_elsewhere(db):
    from django.test.utils import CaptureQueriesContext

    with transaction.atomic():
        append_fact(SYSTEM, "test.event", ("x", 1), {}, None)  # creates the system log
        with CaptureQueriesContext(connection) as queries:
            append_fact(SYSTEM, "test.event", ("x", 1), {}, None)
    assert len(queries) == (1 if connection.vendor == "postgresql" else 2)


def test_a_bulk_append_looks_up_all_its_subjects_in_one_statement_on_postgresql(world):
    from django.test.utils import CaptureQueriesContext

    from quancheng.ledger.actions import append_facts

    def statements(subjects: int) -> int:
        items = [("test.event", ("case", f"{subjects}-{i}"), {"i": i}) for i in range(subjects)]
        with transaction.atomic(), CaptureQueriesContext(connection) as queries:
            append_facts(SYSTEM, items, world.a)
        return len(queries)

    few, many = statements(3), statements(60)
    if connection.vendor == "postgresql":  # lock, previous leaves, pipelined inserts
        assert few == many == 3
    else:  # a lookup per subject
        assert many - few == 57
