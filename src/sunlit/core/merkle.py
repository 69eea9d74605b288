"""The transparency log's Merkle tree, in the shape of RFC 9162 §2.1 (ADR 0015).

Hashes are SHA-256 with domain separation: a leaf is ``SHA-256(0x00 || data)``, a node
``SHA-256(0x01 || left || right)``, and the tree over ``n > 1`` leaves splits at ``k``, the
largest power of two less than ``n``. The empty tree's hash is SHA-256 of the empty string.

Two ways to use it:

- functions over a sequence of leaf hashes (:func:`root`, :func:`inclusion_proof`,
  :func:`consistency_proof`) hash the leaves they need each time, O(n);
- :class:`AppendOnlyTree` keeps the leaf hashes and the hash of every complete subtree, so an
  append costs about two hashes and a root or a proof O(log n), for the head of today and of
  any earlier size.

The verifiers (:func:`verify_inclusion`, :func:`verify_consistency`) follow RFC 9162
§2.1.3.2 and §2.1.4.2 step by step and need nothing but the proof, the sizes and the roots.
Asking for a proof that cannot exist (an index past the tree, an old size above the new one)
is a ``ValueError`` with a plain message; a proof that does not check out is ``False``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence

HASH_SIZE = 32
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
EMPTY_ROOT = hashlib.sha256(b"").digest()

#: The hash of the leaves ``[start, end)`` of a tree, for the proof walks below.
RangeHash = Callable[[int, int], bytes]


def leaf_hash(data: bytes) -> bytes:
    """The hash of one leaf: ``SHA-256(0x00 || data)``."""
    return hashlib.sha256(LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The hash of an inner node: ``SHA-256(0x01 || left || right)``."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def split_point(n: int) -> int:
    """``k``: the largest power of two less than ``n`` (``n`` ≥ 2)."""
    return 1 << ((n - 1).bit_length() - 1)


# --- over a sequence of leaf hashes ----------------------------------------------------------


def root(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH: the Merkle Tree Hash of these leaves (RFC 9162 §2.1.1)."""
    if not leaf_hashes:
        return EMPTY_ROOT
    return _subtree_root(leaf_hashes, 0, len(leaf_hashes))


def _subtree_root(leaf_hashes: Sequence[bytes], start: int, end: int) -> bytes:
    """The root of the leaves ``[start, end)``, level by level; an odd node at the end of a
    level is carried up unchanged, which gives the RFC's split at the largest power of two."""
    level = list(leaf_hashes[start:end])
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def inclusion_proof(leaf_hashes: Sequence[bytes], index: int) -> list[bytes]:
    """PATH(index, D[n]) of RFC 9162 §2.1.3.1: the audit path for the leaf at ``index``
    (counted from 0) in the tree of all these leaves, nearest the leaf first."""
    return _inclusion_path(index, len(leaf_hashes), _ranges_of(leaf_hashes))


def consistency_proof(leaf_hashes: Sequence[bytes], old_size: int) -> list[bytes]:
    """PROOF(old_size, D[n]) of RFC 9162 §2.1.4.1: what shows that the tree of the first
    ``old_size`` leaves is a prefix of the tree of all of them."""
    return _consistency_path(old_size, len(leaf_hashes), _ranges_of(leaf_hashes))


def _ranges_of(leaf_hashes: Sequence[bytes]) -> RangeHash:
    def hash_range(start: int, end: int) -> bytes:
        return _subtree_root(leaf_hashes, start, end)

    return hash_range


# --- the proof walks, shared by the functions and the tree ----------------------------------


def _check_index(index: int, size: int) -> None:
    if size < 1:
        raise ValueError("an empty tree has no leaves to prove")
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is outside a tree of {size} leaves")


def _check_sizes(old_size: int, new_size: int) -> None:
    if old_size > new_size:
        raise ValueError(f"old size {old_size} is larger than new size {new_size}")
    if old_size < 1:
        raise ValueError(
            "a consistency proof needs an old size of at least 1 (RFC 9162 §2.1.4.1 defines "
            "PROOF(m, D[n]) for 0 < m); the empty tree is a prefix of every tree"
        )


