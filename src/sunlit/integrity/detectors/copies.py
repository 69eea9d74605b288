"""Near-copies among chat messages, for paid_comments: each text normalised (NFKC, lower case,
the session's product names and filler particles taken out, cut into clauses of Chinese
characters, a repeated character counted once), its character bigrams, MinHash signatures with
LSH bands, and groups of texts linked when they share most of the shorter one's bigrams. Only
distinct bigram sets are hashed, so the work grows with the distinct texts, not the pairs."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from itertools import pairwise
from typing import Protocol

import numpy as np

from sunlit.integrity.stream import Session, Stream

NOT_CJK = re.compile(r"[^\u3400-\u4dbf\u4e00-\u9fff]+")
FILLER = re.compile(r"[啊呀哈吧呢啦哦嘛噢哇呐咯喔嗯哟耶呗咧嘿哎诶]")
REPEAT = re.compile(r"(.)\1+")
PRIME_BITS = 32


class CopySettings(Protocol):
    """The settings `clusters` reads (paid_comments' `Settings` has them)."""

    @property
    def permutations(self) -> int: ...
    @property
    def bands(self) -> int: ...
    @property
    def similarity(self) -> float: ...
    @property
    def containment(self) -> float: ...
    @property
    def min_bigrams(self) -> int: ...


def produce_words(stream: Stream, session: Session) -> re.Pattern[str] | None:
    """The session's product names and their last two characters (砀山酥梨, 酥梨): talk about
    the produce that a paid crew glues onto its script."""
    words: set[str] = set()
    for pid in session.products:
        product = stream.products.get(pid)
        name = NOT_CJK.sub("", unicodedata.normalize("NFKC", product.name)) if product else ""
        if len(name) >= 2:
            words.add(name)
            words.add(name[-2:])
    if not words:
        return None
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))


def clauses(text: str, produce: re.Pattern[str] | None = None) -> list[str]:
    """The text's clauses of Chinese characters, without product names or fillers."""
    text = unicodedata.normalize("NFKC", text).lower()
    if produce is not None:
        text = produce.sub(" ", text)
    return [p for p in NOT_CJK.split(FILLER.sub("", text)) if len(p) >= 2]


def normalise(text: str) -> str:
    return REPEAT.sub(r"\1", "".join(clauses(text)))


def bigrams(text: str, produce: re.Pattern[str] | None = None) -> set[int]:
    """The bigrams inside the text's clauses; a character's repeats are one (太太太好 is 太好)."""
    return {
        (ord(a) << 16) | ord(b)
        for part in clauses(text, produce)
        for a, b in pairwise(part)
        if a != b
    }


def all_bigrams(texts: list[str], produce: re.Pattern[str] | None = None) -> list[set[int]]:
    """`bigrams` of each text, each distinct text worked out once (rooms repeat themselves)."""
    seen: dict[str, set[int]] = {}
    out = []
    for text in texts:
        found = seen.get(text)
        if found is None:
            found = seen[text] = bigrams(text, produce)
        out.append(found)
    return out


def minhash(sets: list[set[int]], permutations: int, seed: int = 7) -> np.ndarray:
    """One signature row per set: the minimum of ``permutations`` multiply-shift hashes."""
    rng = np.random.default_rng(seed)
    a = rng.integers(1, 1 << 63, permutations, dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, 1 << 63, permutations, dtype=np.uint64)
    parts = []
    for begin in range(0, len(sets), 4096):  # bounded memory: 4,096 comments at a time
        chunk = sets[begin : begin + 4096]
        flat = np.fromiter((x for s in chunk for x in s), dtype=np.uint64)
        lengths = np.fromiter((len(s) for s in chunk), dtype=np.int64, count=len(chunk))
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
        with np.errstate(over="ignore"):
            hashed = (flat[:, None] * a[None, :] + b[None, :]) >> np.uint64(64 - PRIME_BITS)
        parts.append(np.minimum.reduceat(hashed, starts, axis=0))
    return np.concatenate(parts)


class _Union:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def join(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _candidates(sig: np.ndarray, bands: int) -> np.ndarray:
    """Pairs (i, j), i < j, of rows that share a band: each row is paired with the first and
    the previous row of its bucket (linear in the bucket, and enough to chain a cluster)."""
    rows = sig.shape[1] // bands
    found = []
    for band in range(bands):
        part = sig[:, band * rows : (band + 1) * rows]
        key = np.zeros(len(sig), dtype=np.uint64)
        for r in range(rows):
            key = (key << np.uint64(PRIME_BITS)) ^ part[:, r]
        order = np.argsort(key, kind="stable")
        ordered = key[order]
        same = np.flatnonzero(ordered[1:] == ordered[:-1]) + 1
        if not len(same):
            continue
        run_start = np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1]]))
        first = run_start[np.searchsorted(run_start, same, side="right") - 1]
        found.append(np.stack([order[same - 1], order[same]], axis=1))
        found.append(np.stack([order[first], order[same]], axis=1))
    if not found:
        return np.zeros((0, 2), dtype=np.int64)
    pairs = np.sort(np.concatenate(found), axis=1)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    return np.unique(pairs, axis=0)


def clusters(
    texts: list[str],
    s: CopySettings,
    produce: re.Pattern[str] | None = None,
    shingles: list[set[int]] | None = None,
) -> list[list[int]]:
    """Groups of near-duplicate texts (indexes), by MinHash LSH and a check of the bigrams
    (``shingles``: the texts' bigrams when the caller has them already). Texts with the same
    bigrams are hashed once."""
    if shingles is None:
        shingles = all_bigrams(texts, produce)
    distinct: dict[frozenset[int], list[int]] = defaultdict(list)
    for i, found in enumerate(shingles):
        if len(found) >= s.min_bigrams:
            distinct[frozenset(found)].append(i)
    sets = list(distinct)
    if not sets:
        return []
    union = _Union(len(sets))
    if len(sets) > 1:
        sig = minhash([set(x) for x in sets], s.permutations)
        for i, j in _candidates(sig, s.bands).tolist():
            if union.find(i) == union.find(j):
                continue
            x, y = sets[i], sets[j]
            shared = len(x & y)
            if shared >= s.containment * min(len(x), len(y)) and shared >= s.similarity * (
                len(x) + len(y) - shared
            ):
                union.join(i, j)
    groups: dict[int, list[int]] = defaultdict(list)
    for k, members in enumerate(distinct.values()):
        groups[union.find(k)].extend(members)
    return [sorted(g) for g in groups.values() if len(g) > 1]
