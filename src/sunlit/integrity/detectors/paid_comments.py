"""paid_comments — organised praise (水军, 控评).

Two ways in. **Waves** (``praise_waves``): every character bigram of the chat, and praise as a
kind of comment, is tested for bursts against the room's own rhythm; comments sharing a burst
are a wave, and waves that share their accounts are one crew. A crew is named by its accounts
that come back wave after wave in words that belong to the waves (lockstep: no praise needed),
and, in a wave that is mostly praise, by those who praised in its words. **Copies**: comments
normalised (NFKC, CJK characters only) into character bigrams; MinHash signatures (vectorised
multiply-shift hashing) go into LSH bands, candidate pairs with a Jaccard similarity above the
threshold are joined into clusters. A cluster is named when many accounts wrote it, its posts
come in bursts (its busiest window holds far more than its share of the rest of the room's chat
there) and it praises the official, or when its bursts are so extreme that they need no
praise. Accounts that bought nothing raise a finding's score but never name anyone by
themselves."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np

from sunlit.core.errors import N_
from sunlit.integrity.detectors import praise_waves
from sunlit.integrity.model import Finding, poisson_tails
from sunlit.integrity.stream import Session, Stream

RULE = "paid_comments"
NOT_CJK = re.compile(r"[^\u3400-\u4dbf\u4e00-\u9fff]")
SYCOPHANCY = re.compile(
    r"县长|书记|领导|干部|父母官|好官|县委|市长|局长|主任|乡长|镇长|村长|支书|区长|州长|省长|部长|处长|科长"
)
#: Words of praise or thanks: with a title (or alone, when the word is itself an honorific such
#: as 父母官) they make a comment sycophancy; a title alone is a greeting (书记晚上好).
CUE = re.compile(
    r"辛苦|点赞|打call|力挺|棒|帅|赞|感谢|谢谢|福气|骄傲|亲民|亲切|亲和|接地气|办实事|为民"
    r"|为人民|为老百姓|难得|用心|上心|厉害|了不起|优秀|佩服|榜样|口才|会说|讲得|信誉|保证|靠谱"
    r"|第一名|全国第一|天下第一|威武|英明|伟大|贴心|敬业|负责|好样"
)
PRAISE = "#praise"  # the kind of comment tested for bursts along with the bigrams
HONORIFIC = re.compile(r"好官|父母官|公仆|好干部|青天")
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
    p_value_alone: float = 1e-10  # lockstep so extreme it needs no praise to be named …
    #: … and this many times the window's expected comments: in a room of 20,000 a burst of
    #: questions about one product has a tiny p-value and is still the room talking
    alone_ratio: float = 8.0
    sycophancy: float = 0.5  # share of the cluster's comments about the official
    wave_windows_ms: tuple[int, ...] = (60_000, 120_000, 300_000)  # a word's bursts, per width
    wave_p_value: float = 1e-5  # a word's window against the room's rhythm
    specificity: float = 0.4  # how much a comment's words belong to the waves (0 chance, 1 only)
    crowd_words: float = 0.3  # stock praise: share of its words' users who praised in waves
    stock_chars: int = 5  # praise this short is what anyone types
    own_words: float = 0.8  # without praise: share of its words' users who are in the crew
    overlap_p: float = 1e-4  # two waves whose accounts overlap more than this is chance


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


def clusters(texts: list[str], s: Settings) -> list[list[int]]:
    """Groups of near-duplicate texts (indexes), by MinHash LSH and a Jaccard check."""
    shingles = [bigrams(normalise(t)) for t in texts]
    keep = [i for i, sh in enumerate(shingles) if len(sh) >= s.min_bigrams]
    if len(keep) < 2:
        return []
    sig = minhash([shingles[i] for i in keep], s.permutations)
    rows = s.permutations // s.bands
    union = praise_waves.Union(len(keep))
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
    buyers = {o.account for o in session.orders if o.account}
    out = wave_findings(session, s, buyers)
    taken = {a for f in out for a in f.accounts}
    for found in clusters(texts, s):
        # A crew the waves named is not named again, nor is what it shares with the room;
        # but its members the waves missed, praising in its words time and again, are.
        rest = [i for i in found if session.chats[i][1] not in taken]
        group = rest
        if not rest:
            continue
        if len(rest) < len(found) and _share(praises, session.chats, found) >= s.sycophancy:
            again = Counter(session.chats[i][1] for i in rest if praises(texts[i]))
            group = [
                i for i in found if session.chats[i][1] in taken or again[session.chats[i][1]] > 1
            ]
        accounts = {session.chats[i][1] for i in group}
        # A cluster whose accounts the waves all named is their crew: one crew, one finding.
        if (
            len(accounts) < s.min_accounts
            or accounts <= taken
            or room_greeting(session.chats, group, s)
        ):
            continue
        times = np.asarray([session.chats[i][0] for i in group], dtype=np.int64)
        others = np.delete(all_times, group)
        p, busiest, expected = min(lockstep(times, others, w) for w in s.windows_ms)
        praise = sum(bool(SYCOPHANCY.search(texts[i])) for i in group) / len(group)
        non_buyers = sum(a not in buyers for a in accounts) / len(accounts)
        if p > s.p_value or (
            praise < s.sycophancy
            and (p > s.p_value_alone or busiest < s.alone_ratio * max(expected, 1.0))
        ):
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


def wave_findings(session: Session, s: Settings, buyers: set[str]) -> list[Finding]:
    """Crews found as waves (``praise_waves``): accounts whose comments, in words that belong
    to the waves, come back wave after wave; and, in a wave of praise, those who praised in
    its words."""
    chats = session.chats
    room = praise_waves.Room(chats)
    found = praise_waves.waves(
        room, praise_waves.WaveSettings(s.wave_windows_ms, s.wave_p_value), _tags
    )
    population = len({a for _, a, _ in chats})
    out = []
    for group in praise_waves.crews(found, population, s.overlap_p):
        own = praise_waves.specific(room, [(w.start, w.end) for w in group], 2)
        theirs = {i for i, share in own.items() if share >= s.specificity}
        # Without praise, only words the crew alone uses make lockstep: a room answering the
        # host again and again uses the room's words.
        back = _back(chats, group, theirs)
        alone = praise_waves.own_words(room, back)
        waves_of: dict[str, set[int]] = defaultdict(set)
        for k, w in enumerate(group):
            for i in w.messages:
                if i in theirs and (laudatory(chats[i][2], 1) or alone(i) >= s.own_words):
                    waves_of[chats[i][1]].add(k)
        recurring = {a for a, ks in waves_of.items() if len(ks) >= 2}
        named = set(recurring) if len(recurring) >= s.min_accounts else set()
        # A wave of praise (its praise burst, or bunched beyond doubt) names its praisers
        # when they are a crowd; a thin one only through the accounts that come back.
        praised = [
            w
            for w in group
            if len({chats[i][1] for i in w.messages if laudatory(chats[i][2], 1)}) >= s.min_accounts
            and (PRAISE in w.words or _extreme(chats, w, s))
        ]
        # Stock praise the room also says (书记辛苦了, all evening, from everyone) is no crew's.
        crowd = praise_waves.own_words(room, back | {a for w in praised for a in w.accounts})
        for i in theirs:
            ts, account, text = chats[i]
            stock = len(normalise(text)) <= s.stock_chars and crowd(i) < s.crowd_words
            if laudatory(text, 1) and not stock and any(w.start <= ts <= w.end for w in praised):
                named.add(account)
        if len(named) < s.min_accounts:
            continue
        msgs = sorted(i for i in theirs if chats[i][1] in named)
        if room_greeting(chats, msgs, s):
            continue
        praise = _share(praises, chats, msgs)
        non_buyers = sum(a not in buyers for a in named) / len(named)
        score = min(1.0, 0.5 + 0.2 * praise + 0.1 * non_buyers + 0.2 * (len(group) > 1))
        evidence = {
            "comments": len(msgs),
            "accounts": len(named),
            "waves": len(group),
            "in_several_waves": len(recurring & named),
            "about_the_official": round(praise, 2),
            "non_buyers": round(non_buyers, 2),
            "examples": sorted({chats[i][2] for i in msgs})[:5],
        }
        message, params = summary_of(evidence, praise >= s.sycophancy)
        out.append(Finding.scored(RULE, score, message % params, evidence, accounts=sorted(named)))
    return out


def _extreme(chats: list[tuple[int, str, str]], wave: praise_waves.Wave, s: Settings) -> bool:
    """A wave's praise so bunched (against the rest of the room) that even stock phrases in it
    are the crew's: thirty 辛苦了！！！ in twenty seconds."""
    mine = [i for i in wave.messages if laudatory(chats[i][2], 1)]
    times = np.asarray([chats[i][0] for i in mine], dtype=np.int64)
    others = np.delete(np.asarray([ts for ts, _, _ in chats], dtype=np.int64), mine)
    return min(lockstep(times, others, w)[0] for w in s.windows_ms) < s.p_value_alone


