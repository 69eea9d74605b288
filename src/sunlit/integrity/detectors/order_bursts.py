"""Three shapes of fake orders that neither a dense block nor a linked group shows (issue 19):
rings whose accounts each place an order or two on their own phones and addresses, and whose
orders then go bad — refunded, cancelled after the session, paid and never shipped (`gone_bad`).

- **Repeat buyers whose every order went bad.** An honest buyer's orders go bad now and then,
  one at a time; a buyer whose two or more orders in the session *all* went bad, none with a
  complaint, is rare — the session's bad rate to the power of the orders. Far more such buyers
  than that expectation (Poisson tail ≤ ``repeat_p_value``, at least ``repeat_accounts``) are
  named with their orders.
- **A burst of orders that went bad.** The orders of one product within ``burst_seconds`` of
  each other, of which at least ``burst_bad`` and ``burst_bad_share`` went bad with no
  complaint — binomial tail ≤ ``burst_p_value`` against the bad rate of the session's other
  orders. A pin brings honest bursts too, but honest orders placed together do not go bad
  together. The burst's bad orders are named, with the burst's orders that share a delivery
  address or a phone with them.

- **Buyers registered together whose orders went bad.** A ring's accounts are often made in
  one sitting, days or months before they are used; honest buyers' accounts are spread over
  years. Of the buyers with an order gone bad (no complaint), those registered within one of
  ``batch_spans_ms`` (three days, a week) of each other, whichever is less likely, far more
  of them than the stream's other accounts registered then make likely (Poisson tail ≤
  ``batch_p_value``, at least ``repeat_accounts``), are named with their bad orders and the
  orders of their batch-mates that share a delivery address or a phone with them. Accounts
  registered in the ``batch_recent_ms`` before the session are not tested: newcomers sign up
  for a session.

An order with a complaint is left out of all three: a buyer who complains and is refunded had a
reason (`quality_complaints` reads those). Pure."""

from __future__ import annotations

from collections import defaultdict
from typing import Protocol

import numpy as np
from scipy.stats import binom, poisson

from sunlit.integrity.detectors.order_findings import ring_finding
from sunlit.integrity.detectors.order_outcomes import outcome, sessions_of
from sunlit.integrity.model import Finding
from sunlit.integrity.stream import Order, Stream


class BurstSettings(Protocol):
    """The settings these read (fake_orders' `Settings` has them)."""

    @property
    def repeat_accounts(self) -> int: ...
    @property
    def repeat_p_value(self) -> float: ...
    @property
    def burst_seconds(self) -> int: ...
    @property
    def burst_bad(self) -> int: ...
    @property
    def burst_bad_share(self) -> float: ...
    @property
    def burst_p_value(self) -> float: ...
    @property
    def batch_spans_ms(self) -> tuple[int, ...]: ...
    @property
    def batch_p_value(self) -> float: ...
    @property
    def batch_recent_ms(self) -> int: ...


def _rate(orders: list[Order], spoilt: set[str], apart: list[Order]) -> float:
    """The bad rate of ``orders`` outside ``apart`` (some of them), shrunk toward 5% with the
    weight of 20. ``spoilt`` holds only ids of ``orders``, so the rest's counts are the whole's
    less ``apart``'s: no pass over the session per window."""
    went = len(spoilt) - sum(o.id in spoilt for o in apart)
    return (went + 1.0) / (len(orders) - len(apart) + 20.0)


def repeaters(orders: list[Order], bad: set[str], named: set[str], s: BurstSettings) -> list[Order]:
    """One session's orders: those of the buyers whose two or more orders all went bad with
    no complaint, when there are far more such buyers than the session's bad rate gives."""
    spoilt = {o.id for o in orders if o.id in bad and not o.complaints}
    mine: defaultdict[str, list[Order]] = defaultdict(list)
    for o in orders:
        if o.account and o.account not in named:
            mine[o.account].append(o)
    several = [theirs for theirs in mine.values() if len(theirs) > 1]
    hit = [theirs for theirs in several if all(o.id in spoilt for o in theirs)]
    if len(hit) < s.repeat_accounts:
        return []
    p = _rate(orders, spoilt, [o for theirs in hit for o in theirs])
    expected = sum(p ** len(theirs) for theirs in several)
    if float(poisson.sf(len(hit) - 1, expected)) > s.repeat_p_value:
        return []
    return [o for theirs in hit for o in theirs]