def _inclusion_path(index: int, size: int, hash_range: RangeHash) -> list[bytes]:
    """PATH(m, D[n]), walked from the root down: at each split the sibling subtree is the
    next element, and the list is turned round at the end (the leaf's sibling comes first)."""
    _check_index(index, size)
    path: list[bytes] = []
    start, end, m = 0, size, index
    while end - start > 1:
        k = split_point(end - start)
        if m < k:  # PATH(m, D[0:k]) : MTH(D[k:n])
            path.append(hash_range(start + k, end))
            end = start + k
        else:  # PATH(m - k, D[k:n]) : MTH(D[0:k])
            path.append(hash_range(start, start + k))
            start, m = start + k, m - k
    path.reverse()
    return path


def _consistency_path(old_size: int, new_size: int, hash_range: RangeHash) -> list[bytes]:
    """SUBPROOF(m, D[n], true), walked from the root down like :func:`_inclusion_path`. When
    ``old_size == new_size`` this is SUBPROOF(n, D[n], true), the empty list."""
    _check_sizes(old_size, new_size)
    path: list[bytes] = []
    start, end, m, whole = 0, new_size, old_size, True
    while m != end - start:
        k = split_point(end - start)
        if m <= k:  # SUBPROOF(m, D[0:k], b) : MTH(D[k:n])
            path.append(hash_range(start + k, end))
            end = start + k
        else:  # SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])
            path.append(hash_range(start, start + k))
            start, m, whole = start + k, m - k, False
    if not whole:  # SUBPROOF(m, D[m], false) = {MTH(D[m])}
        path.append(hash_range(start, end))
    path.reverse()
    return path


# --- the verifiers, as RFC 9162 writes them ---------------------------------------------------


def _lsb(number: int) -> bool:
    return bool(number & 1)


def _all_hashes(proof: Sequence[bytes]) -> bool:
    return all(isinstance(item, bytes) and len(item) == HASH_SIZE for item in proof)


