"""How many of a session's viewers were not real, and how many of its orders were not organic,
when no single bot or ring can be named (issue 19): estimates with an interval, against
comparable sessions.

A visit that stayed under 30 seconds in all and never chatted, liked, shared or ordered is an
*idle visit*. Honest rooms have some; an audience padded with bots has many more. The share of
idle visits in the other sessions of the same source (Sunlit's own sessions, or the other
sessions of one imported stream) is the baseline. The excess of this session's idle visits over
the baseline, at 95% on both counts, is the estimate: "at least LOW of N viewers were not real"
when LOW > 0. Bots that stay or engage are not idle visits, so LOW is a floor, never a count of
every bot; a baseline from sessions that had bots themselves only makes it lower.

Orders the same way. Of the session's verified orders (paid, not cancelled or refunded, not
named in a confirmed finding), a *marked order* is one placed by a buyer who shares a delivery
address or a phone with another buyer of the session, or one paid and never shipped while at
least half of the session's other verified orders shipped. Households share an address, so
honest sessions have a few (1–3% of orders in both generators' honest sessions); rings that
pass their orders through shared addresses and phones, or that pay and never take delivery,
have many more. The excess over the comparable sessions' share is "at least LOW of N orders
were not organic", and the verified sales become a range: the marked orders' value, scaled to
LOW and HIGH, taken off. Quota orders from cadres' own homes are not marked: they are real
money, and forced_purchases names them. Pure."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from scipy.stats import beta, poisson

from sunlit.integrity.detectors.order_outcomes import linked_groups
from sunlit.integrity.stream import Order, Session

#: An idle visit stayed less than this in all (milliseconds) and did nothing.
IDLE_MS = 30_000
#: The confidence of each side of the interval.
LEVEL = 0.95
#: Fewer viewers than this in the comparable sessions together: no baseline, no estimate.
MIN_BASELINE_VIEWERS = 200
#: Fewer verified orders than this in the comparable sessions together: no order estimate.
MIN_BASELINE_ORDERS = 50
#: An order paid and never shipped is marked only when at least this share of the session's
#: other verified orders shipped (a stream read before shipping marks none).
SHIPPED_SHARE = 0.5


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
class Marked:
    orders: int  # verified orders
    marked: int  # of them, marked (shared address or phone, or never shipped)
    marked_gmv: int  # their value, fen


def marked_orders(session: Session, flagged: set[str]) -> Marked:
    """The session's verified orders (paid, kept, not in ``flagged``) and the marked ones."""
    kept: list[Order] = [
        o for o in session.orders if o.paid is not None and not o.gone and o.id not in flagged
    ]
    tied: set[str] = set()
    for group in linked_groups(session.orders):
        if len(group) > 1:
            tied |= group
    unshipped = [o for o in kept if o.shipped is None]
    shipped_enough = len(kept) - len(unshipped) >= SHIPPED_SHARE * max(len(kept) - 1, 1)
    marked = [o for o in kept if o.account in tied or (o.shipped is None and shipped_enough)]
    return Marked(len(kept), len(marked), sum(o.amount for o in marked))


@dataclass(frozen=True)
class Estimate:
    low: int  # not real (not organic), at least (95%)
    high: int  # at most (95%)
    total: int  # viewers (orders)
    marked: int  # idle visits (marked orders)
    baseline_share: float  # marked per total in the comparable sessions
    baseline_sessions: int


def estimate(session: Visits, others: list[Visits]) -> Estimate | None:
    """The excess of idle visits over the comparable sessions' share, as an interval; None when
    the comparable sessions are too few to say."""
    return excess(
        session.viewers,
        session.idle,
        [(v.viewers, v.idle) for v in others],
        MIN_BASELINE_VIEWERS,
    )


def estimate_orders(session: Marked, others: list[Marked]) -> Estimate | None:
    """The excess of marked orders over the comparable sessions' share, as an interval."""
    pairs = [(m.orders, m.marked) for m in others]
    return excess(session.orders, session.marked, pairs, MIN_BASELINE_ORDERS)


def excess(
    total: int, marked: int, others: list[tuple[int, int]], min_baseline: int
) -> Estimate | None:
    """``marked`` of ``total`` beyond the share of the ``others`` (total, marked), as an
    interval: the session's count and the baseline share each at 95%; never more than
    ``marked``. None when the others together have fewer than ``min_baseline``."""
    n0 = sum(n for n, _ in others)
    k0 = sum(k for _, k in others)
    if n0 < min_baseline or total == 0:
        return None
    tail = (1 - LEVEL) / 2
    share_low = float(beta.ppf(tail, k0, n0 - k0 + 1)) if k0 else 0.0
    share_high = float(beta.ppf(1 - tail, k0 + 1, n0 - k0)) if k0 < n0 else 1.0
    count_low = float(poisson.ppf(tail, marked)) if marked else 0.0
    count_high = float(poisson.ppf(1 - tail, marked)) if marked else 0.0
    low = max(0, int(count_low - share_high * total))
    # Only marked ones are counted: the excess is never more than there were.
    high = min(marked, max(low, round(count_high - share_low * total)))
    return Estimate(low, high, total, marked, round(k0 / n0, 4), len(others))
