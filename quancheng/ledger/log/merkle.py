"""The Merkle tree of RFC 9162 (Certificate Transparency 2.0), §2.1: hashes, paths, proofs.

Pure functions, no database. A tree of ``n`` leaves is described by the leaf hashes
``D[0:n]``; ``MTH`` is its root hash. Every hash a proof needs is the root of a range
``[start, end)`` that the RFC's recursive definitions reach, and every such range splits
into *complete subtrees*: aligned runs of ``2**level`` leaves, named ``(level, index)`` and
covering leaves ``[index << level, (index + 1) << level)``. A store that can give the hash of
complete subtrees (``quancheng.ledger.log.tree``) can therefore answer any proof; the functions
here say which subtrees are needed and how to fold them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence

Range = tuple[int, int]
Subtree = tuple[int, int]  # (level, index)

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    """MTH of one entry: SHA-256(0x00 || data)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """An interior node: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(width: int) -> int:
    """The largest power of two smaller than ``width`` (``width`` > 1)."""
    return 1 << ((width - 1).bit_length() - 1)


# --- which ranges a proof consists of ------------------------------------------------------


def inclusion_path(index: int, size: int) -> list[Range]:
    """The ranges whose roots form PATH(index, D[0:size]), leaf-side first (RFC 9162 §2.1.3.1)."""
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is outside a tree of size {size}")
    start, end = 0, size
    siblings: list[Range] = []
    while end - start > 1:
        k = _split(end - start)
        if index < start + k:
            siblings.append((start + k, end))
            end = start + k
        else:
            siblings.append((start, start + k))
            start += k
    siblings.reverse()
    return siblings


def consistency_path(old_size: int, new_size: int) -> list[Range]:
    """The ranges whose roots form PROOF(old_size, D[0:new_size]) (RFC 9162 §2.1.4.1)."""
    if not 0 <= old_size <= new_size:
        raise ValueError(f"no consistency proof from size {old_size} to size {new_size}")
    if old_size in (0, new_size):  # the empty tree is consistent with every tree
        return []
    start, m, width, complete = 0, old_size, new_size, True
    steps: list[Range] = []
    while m != width:
        k = _split(width)
        if m <= k:
            steps.append((start + k, start + width))
            width = k
        else:
            steps.append((start, start + k))
            start, m, width, complete = start + k, m - k, width - k, False
    steps.reverse()
    return steps if complete else [(start, start + width), *steps]


def subtrees(start: int, end: int) -> list[Subtree]:
    """The complete subtrees that make up ``[start, end)``, largest (leftmost) first.

    For the ranges of the RFC's recursion (``start`` aligned to the range's width rounded up
    to a power of two) they come in decreasing size, so their root is the right fold.
    """
    out: list[Subtree] = []
    while start < end:
        level = (end - start).bit_length() - 1
        if start:
            level = min(level, (start & -start).bit_length() - 1)
        out.append((level, start >> level))
        start += 1 << level
    return out


def fold(hashes: Sequence[bytes]) -> bytes:
    """The root of complete subtrees of decreasing size, folded from the right."""
    if not hashes:
        return EMPTY_ROOT
    result = hashes[-1]
    for h in reversed(hashes[:-1]):
        result = node_hash(h, result)
    return result


def needed_subtrees(ranges: Iterable[Range]) -> set[Subtree]:
    return {st for a, b in ranges for st in subtrees(a, b)}


def resolve(ranges: Iterable[Range], known: Mapping[Subtree, bytes]) -> list[bytes]:
    """The root hash of each range, from the hashes of its complete subtrees."""
    return [fold([known[st] for st in subtrees(a, b)]) for a, b in ranges]


# --- in-memory trees (verification of a whole log, tests) ------------------------------------


def levels(leaves: Sequence[bytes]) -> list[list[bytes]]:
    """Every complete subtree's hash: ``levels(D)[level][index]``."""
    out = [list(leaves)]
    while len(out[-1]) > 1:
        below = out[-1]
        out.append([node_hash(a, b) for a, b in zip(below[0::2], below[1::2], strict=False)])
    return out


def root_from_levels(tree: Sequence[Sequence[bytes]], size: int) -> bytes:
    """MTH(D[0:size]) from ``levels(D)`` for any ``size`` up to ``len(D)`` (0 included)."""
    if size == 0:
        return EMPTY_ROOT
    return fold([tree[level][index] for level, index in subtrees(0, size)])


def departure(tree: Sequence[Sequence[bytes]], have: int, size: int, root: bytes) -> str | None:
    """How a log recomputed as ``tree`` (its ``levels``, ``have`` leaves) departs from a signed
    statement that it had ``root`` at ``size``: ``"deleted"`` (it is shorter now),
    ``"rewritten"`` (another root at that size) or None (it agrees)."""
    if size > have:
        return "deleted"
    return "rewritten" if root_from_levels(tree, size) != root else None


def root(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[0:n]) of the given leaf hashes."""
    return root_from_levels(levels(leaves), len(leaves)) if leaves else EMPTY_ROOT


class MemoryTree:
    """All levels of a tree in memory; proofs for any size up to the number of leaves."""

    def __init__(self, leaves: Sequence[bytes]) -> None:
        self.size = len(leaves)
        self.levels = levels(leaves)

    def subtree(self, st: Subtree) -> bytes:
        return self.levels[st[0]][st[1]]

    def root(self, size: int | None = None) -> bytes:
        size = self.size if size is None else size
        return root_from_levels(self.levels, size)

    def _resolve(self, ranges: list[Range]) -> list[bytes]:
        return resolve(ranges, {st: self.subtree(st) for st in needed_subtrees(ranges)})

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        return self._resolve(inclusion_path(index, self.size if size is None else size))

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        new_size = self.size if new_size is None else new_size
        return self._resolve(consistency_path(old_size, new_size))


# --- verification (RFC 9162 §2.1.3.2 and §2.1.4.2) ----------------------------------------


def root_from_inclusion_proof(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes]
) -> bytes | None:
    """The root an inclusion proof leads to, or None when it cannot be one for this size."""
    if not 0 <= index < size:
        return None
    fn, sn = index, size - 1
    r = leaf
    for p in proof:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], root_hash: bytes
) -> bool:
    return root_from_inclusion_proof(index, size, leaf, proof) == root_hash


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    if not 0 <= old_size <= new_size:
        return False
    if old_size == 0:
        return not proof
    if old_size == new_size:
        return not proof and old_root == new_root
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is the first node
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root
