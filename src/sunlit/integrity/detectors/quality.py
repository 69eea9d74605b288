"""quality_complaints — poor produce. For each product of the session, its quality complaints
per 1,000 paid orders against the other products of the stream: a Poisson tail against their
pooled rate (shrunk toward a prior worth a few hundred orders, so that other products with no
complaint at all do not make three complaints look extreme), and a fence that the product itself
does not move: Tukey's Q3 + 1.5·IQR of the other products' rates when there are at least four of
them, otherwise a multiple of the reference rate."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sunlit.core.errors import N_
from sunlit.integrity.model import Finding, poisson_tail, tukey_fence
from sunlit.integrity.stream import Session, Stream

RULE = "quality_complaints"


@dataclass(frozen=True)
class Settings:
    min_complaints: int = 3
    p_value: float = 0.001
    fence_k: float = 1.5
    min_ratio: float = 3.0  # the fence when fewer than four other products have a rate
    peer_orders: int = 20  # paid orders a product needs for its rate to count as a peer's
    prior_per_thousand: float = 5.0  # the reference is shrunk toward this rate …
    prior_orders: int = 200  # … with this weight (one complaint)


def _rates(stream: Stream) -> dict[str, tuple[int, int]]:
    """Paid orders and quality complaints per product, over the whole stream."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for o in stream.orders.values():
        if o.paid is None:
            continue
        c = counts[o.product]
        c[0] += 1
        c[1] += o.complaints.count("quality")
    return {p: (n, k) for p, (n, k) in counts.items()}


def detect(stream: Stream, session: Session, s: Settings) -> list[Finding]:
    rates = _rates(stream)
    if not rates:
        return []
    all_orders = sum(n for n, _ in rates.values())
    all_complaints = sum(k for _, k in rates.values())
    out = []
    for pid in session.products:
        n, k = rates.get(pid, (0, 0))
        if k < s.min_complaints or not n:
            continue
        others_n, others_k = all_orders - n, all_complaints - k
        prior_k = s.prior_per_thousand / 1000 * s.prior_orders
        reference = (others_k + prior_k) / (others_n + s.prior_orders)
        peers = [
            1000 * kk / nn for q, (nn, kk) in rates.items() if q != pid and nn >= s.peer_orders
        ]
        fence = tukey_fence(peers, s.fence_k)
        if math.isinf(fence):
            fence = s.min_ratio * 1000 * reference
        rate = 1000 * k / n
        p = poisson_tail(k, n * reference)
        if rate <= fence or p > s.p_value:
            continue
        score = min(1.0, 0.5 + 0.1 * rate / (1000 * reference))
        product = stream.products.get(pid)
        name = product.name if product and product.name else pid
        evidence = {
            "orders": n,
            "quality_complaints": k,
            "per_thousand": round(rate, 1),
            "fence_per_thousand": round(fence, 1),
            "others_per_thousand": round(1000 * reference, 2),
            "peer_products": len(peers),
            "p_value": float(f"{p:.3g}"),
        }
        summary = SUMMARY % summary_params(evidence, name)
        out.append(Finding.scored(RULE, score, summary, evidence, products=[pid]))
    return out


#: The finding's summary (pages translate it, filled from the evidence).
SUMMARY = N_(
    "%(product)s: %(complaints)s quality complaints on %(orders)s paid orders (%(rate)s per "
    "1,000), against %(others)s per 1,000 for the other products."
)


def summary_params(evidence: Mapping[str, Any], product: str) -> dict[str, object]:
    return {
        "product": product,
        "complaints": evidence["quality_complaints"],
        "orders": evidence["orders"],
        "rate": f"{evidence['per_thousand']:.0f}",
        "others": f"{evidence['others_per_thousand']:.1f}",
    }
