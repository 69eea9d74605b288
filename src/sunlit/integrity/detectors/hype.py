"""hype_gap — a published claim above the verified figure by more than the tolerance.

The verified figures are those of docs/integrity.md: paid orders, minus cancelled and refunded
ones, minus the orders the other detectors name (for the batch analysis) or a supervisor
confirmed (for published figures)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from statistics import median
from typing import Any, TypeGuard

from sunlit.core.errors import N_
from sunlit.integrity.model import Finding
from sunlit.integrity.stream import Order, Session, Stream

RULE = "hype_gap"
#: How far above the verified figure an announced one may be before it is named (0.10: 10%).
TOLERANCE = 0.10
#: The figures a claim may announce, each set against the verified one of the same name
#: (``units`` is Sunlit's own addition to the contract's claim: imported claims lack it).
CLAIMED = ("gmv", "orders", "units", "viewers")


@dataclass(frozen=True)
class Settings:
    tolerance: float = TOLERANCE


@dataclass(frozen=True)
class Verified:
    gmv: int
    orders: int
    viewers: int
    units: int  # of the verified orders
    gross_gmv: int
    cancelled_or_refunded: int
    flagged_orders: int
    delivered: int  # of the verified orders
    #: Paid orders not named in a finding, refunded or not: what the after-sales rates count
    #: on (an order refunded after a complaint still had its complaint).
    after_sale: int
    complaints: int  # on those orders
    refunded_orders: int  # of those orders: with any refund
    median_delivery_hours: float | None  # paid to delivered, of those delivered


def verified_figures(
    session: Session, flagged_orders: set[str], flagged_viewers: set[str]
) -> Verified:
    paid: list[Order] = [o for o in session.orders if o.paid is not None]
    kept = [o for o in paid if not o.gone and o.id not in flagged_orders]
    viewers = {who for _, who, *_ in session.joins} - flagged_viewers
    counted = [o for o in paid if o.id not in flagged_orders]
    hours = sorted(
        (o.delivered - o.paid) / 3_600_000
        for o in counted
        if o.delivered is not None and o.paid is not None
    )
    return Verified(
        gmv=sum(o.amount for o in kept),
        orders=len(kept),
        viewers=len(viewers),
        units=sum(o.qty for o in kept),
        gross_gmv=sum(o.amount for o in paid),
        cancelled_or_refunded=sum(o.gone for o in paid),
        flagged_orders=sum(o.id in flagged_orders for o in paid if not o.gone),
        delivered=sum(o.delivered is not None for o in kept),
        after_sale=len(counted),
        complaints=sum(len(o.complaints) for o in counted),
        refunded_orders=sum(o.refunded is not None for o in counted),
        median_delivery_hours=round(median(hours), 1) if hours else None,
    )


def gap(announced: int, verified: int) -> float | None:
    """How far an announced figure is from the verified one, as a fraction (announced ÷
    verified − 1, to three places: 0.25 is 25% above); None when nothing was verified."""
    return round(announced / verified - 1, 3) if verified else None


def above(announced: int, verified: int, tolerance: float = TOLERANCE) -> bool:
    """Whether an announced figure is above the verified one by more than the tolerance."""
    return announced > verified * (1 + tolerance)


def claim_gaps(
    claim: Mapping[str, Any], verified: Mapping[str, Any], tolerance: float = TOLERANCE
) -> dict[str, float | None]:
    """The claim's figures that are above their verified ones by more than the tolerance, each
    with its :func:`gap`. A figure the claim does not give, or that has no verified
    counterpart, is not compared."""
    out: dict[str, float | None] = {}
    for key in CLAIMED:
        said, truth = claim.get(key), verified.get(key)
        if _whole(said) and _whole(truth) and above(said, truth, tolerance):
            out[key] = gap(said, truth)
    return out


def _whole(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


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
    truth = {"gmv": v.gmv, "orders": v.orders, "units": v.units, "viewers": v.viewers}
    out = []
    for _, claim in session.claims:
        gaps = claim_gaps(claim, truth, s.tolerance)
        if not gaps:
            continue
        worst = max((g for g in gaps.values() if g is not None), default=1.0)
        score = min(1.0, 0.5 + worst)
        evidence = {
            "claim": {k: claim.get(k) for k in ("source", *CLAIMED)},
            "verified": truth,
            "gross_gmv": v.gross_gmv,
            "cancelled_or_refunded_orders": v.cancelled_or_refunded,
            "flagged_orders": v.flagged_orders,
            "gaps": gaps,
        }
        message, params = summary_of(evidence)
        summary = message % params
        out.append(Finding.scored(RULE, score, summary, evidence))
    return out


#: The finding's summary (pages translate it, filled from the evidence).
SUMMARY = N_("%(source)s announced figures above the verified ones: %(gaps)s.")
NO_SOURCE = N_("A published claim")
NONE_VERIFIED = N_("%(figure)s (none verified)")
ABOVE = N_("%(figure)s +%(gap)s")
#: The figures' names in the summary.
FIGURE_NAMES = {
    "gmv": N_("gmv"),
    "orders": N_("orders"),
    "units": N_("units"),
    "viewers": N_("viewers"),
}


def _same(text: str) -> str:
    return text


def summary_of(
    evidence: Mapping[str, Any], tr: Callable[[str], str] = _same
) -> tuple[str, dict[str, object]]:
    """The summary and its parameters; ``tr`` translates the parts (English by default)."""
    parts = []
    for key, g in evidence["gaps"].items():
        figure = tr(FIGURE_NAMES.get(key, key))
        if g is None:
            parts.append(tr(NONE_VERIFIED) % {"figure": figure})
        else:
            parts.append(tr(ABOVE) % {"figure": figure, "gap": f"{g:.0%}"})
    source = evidence["claim"].get("source") or tr(NO_SOURCE)
    # TRANSLATORS: what separates the items of a list inside a sentence ("a, b, c").
    return SUMMARY, {"source": source, "gaps": tr(N_(", ")).join(parts)}