def _back(
    chats: list[tuple[int, str, str]], group: list[praise_waves.Wave], theirs: set[int]
) -> set[str]:
    """Accounts with comments in the waves' words in two waves or more."""
    waves_of: dict[str, set[int]] = defaultdict(set)
    for k, w in enumerate(group):
        for i in w.messages:
            if i in theirs:
                waves_of[chats[i][1]].add(k)
    return {a for a, ks in waves_of.items() if len(ks) >= 2}


def praises(text: str) -> bool:
    """Sycophancy: the official named with a word of praise or thanks, or an honorific."""
    folded = text.lower()
    return bool(HONORIFIC.search(folded) or (SYCOPHANCY.search(folded) and CUE.search(folded)))


def room_greeting(chats: list[tuple[int, str, str]], msgs: list[int], s: Settings) -> bool:
    """Whether the praise among ``msgs`` is a room greeting the official, not a crew: every
    comment of praise in the room's stock length (主任辛苦了, ``stock_chars`` characters or
    fewer) and fewer than ``min_accounts`` accounts saying one twice. A big room says it in a
    burst each time the official speaks, new people each time; a crew comes back. (A crew of
    accounts used once each, typing five characters, looks the same: the limits table of
    docs/integrity-evaluation.md.)"""
    praise = [i for i in msgs if laudatory(chats[i][2], 1)]
    said = Counter(chats[i][1] for i in praise)
    return (
        bool(praise)
        and sum(n > 1 for n in said.values()) < s.min_accounts
        and all(len(normalise(chats[i][2])) <= s.stock_chars for i in praise)
    )


def laudatory(text: str, min_chars: int = 5) -> bool:
    """Praise or thanks, of whomever, in at least ``min_chars`` characters (支持 alone is what
    anyone types; it may be part of a crew's wave, never what makes one)."""
    folded = text.lower()
    return len(normalise(folded)) >= min_chars and bool(
        CUE.search(folded) or HONORIFIC.search(folded)
    )


def _tags(text: str) -> set[str]:
    return {PRAISE} if laudatory(text) else set()


def _share(
    kind: Callable[[str], bool], chats: list[tuple[int, str, str]], msgs: list[int]
) -> float:
    return sum(kind(chats[i][2]) for i in msgs) / max(len(msgs), 1)


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
