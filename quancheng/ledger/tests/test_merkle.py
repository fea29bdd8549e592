"""The Merkle tree against the RFC 6962/9162 reference vectors and against pymerkle."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pymerkle import InmemoryTree, InvalidProof
from pymerkle import verify_consistency as pymerkle_verify_consistency

from quancheng.ledger.log import merkle

# transparency-dev/merkle testonly/constants.go and proof/verify_test.go (RFC 6962 vectors)
LEAVES = [
    bytes.fromhex(h)
    for h in [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
]
ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
INCLUSION = [  # (leaf index from 0, tree size, proof)
    (0, 1, []),
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
CONSISTENCY = [
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        7,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]
SOME_HASH = bytes.fromhex("abacaba000000000000000000000000000000000000000000060061e00123456")

TREE = merkle.MemoryTree([merkle.leaf_hash(x) for x in LEAVES])


def test_roots_for_every_size_match_the_reference():
    assert merkle.root([]).hex() == ROOTS[0]
    for size in range(0, 9):
        assert TREE.root(size).hex() == ROOTS[size]
        assert merkle.root([merkle.leaf_hash(x) for x in LEAVES[:size]]).hex() == ROOTS[size]


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION)
def test_inclusion_proofs_match_the_reference_and_verify(index, size, proof):
    got = TREE.inclusion_proof(index, size)
    assert [h.hex() for h in got] == proof
    leaf, root = merkle.leaf_hash(LEAVES[index]), bytes.fromhex(ROOTS[size])
    assert merkle.verify_inclusion(index, size, leaf, got, root)
    # transparency-dev's corrupted probes: all must fail
    probes = [
        (index - 1, size, leaf, got, root),
        (index + 1, size, leaf, got, root),
        (index ^ 2, size, leaf, got, root),
        (index, size * 2, leaf, got, root),
        (index, size // 2, leaf, got, root),
        (index, size, b"WrongLeaf", got, root),
        (index, size, leaf, got, bytes.fromhex(ROOTS[0])),
        (index, size, leaf, got, SOME_HASH),
        (index, size, leaf, [*got, b""], root),
        (index, size, leaf, [*got, root], root),
        (index, size, leaf, [b"", *got], root),
        (index, size, leaf, [root, *got], root),
    ]
    for i in range(len(got)):
        flipped = list(got)
        flipped[i] = bytes([flipped[i][0] ^ 8]) + flipped[i][1:]
        probes.append((index, size, leaf, flipped, root))
    if got:
        probes.append((index, size, leaf, got[:-1], root))
    for probe in probes:
        assert not merkle.verify_inclusion(*probe), probe


@pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY)
def test_consistency_proofs_match_the_reference_and_verify(old, new, proof):
    got = TREE.consistency_proof(old, new)
    assert [h.hex() for h in got] == proof
    r1, r2 = bytes.fromhex(ROOTS[old]), bytes.fromhex(ROOTS[new])
    assert merkle.verify_consistency(old, new, r1, r2, got)
    if not got:
        return
    probes = [
        (old - 1, new, r1, r2, got),
        (old + 1, new, r1, r2, got),
        (old ^ 2, new, r1, r2, got),
        (old, new * 2, r1, r2, got),
        (old, new // 2, r1, r2, got),
        (old, new, b"WrongRoot", r2, got),
        (old, new, r1, b"WrongRoot", got),
        (old, new, r2, r1, got),
        (old, new, r1, r2, []),
        (old, new, r1, r2, [*got, b""]),
        (old, new, r1, r2, [*got, r1]),
        (old, new, r1, r2, [*got, r2]),
        (old, new, r1, r2, [b"", *got]),
        (old, new, r1, r2, [r1, *got]),
        (old, new, r1, r2, [r2, *got]),
        (old, new, r1, r2, [got[0], *got]),
        (old, new, r1, r2, got[:-1]),
    ]
    for i in range(len(got)):
        flipped = list(got)
        flipped[i] = bytes([flipped[i][0] ^ 16]) + flipped[i][1:]
        probes.append((old, new, r1, r2, flipped))
    for probe in probes:
        assert not merkle.verify_consistency(*probe), probe


def test_the_empty_tree_is_consistent_with_any_tree_and_nothing_travels_back():
    assert merkle.verify_consistency(0, 5, b"x", b"y", [])
    assert not merkle.verify_consistency(0, 5, b"x", b"y", [SOME_HASH])
    assert not merkle.verify_consistency(2, 1, TREE.root(2), TREE.root(1), [])
    with pytest.raises(ValueError, match="outside a tree of size 8"):
        TREE.inclusion_proof(8, 8)


def test_subtrees_split_ranges_into_aligned_powers_of_two():
    assert merkle.subtrees(0, 13) == [(3, 0), (2, 2), (0, 12)]
    assert merkle.subtrees(8, 13) == [(2, 2), (0, 12)]
    assert merkle.subtrees(12, 16) == [(2, 3)]


def _pymerkle(leaves: list[bytes]) -> InmemoryTree:
    tree = InmemoryTree(algorithm="sha256")  # security on: RFC 9162's 0x00/0x01 prefixes
    for data in leaves:
        tree.append_entry(data)
    return tree


sizes = st.integers(min_value=1, max_value=300)


@settings(max_examples=60, deadline=None)
@given(size=sizes, data=st.data())
def test_roots_and_proofs_agree_with_pymerkle(size, data):
    entries = [i.to_bytes(4, "big") + b"entry" for i in range(size)]
    theirs = _pymerkle(entries)
    ours = merkle.MemoryTree([merkle.leaf_hash(e) for e in entries])
    old = data.draw(st.integers(min_value=1, max_value=size))
    index = data.draw(st.integers(min_value=0, max_value=size - 1))
    assert ours.root(old) == theirs.get_root(old)
    assert ours.root() == theirs.get_root()

    # pymerkle's path starts with the leaf itself, then the RFC audit path
    proof = ours.inclusion_proof(index, size)
    assert proof == theirs.prove_inclusion(index + 1, size).path[1:]
    assert merkle.verify_inclusion(index, size, ours.levels[0][index], proof, ours.root())

    # pymerkle's consistency proofs are not laid out as RFC 9162's, so they are compared by
    # what they prove: pymerkle accepts our two roots, and rejects a root we did not make.
    proof = ours.consistency_proof(old, size)
    theirs_proof = theirs.prove_consistency(old, size)
    pymerkle_verify_consistency(ours.root(old), ours.root(), theirs_proof)
    with pytest.raises(InvalidProof):
        pymerkle_verify_consistency(ours.root(old), SOME_HASH, theirs_proof)
    assert merkle.verify_consistency(old, size, ours.root(old), ours.root(), proof)
    if old < size:
        assert not merkle.verify_consistency(old, size, ours.root(old), ours.root(size - 1), proof)


def test_every_proof_of_every_small_tree_verifies_and_a_forked_history_does_not():
    leaves = [merkle.leaf_hash(bytes([i, i * 7 % 256])) for i in range(40)]
    tree = merkle.MemoryTree(leaves)
    forked = merkle.MemoryTree([*leaves[:20], merkle.leaf_hash(b"rewritten"), *leaves[21:]])
    for size in range(1, 41):
        for i in range(size):
            proof = tree.inclusion_proof(i, size)
            assert merkle.verify_inclusion(i, size, leaves[i], proof, tree.root(size))
        for old in range(1, size + 1):
            proof = tree.consistency_proof(old, size)
            assert merkle.verify_consistency(old, size, tree.root(old), tree.root(size), proof)
            if old > 20:  # history rewritten before the old checkpoint: no proof can bridge it
                fork = forked.consistency_proof(old, size)
                assert not merkle.verify_consistency(
                    old, size, tree.root(old), forked.root(size), fork
                )
