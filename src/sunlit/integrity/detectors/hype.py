"""hype_gap — a published claim above the verified figure by more than the tolerance.

The verified figures are those of docs/integrity.md: paid orders, minus cancelled and refunded
ones, minus the orders the other detectors name (for the batch analysis) or a supervisor
confirmed (for published figures)."""

from __future__ import annotations

from dataclasses import dataclass

from sunlit.integrity.model import Finding
from sunlit.integrity.stream import Order, Session, Stream

RULE = "hype_gap"


@dataclass(frozen=True)
class Settings:
    tolerance: float = 0.10


@dataclass(frozen=True)
class Verified:
    gmv: int
    orders: int
    viewers: int
    gross_gmv: int
    cancelled_or_refunded: int
    flagged_orders: int
    delivered: int  # of the verified orders
    complaints: int  # on the verified orders


def verified_figures(
    session: Session, flagged_orders: set[str], flagged_viewers: set[str]
) -> Verified:
    paid: list[Order] = [o for o in session.orders if o.paid is not None]
    kept = [o for o in paid if not o.gone and o.id not in flagged_orders]
    viewers = {who for _, who, *_ in session.joins} - flagged_viewers
    return Verified(
        gmv=sum(o.amount for o in kept),
        orders=len(kept),
        viewers=len(viewers),
        gross_gmv=sum(o.amount for o in paid),
        cancelled_or_refunded=sum(o.gone for o in paid),
        flagged_orders=sum(o.id in flagged_orders for o in paid if not o.gone),
        delivered=sum(o.delivered is not None for o in kept),
        complaints=sum(len(o.complaints) for o in kept),
    )


def detect(
    stream: Stream,
    session: Session,
    s: Settings,
    flagged_orders: set[str],
    flagged_viewers: set[str],
) -> list[Finding]:
    if not session.claims:
        return []
    v = verified_figures(session, flagged_orders, flagged_viewers)
    out = []
    for _, claim in session.claims:
        gaps = {}
        for key, truth in (("gmv", v.gmv), ("orders", v.orders), ("viewers", v.viewers)):
            said = claim.get(key)
            if isinstance(said, int) and said > truth * (1 + s.tolerance):
                gaps[key] = round(said / truth - 1, 3) if truth else None
        if not gaps:
            continue
        worst = max((g for g in gaps.values() if g is not None), default=1.0)
        score = min(1.0, 0.5 + worst)
        parts = ", ".join(
            f"{k} {'+' + format(g, '.0%') if g is not None else '(none verified)'}"
            for k, g in gaps.items()
        )
        summary = (
            f"{claim.get('source') or 'A published claim'} announced figures above the "
            f"verified ones: {parts}."
        )
        evidence = {
            "claim": {k: claim.get(k) for k in ("source", "gmv", "orders", "viewers")},
            "verified": {"gmv": v.gmv, "orders": v.orders, "viewers": v.viewers},
            "gross_gmv": v.gross_gmv,
            "cancelled_or_refunded_orders": v.cancelled_or_refunded,
            "flagged_orders": v.flagged_orders,
            "gaps": gaps,
        }
        out.append(Finding.scored(RULE, score, summary, evidence))
    return out
