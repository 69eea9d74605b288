"""paid_comments — organised praise (水军, 控评).

Comments are normalised (NFKC, CJK characters only) into character bigrams; MinHash signatures
(vectorised multiply-shift hashing) go into LSH bands, candidate pairs with a Jaccard similarity
above the threshold are joined into clusters. A cluster is named when many accounts wrote it,
its posts come in bursts (its busiest window holds far more than its share of the rest of the
room's chat there) and it praises the official, or when its bursts are so extreme that they need
no praise; accounts that bought nothing raise its score but never name it by themselves."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np

from sunlit.core.errors import N_
from sunlit.integrity.model import Finding, poisson_tails
from sunlit.integrity.stream import Session, Stream

RULE = "paid_comments"
NOT_CJK = re.compile(r"[^\u3400-\u4dbf\u4e00-\u9fff]")
SYCOPHANCY = re.compile(
    r"县长|书记|领导|干部|父母官|好官|县委|市长|局长|主任|乡长|镇长|村长|支书|区长|州长|省长|部长|处长|科长"
)
PRIME_BITS = 32


@dataclass(frozen=True)
class Settings:
    permutations: int = 64
    bands: int = 16  # rows per band = permutations / bands
    similarity: float = 0.4  # Jaccard of bigram sets that links two comments
    min_bigrams: int = 4  # shorter comments ("包邮吗") are not evidence of anything
    min_accounts: int = 5
    windows_ms: tuple[int, ...] = (60_000, 300_000)  # lockstep is looked for at each width
    p_value: float = 1e-4  # lockstep: the busiest window against the room's rhythm
    p_value_alone: float = 1e-10  # lockstep so extreme it needs no praise to be named
    sycophancy: float = 0.5  # share of the cluster's comments about the official


def normalise(text: str) -> str:
    return NOT_CJK.sub("", unicodedata.normalize("NFKC", text))


def bigrams(text: str) -> set[int]:
    return {(ord(a) << 16) | ord(b) for a, b in pairwise(text)}


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


def clusters(texts: list[str], s: Settings) -> list[list[int]]:
    """Groups of near-duplicate texts (indexes), by MinHash LSH and a Jaccard check."""
    shingles = [bigrams(normalise(t)) for t in texts]
    keep = [i for i, sh in enumerate(shingles) if len(sh) >= s.min_bigrams]
    if len(keep) < 2:
        return []
    sig = minhash([shingles[i] for i in keep], s.permutations)
    rows = s.permutations // s.bands
    union = _Union(len(keep))
    for band in range(s.bands):
        buckets: dict[bytes, list[int]] = defaultdict(list)
        part = np.ascontiguousarray(sig[:, band * rows : (band + 1) * rows])
        for i, key in enumerate(part):
            buckets[key.tobytes()].append(i)
        for members in buckets.values():
            # Each member is checked against the bucket's first and its predecessor: linear
            # in the bucket, and enough to chain a cluster together.
            for prev, other in pairwise(members):
                y = shingles[keep[other]]
                for cand in (members[0], prev):
                    if union.find(cand) == union.find(other):
                        break
                    x = shingles[keep[cand]]
                    if len(x & y) / len(x | y) >= s.similarity:
                        union.join(cand, other)
                        break
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(keep)):
        groups[union.find(i)].append(keep[i])
    return [g for g in groups.values() if len(g) > 1]


def lockstep(times: np.ndarray, others: np.ndarray, window: int) -> tuple[float, int, float]:
    """How unlikely the cluster's busiest window is, given the room's own chat rhythm: for the
    window starting at each of its posts, the Poisson tail of its posts there against its
    share of the rest of the room's chat in that window (the rest only: in a small room a crew
    that posts in bursts is most of the chat, and would set the rhythm it is measured by).
    Returns (p, posts, expected) of the busiest."""
    if len(times) < 2:
        return 1.0, 0, 0.0
    times = np.sort(times)
    others = np.sort(others)
    ends = np.searchsorted(times, times + window, side="left")
    observed = ends - np.arange(len(times))
    room = np.searchsorted(others, times + window, side="left") - np.searchsorted(
        others, times, side="left"
    )
    expected = np.maximum(len(times) * (room + 1) / (len(others) + 1), 1e-3)
    tails = poisson_tails(observed, expected)
    i = int(np.argmin(tails))
    if tails[i] >= 1.0:
        return 1.0, 0, 0.0
    return float(tails[i]), int(observed[i]), float(expected[i])


def detect(stream: Stream, session: Session, s: Settings) -> list[Finding]:
    if len(session.chats) < s.min_accounts:
        return []
    texts = [text for _, _, text in session.chats]
    all_times = np.asarray([ts for ts, _, _ in session.chats], dtype=np.int64)
    buyers = {o.account for o in session.orders}
    out = []
    for group in clusters(texts, s):
        accounts = {session.chats[i][1] for i in group}
        if len(accounts) < s.min_accounts:
            continue
        times = np.asarray([session.chats[i][0] for i in group], dtype=np.int64)
        others = np.delete(all_times, group)
        p, busiest, expected = min(lockstep(times, others, w) for w in s.windows_ms)
        praise = sum(bool(SYCOPHANCY.search(texts[i])) for i in group) / len(group)
        non_buyers = sum(a not in buyers for a in accounts) / len(accounts)
        if p > s.p_value or (praise < s.sycophancy and p > s.p_value_alone):
            continue
        score = min(1.0, 0.5 + 0.2 * praise + 0.1 * non_buyers + 0.2 * (p < s.p_value_alone))
        sample = sorted({texts[i] for i in group})[:5]
        evidence = {
            "comments": len(group),
            "accounts": len(accounts),
            "busiest_window": {
                "comments": busiest,
                "expected": round(expected, 1),
                "p_value": float(f"{p:.3g}"),
            },
            "about_the_official": round(praise, 2),
            "non_buyers": round(non_buyers, 2),
            "examples": sample,
        }
        message, params = summary_of(evidence, praise >= s.sycophancy)
        summary = message % params
        out.append(Finding.scored(RULE, score, summary, evidence, accounts=sorted(accounts)))
    return out


#: The finding's summaries (pages translate them, filled from the evidence).
PRAISING = N_(
    "%(accounts)s accounts posted %(comments)s near-identical comments in bursts, praising the "
    "official; %(non_buyers)s of them bought nothing."
)
PLAIN = N_(
    "%(accounts)s accounts posted %(comments)s near-identical comments in bursts; "
    "%(non_buyers)s of them bought nothing."
)


def summary_of(evidence: Mapping[str, Any], praised: bool) -> tuple[str, dict[str, object]]:
    return PRAISING if praised else PLAIN, {
        "accounts": evidence["accounts"],
        "comments": evidence["comments"],
        "non_buyers": f"{evidence['non_buyers']:.0%}",
    }
