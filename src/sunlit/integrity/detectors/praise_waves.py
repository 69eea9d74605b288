"""Waves of look-alike chat for paid_comments: the words a crew shares, arriving together.

A paid crew is handed a few lines to post and told when; each member rewords them a little
(fillers, emoji, clauses swapped, the produce's name glued on), so two copies may share few
characters — but the crew's *vocabulary*, taken together, arrives in bursts. For every character
bigram of the normalised chat (and every kind of comment the caller tags, such as praise), its
posts are set against the room's own rhythm (the rest of the chat in the same window), Poisson
tail as in ``paid_comments.lockstep``, its background being its use outside its own busier
windows (a crew that comes back ten times makes its words common over the evening). Messages
sharing a bursting bigram inside its burst are linked; each linked group of three accounts or
more is a wave. Waves that share their accounts beyond chance, or share words and some of their
people, are one crew. ``specific`` and ``own_words`` then tell a crew's words from the room's."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from sunlit.integrity.model import poisson_tails

LOOSE = 1e-2  # a window busy enough not to count in a word's background
KEEP = re.compile(r"[^\u3400-\u4dbf\u4e00-\u9fffa-z0-9]")


@dataclass(frozen=True)
class WaveSettings:
    windows_ms: tuple[int, ...] = (60_000, 120_000, 300_000)
    p_gram: float = 1e-5  # a bigram's window against the room's rhythm
    min_accounts: int = 3  # a wave: the same word, or praise, from this many accounts at once


@dataclass
class Wave:
    messages: list[int]  # indexes into the session's chats
    accounts: set[str]
    start: int
    end: int
    words: set[str]  # the bigrams (and kinds) whose bursts made it


class Room:
    """A session's chat indexed once: its times, each comment's bigrams, each bigram's number
    of uses and its users, each account's comments."""

    def __init__(self, chats: list[tuple[int, str, str]]) -> None:
        self.chats = chats
        self.times = np.asarray([ts for ts, _, _ in chats], dtype=np.int64)
        self.texts = [grams(normalise(text)) for _, _, text in chats]
        self.total: dict[str, int] = defaultdict(int)
        self.users: dict[str, set[str]] = defaultdict(set)
        self.by_account: dict[str, list[int]] = defaultdict(list)
        for i, ((_, account, _), gs) in enumerate(zip(chats, self.texts, strict=True)):
            self.by_account[account].append(i)
            for g in gs:
                self.total[g] += 1
                self.users[g].add(account)


def normalise(text: str) -> str:
    return KEEP.sub("", unicodedata.normalize("NFKC", text).lower())


def grams(text: str) -> set[str]:
    return {a + b for a, b in pairwise(text)}


class Union:
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


def bursts(times: np.ndarray, members: np.ndarray, window: int, p_value: float) -> list[np.ndarray]:
    """Runs of a bigram's posts (``members``: indexes into the sorted ``times`` of the whole
    room) that fall in windows far busier than the room there: each window starting at one of
    its posts is tested, and the posts of every significant window are returned, overlapping
    windows merged."""
    own = times[members]
    ends = np.searchsorted(own, own + window, side="left")
    observed = ends - np.arange(len(own))
    if observed.max() < 3:
        return []  # three posts in a window at the least make a burst
    busy_room = np.searchsorted(times, own + window, side="left") - np.searchsorted(
        times, own, side="left"
    )
    others_in = busy_room - observed
    n_others = len(times) - len(own)
    expected = np.maximum(len(own) * (others_in + 1) / (n_others + 1), 1e-3)
    # A crew that comes back in many waves makes its words common over the evening, each wave a
    # small share of them: the words' background is their use outside their busier windows.
    for _ in range(3):
        busy = np.zeros(len(own), dtype=bool)
        for k in np.flatnonzero(poisson_tails(observed, expected) < LOOSE).tolist():
            busy[k : ends[k]] = True
        background = len(own) - int(busy.sum())
        expected = np.maximum((background + 1) * (others_in + 1) / (n_others + 1), 1e-3)
    hit = np.flatnonzero(poisson_tails(observed, expected) < p_value).tolist()
    runs: list[np.ndarray] = []
    start = stop = -1
    for i in hit:
        if i < stop:
            stop = max(stop, int(ends[i]))
            continue
        if start >= 0:
            runs.append(members[start:stop])
        start, stop = int(i), int(ends[i])
    if start >= 0:
        runs.append(members[start:stop])
    return runs


