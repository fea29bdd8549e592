"""A leaf put together from pieces (by PostgreSQL's ``quancheng_ledger_append``, or by
``leaf.fill``) is byte for byte the leaf of the whole entry; a failed append writes nothing."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from hypothesis import example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from quancheng.agencies.models import Agency
from quancheng.ledger.actions import append_fact
from quancheng.ledger.context import Actor
from quancheng.ledger.log import leaf
from quancheng.ledger.models import Fact, Log
from quancheng.ledger.verification.verify import verify_ledger

SYSTEM = Actor.system()
POSTGRES = "postgresql" in settings.DATABASES["default"]["ENGINE"]
on_postgres = pytest.mark.skipif(not POSTGRES, reason="the database function is PostgreSQL's")

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**60), max_value=2**60)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=15,
)
addresses = st.sampled_from([None, "", "10.1.2.3", "2001:DB8::1", "::ffff:1.2.3.4", "fe80::1"])
instants = st.datetimes(
    min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 1, 1), timezones=st.timezones()
)


@hypothesis_settings(max_examples=300, deadline=None)
@given(
    payload=st.dictionaries(st.text(), json_values, max_size=5),
    agency=st.none() | st.text(max_size=20),
    text=st.text(max_size=20),
    remote_addr=addresses,
    created_at=instants,
    prev=st.none() | st.binary(min_size=32, max_size=32),
    seq=st.integers(min_value=0, max_value=2**53 - 1),
)
def test_filling_in_the_late_members_gives_the_leaf_of_the_whole_entry(
    payload, agency, text, remote_addr, created_at, prev, seq
):
    members = {
        "agency": agency,
        "kind": f"k.{text}",
        "subject_type": text,
        "subject_id": text[::-1],
        "payload": payload,
        "actor": text or "[system]",
        "channel": "web",
        "remote_addr": remote_addr,
    }
    made = leaf.template(**members)
    whole = leaf.entry(**members, seq=seq, created_at=created_at, prev=prev)
    encoded = leaf.encode(whole)
    assert encoded.startswith(made.parts[0]) and encoded.endswith(made.parts[3])
    for part, name in zip(made.parts, leaf.LATE, strict=False):
        assert part.endswith(b',"' + name.encode() + b'":')
    assert leaf.fill(made, created_at=created_at, prev=prev, seq=seq) == leaf.hash_and_digests(
        whole
    )


@hypothesis_settings(max_examples=300, deadline=None)
@given(payload=st.dictionaries(st.text(), json_values, max_size=5), ascii_only=st.booleans())
# each value json.dumps writes otherwise than RFC 8785 does, in either spelling of the text
@example(payload={"small": 1e-07, "large": 1e21}, ascii_only=False)
@example(payload={"big": 2**60, "negative": -(2**53)}, ascii_only=False)
@example(payload={"\uffff": 1, "\U0001f600": 2}, ascii_only=False)  # UTF-16 order differs
@example(payload={"\uffff": 1, "\U0001f600": 2}, ascii_only=True)
def test_verify_hashes_a_payload_in_the_databases_own_spelling_as_the_append_did(
    payload, ascii_only
):
    """``verify`` gets PostgreSQL's text of a jsonb payload (its own spacing, key order and
    escapes) and must hash what ``append_fact`` hashed, floats and big integers included."""
    from quancheng.ledger.verification.facts import _postgres_leaf

    members = {
        "agency": "a",
        "seq": 7,
        "kind": "k",
        "subject_type": "case",
        "subject_id": "1",
        "actor": "[system]",
        "channel": "web",
        "remote_addr": None,
        "created_at": dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC),
        "prev": None,
    }
    stored = leaf.hash_entry(leaf.entry(**members, payload=payload))
    data = leaf.entry(**members, payload=None)
    text = json.dumps(payload, ensure_ascii=ascii_only, separators=(", ", ": "))
    assert _postgres_leaf(data, text, stored) == stored


PAYLOADS = [
    {},
    {"name": "张三", "place": "合肥市蜀山区", "emoji": "😀", "mixed": "a\u00e9\u4e2d\U0001f600"},
    {"escapes": '"\\/\n\t\r\b\f\x01\x1f\x7f', "line sep": "\u2028\u2029"},  # jsonb: no \x00
    {"ints": [0, -1, 2**53 - 1, -(2**53) + 1], "floats": [0.1, -0.0, 1e20, 1e-7, 5.0, 1e21]},
    {"big": 2**60, "bool": [True, False], "none": None},
    {"nested": {"z": {"y": [[], {}, [{"x": [1, {"w": "深"}]}]]}, "a": []}},
    {"keys": {"b": 1, "a": 2, "B": 3, "é": 4, "中": 5, "\U0001f600": 6, "\uffff": 7}},
    {"when": dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), "day": dt.date(2026, 3, 2)},
]
ACTORS = [
    SYSTEM,
    Actor(None, "web", "10.1.2.3"),
    Actor(None, "api", "2001:DB8::1"),
    Actor(None, "web", "::ffff:1.2.3.4"),
    Actor(None, "cli", ""),
]


def _recomputed(fact: Fact) -> tuple[bytes, bytes]:
    """The leaf and digests Python gives from the stored row (as ``verify`` reads it)."""
    stored = Fact.objects.select_related("log").get(pk=fact.pk)
    data = leaf.entry(
        agency=stored.log.agency_code,
        seq=stored.seq,
        kind=stored.kind,
        subject_type=stored.subject_type,
        subject_id=stored.subject_id,
        payload=stored.payload,
        actor=stored.actor_label,
        channel=stored.channel,
        remote_addr=stored.remote_addr,
        created_at=stored.created_at,
        prev=None if stored.prev_leaf is None else bytes(stored.prev_leaf),
    )
    return leaf.hash_and_digests(data)


def test_appended_leaves_are_those_python_computes_for_every_shape(world):
    facts = []
    with transaction.atomic():
        for i, payload in enumerate(PAYLOADS):
            for j, actor in enumerate(ACTORS):
                agency = [world.a, None, world.b][(i + j) % 3]
                subject = ("case", f"{i % 3}·{j % 2}")  # prev links present and absent
                facts.append(append_fact(actor, "test.shape", subject, payload, agency))
    assert any(f.prev_leaf is None for f in facts) and any(f.prev_leaf for f in facts)
    for fact in facts:
        stored = Fact.objects.get(pk=fact.pk)
        assert (bytes(stored.leaf_hash), bytes(stored.field_digests)) == _recomputed(fact)
        # the instance append_fact returns is the row as stored
        assert (fact.seq, fact.created_at, fact.prev_leaf) == (
            stored.seq,
            stored.created_at,
            None if stored.prev_leaf is None else bytes(stored.prev_leaf),
        )
        assert bytes(fact.leaf_hash) == bytes(stored.leaf_hash)
    out = io.StringIO()
    call_command("verify", "--json", stdout=out)  # raises on any problem
    report = json.loads(out.getvalue())
    assert report["ok"] and report["facts"] == Fact.objects.count()


def test_a_log_keeps_the_agency_code_it_began_with(world):
    with transaction.atomic():
        first = append_fact(SYSTEM, "test.event", ("case", 1), {"n": 1}, world.b)
    Agency.objects.filter(pk=world.b.pk).update(code="agency-b-renamed")
    renamed = Agency.objects.get(pk=world.b.pk)
    with transaction.atomic():
        second = append_fact(SYSTEM, "test.event", ("case", 1), {"n": 2}, renamed)
    assert second.log_id == first.log_id and second.seq == first.seq + 1
    assert Log.objects.get(pk=second.log_id).agency_code == "agency-b"
    assert (bytes(second.leaf_hash), bytes(second.field_digests)) == _recomputed(second)
    assert bytes(second.prev_leaf) == bytes(first.leaf_hash)
    assert verify_ledger().problems == []


def test_a_failed_append_writes_nothing_and_the_next_one_takes_its_place(world):
    with transaction.atomic():
        before = append_fact(SYSTEM, "test.event", ("case", 9), {"n": 1}, world.a)
        with pytest.raises(IntegrityError), transaction.atomic():
            append_fact(SYSTEM, None, ("case", 9), {"n": 2}, world.a)  # kind is NOT NULL
        after = append_fact(SYSTEM, "test.event", ("case", 9), {"n": 3}, world.a)
    assert after.seq == before.seq + 1
    assert bytes(after.prev_leaf) == bytes(before.leaf_hash)
    assert not Fact.objects.filter(payload__n=2).exists()
    assert verify_ledger().problems == []


@on_postgres
@pytest.mark.parametrize(
    "instant",
    [
        dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC),  # no microseconds: still written out
        dt.datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=dt.timezone(dt.timedelta(hours=8))),
        dt.datetime(1999, 1, 1, 0, 0, 0, 1, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
        dt.datetime(2100, 2, 28, 16, 30, 0, 120000, tzinfo=dt.UTC),
    ],
)
def test_postgresql_writes_a_stored_time_as_the_leaf_does(db, instant):
    """``verify`` has PostgreSQL spell ``created_at``; it must be ``leaf.iso_utc``'s spelling."""
    from quancheng.ledger.verification.facts import POSTGRES_TIME

    with connection.cursor() as cursor:
        cursor.execute("SELECT " + POSTGRES_TIME.format("%s::timestamptz"), [instant])
        assert cursor.fetchone()[0] == leaf.iso_utc(instant)


