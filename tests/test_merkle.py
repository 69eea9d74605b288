"""The transparency log's tree (``sunlit.core.merkle``, ADR 0015), checked three ways:

(a) against the Certificate Transparency reference vectors (the 8-leaf tree of RFC 6962's
    reference implementations, its roots, node hashes and known proofs);
(b) against a naive implementation written here straight from RFC 9162's definitions (MTH,
    PATH, PROOF/SUBPROOF as recursive functions over the data), over random trees;
(c) by Hypothesis: every proof the module makes verifies, and a proof with a byte flipped, for
    another index or size, or for a leaf of another tree does not;
(d) bad input: what cannot be proved is a ``ValueError`` with a plain message.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Iterator

import pytest
from hypothesis import assume, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from sunlit.core import merkle
from sunlit.core.merkle import (
    EMPTY_ROOT,
    AppendOnlyTree,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root,
    verify_consistency,
    verify_inclusion,
)

# --- (a) the reference vectors ---------------------------------------------------------------
#
# Typed in from the Certificate Transparency reference implementation in Go,
# transparency-dev/merkle (formerly google/trillian's merkle package): the leaf inputs, node
# hashes and root hashes from `testonly/constants.go`, the inclusion and consistency proofs
# from `proof/verify_test.go` (`inclusionProofs`, `consistencyProofs`; there the leaf number
# counts from 1, here the index from 0), and the corrupted probes of that file's
# `corruptInclusionProof` / `corruptConsistencyProof`.

LEAF_INPUTS = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]

#: NODE_HASHES[level][i]: the complete subtree of 2**level leaves starting at leaf i * 2**level.
NODE_HASHES = [
    [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
        "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
    ],
    [
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    ],
    [
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    ["5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"],
]

#: ROOTS[n]: the root of the tree of the first n leaves.
ROOTS = [
    bytes.fromhex(h)
    for h in (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    )
]

#: (index, tree size, proof)
INCLUSION_PROOFS = [
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

#: (old size, new size, proof)
CONSISTENCY_PROOFS = [
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
LEAVES = [leaf_hash(data) for data in LEAF_INPUTS]


def unhex(proof: list[str]) -> list[bytes]:
    return [bytes.fromhex(item) for item in proof]


def test_leaf_and_node_hashes_are_the_reference_ones() -> None:
    assert [h.hex() for h in LEAVES] == NODE_HASHES[0]
    for level in range(1, 4):
        width = 1 << level
        got = [root(LEAVES[i : i + width]).hex() for i in range(0, 8, width)]
        assert got == NODE_HASHES[level]
    left, right = bytes.fromhex(NODE_HASHES[0][0]), bytes.fromhex(NODE_HASHES[0][1])
    assert merkle.node_hash(left, right).hex() == NODE_HASHES[1][0]


def test_the_empty_tree_hashes_the_empty_string() -> None:
    assert root([]) == EMPTY_ROOT == hashlib.sha256(b"").digest() == ROOTS[0]
    assert AppendOnlyTree().root() == EMPTY_ROOT


@pytest.mark.parametrize("size", range(9))
def test_roots_of_the_reference_tree(size: int) -> None:
    assert root(LEAVES[:size]) == ROOTS[size]
    assert AppendOnlyTree(LEAVES[:size]).root() == ROOTS[size]
    assert AppendOnlyTree(LEAVES).root(size) == ROOTS[size]


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION_PROOFS)
def test_reference_inclusion_proofs(index: int, size: int, proof: list[str]) -> None:
    expected = unhex(proof)
    assert inclusion_proof(LEAVES[:size], index) == expected
    assert AppendOnlyTree(LEAVES).inclusion_proof(index, size) == expected
    assert verify_inclusion(LEAVES[index], index, size, expected, ROOTS[size])
    passed = [
        desc
        for desc, args in corrupt_inclusion(index, size, expected, ROOTS[size], LEAVES[index])
        if verify_inclusion(*args)
    ]
    assert passed == []


@pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY_PROOFS)
def test_reference_consistency_proofs(old: int, new: int, proof: list[str]) -> None:
    expected = unhex(proof)
    assert consistency_proof(LEAVES[:new], old) == expected
    assert AppendOnlyTree(LEAVES).consistency_proof(old, new) == expected
    assert verify_consistency(old, new, ROOTS[old], ROOTS[new], expected)
    if not expected:
        return
    passed = [
        desc
        for desc, args in corrupt_consistency(old, new, ROOTS[old], ROOTS[new], expected)
        if verify_consistency(*args)
    ]
    assert passed == []


InclusionArgs = tuple[bytes, int, int, list[bytes], bytes]
ConsistencyArgs = tuple[int, int, bytes, bytes, list[bytes]]


def corrupt_inclusion(
    index: int, size: int, proof: list[bytes], good_root: bytes, leaf: bytes
) -> Iterator[tuple[str, InclusionArgs]]:
    yield "index - 1", (leaf, index - 1, size, proof, good_root)
    yield "index + 1", (leaf, index + 1, size, proof, good_root)
    yield "index ^ 2", (leaf, index ^ 2, size, proof, good_root)
    yield "size * 2", (leaf, index, size * 2, proof, good_root)
    yield "size / 2", (leaf, index, size // 2, proof, good_root)
    yield "wrong leaf", (b"WrongLeaf", index, size, proof, good_root)
    yield "empty root", (leaf, index, size, proof, EMPTY_ROOT)
    yield "random root", (leaf, index, size, proof, SOME_HASH)
    yield "trailing garbage", (leaf, index, size, [*proof, b""], good_root)
    yield "trailing root", (leaf, index, size, [*proof, good_root], good_root)
    yield "preceding garbage", (leaf, index, size, [b"", *proof], good_root)
    yield "preceding root", (leaf, index, size, [good_root, *proof], good_root)
    for i in range(len(proof)):
        yield f"proof[{i}] bit 3", (leaf, index, size, flip(proof, i, 0, 8), good_root)
    if proof:
        yield "removed component", (leaf, index, size, proof[:-1], good_root)
    if len(proof) > 1:
        yield (
            "inserted component",
            (leaf, index, size, [proof[0], SOME_HASH, *proof[1:]], good_root),
        )


def corrupt_consistency(
    old: int, new: int, old_root: bytes, new_root: bytes, proof: list[bytes]
) -> Iterator[tuple[str, ConsistencyArgs]]:
    yield "old - 1", (old - 1, new, old_root, new_root, proof)
    yield "old + 1", (old + 1, new, old_root, new_root, proof)
    yield "old ^ 2", (old ^ 2, new, old_root, new_root, proof)
    yield "new * 2", (old, new * 2, old_root, new_root, proof)
    yield "new / 2", (old, new // 2, old_root, new_root, proof)
    yield "wrong old root", (old, new, b"WrongRoot", new_root, proof)
    yield "wrong new root", (old, new, old_root, b"WrongRoot", proof)
    yield "swapped roots", (old, new, new_root, old_root, proof)
    yield "empty proof", (old, new, old_root, new_root, [])
    yield "trailing garbage", (old, new, old_root, new_root, [*proof, b""])
    yield "trailing old root", (old, new, old_root, new_root, [*proof, old_root])
    yield "trailing new root", (old, new, old_root, new_root, [*proof, new_root])
    yield "preceding garbage", (old, new, old_root, new_root, [b"", *proof])
    yield "preceding old root", (old, new, old_root, new_root, [old_root, *proof])
    yield "preceding new root", (old, new, old_root, new_root, [new_root, *proof])
    yield "preceding proof[0]", (old, new, old_root, new_root, [proof[0], *proof])
    yield "truncated", (old, new, old_root, new_root, proof[:-1])
    for i in range(len(proof)):
        yield f"proof[{i}] bit 4", (old, new, old_root, new_root, flip(proof, i, 0, 16))


def flip(proof: list[bytes], item: int, byte: int, mask: int) -> list[bytes]:
    changed = bytearray(proof[item])
    changed[byte] ^= mask
    return [*proof[:item], bytes(changed), *proof[item + 1 :]]


# --- (b) a naive implementation from the RFC's definitions -----------------------------------
#
# RFC 9162 §2.1.1 (MTH), §2.1.3.1 (PATH), §2.1.4.1 (PROOF, SUBPROOF), as written there:
# recursive functions over the list of entries D[n], with their own hashing.


def naive_k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def naive_mth(entries: list[bytes]) -> bytes:
    n = len(entries)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashlib.sha256(b"\x00" + entries[0]).digest()
    k = naive_k(n)
    return hashlib.sha256(b"\x01" + naive_mth(entries[:k]) + naive_mth(entries[k:])).digest()


def naive_path(m: int, entries: list[bytes]) -> list[bytes]:
    n = len(entries)
    if n == 1:
        return []
    k = naive_k(n)
    if m < k:
        return [*naive_path(m, entries[:k]), naive_mth(entries[k:])]
    return [*naive_path(m - k, entries[k:]), naive_mth(entries[:k])]


def naive_proof(m: int, entries: list[bytes]) -> list[bytes]:
    return naive_subproof(m, entries, True)


def naive_subproof(m: int, entries: list[bytes], whole: bool) -> list[bytes]:
    n = len(entries)
    if m == n:
        return [] if whole else [naive_mth(entries)]
    k = naive_k(n)
    if m <= k:
        return [*naive_subproof(m, entries[:k], whole), naive_mth(entries[k:])]
    return [*naive_subproof(m - k, entries[k:], False), naive_mth(entries[:k])]


def test_the_naive_implementation_gives_the_reference_vectors() -> None:
    assert [naive_mth(LEAF_INPUTS[:n]) for n in range(9)] == ROOTS
    for index, size, proof in INCLUSION_PROOFS:
        assert naive_path(index, LEAF_INPUTS[:size]) == unhex(proof)
    for old, new, proof in CONSISTENCY_PROOFS:
        assert naive_proof(old, LEAF_INPUTS[:new]) == unhex(proof)


@pytest.mark.parametrize("seed", range(4))
def test_roots_and_proofs_match_the_naive_implementation(seed: int) -> None:
    rng = random.Random(seed)
    entries = [rng.randbytes(rng.randrange(0, 40)) for _ in range(70)]
    tree = AppendOnlyTree()
    for n in range(1, len(entries) + 1):
        tree.append(leaf_hash(entries[n - 1]))
        data = entries[:n]
        hashes = [leaf_hash(d) for d in data]
        assert root(hashes) == tree.root() == naive_mth(data)
        for index in {0, n - 1, rng.randrange(n)}:
            expected = naive_path(index, data)
            assert inclusion_proof(hashes, index) == tree.inclusion_proof(index) == expected
        for old in {1, n, rng.randint(1, n)}:
            expected = naive_proof(old, data)
            assert consistency_proof(hashes, old) == tree.consistency_proof(old) == expected
    # and every earlier size, from the grown tree
    for n in range(1, len(entries) + 1):
        data = entries[:n]
        assert tree.root(n) == naive_mth(data)
        index, old = rng.randrange(n), rng.randint(1, n)
        assert tree.inclusion_proof(index, n) == naive_path(index, data)
        assert tree.consistency_proof(old, n) == naive_proof(old, data)


def test_a_larger_random_tree_matches_the_naive_implementation() -> None:
    rng = random.Random(22)
    entries = [rng.randbytes(8) for _ in range(1000)]
    tree = AppendOnlyTree(leaf_hash(d) for d in entries)
    for n in (1000, 999, 768, 513, 512, 511):
        assert tree.root(n) == naive_mth(entries[:n])
        for _ in range(5):
            index, old = rng.randrange(n), rng.randint(1, n)
            assert tree.inclusion_proof(index, n) == naive_path(index, entries[:n])
            assert tree.consistency_proof(old, n) == naive_proof(old, entries[:n])


def test_the_tree_costs_a_logarithm_of_hashes_per_root_and_proof(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    n = 5000  # log2 n ≈ 12.3
    tree = AppendOnlyTree(leaf_hash(i.to_bytes(4, "big")) for i in range(n))
    calls = 0
    real = merkle.node_hash

    def counting(left: bytes, right: bytes) -> bytes:
        nonlocal calls
        calls += 1
        return real(left, right)

    monkeypatch.setattr(merkle, "node_hash", counting)
    work: list[Callable[[], object]] = [
        lambda: tree.root(),
        lambda: tree.root(4097),
        lambda: tree.inclusion_proof(0),
        lambda: tree.inclusion_proof(n - 1),
        lambda: tree.inclusion_proof(3333, 4999),
        lambda: tree.consistency_proof(1),
        lambda: tree.consistency_proof(4097),
        lambda: tree.consistency_proof(1234, 4321),
    ]
    for step in work:
        calls = 0
        step()
        assert calls <= 13, calls


# --- (c) properties --------------------------------------------------------------------------

PROPERTIES = hypothesis_settings(max_examples=200, deadline=None, database=None)
#: The records of a log are distinct (each carries its own id), so the leaves are unique here;
#: with two equal leaves, a proof for one verifies for the other, as it should.
ENTRIES = st.lists(st.binary(max_size=24), min_size=1, max_size=80, unique=True)


@PROPERTIES
@given(entries=ENTRIES, data=st.data())
def test_every_inclusion_proof_verifies_and_a_changed_one_does_not(
    entries: list[bytes], data: st.DataObject
) -> None:
    hashes = [leaf_hash(d) for d in entries]
    tree = AppendOnlyTree(hashes)
    size = data.draw(st.integers(1, len(entries)), label="size")
    index = data.draw(st.integers(0, size - 1), label="index")
    head = tree.root(size)
    proof = tree.inclusion_proof(index, size)
    assert proof == inclusion_proof(hashes[:size], index)
    assert verify_inclusion(hashes[index], index, size, proof, head)

    if proof:  # one byte flipped anywhere in the proof
        item = data.draw(st.integers(0, len(proof) - 1), label="item")
        byte = data.draw(st.integers(0, 31), label="byte")
        mask = data.draw(st.integers(1, 255), label="mask")
        assert not verify_inclusion(hashes[index], index, size, flip(proof, item, byte, mask), head)
    # another index of the same tree
    other = data.draw(st.integers(-1, size), label="other index")
    assume(other != index)
    assert not verify_inclusion(hashes[index], other, size, proof, head)
    # a leaf that is not in the tree
    stranger = data.draw(st.binary(max_size=24).filter(lambda d: d not in entries), label="leaf")
    assert not verify_inclusion(leaf_hash(stranger), index, size, proof, head)


@PROPERTIES
@given(entries=ENTRIES, data=st.data())
def test_an_inclusion_proof_does_not_verify_against_another_head(
    entries: list[bytes], data: st.DataObject
) -> None:
    """A head is a size and its root, signed together. (RFC 9162's verifier uses the size
    only to steer the walk: a proof checked against its own root with a made-up size can pass
    when the walk has the same shape. ``sunlit verify`` takes both from one signed head.)"""
    hashes = [leaf_hash(d) for d in entries]
    assume(len(hashes) >= 2)
    tree = AppendOnlyTree(hashes)
    size = data.draw(st.integers(1, len(hashes)), label="size")
    index = data.draw(st.integers(0, size - 1), label="index")
    proof = tree.inclusion_proof(index, size)
    other = data.draw(st.integers(index + 1, len(hashes)), label="other size")
    if other != size:
        assert not verify_inclusion(hashes[index], index, other, proof, tree.root(other))
    # nor in another log that holds the same leaf at the same place (and other leaves)
    if size > 1:
        rest = [leaf_hash(b"another log " + d) for d in entries]
        mixed = AppendOnlyTree([*rest[:index], hashes[index], *rest[index + 1 :]])
        assert not verify_inclusion(hashes[index], index, size, proof, mixed.root(size))


@PROPERTIES
@given(entries=ENTRIES, data=st.data())
def test_every_consistency_proof_verifies_and_a_changed_one_does_not(
    entries: list[bytes], data: st.DataObject
) -> None:
    hashes = [leaf_hash(d) for d in entries]
    tree = AppendOnlyTree(hashes)
    new = data.draw(st.integers(1, len(hashes)), label="new size")
    old = data.draw(st.integers(1, new), label="old size")
    old_root, new_root = tree.root(old), tree.root(new)
    proof = tree.consistency_proof(old, new)
    assert proof == consistency_proof(hashes[:new], old)
    assert verify_consistency(old, new, old_root, new_root, proof)

    if proof:
        item = data.draw(st.integers(0, len(proof) - 1), label="item")
        byte = data.draw(st.integers(0, 31), label="byte")
        mask = data.draw(st.integers(1, 255), label="mask")
        changed = flip(proof, item, byte, mask)
        assert not verify_consistency(old, new, old_root, new_root, changed)
    # the heads of other sizes
    other_old = data.draw(st.integers(1, new), label="other old size")
    if other_old != old:
        assert not verify_consistency(other_old, new, tree.root(other_old), new_root, proof)
    other_new = data.draw(st.integers(old, len(hashes)), label="other new size")
    if other_new != new:
        assert not verify_consistency(old, other_new, old_root, tree.root(other_new), proof)
    # a new tree that rewrote one of the old leaves
    if old < new:
        changed_at = data.draw(st.integers(0, old - 1), label="rewritten leaf")
        rewritten = list(hashes[:new])
        rewritten[changed_at] = leaf_hash(b"rewritten " + entries[changed_at])
        forged = consistency_proof(rewritten, old)
        assert not verify_consistency(old, new, old_root, root(rewritten), forged)


@PROPERTIES
@given(entries=ENTRIES, data=st.data())
def test_an_appended_tree_answers_for_every_size_it_had(
    entries: list[bytes], data: st.DataObject
) -> None:
    hashes = [leaf_hash(d) for d in entries]
    tree = AppendOnlyTree()
    heads = [tree.root()]
    for h in hashes:
        assert tree.append(h) == len(heads) - 1
        heads.append(tree.root())
    size = data.draw(st.integers(0, len(hashes)), label="size")
    assert tree.root(size) == heads[size] == root(hashes[:size])
    assert list(tree.leaf_hashes) == hashes and len(tree) == tree.size == len(hashes)


# --- (d) bad input ---------------------------------------------------------------------------


def test_an_index_outside_the_tree_is_refused_plainly() -> None:
    tree = AppendOnlyTree(LEAVES)
    with pytest.raises(ValueError, match="leaf index 8 is outside a tree of 8 leaves"):
        inclusion_proof(LEAVES, 8)
    with pytest.raises(ValueError, match="leaf index -1 is outside"):
        tree.inclusion_proof(-1)
    with pytest.raises(ValueError, match="leaf index 5 is outside a tree of 5 leaves"):
        tree.inclusion_proof(5, 5)
    with pytest.raises(ValueError, match="an empty tree has no leaves"):
        inclusion_proof([], 0)
    with pytest.raises(ValueError, match=r"tree size 9 is outside 0\.\.8"):
        tree.inclusion_proof(0, 9)
    with pytest.raises(ValueError, match=r"tree size 9 is outside 0\.\.8"):
        tree.root(9)


def test_an_old_size_past_the_new_one_is_refused_plainly() -> None:
    tree = AppendOnlyTree(LEAVES)
    with pytest.raises(ValueError, match="old size 6 is larger than new size 5"):
        tree.consistency_proof(6, 5)
    with pytest.raises(ValueError, match="old size 9 is larger than new size 8"):
        consistency_proof(LEAVES, 9)
    with pytest.raises(ValueError, match=r"tree size 9 is outside 0\.\.8"):
        tree.consistency_proof(1, 9)


def test_old_size_zero_and_equal_sizes_as_the_rfc_defines_them() -> None:
    """RFC 9162 §2.1.4.1 defines PROOF(m, D[n]) for 0 < m: there is no proof from the empty
    tree, so asking for one is refused and a verifier given one fails. Equal sizes are
    SUBPROOF(n, D[n], true) = {}: an empty proof, consistent when the roots are equal."""
    tree = AppendOnlyTree(LEAVES)
    with pytest.raises(ValueError, match="old size of at least 1"):
        tree.consistency_proof(0)
    with pytest.raises(ValueError, match="old size of at least 1"):
        consistency_proof(LEAVES, 0)
    assert not verify_consistency(0, 8, EMPTY_ROOT, ROOTS[8], [])
    assert not verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
    assert tree.consistency_proof(5, 5) == consistency_proof(LEAVES[:5], 5) == []
    assert verify_consistency(5, 5, ROOTS[5], ROOTS[5], [])
    assert not verify_consistency(5, 5, ROOTS[5], ROOTS[6], [])
    assert not verify_consistency(5, 5, ROOTS[5], ROOTS[5], [ROOTS[5]])
    assert not verify_consistency(6, 5, ROOTS[6], ROOTS[5], [])


def test_verifiers_fail_on_impossible_input_rather_than_raise() -> None:
    assert not verify_inclusion(LEAVES[0], 0, 0, [], EMPTY_ROOT)
    assert not verify_inclusion(LEAVES[0], 1, 1, [], LEAVES[0])
    assert not verify_inclusion(LEAVES[0], -1, 1, [], LEAVES[0])
    assert verify_inclusion(LEAVES[0], 0, 1, [], LEAVES[0])
    assert not verify_inclusion(LEAVES[0], 0, 1, [b""], LEAVES[0])
    assert not verify_inclusion(LEAVES[0], 0, 2, [LEAVES[1][:31]], ROOTS[2])
    assert not verify_consistency(1, 2, ROOTS[1], ROOTS[2], [LEAVES[1] + b"\x00"])


def test_a_leaf_hash_is_32_bytes() -> None:
    tree = AppendOnlyTree()
    with pytest.raises(ValueError, match="a leaf hash is 32 bytes"):
        tree.append(b"not a hash")
    with pytest.raises(ValueError, match="a leaf hash is 32 bytes"):
        AppendOnlyTree([b"0" * 31])
    assert len(tree) == 0


@given(st.lists(st.binary(max_size=8), max_size=300), st.data())
def test_a_frontier_kept_between_runs_gives_the_root_of_every_size(
    leaves: list[bytes], data: st.DataObject
) -> None:
    hashes = [merkle.leaf_hash(x) for x in leaves]
    cut = data.draw(st.integers(0, len(hashes)))
    first = merkle.Frontier()
    for item in hashes[:cut]:
        first.append(item)
    assert first.root() == merkle.root(hashes[:cut])
    again = merkle.Frontier(first.size, first.peaks)  # what a state file holds
    for item in hashes[cut:]:
        again.append(item)
    assert again.size == len(hashes) and again.root() == merkle.root(hashes)


def test_a_frontier_of_the_wrong_shape_is_refused() -> None:
    with pytest.raises(ValueError, match="a frontier of 3 leaves has 2 hashes"):
        merkle.Frontier(3, [merkle.leaf_hash(b"a")])
