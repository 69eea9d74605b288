"""price_gouging and below_cost — the product's price against its reference band and its
declared cost, at every price it had during the session.

Gouging: a price above the band's top whose log ratio to the band's middle is a robust outlier
among the session's products (z-score over the median absolute deviation, floored at the
band's own half-width). Below cost: a price under the declared cost, unless the filing gives a
clearance reason for fresh produce (滞销, 清仓)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from sunlit.integrity.model import Finding, robust_z
from sunlit.integrity.stream import Product, Session, Stream

FRESH = frozenset({"fruit", "vegetable", "aquatic", "livestock"})
CLEARANCE = re.compile(r"滞销|清仓|临期|clearance|unsalable", re.IGNORECASE)


@dataclass(frozen=True)
class Settings:
    min_z: float = 1.0  # robust z of the log price ratio, above the band's top
    tolerance: float = 0.0  # share above the band's top that is let pass


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
        if price <= p.high * (1 + s.tolerance) or zi < s.min_z:
            continue
        over = price / p.high - 1
        score = min(1.0, 0.5 + over + 0.05 * zi)
        changed = len(p.changes) > 0
        summary = (
            f"{p.name or p.id} sold at {price / 100:.2f} yuan, {over:.0%} above the top of its "
            f"reference band ({p.low / 100:.2f}–{p.high / 100:.2f})"
            + (", after a price change during the session." if changed else ".")
        )
        evidence = {
            "price": int(price),
            "reference_low": p.low,
            "reference_high": p.high,
            "above_band": round(over, 3),
            "robust_z": round(zi, 2),
            "price_changes": len(p.changes),
        }
        out.append(Finding.scored("price_gouging", score, summary, evidence, products=[p.id]))
    return out


def detect_below_cost(stream: Stream, session: Session, s: Settings) -> list[Finding]:
    purpose = str((session.filed or {}).get("purpose") or "")
    clearance = bool(CLEARANCE.search(purpose))
    out = []
    for p in _products(stream, session):
        prices = _prices(p, session)
        if p.cost is None or not prices or min(prices) >= p.cost:
            continue
        if clearance and p.category in FRESH:
            continue
        lowest = min(prices)
        loss = 1 - lowest / p.cost
        score = min(1.0, 0.5 + 2 * loss)
        summary = (
            f"{p.name or p.id} sold at {lowest / 100:.2f} yuan, {loss:.0%} below its declared "
            f"cost of {p.cost / 100:.2f}, with no clearance reason in the filing."
        )
        evidence = {
            "price": lowest,
            "declared_cost": p.cost,
            "below_cost": round(loss, 3),
            "category": p.category,
            "clearance_reason": clearance,
        }
        out.append(Finding.scored("below_cost", score, summary, evidence, products=[p.id]))
    return out