@on_postgres
def test_a_leaf_the_database_puts_together_differently_is_refused(world, monkeypatch):
    with transaction.atomic():
        append_fact(SYSTEM, "test.event", ("case", 1), {}, world.a)
    count = Fact.objects.count()
    monkeypatch.setattr(leaf, "fill", lambda made, **late: (bytes(32), bytes(40)))
    with pytest.raises(RuntimeError, match="another leaf"), transaction.atomic():
        append_fact(SYSTEM, "test.event", ("case", 1), {}, world.a)
    assert Fact.objects.count() == count


@on_postgres
@pytest.mark.parametrize("prepare", [True, False])
def test_the_append_is_one_statement_prepared_once_per_connection(
    transactional_db, settings, prepare
):
    from django.test.utils import CaptureQueriesContext

    from quancheng.agencies.actions import create_agency

    settings.QUANCHENG_DB_PREPARE = prepare
    connection.close()  # a connection of its own: nothing prepared yet

    def prepared() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_prepared_statements"
                " WHERE statement LIKE '%%quancheng_ledger_append%%'"
            )
            return cursor.fetchone()[0]

    agency = create_agency(SYSTEM, code="pp", name="甲", level="agency", pack_id="anhui")
    with transaction.atomic():
        append_fact(SYSTEM, "test.event", ("x", 1), {}, agency)
        first = prepared()
        with CaptureQueriesContext(connection) as queries:
            for i in range(3):
                append_fact(SYSTEM, "test.event", ("x", i), {"i": i}, agency)
        assert len(queries) == 3
        assert prepared() == first
    assert first >= 1 if prepare else first == 0
    connection.close()