def bursts(
    orders: list[Order], bad: set[str], named: set[str], s: BurstSettings
) -> list[list[Order]]:
    """One session's bursts of orders gone bad, one per product at most, each with the orders
    of the burst tied to its bad ones by a delivery address or a phone. The burst is found
    among all the product's orders; accounts in ``named`` (already in another finding) are
    left out of what it names, and what is left must still be ``repeat_accounts`` accounts."""
    spoilt = {o.id for o in orders if o.id in bad and not o.complaints}
    by_product: defaultdict[str, list[Order]] = defaultdict(list)
    for o in orders:
        if o.account:
            by_product[o.product].append(o)
    out: list[list[Order]] = []
    for theirs in by_product.values():
        theirs.sort(key=lambda o: o.ts)
        best = _densest_bad_window(orders, theirs, spoilt, s)
        mine = [o for o in _with_ties(best, spoilt) if o.account not in named]
        if len({o.account for o in mine}) >= s.repeat_accounts:
            out.append(mine)
    return out


def _densest_bad_window(
    orders: list[Order], theirs: list[Order], spoilt: set[str], s: BurstSettings
) -> list[Order]:
    """The window of ``burst_seconds`` with the smallest binomial tail that passes."""
    span = s.burst_seconds * 1000
    best: list[Order] = []
    best_tail = s.burst_p_value
    j = 0
    for i in range(len(theirs)):
        j = max(j, i)
        while j < len(theirs) and theirs[j].ts - theirs[i].ts <= span:
            j += 1
        window = theirs[i:j]
        went = sum(o.id in spoilt for o in window)
        if went < s.burst_bad or went < s.burst_bad_share * len(window):
            continue
        p = _rate(orders, spoilt, window)
        tail = float(binom.sf(went - 1, len(window), min(p, 1.0)))
        if tail <= best_tail:
            best, best_tail = window, tail
    return best


def _with_ties(window: list[Order], spoilt: set[str]) -> list[Order]:
    """The window's bad orders, and its orders sharing an address or a phone with one."""
    keys = {k for o in window if o.id in spoilt for k in (o.address, o.device) if k}
    return [o for o in window if o.id in spoilt or o.address in keys or o.device in keys]


def registered_together(
    stream: Stream, orders: list[Order], bad: set[str], named: set[str], s: BurstSettings
) -> list[Order]:
    """One session's buyers with an order gone bad who were registered together (see the
    module's docstring): their bad orders, and their batch-mates' orders tied to those by a
    delivery address or a phone."""
    spoilt = {o.id for o in orders if o.id in bad and not o.complaints}
    start = min((o.ts for o in orders), default=0)
    created: dict[str, int] = {}
    for o in orders:
        if o.account and o.account not in named:
            c = stream.created(o.account)
            if c is not None and c < start - s.batch_recent_ms:
                created[o.account] = c
    went = sorted({str(o.account) for o in orders if o.id in spoilt and o.account in created})
    if len(went) < s.repeat_accounts:
        return []
    others = np.sort(
        np.asarray(
            [a.created for a in stream.accounts.values() if a.created is not None],
            dtype=np.int64,
        )
    )
    times = np.sort(np.asarray([created[a] for a in went], dtype=np.int64))
    found: tuple[float, int, int] | None = None  # tail, start, span
    for span in s.batch_spans_ms:
        inside = np.searchsorted(times, times + span, side="right") - np.arange(len(times))
        registered = np.searchsorted(others, times + span, side="right") - np.searchsorted(
            others, times
        )
        share = np.maximum(registered - inside, 1) / max(len(others) - len(went), 1)
        tails = np.where(inside >= s.repeat_accounts, poisson.sf(inside - 1, len(went) * share), 1)
        best = int(np.argmin(tails))
        if float(tails[best]) <= s.batch_p_value and (found is None or tails[best] < found[0]):
            found = (float(tails[best]), int(times[best]), span)
    if found is None:
        return []
    lo, hi = found[1], found[1] + found[2]
    batch = {a for a, c in created.items() if lo <= c <= hi}
    mine = [o for o in orders if o.account in batch]
    return _with_ties(mine, {o.id for o in mine if o.id in spoilt})


def few_each(
    stream: Stream, orders: list[Order], bad: set[str], named: set[str], s: BurstSettings
) -> list[Finding]:
    """Rings of an order or two per account (`order_bursts`): repeat buyers whose every order
    went bad, then bursts of one product's orders gone bad together, then buyers registered
    together whose orders went bad."""
    out: list[Finding] = []
    for sid, theirs in sessions_of(stream, orders):
        found = repeaters(theirs, bad, named, s)
        groups = [("repeat", found)] if found else []
        taken = named | {str(o.account) for o in found}
        groups += [("burst", mine) for mine in bursts(theirs, bad, taken, s)]
        taken |= {str(o.account) for _, mine in groups for o in mine}
        together = registered_together(stream, theirs, bad, taken, s)
        groups += [("batch", together)] if together else []
        for kind, mine in groups:
            others_rate = outcome(orders, mine, bad)[2]
            out.append(
                ring_finding(stream.sessions[sid], mine, 0.0, bad, others_rate, 1, kind=kind)
            )
    return out
