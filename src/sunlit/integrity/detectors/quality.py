"""quality_complaints — poor produce. For each product of the session, its quality complaints
per 1,000 paid orders against the other products of the stream: a Poisson tail against their
pooled rate (shrunk toward a prior worth a few hundred orders, so that other products with no
complaint at all do not make three complaints look extreme), and a fence that the product itself
does not move: Tukey's Q3 + 1.5·IQR of the other products' rates when there are at least four of
them, otherwise a multiple of the reference rate.

A product is pooled over every session of the stream that sold it — also when a later session
listed it again under a new id (same name, same producer) — so that complaints spread thinly
over several evenings, each too few to say anything, add up. Complaints are counted once per
order: a buyer who files a quality complaint and then an after-sales request about the same
order (after-sales writes its own ``complaint.filed``) is one order with a quality problem."""

from __future__ import annotations

import math
import unicodedata
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


def identity(stream: Stream, pid: str) -> str:
    """What a product is, whatever id it was listed under: its producer and name when both are
    known (blanks and case aside), else its id."""
    product = stream.products.get(pid)
    if product is None or not product.name.strip() or not product.producer.strip():
        return f"id:{pid}"
    name = "".join(unicodedata.normalize("NFKC", product.name).lower().split())
    producer = "".join(unicodedata.normalize("NFKC", product.producer).lower().split())
    return f"{producer}\x1f{name}"


def _rates(stream: Stream) -> dict[str, tuple[int, int]]:
    """Paid orders and orders with a quality complaint per product (`identity`), over the
    whole stream."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    known: dict[str, str] = {}
    for o in stream.orders.values():
        if o.paid is None:
            continue
        key = known.get(o.product)
        if key is None:
            key = known[o.product] = identity(stream, o.product)
        c = counts[key]
        c[0] += 1
        c[1] += "quality" in o.complaints
    return {p: (n, k) for p, (n, k) in counts.items()}


def detect(stream: Stream, session: Session, s: Settings) -> list[Finding]:
    rates = _rates(stream)
    if not rates:
        return []
    all_orders = sum(n for n, _ in rates.values())
    all_complaints = sum(k for _, k in rates.values())
    listed: dict[str, list[str]] = defaultdict(list)  # the session's ids of each product
    for pid in session.products:
        listed[identity(stream, pid)].append(pid)
    out = []
    for key, pids in listed.items():
        pid = pids[0]
        n, k = rates.get(key, (0, 0))
        if k < s.min_complaints or not n:
            continue
        others_n, others_k = all_orders - n, all_complaints - k
        prior_k = s.prior_per_thousand / 1000 * s.prior_orders
        reference = (others_k + prior_k) / (others_n + s.prior_orders)
        peers = [
            1000 * kk / nn for q, (nn, kk) in rates.items() if q != key and nn >= s.peer_orders
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
        out.append(Finding.scored(RULE, score, summary, evidence, products=sorted(pids)))
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
