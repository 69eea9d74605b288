"""price_gouging and below_cost — the product's price against its reference band and its
declared cost, at every price it had during the session.

Gouging: a price above the band's top whose log ratio to the band's middle is a robust outlier
among the session's products (z-score over the median absolute deviation, floored at the
band's own half-width), or more than 5% above the top whatever the other products cost.
Below cost: a price under the declared cost that the producer did not clear. A clearance is the
producer's own, given with the price change (`clearance` on `product.price_changed`: perishable,
season_end, overstock), and counts for fresh produce only. Nothing the official wrote counts:
nearly every filing's purpose says 助销滞销, so those words would clear every session (issue 19)."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from sunlit.core.errors import N_
from sunlit.integrity.model import Finding, robust_z
from sunlit.integrity.stream import Product, Session, Stream

FRESH = frozenset({"fruit", "vegetable", "aquatic", "livestock"})
#: The producer's reasons for selling below cost (docs/events.md, `product.price_changed`).
CLEARANCES = frozenset({"perishable", "season_end", "overstock"})
#: Words of unsold stock in a filing's purpose: shown to the supervisor, never a clearance.
CLEARANCE_WORDS = re.compile(r"滞销|清仓|临期|clearance|unsalable", re.IGNORECASE)


@dataclass(frozen=True)
class Settings:
    min_z: float = 1.0  # robust z of the log price ratio, above the band's top
    tolerance: float = 0.0  # share above the band's top that is let pass
    # Above the band's top by more than this is a finding whatever the session's other products
    # cost (a room of three products has no spread to measure an outlier against); below it, a
    # price above the top must also be an outlier among them (a band a little out of date).
    margin: float = 0.05


def _prices(p: Product, session: Session) -> list[int]:
    end = session.ended if session.ended is not None else math.inf
    out = [] if p.price is None else [p.price]
    out += [price for ts, price in p.changes if ts <= end]
    return out


def _products(stream: Stream, session: Session) -> list[Product]:
    return [stream.products[p] for p in session.products if p in stream.products]


def detect_gouging(stream: Stream, session: Session, s: Settings) -> list[Finding]:
    banded = [p for p in _products(stream, session) if p.low and p.high and _prices(p, session)]
    if not banded:
        return []
    highest = np.asarray([max(_prices(p, session)) for p in banded], dtype=np.float64)
    mid = np.asarray([(p.low + p.high) / 2 for p in banded], dtype=np.float64)  # type: ignore[operator]
    ratio = np.log(highest / mid)
    floor = float(np.median([math.log(p.high / ((p.low + p.high) / 2)) for p in banded]))  # type: ignore[operator]
    z = robust_z(ratio, max(floor, 0.05))
    out = []
    for p, price, zi in zip(banded, highest.tolist(), z.tolist(), strict=True):
        assert p.high is not None and p.low is not None
        if price <= p.high * (1 + s.tolerance):
            continue
        if zi < s.min_z and price <= p.high * (1 + s.margin):
            continue
        over = price / p.high - 1
        score = min(1.0, 0.5 + over + 0.05 * zi)
        evidence = {
            "price": int(price),
            "reference_low": p.low,
            "reference_high": p.high,
            "above_band": round(over, 3),
            "robust_z": round(zi, 2),
            "price_changes": len(p.changes),
        }
        message, params = gouging_summary(evidence, p.name or p.id)
        summary = message % params
        out.append(Finding.scored("price_gouging", score, summary, evidence, products=[p.id]))
    return out


def _uncleared(p: Product, session: Session) -> list[int]:
    """The prices under declared cost the producer did not clear. A producer's clearance (on a
    price change up to the session's end, for fresh produce) clears every price at or above
    the one it came with: the producer agreed to sell that low. A listing carries no clearance."""
    assert p.cost is not None
    end = session.ended if session.ended is not None else math.inf
    cleared = [
        price
        for ts, price, reason in p.clearances
        if p.category in FRESH and reason.lower() in CLEARANCES and ts <= end
    ]
    floor = min(cleared, default=math.inf)
    return [price for price in _prices(p, session) if price < p.cost and price < floor]


def detect_below_cost(stream: Stream, session: Session, s: Settings) -> list[Finding]:
    purpose = str((session.filed or {}).get("purpose") or "")
    words = bool(CLEARANCE_WORDS.search(purpose))
    out = []
    for p in _products(stream, session):
        if p.cost is None:
            continue
        uncleared = _uncleared(p, session)
        if not uncleared:
            continue
        lowest = min(uncleared)
        loss = 1 - lowest / p.cost
        score = min(1.0, 0.5 + 2 * loss)
        evidence = {
            "price": lowest,
            "declared_cost": p.cost,
            "below_cost": round(loss, 3),
            "category": p.category,
            "producer_clearances": len(p.clearances),
            "clearance_words_in_filing": words,
        }
        summary = BELOW_COST % below_cost_params(evidence, p.name or p.id)
        out.append(Finding.scored("below_cost", score, summary, evidence, products=[p.id]))
    return out


#: The findings' summaries (pages translate them, filled from the evidence).
GOUGING = N_(
    "%(product)s sold at %(price)s yuan, %(over)s above the top of its reference band "
    "(%(low)s–%(high)s)."
)
GOUGING_CHANGED = N_(
    "%(product)s sold at %(price)s yuan, %(over)s above the top of its reference band "
    "(%(low)s–%(high)s), after a price change during the session."
)
BELOW_COST = N_(
    "%(product)s sold at %(price)s yuan, %(loss)s below its declared cost of %(cost)s, with no "
    "clearance reason from the producer."
)


def _yuan(fen: int) -> str:
    return f"{fen / 100:.2f}"


def gouging_summary(evidence: Mapping[str, Any], product: str) -> tuple[str, dict[str, object]]:
    return GOUGING_CHANGED if evidence["price_changes"] else GOUGING, {
        "product": product,
        "price": _yuan(evidence["price"]),
        "over": f"{evidence['above_band']:.0%}",
        "low": _yuan(evidence["reference_low"]),
        "high": _yuan(evidence["reference_high"]),
    }


def below_cost_params(evidence: Mapping[str, Any], product: str) -> dict[str, object]:
    return {
        "product": product,
        "price": _yuan(evidence["price"]),
        "loss": f"{evidence['below_cost']:.0%}",
        "cost": _yuan(evidence["declared_cost"]),
    }