def waves(
    room: Room,
    s: WaveSettings,
    tags: Callable[[str], set[str]] = lambda text: set(),
) -> list[Wave]:
    """``chats`` sorted by time: (ts, account, text). ``tags`` gives a comment's kinds (say,
    praise), tested for bursts like its bigrams: a crew's comments may share no words, yet all
    be praise."""
    chats, times, n = room.chats, room.times, len(room.chats)
    if n < s.min_accounts:
        return []
    posts: dict[str, list[int]] = defaultdict(list)
    for i, (_, _, text) in enumerate(chats):
        for g in room.texts[i] | tags(text):
            posts[g].append(i)
    union = Union(n)
    linked = np.zeros(n, dtype=bool)
    words: dict[int, set[str]] = defaultdict(set)
    for g, idx in posts.items():
        if len(idx) < s.min_accounts:
            continue
        found = [r for w in s.windows_ms for r in bursts(times, np.asarray(idx), w, s.p_gram)]
        for run in found:
            if len({chats[int(k)][1] for k in run}) < s.min_accounts:
                continue
            linked[run] = True
            words[int(run[0])].add(g)
            for a, b in pairwise(run):
                union.join(int(a), int(b))
    groups: dict[int, list[int]] = defaultdict(list)
    for k in np.flatnonzero(linked).tolist():
        groups[union.find(k)].append(k)
    out = []
    for msgs in groups.values():
        accounts = {chats[i][1] for i in msgs}
        if len(accounts) >= s.min_accounts:
            said = {g for i in msgs for g in words.get(i, ())}
            out.append(Wave(msgs, accounts, chats[msgs[0]][0], chats[msgs[-1]][0], said))
    return sorted(out, key=lambda w: w.start)


def overlap_tail(k: int, a: int, b: int, population: int) -> float:
    """P(two random sets of ``a`` and ``b`` of ``population`` accounts share ≥ ``k``)."""
    from scipy.stats import hypergeom

    return float(hypergeom.sf(k - 1, population, a, b))


def crews(found: list[Wave], population: int, p_value: float) -> list[list[Wave]]:
    """Waves joined when they share more accounts than chance would (hypergeometric tail
    against the session's chatting accounts), or the same bursting words and some of the same
    people (thin waves): the same crew, coming back."""
    union = Union(len(found))
    of_account: dict[str, list[int]] = defaultdict(list)
    for i, w in enumerate(found):
        for a in w.accounts:
            of_account[a].append(i)
    shared: dict[tuple[int, int], int] = defaultdict(int)
    for members in of_account.values():
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                shared[members[x], members[y]] += 1
    for (i, j), k in shared.items():
        if k and found[i].words & found[j].words:  # the same words again, some of the same people
            union.join(i, j)
        elif (
            k >= 3
            and overlap_tail(k, len(found[i].accounts), len(found[j].accounts), population)
            < p_value
        ):
            union.join(i, j)
    groups: dict[int, list[Wave]] = defaultdict(list)
    for i, w in enumerate(found):
        groups[union.find(i)].append(w)
    return list(groups.values())


def specific(room: Room, spans: list[tuple[int, int]], min_accounts: int) -> dict[int, float]:
    """For each comment posted during the waves (``spans``: first and last post of each), how
    much its words belong to the waves: the mean share, over its bigrams used by at least
    ``min_accounts`` accounts in the session, of the bigram's uses that fall during the waves,
    scaled against chance (0: as often as anywhere, 1: only then). A crew's words are the
    crew's (福气 only when the crew posts); a viewer who says 农民伯伯辛苦了 during a wave says
    it all evening."""
    inside = np.zeros(len(room.chats), dtype=bool)
    for start, end in spans:
        lo = np.searchsorted(room.times, start)
        inside[lo : np.searchsorted(room.times, end, side="right")] = True
    during = np.flatnonzero(inside).tolist()
    within: dict[str, int] = defaultdict(int)
    for k in during:
        for g in room.texts[k]:
            within[g] += 1
    chance = min(float(inside.mean()), 0.99) if len(inside) else 0.0
    out = {}
    for k in during:
        shares = [
            within[g] / room.total[g] for g in room.texts[k] if len(room.users[g]) >= min_accounts
        ]
        mean = float(np.mean(shares)) if shares else 0.0
        out[k] = max(0.0, (mean - chance) / (1 - chance))
    return out


def own_words(room: Room, crew: set[str]) -> Callable[[int], float]:
    """For a comment (its index), the mean over its bigrams of the share of their users who are
    in ``crew``: 1 when the crew alone uses its words, low for the room's words (多少钱, 包邮)."""
    theirs: dict[str, int] = defaultdict(int)
    for account in crew:
        for g in set().union(*(room.texts[i] for i in room.by_account.get(account, ()))):
            theirs[g] += 1

    def share(i: int) -> float:
        shares = [theirs[g] / len(room.users[g]) for g in room.texts[i]]
        return float(np.mean(shares)) if shares else 0.0

    return share
