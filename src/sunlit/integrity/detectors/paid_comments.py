"""paid_comments — organised praise (水军, 控评).

Copies of one script are found through paraphrase. Each comment is normalised (NFKC, lower
case; the session's product names, filler particles such as 啊呀哈吧呢啦哦嘛 and runs of one
repeated character taken out) and cut into clauses at whatever is not a Chinese character
(punctuation, emoji, spaces); its shingles are the character bigrams inside each clause, so
that reordered clauses, fillers and emoji barely change them. Distinct texts get MinHash
signatures (vectorised multiply-shift hashing) in LSH bands of two rows: only texts that share
a band are compared, so the cost grows with the chat, not with its square. Two texts are
linked when they share most of the shorter one's bigrams (produce talk glued onto a copy does
not separate it) and a fair part of both; links are joined into clusters. A text of fewer than
five bigrams ("好吃", "发什么快递") joins none: many people type those by themselves.

A cluster must share a script — at least eight bigrams found in half its comments (a
script, not a remark; look-alike remarks chained by their links share none) — and the
copies of it, those holding half the script, must come from at least five accounts. It
is named when its posts are coordinated against the room's own chat rhythm — one burst
(its busiest window of one or five minutes) or a few waves (up to six windows of one,
five or ten minutes that hold far more of its posts than the rest of the room's chat
there would give them: a binomial tail, corrected for the choice of windows) — and it
praises an official (any title: 县长, 书记, 局长, 主任, 镇长, 村支书, 领导 …) or the
produce (the tail times the number of the room's clusters praising the same thing: a
big room says 值得推荐 in many ways); or when the coordination is so extreme that it needs
no praise and it is not a question (a room asks "发顺丰吗" together when something
happens). An account's repeats inside one window count once, so one enthusiast cannot
make a burst. Accounts that bought nothing raise its score but never name it by
themselves."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from sunlit.core.errors import N_
from sunlit.integrity.detectors.copies import all_bigrams, clusters, produce_words
from sunlit.integrity.model import Finding, poisson_tails
from sunlit.integrity.stream import Session, Stream

RULE = "paid_comments"
#: Titles and words for officials: praise of any of them is praise of the official.
OFFICIALS = (
    "县长|县委|书记|支书|局长|主任|市长|市委|乡长|镇长|村长|区长|省长|州长|旗长|厅长|部长|处长"
    "|科长|所长|站长|主席|领导|干部|父母官|好官|公仆|官员|当官|政府"
)
SYCOPHANCY = re.compile(OFFICIALS)
#: Praise of the produce, said the way a script says it.
PRODUCE_PRAISE = re.compile(
    r"好吃|真甜|很甜|超甜|太甜|好甜|新鲜|正宗|好评|放心买|闭眼|推荐|实惠|划算|良心|品质|"
    r"质量好|质量没|物美价廉|口感|多汁|清脆|香甜|回购|好货|靠谱|值得|绝了|一级棒|没得说"
)
#: A question: what a room asks together when something happens, not what a crew is paid for.
QUESTION = re.compile(r"吗|什么|怎么|多少|哪里|哪个|哪儿|几点|几天|几斤|几箱|\?|？")


@dataclass(frozen=True)
class Settings:
    permutations: int = 64
    bands: int = 32  # rows per band = permutations / bands (two: a band is one 64-bit key)
    similarity: float = 0.3  # Jaccard of two bigram sets that links them …
    containment: float = 0.6  # … when they also share this much of the shorter one's bigrams
    min_bigrams: int = 5  # shorter comments ("发什么快递") are not evidence of anything
    distinctive: int = 8  # bigrams in half the cluster's comments: a script, not a remark
    min_accounts: int = 5
    windows_ms: tuple[int, ...] = (60_000, 300_000)  # one burst is looked for at each width
    wave_windows_ms: tuple[int, ...] = (60_000, 300_000, 600_000)  # waves, at each width
    max_waves: int = 6
    p_value: float = 1e-4  # lockstep: the busiest window(s) against the room's rhythm
    p_value_alone: float = 1e-10  # lockstep so extreme it needs no praise to be named
    sycophancy: float = 0.5  # share of the cluster's comments praising the official (or produce)


def once_per_window(times: np.ndarray, who: list[str], window: int) -> np.ndarray:
    """The posts that count for windows of ``window`` ms: an account's post is dropped when it
    comes less than a window after the last one of its posts that counted."""
    last: dict[str, int] = {}
    keep = []
    for t, a in sorted(zip(times.tolist(), who, strict=True)):
        if a not in last or t - last[a] >= window:
            last[a] = t
            keep.append(t)
    return np.asarray(keep, dtype=np.int64)


@dataclass(frozen=True)
class Room:
    """The room's chat other than one cluster's: every chat time (sorted) less the cluster's
    own posts (sorted), counted by subtraction so that no copy of the room is made per
    cluster."""

    chat: np.ndarray
    own: np.ndarray

    @property
    def size(self) -> int:
        return len(self.chat) - len(self.own)

    def count(self, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """Posts of the rest of the room in [lo, hi)."""
        every = np.searchsorted(self.chat, hi, side="left") - np.searchsorted(self.chat, lo)
        own = np.searchsorted(self.own, hi, side="left") - np.searchsorted(self.own, lo)
        counted: np.ndarray = every - own
        return counted


def _sorted(times: np.ndarray) -> np.ndarray:
    return times if bool(np.all(times[1:] >= times[:-1])) else np.sort(times)


def room_share(starts: np.ndarray, room: Room, window: int) -> np.ndarray:
    """The share of the rest of the room's chat expected in the window of ``window`` ms from
    each start: the room's rate over at least five minutes around it, so that a minute the
    room happened to be quiet in does not make a handful of posts look like a burst (the
    reach is cut at the ends of the chat, and the rate taken over what is left). No wider: a
    rate spread over a longer stretch would flatten the room's own busy spells, and a cluster
    that merely follows them would look like waves."""
    if room.size <= 0:
        return np.ones(len(starts))
    reach = max(window, 300_000)
    middle = starts + window // 2
    lo = np.maximum(middle - reach // 2, int(room.chat[0]))
    hi = np.minimum(middle + reach // 2, int(room.chat[-1]) + 1)
    hi = np.maximum(hi, lo + window)
    share: np.ndarray = (room.count(lo, hi) * window / (hi - lo) + 1) / (room.size + 1)
    return share


def lockstep(times: np.ndarray, room: Room, window: int) -> tuple[float, int, float]:
    """How unlikely the cluster's busiest window is, given the room's own chat rhythm: for the
    window starting at each of its posts, the Poisson tail of its posts there against its
    share of the rest of the room's chat in that window (the rest only: in a small room a crew
    that posts in bursts is most of the chat, and would set the rhythm it is measured by).
    Returns (p, posts, expected) of the busiest."""
    if len(times) < 2:
        return 1.0, 0, 0.0
    times = _sorted(times)
    ends = np.searchsorted(times, times + window, side="left")
    observed = ends - np.arange(len(times))
    expected = np.maximum(len(times) * room_share(times, room, window), 1e-3)
    tails = poisson_tails(observed, expected)
    i = int(np.argmin(tails))
    if tails[i] >= 1.0:
        return 1.0, 0, 0.0
    return float(tails[i]), int(observed[i]), float(expected[i])


@dataclass(frozen=True)
class Waves:
    p_value: float = 1.0
    windows: int = 0
    comments: int = 0
    expected: float = 0.0


def waves(times: np.ndarray, room: Room, window: int, most: int) -> Waves:
    """How unlikely it is that so many of the cluster's posts fall in so few windows, given the
    room's own chat rhythm. The busiest window (most posts) is taken, its posts set aside, and
    so on up to ``most`` windows; after each, the binomial tail of the posts taken so far
    against the share of the rest of the room's chat in those windows, times the number of
    ways to choose that many windows among the posts (a Bonferroni bound). Returns the least
    likely count of windows."""
    from scipy.stats import binom

    n = len(times)
    if n < 2:
        return Waves()
    times = _sorted(times)
    share = room_share(times, room, window)
    ends = np.searchsorted(times, times + window, side="left")
    left = np.ones(n, dtype=bool)
    posts: list[int] = []
    mass: list[float] = []
    for _ in range(min(most, n)):
        alive = np.concatenate([[0], np.cumsum(left)])
        counts = np.where(left, alive[ends] - alive[np.arange(n)], -1)
        i = int(np.argmax(counts))
        if counts[i] < 2:
            break
        posts.append((posts[-1] if posts else 0) + int(counts[i]))
        mass.append(min(1.0, (mass[-1] if mass else 0.0) + float(share[i])))
        left[i : ends[i]] = False
    if not posts:
        return Waves()
    k = np.arange(1, len(posts) + 1)
    log_choices = np.asarray(
        [math.lgamma(n + 1) - math.lgamma(j + 1) - math.lgamma(n - j + 1) for j in k]
    )
    log_p = binom.logsf(np.asarray(posts) - 1, n, np.asarray(mass)) + log_choices
    j = int(np.argmin(log_p))
    p = min(1.0, math.exp(max(float(log_p[j]), -700.0)))
    if p >= 1.0:
        return Waves()
    return Waves(p, j + 1, posts[j], n * mass[j])


def script_of(group: list[int], shingles: list[set[int]], least: int) -> list[int]:
    """The members of a linked group that are copies of one script: the script is the bigrams
    found in at least half the group's comments, and must have ``least`` of them (a remark
    such as "总体感觉还可以" is not a script); a copy holds at least half of them. Links chain,
    and a chain of look-alike remarks ("总体感觉很不好" – "总之，不推荐" – "总之非常值得推荐")
    shares no script: empty."""
    counts: dict[int, int] = defaultdict(int)
    for i in group:
        for b in shingles[i]:
            counts[b] += 1
    script = {b for b, n in counts.items() if 2 * n >= len(group)}
    if len(script) < least:
        return []
    return [i for i in group if 2 * len(shingles[i] & script) >= len(script)]


def _share(texts: Iterable[str], pattern: re.Pattern[str]) -> float:
    found = [bool(pattern.search(t)) for t in texts]
    return sum(found) / len(found) if found else 0.0


@dataclass(frozen=True)
class _Cluster:
    group: list[int]
    accounts: set[str]
    said: list[str]
    burst: tuple[float, int, float]  # p, posts, expected of the busiest window
    wave: Waves
    p: float  # the least likely of the two ways of looking
    official: float
    goods: float
    asking: bool
    praise: str | None  # what half its comments praise: "official" before "produce"


def _timed(
    session: Session, texts: list[str], shingles: list[set[int]], s: Settings
) -> list[_Cluster]:
    """Every cluster with a script and enough accounts, with its timing and what it says."""
    all_times = np.asarray([ts for ts, _, _ in session.chats], dtype=np.int64)
    chat = _sorted(all_times)  # the session's chat is in time order already: no copy
    out = []
    for linked in clusters(texts, s, None, shingles):
        if len({session.chats[i][1] for i in linked}) < s.min_accounts:
            continue
        group = script_of(linked, shingles, s.distinctive)
        who = [session.chats[i][1] for i in group]
        if len(set(who)) < s.min_accounts:
            continue
        said = [texts[i] for i in group]
        times = all_times[group]
        room = Room(chat, np.sort(times))
        burst = min(lockstep(once_per_window(times, who, w), room, w) for w in s.windows_ms)
        wave = min(
            (
                waves(once_per_window(times, who, w), room, w, s.max_waves)
                for w in s.wave_windows_ms
            ),
            key=lambda x: x.p_value,
        )
        # Two ways of looking, and several widths for the waves: the least likely counts.
        p = min(1.0, min(burst[0], wave.p_value * len(s.wave_windows_ms)))
        official, goods = _share(said, SYCOPHANCY), _share(said, PRODUCE_PRAISE)
        out.append(
            _Cluster(
                group,
                set(who),
                said,
                burst,
                wave,
                p,
                official,
                goods,
                _share(said, QUESTION) >= 0.5,
                "official"
                if official >= s.sycophancy
                else "produce"
                if goods >= s.sycophancy
                else None,
            )
        )
    return out


def detect(stream: Stream, session: Session, s: Settings) -> list[Finding]:
    if len(session.chats) < s.min_accounts:
        return []
    texts = [text for _, _, text in session.chats]
    buyers = {o.account for o in session.orders}
    shingles = all_bigrams(texts, produce_words(stream, session))
    timed = _timed(session, texts, shingles, s)
    # A big room has thousands of clusters, and much of its chat praises the produce: a
    # praising cluster is measured against the chance that any of the room's clusters
    # praising the same thing would look as coordinated (Bonferroni).
    family = {kind: sum(c.praise == kind for c in timed) for kind in ("official", "produce")}
    out = []
    for c in timed:
        if c.praise is not None:
            if c.p * family[c.praise] > s.p_value:
                continue
        elif c.asking or c.p > s.p_value_alone:
            continue
        non_buyers = sum(a not in buyers for a in c.accounts) / len(c.accounts)
        score = min(
            1.0,
            0.5 + 0.2 * max(c.official, c.goods) + 0.1 * non_buyers + 0.2 * (c.p < s.p_value_alone),
        )
        p, busiest, expected = c.burst
        evidence = {
            "comments": len(c.group),
            "accounts": len(c.accounts),
            "busiest_window": {
                "comments": busiest,
                "expected": round(expected, 1),
                "p_value": float(f"{p:.3g}"),
            },
            "waves": c.wave.windows,
            "comments_in_waves": c.wave.comments,
            "expected_in_waves": round(c.wave.expected, 1),
            "waves_p_value": float(f"{c.wave.p_value:.3g}"),
            "about_the_official": round(c.official, 2),
            "about_the_produce": round(c.goods, 2),
            "non_buyers": round(non_buyers, 2),
            "examples": sorted(set(c.said))[:5],
        }
        message, params = summary_of(evidence)
        summary = message % params
        out.append(Finding.scored(RULE, score, summary, evidence, accounts=sorted(c.accounts)))
    return out


#: The finding's summaries (pages translate them, filled from the evidence).
PRAISING = N_(
    "%(accounts)s accounts posted %(comments)s near-identical comments in bursts, praising the "
    "official; %(non_buyers)s of them bought nothing."
)
PRAISING_PRODUCE = N_(
    "%(accounts)s accounts posted %(comments)s near-identical comments in bursts, praising the "
    "produce; %(non_buyers)s of them bought nothing."
)
PLAIN = N_(
    "%(accounts)s accounts posted %(comments)s near-identical comments in bursts; "
    "%(non_buyers)s of them bought nothing."
)


def summary_of(evidence: Mapping[str, Any]) -> tuple[str, dict[str, object]]:
    """The summary and its parameters, from the evidence alone (a finding made before the
    produce was looked at has no ``about_the_produce``)."""
    least = Settings().sycophancy
    if float(evidence.get("about_the_official") or 0.0) >= least:
        message = PRAISING
    elif float(evidence.get("about_the_produce") or 0.0) >= least:
        message = PRAISING_PRODUCE
    else:
        message = PLAIN
    return message, {
        "accounts": evidence["accounts"],
        "comments": evidence["comments"],
        "non_buyers": f"{evidence['non_buyers']:.0%}",
    }
