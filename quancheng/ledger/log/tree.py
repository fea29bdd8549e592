"""A log's Merkle tree read from the database: roots and proofs at any size, in a few queries.

Leaf hashes live on the facts (``ledger_fact.leaf_hash`` by ``seq``). Complete subtrees of
``2**NODE_MIN_LEVEL`` leaves and more are cached in ``ledger_treenode``, built on demand
(``ensure_nodes``) from the leaves and the nodes already built; smaller subtrees are hashed
from their few leaves when asked. A proof at a million leaves then reads about forty rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection

from quancheng.ledger.log import merkle
from quancheng.ledger.log.logs import fetch_all
from quancheng.ledger.log.merkle import Subtree
from quancheng.ledger.models import Log, TreeNode

NODE_MIN_LEVEL = 4
_BLOCK = 1 << NODE_MIN_LEVEL


class TreeError(Exception):
    """The log in the database cannot give what was asked (a size it does not have, a gap)."""


def _rows(sql: str, params: list[Any]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# What a proof reads, in one statement: rows (level, index, hash) of the cached nodes wanted,
# (-1, seq, leaf hash) of the leaves wanted, (-2, the log's last seq, null), and (-3, 1 or 0,
# null): whether the lowest cached node that the size asked for needs is there.
_LEAF, _SIZE, _CACHED = -1, -2, -3
_READ_SIZE = (  # last in the UNION: PostgreSQL takes the hash column's type from the first
    "SELECT -2, MAX(seq), NULL FROM ledger_fact WHERE log_id = %s"
    " UNION ALL SELECT -3, COUNT(*), NULL FROM ledger_treenode"
    ' WHERE log_id = %s AND level = %s AND "index" = %s'
)
# PostgreSQL: one statement whatever is wanted (arrays), so it is prepared once
_PG_READ = (  # constant text; the values are parameters
    'SELECT t.level, t."index", t.hash FROM ledger_treenode t'  # noqa: S608
    " JOIN unnest(%s::integer[], %s::bigint[]) AS w(level, number)"
    ' ON t.log_id = %s AND t.level = w.level AND t."index" = w.number'
    " UNION ALL SELECT -1, seq, leaf_hash FROM ledger_fact"
    " WHERE log_id = %s AND seq = ANY(%s::bigint[])"
    " UNION ALL " + _READ_SIZE
)
# Elsewhere point lookups on the unique index: an OR of them makes SQLite scan the log's nodes
_NODE_SQL = (
    'SELECT level, "index", hash FROM ledger_treenode WHERE log_id = %s AND level = %s'
    ' AND "index" = %s'
)
_LEAVES_SQL = "SELECT -1, seq, leaf_hash FROM ledger_fact WHERE log_id = %s AND seq IN "


def _read(log_id: int, nodes: list[Subtree], seqs: list[int], last: int) -> list[tuple]:
    if connection.vendor == "postgresql":
        levels, numbers = [lv for lv, _ in nodes], [i for _, i in nodes]
        size = [log_id, log_id, NODE_MIN_LEVEL, last]
        return fetch_all(_PG_READ, [levels, numbers, log_id, log_id, seqs, *size])
    sql, params = _lookups(log_id, nodes)
    if seqs:
        sql.append(_LEAVES_SQL + f"({','.join(['%s'] * len(seqs))})")
        params += [log_id, *seqs]
    sql.append(_READ_SIZE)
    params += [log_id, log_id, NODE_MIN_LEVEL, last]
    return _rows(" UNION ALL ".join(sql), params)


def _lookups(log_id: int, nodes: Iterable[Subtree]) -> tuple[list[str], list[object]]:
    """Point lookups of cached nodes, to be joined by UNION ALL."""
    sql: list[str] = []
    params: list[object] = []
    for level, index in nodes:
        sql.append(_NODE_SQL)
        params += [log_id, level, index]
    return sql, params


def _tagged(rows: list[tuple], tag: int) -> int | None:
    return next(number for level, number, _ in rows if level == tag)


def _span(level: int, index: int) -> tuple[int, int]:
    """The leaves ``[start, end)`` under a complete subtree."""
    return index << level, (index + 1) << level


class LogTree:
    """The tree of one log."""

    def __init__(self, log: Log | int) -> None:
        self.log_id = log if isinstance(log, int) else log.pk

    def size(self) -> int:
        """How many facts the log holds (committed, or written in this transaction)."""
        ((last,),) = _rows("SELECT MAX(seq) FROM ledger_fact WHERE log_id = %s", [self.log_id])
        return 0 if last is None else last + 1

    # --- reading hashes -----------------------------------------------------------------

    def leaves(self, start: int, end: int) -> list[bytes]:
        rows = _rows(
            "SELECT seq, leaf_hash FROM ledger_fact WHERE log_id = %s AND seq >= %s AND seq < %s"
            " ORDER BY seq",
            [self.log_id, start, end],
        )
        if len(rows) != end - start or (rows and (rows[0][0], rows[-1][0]) != (start, end - 1)):
            raise TreeError(f"entries missing between seq {start} and {end - 1}")
        return [bytes(h) for _, h in rows]

    def _nodes(self, wanted: Iterable[Subtree]) -> dict[Subtree, bytes]:
        wanted = list(wanted)
        if not wanted:
            return {}
        sql, params = _lookups(self.log_id, wanted)
        rows = _rows(" UNION ALL ".join(sql), params)
        found = {(level, index): bytes(h) for level, index, h in rows}
        missing = set(wanted) - found.keys()
        if missing:
            raise TreeError(f"tree nodes missing: {sorted(missing)[:3]}")
        return found

    def _hashes(self, wanted: set[Subtree], size: int) -> dict[Subtree, bytes]:
        """The hash of each complete subtree in ``wanted`` within ``size``, in one round trip
        when the cache already covers ``size`` (else it is built first and read again)."""
        high = sorted(st for st in wanted if st[0] >= NODE_MIN_LEVEL)
        seqs = sorted(
            {i for lv, index in wanted if lv < NODE_MIN_LEVEL for i in range(*_span(lv, index))}
        )
        last = (size >> NODE_MIN_LEVEL) - 1  # the lowest cached node that ``size`` needs
        for attempt in range(2):
            rows = _read(self.log_id, high, seqs, last)
            have = _tagged(rows, _SIZE)
            have = 0 if have is None else have + 1
            if size > have:
                raise TreeError(f"the log has {have} entries, not {size}")
            if last < 0 or _tagged(rows, _CACHED) or attempt:
                break
            self.ensure_nodes(size)
        nodes = {(level, number): bytes(h) for level, number, h in rows if level >= 0}
        leaves = {number: bytes(h) for level, number, h in rows if level == _LEAF}
        if missing := set(high) - nodes.keys():
            raise TreeError(f"tree nodes missing: {sorted(missing)[:3]}")
        if len(leaves) != len(seqs):
            raise TreeError(f"entries missing: seq {sorted(set(seqs) - leaves.keys())[:3]}")
        for level, index in wanted - nodes.keys():
            nodes[(level, index)] = merkle.root([leaves[i] for i in range(*_span(level, index))])
        return nodes

    # --- building the node cache ----------------------------------------------------------

    def built(self) -> dict[int, int]:
        """For each cached level, how many nodes are built (they are built left to right)."""
        out: dict[int, int] = {}
        level = NODE_MIN_LEVEL
        while True:
            ((top,),) = _rows(
                'SELECT MAX("index") FROM ledger_treenode WHERE log_id = %s AND level = %s',
                [self.log_id, level],
            )
            if top is None:
                return out
            out[level] = top + 1
            level += 1

    def ensure_nodes(self, size: int) -> None:
        """Cache every complete subtree of ``2**NODE_MIN_LEVEL`` leaves or more within ``size``.

        Nodes are built in one transaction for all levels up to some size, so if the last
        lowest-level node within ``size`` exists, every node within ``size`` does.
        """
        level = NODE_MIN_LEVEL
        last = (size >> level) - 1
        if last < 0 or _rows(
            'SELECT 1 FROM ledger_treenode WHERE log_id = %s AND level = %s AND "index" = %s',
            [self.log_id, level, last],
        ):
            return
        have = self.built()
        start = have.get(level, 0)
        hashes = merkle.levels(self.leaves(start * _BLOCK, (size >> level) * _BLOCK))
        fresh = {level: (start, hashes[level] if len(hashes) > level else [])}
        new: list[TreeNode] = []
        while (size >> level) > 0:
            first, row = fresh[level]
            new += [
                TreeNode(log_id=self.log_id, level=level, index=first + i, hash=h)
                for i, h in enumerate(row)
            ]
            up = level + 1
            lo, hi = have.get(up, 0), size >> up
            if hi <= lo:
                break
            children = self._children(level, 2 * lo, 2 * hi, fresh[level])
            fresh[up] = (
                lo,
                [
                    merkle.node_hash(children[i], children[i + 1])
                    for i in range(0, len(children), 2)
                ],
            )
            level = up
        TreeNode.objects.bulk_create(new, batch_size=2000, ignore_conflicts=True)

    def _children(
        self, level: int, start: int, end: int, fresh: tuple[int, list[bytes]]
    ) -> list[bytes]:
        """Nodes ``[start, end)`` of ``level``: the ones just computed, else from the cache."""
        first, row = fresh
        old = {}
        if start < first:
            old = self._nodes((level, i) for i in range(start, min(first, end)))
        return [old[(level, i)] if i < first else row[i - first] for i in range(start, end)]

    # --- roots and proofs ---------------------------------------------------------------

    def _resolve(self, ranges: list[merkle.Range], size: int) -> list[bytes]:
        return merkle.resolve(ranges, self._hashes(merkle.needed_subtrees(ranges), size))

    def root(self, size: int) -> bytes:
        if size == 0:
            return merkle.EMPTY_ROOT
        return self._resolve([(0, size)], size)[0]

    def inclusion_proof(self, seq: int, size: int) -> list[bytes]:
        return self._resolve(merkle.inclusion_path(seq, size), size)

    def consistency_proof(self, old_size: int, new_size: int) -> list[bytes]:
        return self._resolve(merkle.consistency_path(old_size, new_size), new_size)
