"""The baskets and windows behind forced_purchases' quota totals (issue 19): each buyer's
session total over every order and product, the quantities the stream's buyers usually pick at
each price (read where a quantity does not land on a round amount), the number of buyers
expected just over each round sum if quantities were drawn from those habits, and the order
in which the least likely baskets are named. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
from scipy.stats import binom

from sunlit.integrity.model import poisson_tails
from sunlit.integrity.stream import Order, Session


class QuotaSettings(Protocol):
    """The settings these read (forced_purchases' `Settings` has them)."""

    @property
    def quota_margins(self) -> tuple[float, ...]: ...
    @property
    def quota_min_excess(self) -> int: ...
    @property
    def quota_false_share(self) -> float: ...
    @property
    def quota_rest_p_value(self) -> float: ...
    @property
    def quota_replicates(self) -> int: ...
    @property
    def quota_prior_orders(self) -> float: ...
    @property
    def quota_support(self) -> float: ...


def quantity_tables(
    qty: np.ndarray, unit: np.ndarray, support: np.ndarray, quota: int, margin: float, k: float
) -> tuple[np.ndarray, np.ndarray]:
    """How often orders take each quantity of ``support``, per price band (a factor of two in
    unit price: cheap produce goes in larger quantities), from the stream's orders. The share
    of quantity q is counted only among orders whose product that quantity would not carry
    just over ``quota``: were buyers pushed there, the quantity that carries them over is the
    one they inflate, so it is read from the products where it leads elsewhere (with no quota,
    the quantity does not depend on which product of the band it is, and the share is the
    same). Each band is shrunk towards all bands with the weight of ``k`` orders. Returns the
    bands' keys and a (bands × quantities) table of shares."""
    band = np.floor(np.log2(np.maximum(unit, 1.0))).astype(np.int64)
    edges, where = np.unique(band, return_inverse=True)
    amount = support[None, :] * unit[:, None]  # (orders, quantities)
    width = np.minimum(unit, margin * quota)[:, None]
    eligible = ~((amount >= quota) & (amount < quota + width))
    took = (qty[:, None] == support[None, :]) & eligible
    num = np.stack([np.bincount(where, c, len(edges)) for c in took.T], axis=1)
    den = np.stack([np.bincount(where, c, len(edges)) for c in eligible.T], axis=1)
    # Where few orders could show a quantity's share (it carries every product over the
    # quota), the plain share stands in: it counts pushed buyers as usual, so it errs towards
    # expecting more of them.
    plain = (qty[:, None] == support[None, :]).mean(axis=0)
    pooled = (num.sum(axis=0) + k * plain) / (den.sum(axis=0) + k)
    table = np.maximum((num + k * pooled[None, :]) / (den + k), 1e-9)
    return edges, table / table.sum(axis=1, keepdims=True)


@dataclass
class Baskets:
    """The session's buyers and their orders (not cancelled), sorted by buyer, as arrays."""

    buyers: np.ndarray
    orders: list[Order]
    starts: np.ndarray  # each buyer's first order
    unit: np.ndarray
    total: np.ndarray  # per buyer, fen
    cheapest: np.ndarray  # per buyer, the lowest unit price
    band: np.ndarray  # per order, log2 of the unit price
    main: np.ndarray  # per buyer, the product of their largest order
    uniform: np.ndarray  # (orders, replicates): the quantity draws' random numbers


def baskets(session: Session, s: QuotaSettings) -> Baskets | None:
    live = [
        o
        for o in session.orders
        if o.account and o.cancelled is None and o.qty > 0 and o.unit_price > 0
    ]
    if len(live) < s.quota_min_excess:
        return None
    buyers, inverse = np.unique(np.asarray([str(o.account) for o in live]), return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    live = [live[i] for i in order.tolist()]
    starts = np.searchsorted(inverse[order], np.arange(len(buyers)))
    unit = np.asarray([o.unit_price for o in live], dtype=np.float64)
    amount = np.asarray([o.amount for o in live], dtype=np.float64)
    _, product = np.unique(np.asarray([o.product for o in live]), return_inverse=True)
    largest = np.lexsort(
        (-amount, np.repeat(np.arange(len(buyers)), np.diff([*starts, len(live)])))
    )
    return Baskets(
        buyers=buyers,
        orders=live,
        starts=starts,
        unit=unit,
        total=np.add.reduceat(amount, starts),
        cheapest=np.minimum.reduceat(unit, starts),
        band=np.floor(np.log2(np.maximum(unit, 1.0))).astype(np.int64),
        main=product[largest[starts]],
        uniform=np.random.default_rng(19).random((len(live), s.quota_replicates)),
    )


@dataclass(frozen=True)
class Window:
    quota: int
    margin: float
    inside: np.ndarray  # per buyer: the total is just over the quota
    chance: np.ndarray  # per buyer: the chance of that with the usual quantities
    observed: int
    expected: float
    p: float


def windows(
    b: Baskets,
    pool: tuple[np.ndarray, np.ndarray, np.ndarray],
    quota: int,
    keep: np.ndarray,
    s: QuotaSettings,
) -> list[Window]:
    """For each margin, the buyers whose total is in [quota, quota + min(cheapest unit,
    margin·quota)), against the number expected when each order's quantity is drawn from the
    usual quantities at its price (`quantity_tables`, read outside the widest window),
    products and unit prices kept. Only the buyers in ``keep`` count: those another finding
    already named are explained, and their excess must not carry honest buyers beside them
    into a finding."""
    widths = [np.minimum(b.cheapest, m * quota) for m in s.quota_margins]
    insides = [(b.total >= quota) & (b.total < quota + w) & keep for w in widths]
    if max(int(i.sum()) for i in insides) < s.quota_min_excess:
        return []
    qty, unit, support = pool
    widest = max(s.quota_margins)
    edges, table = quantity_tables(qty, unit, support, quota, widest, s.quota_prior_orders)
    row = np.clip(np.searchsorted(edges, b.band), 0, len(edges) - 1)
    cdf = np.cumsum(table, axis=1)
    cdf[:, -1] = 1.0
    draws = np.empty_like(b.uniform)
    for r in np.unique(row).tolist():
        these = row == r
        picks = np.searchsorted(cdf[r], b.uniform[these], side="right")
        draws[these] = support[np.minimum(picks, len(support) - 1)]
    replicate = np.add.reduceat(draws * b.unit[:, None], b.starts, axis=0)
    over = replicate >= quota
    out = []
    for margin, width, inside in zip(s.quota_margins, widths, insides, strict=True):
        observed = int(inside.sum())
        if observed < s.quota_min_excess:
            continue
        lands = over & (replicate < (quota + width)[:, None])
        chance = np.where(keep, lands.mean(axis=1), 0.0)
        # A buyer observed there could get there: never less than half a draw's worth.
        chance[inside] = np.maximum(chance[inside], 0.5 / s.quota_replicates)
        expected = float(chance.sum())
        p = float(poisson_tails(np.asarray([observed]), np.asarray([expected]))[0])
        out.append(Window(quota, margin, inside, chance, observed, expected, p))
    return out


def beyond_one_product(w: Window, main: np.ndarray, s: QuotaSettings) -> bool:
    """The excess holds without the product that gives most of it (by each buyer's largest
    order). A product whose usual pack happens to come to a round sum (four boxes of eggs at
    ¥12.5) bunches its own buyers; a quota on people spreads over whatever they pick."""
    products = int(main.max()) + 1
    observed = np.bincount(main, weights=w.inside, minlength=products)
    expected = np.bincount(main, weights=w.chance, minlength=products)
    top = int(np.argmax(observed - expected))
    rest_o, rest_e = w.observed - observed[top], w.expected - expected[top]
    tail = float(poisson_tails(np.asarray([rest_o]), np.asarray([max(rest_e, 1e-9)]))[0])
    return tail <= s.quota_rest_p_value


def named_buyers(w: Window, support: np.ndarray, s: QuotaSettings) -> np.ndarray:
    """Which buyers just over the quota to name: taking buyers from the least likely to land
    there by themselves (their chance, divided by ``support`` for an employer or a union or
    company card), the longest run in which the number of honest buyers expected just over
    the quota is at most ``quota_false_share`` of those observed there (a step-up rule like
    Benjamini–Hochberg's), and of it those just over."""
    order = np.argsort(w.chance / support, kind="stable")
    # Honest buyers expected just over, among the first k: every buyer not there is honest
    # and stands for 1 / (1 − chance) honest buyers like it, of whom the share chance land
    # there (Horvitz–Thompson), so pushed buyers do not count themselves as honest.
    c = np.minimum(w.chance[order], 0.95)
    expected = np.cumsum(np.where(w.inside[order], 0.0, c / (1.0 - c)))
    observed = np.cumsum(w.inside[order])
    ok = np.flatnonzero((observed > 0) & (expected <= s.quota_false_share * observed))
    named = np.zeros(len(w.inside), dtype=bool)
    if len(ok):
        named[order[: ok[-1] + 1]] = True
    named &= w.inside
    return named


def supported_window(
    w: Window, supported: np.ndarray, keep: np.ndarray, s: QuotaSettings
) -> Window | None:
    """The window among the ``supported`` buyers only (forced_purchases passes those who had
    an order delivered in the official's own county, where a county's cadres live), or None
    when they do not land there more often than the session's other buyers. Against
    a small group, the honest buyers who land just over a round sum by chance no longer drown
    a quota. The test is the same Poisson tail; the other buyers stand in for
    `beyond_one_product`: a product whose usual pack comes to a round sum carries its buyers
    over it whoever they are, so the supported must land there more often than the rest
    (binomial tail ≤ ``quota_rest_p_value``)."""
    n = int(supported.sum())
    if n < s.quota_min_excess:
        return None
    inside = w.inside & supported
    observed = int(inside.sum())
    rest = keep & ~supported
    rate = (float((w.inside & rest).sum()) + 1.0) / (float(rest.sum()) + 2.0)
    if float(binom.sf(observed - 1, n, rate)) > s.quota_rest_p_value:
        return None
    chance = np.where(supported, w.chance, 0.0)
    expected = float(chance.sum())
    p = float(poisson_tails(np.asarray([observed]), np.asarray([expected]))[0])
    return Window(w.quota, w.margin, inside, chance, observed, expected, p)
