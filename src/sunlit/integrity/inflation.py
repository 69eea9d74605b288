"""How many of a session's viewers were not real, when no single bot can be named (issue 19):
an estimate with an interval, against comparable sessions.

A visit that stayed under 30 seconds in all and never chatted, liked, shared or ordered is an
*idle visit*. Honest rooms have some; an audience padded with bots has many more. The share of
idle visits in the other sessions of the same source (Sunlit's own sessions, or the other
sessions of one imported stream) is the baseline. The excess of this session's idle visits over
the baseline, at 95% on both counts, is the estimate: "at least LOW of N viewers were not real"
when LOW > 0. Bots that stay or engage are not idle visits, so LOW is a floor, never a count of
every bot; a baseline from sessions that had bots themselves only makes it lower. Pure."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from scipy.stats import beta, poisson

from sunlit.integrity.stream import Session

#: An idle visit stayed less than this in all (milliseconds) and did nothing.
IDLE_MS = 30_000
#: The confidence of each side of the interval.
LEVEL = 0.95
#: Fewer viewers than this in the comparable sessions together: no baseline, no estimate.
MIN_BASELINE_VIEWERS = 200


@dataclass(frozen=True)
class Visits:
    viewers: int  # accounts that joined
    idle: int  # of them, idle visits


def visits(session: Session) -> Visits:
    """The session's viewers and idle visits (dwell summed over an account's visits; a visit
    with no leave lasts to the session's end, or its last event)."""
    ends = [t for t in (session.ended,) if t is not None]
    last = max([*ends, *(t for t, *_ in session.joins), *(t for t, _ in session.leaves)], default=0)
    joined: dict[str, list[int]] = defaultdict(list)
    for ts, who, *_ in session.joins:
        joined[who].append(ts)
    left: dict[str, list[int]] = defaultdict(list)
    for ts, who in session.leaves:
        left[who].append(ts)
    active = {who for _, who, _ in session.chats}
    active |= {who for _, who, _ in session.likes} | {who for _, who in session.shares}
    active |= {o.account for o in session.orders if o.account}
    idle = 0
    for who, starts in joined.items():
        if who in active:
            continue
        if dwell(sorted(starts), sorted(left.get(who, [])), last) < IDLE_MS:
            idle += 1
    return Visits(len(joined), idle)


def dwell(starts: list[int], stops: list[int], last: int) -> int:
    """Time watched over visits: each join (sorted) ends at the first leave after it not yet
    used, or at ``last`` when none is left."""
    total, j = 0, 0
    for start in starts:
        while j < len(stops) and stops[j] < start:
            j += 1
        if j < len(stops):
            total += stops[j] - start
            j += 1
        else:
            total += max(0, last - start)
    return total


@dataclass(frozen=True)
class Estimate:
    low: int  # viewers not real, at least (95%)
    high: int  # at most (95%)
    viewers: int
    idle: int
    baseline_share: float  # idle visits per viewer in the comparable sessions
    baseline_sessions: int


def estimate(session: Visits, others: list[Visits]) -> Estimate | None:
    """The excess of idle visits over the comparable sessions' share, as an interval; None when
    the comparable sessions are too few to say."""
    n0 = sum(v.viewers for v in others)
    k0 = sum(v.idle for v in others)
    if n0 < MIN_BASELINE_VIEWERS or session.viewers == 0:
        return None
    tail = (1 - LEVEL) / 2
    share_low = float(beta.ppf(tail, k0, n0 - k0 + 1)) if k0 else 0.0
    share_high = float(beta.ppf(1 - tail, k0 + 1, n0 - k0)) if k0 < n0 else 1.0
    idle_low = float(poisson.ppf(tail, session.idle)) if session.idle else 0.0
    idle_high = float(poisson.ppf(1 - tail, session.idle)) if session.idle else 0.0
    low = max(0, int(idle_low - share_high * session.viewers))
    # Only idle visits are counted: the excess is never more than there were.
    high = min(session.idle, max(low, round(idle_high - share_low * session.viewers)))
    return Estimate(low, high, session.viewers, session.idle, round(k0 / n0, 4), len(others))
