"""forced_purchases — quotas on cadres (摊派, "at least 50 yuan each").

Two signals. Per-organisation excess: an employer whose members bought far more often than the
session's other viewers (a Poisson tail against the session's own conversion). Bunching: orders
whose quantity was just enough to pass a round amount, against how often the session's buyers
choose that quantity elsewhere (prices are few and fixed, so the neighbouring amounts are no
counterfactual); the bunched orders paid with union or corporate cards or by accounts of
a verified employer are named."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from math import ceil
from statistics import median_low
from typing import Any

from sunlit.core.errors import N_
from sunlit.integrity.model import Finding, poisson_tail
from sunlit.integrity.stream import Session, Stream

RULE = "forced_purchases"
THRESHOLDS = (2_000, 3_000, 5_000, 8_800, 10_000, 20_000)  # fen: round amounts quotas use


@dataclass(frozen=True)
class Settings:
    min_buyers: int = 5
    conversion_ratio: float = 4.0  # times the session's conversion
    p_value: float = 1e-6
    bunching_window: float = 1.15  # [T, 1.15·T)
    bunching_ratio: float = 2.5  # mass in the window over the smoothed counterfactual
    bunching_min_orders: int = 20


def detect(stream: Stream, session: Session, s: Settings) -> list[Finding]:
    findings = _organisations(stream, session, s)
    named = {o for f in findings for o in f.orders}
    bunched = _bunching(stream, session, s, named)
    return findings + bunched


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


#: The findings' summaries (pages translate them, filled from the evidence).
QUOTA = N_(
    "%(buyers)s of %(members)s people from %(organisation)s bought (%(conversion)s, against "
    "%(others)s of other viewers): the pattern of a purchase quota."
)
BUNCHING = N_(
    "%(orders)s orders came to just over %(yuan)s yuan, with just enough items to get there, "
    "%(ratio)s× what the buyers' usual quantities predict: amounts bunched at a quota."
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
