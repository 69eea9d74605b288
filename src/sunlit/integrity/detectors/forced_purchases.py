"""forced_purchases — quotas on cadres (摊派, "at least 50 yuan each").

Three signals. Per-organisation excess: an employer whose members bought far more often than the
session's other viewers (a Poisson tail against the session's own conversion). Bunching: orders
whose quantity was just enough to pass a round amount, against how often the session's buyers
choose that quantity elsewhere (prices are few and fixed, so the neighbouring amounts are no
counterfactual); the bunched orders paid with union or corporate cards or by accounts of
a verified employer are named. Quota totals: buyers whose session total (summed over their
orders and products) came to just over a round amount with just enough items, against how many
would get there if each order's quantity were drawn from the stream's usual quantities at that
price; it needs no employer, card, account age or timing, and uses the employer and the card
only to weigh who is named (issue 19)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from math import ceil
from statistics import median_low
from typing import Any

import numpy as np
from scipy.stats import binom

from sunlit.core.errors import N_
from sunlit.integrity.detectors.local_buyers import CARDS, home_of, local_findings
from sunlit.integrity.detectors.quota_baskets import (
    Window,
    baskets,
    beyond_one_product,
    named_buyers,
    supported_window,
    windows,
)
from sunlit.integrity.model import Finding, poisson_tail
from sunlit.integrity.stream import Session, Stream

RULE = "forced_purchases"
THRESHOLDS = (2_000, 3_000, 5_000, 8_800, 10_000, 20_000)  # fen: round amounts quotas use
#: fen: the round amounts a quota on each buyer's total is tested at (issue 19).
QUOTAS = (2_000, 3_000, 5_000, 10_000, 15_000, 20_000, 30_000, 50_000, 100_000)


@dataclass(frozen=True)
class Settings:
    min_buyers: int = 5
    conversion_ratio: float = 4.0  # times the session's conversion
    p_value: float = 1e-6
    bunching_window: float = 1.15  # [T, 1.15·T)
    bunching_ratio: float = 2.5  # mass in the window over the smoothed counterfactual
    bunching_min_orders: int = 20
    support_p_value: float = 1e-3  # the bunch's employers and cards against the room's share
    #: a total in [Q, Q + min(cheapest unit, margin·Q)) is "just over"; each margin is tried
    quota_margins: tuple[float, ...] = (0.1, 0.2, 0.4)
    quota_p_value: float = 1e-5
    quota_ratio: float = 2.5  # buyers just over Q over the number expected
    quota_min_excess: int = 8  # buyers above the number expected
    quota_rest_p_value: float = 1e-3  # the excess without its main product
    quota_false_share: float = 0.1  # honest buyers expected among those named
    quota_support: float = 3.0  # odds for an employer on file, and for a union or company card
    quota_replicates: int = 100  # quantity draws per order for the number expected
    quota_prior_orders: float = 20.0  # weight, in orders, of the broader share of a quantity
    #: buyers delivering in the official's own county: the share expected before the stream's
    #: other sessions are read, and its weight in buyers
    local_prior_share: float = 0.05
    local_prior_buyers: float = 100.0
    local_p_value: float = 1e-6
    local_ratio: float = 3.0


def detect(stream: Stream, session: Session, s: Settings) -> list[Finding]:
    findings = _organisations(stream, session, s)
    named = {o for f in findings for o in f.orders}
    bunched = _bunching(stream, session, s, named)
    taken = {a for f in findings + bunched for a in f.accounts}
    totals = _quota_totals(stream, session, s, taken)
    taken |= {a for f in totals for a in f.accounts}
    return findings + bunched + totals + local_findings(stream, session, s, QUOTAS, taken)


def _org(stream: Stream, account: str | None) -> str | None:
    a = stream.accounts.get(account) if account else None
    return a.org if a else None


def _organisations(stream: Stream, session: Session, s: Settings) -> list[Finding]:
    viewers = {who for _, who, *_ in session.joins}
    buyers = {o.account for o in session.orders if o.account}
    exposed = viewers | buyers
    plain = [a for a in exposed if not _org(stream, a)]
    if not plain:
        return []
    base = max(sum(a in buyers for a in plain) / len(plain), 1e-4)
    members: dict[str, set[str]] = defaultdict(set)
    for a in exposed:
        org = _org(stream, a)
        if org:
            members[org].add(str(a))
    reports = [r for r in session.reports if r[1] == "forced_purchase"]
    out = []
    for org, group in members.items():
        bought = {a for a in group if a in buyers}
        expected = len(group) * base
        if len(bought) < s.min_buyers or len(bought) < s.conversion_ratio * expected:
            continue
        p = poisson_tail(len(bought), expected)
        if p > s.p_value:
            continue
        orders = [o for o in session.orders if o.account in bought]
        cards = sum(o.payment in ("union_card", "corporate") for o in orders)
        hashes = Counter(o.address for o in orders if o.address)
        bought_elsewhere = {
            o.account
            for o in stream.orders.values()
            if o.account in bought and o.session != session.id
        }
        first_time = len(bought - bought_elsewhere)
        score = min(
            1.0,
            0.6
            + 0.1 * min(len(bought) / max(expected, 1) / 10, 2)
            + 0.1 * bool(reports)
            + 0.1 * (cards / len(orders)),
        )
        evidence = {
            "organisation": org,
            "buyers": len(bought),
            "members_present": len(group),
            "conversion": round(len(bought) / len(group), 3),
            "session_conversion": round(base, 4),
            "p_value": float(f"{p:.3g}"),
            "union_or_corporate_cards": cards,
            "most_orders_at_one_address": max(hashes.values(), default=0),
            "first_time_buyers": first_time,
            "amounts_at_or_above_50_yuan": sum(o.amount >= 5000 for o in orders),
            "forced_purchase_reports": len(reports),
        }
        summary = QUOTA % quota_params(evidence)
        out.append(
            Finding.scored(
                RULE,
                score,
                summary,
                evidence,
                accounts=sorted(bought),
                orders=sorted(o.id for o in orders),
            )
        )
    return out


def _bunching(stream: Stream, session: Session, s: Settings, named: set[str]) -> list[Finding]:
    """Orders whose quantity was just enough to reach a round amount, against how often the
    session's buyers pick that quantity elsewhere. A single item priced just above the amount
    says nothing (every buyer of it pays that), so only orders of two or more count."""
    orders = session.orders
    price = {
        p: median_low([o.unit_price for o in orders if o.product == p])
        for p in session.products
        if any(o.product == p for o in orders)
    }
    out = []
    for t in THRESHOLDS:
        hi = t * s.bunching_window
        inside = [
            o for o in orders if o.qty >= 2 and t <= o.amount < hi and o.amount - o.unit_price < t
        ]
        if len(inside) < s.bunching_min_orders:
            continue
        crossing = {o.id for o in inside}
        habits = Counter(o.qty for o in orders if o.id not in crossing)
        total = sum(habits.values())
        per_product = Counter(o.product for o in orders)
        expected = 0.0
        for pid, n in per_product.items():
            unit = price.get(pid, 0)
            q = ceil(t / unit) if unit > 0 else 0
            if q >= 2 and q * unit < hi:
                expected += n * habits[q] / max(total, 1)
        if len(inside) < s.bunching_ratio * max(expected, 1.0):
            continue
        suspicious = [
            o
            for o in inside
            if o.id not in named
            and (o.payment in ("union_card", "corporate") or _org(stream, o.account))
        ]
        if len(suspicious) < s.bunching_min_orders // 2:
            continue
        # The support must be over-represented in the bunch: an honest room has its share of
        # employers on file and union cards, and a product bought two at a time (issue 19).
        backed = sum(
            o.payment in ("union_card", "corporate") or bool(_org(stream, o.account))
            for o in orders
        )
        if binom.sf(len(suspicious) - 1, len(inside), backed / len(orders)) > s.support_p_value:
            continue
        score = min(1.0, 0.5 + 0.05 * len(inside) / max(expected, 1.0))
        evidence = {
            "threshold_fen": t,
            "orders_in_window": len(inside),
            "expected_from_quantities": round(expected, 1),
            "named_orders": len(suspicious),
        }
        summary = BUNCHING % bunching_params(evidence)
        out.append(
            Finding.scored(
                RULE,
                score,
                summary,
                evidence,
                accounts=sorted({str(o.account) for o in suspicious if o.account}),
                orders=sorted(o.id for o in suspicious),
            )
        )
    return out


def _quota_totals(stream: Stream, session: Session, s: Settings, taken: set[str]) -> list[Finding]:
    """Buyers whose session total came to just over a round amount Q with just enough items:
    in [Q, Q + min(their cheapest unit price, margin·Q)), so one item fewer would have left
    them under Q, tried with narrow and wide margins (a quota met with 100.8 for 100, or with a
    dear item); of the windows that pass, the one with the fewest honest buyers expected per
    buyer observed names. The number expected is the sum over the buyers of the chance that
    their own orders land there with the usual quantities (`windows`); a Poisson tail tests
    the count against it (p ≤ ``quota_p_value``, ``quota_ratio`` × and ``quota_min_excess``
    above it), and the excess must hold without its main product (`beyond_one_product`).
    Honest buyers land there too (one box at ¥52, four at ¥25): those named are picked by
    `named_buyers`, where an employer on file or a union or company card is supporting evidence,
    never required. Nothing here reads
    account age, payment by wallet or when the orders came."""
    b = baskets(session, s)
    if b is None:
        return []
    pool_orders = [
        (o.qty, o.unit_price)
        for o in stream.orders.values()
        if o.cancelled is None and o.qty > 0 and o.unit_price > 0
    ]
    pooled = np.asarray(pool_orders, dtype=np.float64)
    pool = (pooled[:, 0], pooled[:, 1], np.unique(pooled[:, 0]))
    n = len(b.buyers)
    inverse = np.repeat(np.arange(n), np.diff(np.append(b.starts, len(b.orders))))
    several = np.diff(np.append(b.starts, len(b.orders))) > 1
    org = np.asarray([bool(_org(stream, str(a))) for a in b.buyers.tolist()])
    card = np.zeros(n, dtype=bool)
    card[inverse[np.asarray([o.payment in CARDS for o in b.orders], dtype=bool)]] = True
    local = np.zeros(n, dtype=bool)
    home = home_of(session)
    if home is not None:
        at_home = np.asarray([(o.region or "")[:6] == home for o in b.orders], dtype=bool)
        local[inverse[at_home]] = True
    fresh = np.asarray([a not in taken for a in b.buyers.tolist()])
    reports = sum(r[1] == "forced_purchase" for r in session.reports)
    out = []
    for quota in QUOTAS:
        found, homes = [], []
        for w in windows(b, pool, quota, fresh, s):
            if _passes(w, s) and beyond_one_product(w, b.main, s):
                found.append(w)
            sub = supported_window(w, local & fresh, fresh, s)
            if sub is not None and _passes(sub, s):
                homes.append(sub)
        # The buyers delivering in the official's county are tested apart only when the
        # whole room shows no quota: apart, they are fewer, and a quota on them stands out.
        found = found or homes
        if not found:
            continue
        # The purest window names: the fewest honest buyers expected per buyer there.
        w = min(found, key=lambda w: (w.expected / w.observed, w.p))
        named = named_buyers(w, s.quota_support ** (org.astype(np.float64) + card + local), s)
        if not named.any():
            continue
        fresh &= ~named
        who = set(b.buyers[named].tolist())
        orders = [o for o in b.orders if o.account in who]
        ratio = w.observed / max(w.expected, 1e-9)
        backed = float((org | card | local)[named].mean())
        score = min(1.0, 0.55 + 0.05 * min(ratio, 6.0) + 0.1 * backed + 0.05 * bool(reports))
        evidence = {
            "quota_fen": quota,
            "buyers_in_session": n,
            "buyers_just_over": w.observed,
            "expected_just_over": round(w.expected, 1),
            "p_value": float(f"{w.p:.3g}"),
            "named_buyers": len(who),
            "with_employer": int((org & named).sum()),
            "union_or_corporate_cards": int((card & named).sum()),
            "delivered_in_officials_county": int((local & named).sum()),
            "in_several_orders": int((several & named).sum()),
            "forced_purchase_reports": reports,
        }
        summary = QUOTA_TOTALS % quota_totals_params(evidence)
        out.append(
            Finding.scored(
                RULE,
                score,
                summary,
                evidence,
                accounts=sorted(who),
                orders=sorted(o.id for o in orders),
            )
        )
    return out


def _passes(w: Window, s: Settings) -> bool:
    return (
        w.p <= s.quota_p_value
        and w.observed >= s.quota_ratio * w.expected
        and w.observed - w.expected >= s.quota_min_excess
    )


#: The findings' summaries (pages translate them, filled from the evidence).
QUOTA = N_(
    "%(buyers)s of %(members)s people from %(organisation)s bought (%(conversion)s, against "
    "%(others)s of other viewers): the pattern of a purchase quota."
)
BUNCHING = N_(
    "%(orders)s orders came to just over %(yuan)s yuan, with just enough items to get there, "
    "%(ratio)s× what the buyers' usual quantities predict: amounts bunched at a quota."
)
QUOTA_TOTALS = N_(
    "%(buyers)s buyers' totals came to just over %(yuan)s yuan, with just enough items to get "
    "there, against %(expected)s that the session's usual quantities predict: amounts bunched "
    "at a quota."
)


def quota_params(evidence: Mapping[str, Any]) -> dict[str, object]:
    return {
        "buyers": evidence["buyers"],
        "members": evidence["members_present"],
        "organisation": evidence["organisation"],
        "conversion": f"{evidence['conversion']:.0%}",
        "others": f"{evidence['session_conversion']:.1%}",
    }


def bunching_params(evidence: Mapping[str, Any]) -> dict[str, object]:
    inside, expected = evidence["orders_in_window"], evidence["expected_from_quantities"]
    return {
        "orders": inside,
        "yuan": evidence["threshold_fen"] // 100,
        "ratio": f"{inside / max(expected, 1):.1f}",
    }


def quota_totals_params(evidence: Mapping[str, Any]) -> dict[str, object]:
    return {
        "buyers": evidence["buyers_just_over"],
        "yuan": evidence["quota_fen"] // 100,
        "expected": f"{evidence['expected_just_over']:.1f}",
    }