def verify_inclusion(
    leaf_hash: bytes, index: int, tree_size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """RFC 9162 §2.1.3.2: does ``proof`` show the leaf with this hash at ``index`` in the tree
    of ``tree_size`` leaves whose root is ``root``?"""
    # 1. leaf_index must be below tree_size.
    if not 0 <= index < tree_size or not _all_hashes(proof):
        return False
    # 2. fn = leaf_index, sn = tree_size - 1; 3. r = hash.
    fn, sn, r = index, tree_size - 1, leaf_hash
    # 4. for each p in the inclusion path:
    for p in proof:
        if sn == 0:
            return False
        if _lsb(fn) or fn == sn:
            r = node_hash(p, r)
            while not _lsb(fn) and fn != 0:  # until LSB(fn) is set or fn is 0
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    # 5. sn must be 0 and r the root.
    return sn == 0 and r == root


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 §2.1.4.2: does ``proof`` show that the tree of ``old_size`` leaves with root
    ``old_root`` is a prefix of the tree of ``new_size`` leaves with root ``new_root``?

    The RFC's verifier is for ``0 < old_size < new_size``. Two sizes equal is consistent when
    the roots are equal and the proof is empty (SUBPROOF(n, D[n], true) is empty); an old size
    of 0 has no proof (RFC 9162 defines none) and fails here, like any other impossible pair.
    """
    if not 0 < old_size <= new_size or not _all_hashes(proof):
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    # 1. An empty path fails.
    if not proof:
        return False
    # 2. If first is an exact power of 2, prepend first_hash to the path.
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    # 3. fn = first - 1, sn = second - 1; 4. shift both right while LSB(fn) is set.
    fn, sn = old_size - 1, new_size - 1
    while _lsb(fn):
        fn, sn = fn >> 1, sn >> 1
    # 5. fr = sr = the first value of the path.
    fr = sr = path[0]
    # 6. for each subsequent value c:
    for c in path[1:]:
        if sn == 0:
            return False
        if _lsb(fn) or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not _lsb(fn) and fn != 0:  # until LSB(fn) is set or fn is 0
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    # 7. fr must be first_hash, sr second_hash, and sn 0.
    return fr == old_root and sr == new_root and sn == 0


# --- the incremental tree ---------------------------------------------------------------------


class AppendOnlyTree:
    """A log's tree that grows one leaf at a time and answers for any size it has had.

    State: the leaf hashes (a list, what the database keeps) and, for each height ``h`` ≥ 1,
    the hashes of the complete subtrees of ``2**h`` leaves, concatenated in a ``bytearray``
    (32 bytes each, ``n / 2**h`` of them). A complete subtree never changes once its last leaf
    is in, so the cache holds for every earlier size as well. Together about 64 bytes of hash
    per leaf beside the leaf list itself.

    Any range of leaves that appears in the RFC's recursion starts at a multiple of a power of
    two at least as large as the range, so its hash is the right fold of at most log2(n)
    complete subtrees; and an inclusion or consistency path has at most one such range that is
    not complete. Roots and proofs therefore cost O(log n) hashes.
    """

    def __init__(self, leaf_hashes: Iterable[bytes] = ()) -> None:
        self._leaves: list[bytes] = []
        self._levels: list[bytearray] = []  # _levels[h - 1]: complete subtrees of 2**h leaves
        for item in leaf_hashes:
            self.append(item)

    def __len__(self) -> int:
        return len(self._leaves)

    @property
    def size(self) -> int:
        return len(self._leaves)

    @property
    def leaf_hashes(self) -> Sequence[bytes]:
        """The leaf hashes in order (do not change the list: the caches follow it)."""
        return self._leaves

    def append(self, leaf_hash: bytes) -> int:
        """Add a leaf by its hash (see :func:`leaf_hash`); returns its index."""
        if not isinstance(leaf_hash, bytes) or len(leaf_hash) != HASH_SIZE:
            raise ValueError(f"a leaf hash is {HASH_SIZE} bytes")
        index = len(self._leaves)
        self._leaves.append(leaf_hash)
        # Each time the new leaf completes a left-right pair, their parent is complete too.
        node, position, height = leaf_hash, index, 0
        while position & 1:
            left = self._node(height, position - 1)
            node = node_hash(left, node)
            position >>= 1
            height += 1
            if len(self._levels) < height:
                self._levels.append(bytearray())
            self._levels[height - 1] += node
        return index

    def extend(self, leaf_hashes: Iterable[bytes]) -> None:
        for item in leaf_hashes:
            self.append(item)

    def root(self, size: int | None = None) -> bytes:
        """The root of the tree of the first ``size`` leaves (all of them by default)."""
        size = self._size(size)
        return EMPTY_ROOT if size == 0 else self._range_hash(0, size)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """PATH(index, D[size]): the audit path of a leaf in the tree of ``size`` leaves."""
        return _inclusion_path(index, self._size(size), self._range_hash)

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        """PROOF(old_size, D[new_size]) between two sizes this tree has had."""
        return _consistency_path(old_size, self._size(new_size), self._range_hash)

    def _size(self, size: int | None) -> int:
        if size is None:
            return len(self._leaves)
        if not 0 <= size <= len(self._leaves):
            raise ValueError(f"tree size {size} is outside 0..{len(self._leaves)}")
        return size

    def _node(self, height: int, position: int) -> bytes:
        """The hash of complete subtree ``position`` of ``2**height`` leaves."""
        if height == 0:
            return self._leaves[position]
        offset = position * HASH_SIZE
        return bytes(self._levels[height - 1][offset : offset + HASH_SIZE])

    def _range_hash(self, start: int, end: int) -> bytes:
        """MTH(D[start:end]) from the cached complete subtrees: split the range, from the
        left, into the largest aligned complete subtrees, and fold them from the right."""
        parts: list[bytes] = []
        position = start
        while position < end:
            height = (end - position).bit_length() - 1
            if position:
                height = min(height, (position & -position).bit_length() - 1)
            parts.append(self._node(height, position >> height))
            position += 1 << height
        node = parts.pop()
        while parts:
            node = node_hash(parts.pop(), node)
        return node


# --- the verifier's compact state ---------------------------------------------------------------


class Frontier:
    """The root of a growing tree without its leaves: the hashes of the complete subtrees the
    first ``size`` leaves split into (one for each bit set in ``size``, largest first). This is
    what a verifier keeps between runs: at most 64 hashes for any log, and adding the new
    leaves to it gives the new root, to compare with a signed head's."""

    def __init__(self, size: int = 0, peaks: Sequence[bytes] = ()) -> None:
        if len(peaks) != size.bit_count() or any(len(p) != HASH_SIZE for p in peaks):
            raise ValueError(f"a frontier of {size} leaves has {size.bit_count()} hashes")
        self.size = size
        self.peaks = list(peaks)

    def append(self, leaf_hash: bytes) -> None:
        node, position = leaf_hash, self.size
        while position & 1:  # the new leaf completes the subtree on its left
            node = node_hash(self.peaks.pop(), node)
            position >>= 1
        self.peaks.append(node)
        self.size += 1

    def root(self) -> bytes:
        if not self.peaks:
            return EMPTY_ROOT
        node = self.peaks[-1]
        for left in reversed(self.peaks[:-1]):
            node = node_hash(left, node)
        return node
