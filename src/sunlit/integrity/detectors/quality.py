"""quality_complaints — poor produce. Quality complaints per 1,000 orders, for each product
of the session, against the fence of every product in the stream (Tukey, Q3 + 1.5·IQR) and a
Poisson tail against the pooled rate, so that a handful of complaints on a small product is
not mistaken for a pattern."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sunlit.integrity.model import Finding, poisson_tail, severity_of, tukey_fence
from sunlit.integrity.stream import Session, Stream

RULE = "quality_complaints"


@dataclass(frozen=True)
class Settings:
    min_complaints: int = 3
    p_value: float = 0.001
    fence_k: float = 1.5


def _rates(stream: Stream) -> dict[str, tuple[int, int]]:
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
    orders = sum(n for n, _ in rates.values())
    pooled = sum(k for _, k in rates.values()) / max(orders, 1)
    per_thousand = [1000 * k / n for n, k in rates.values() if n >= 20]
    fence = tukey_fence(per_thousand, s.fence_k) if len(per_thousand) >= 4 else 1000 * pooled * 3
    out = []
    for pid in session.products:
        n, k = rates.get(pid, (0, 0))
        if k < s.min_complaints or not n:
            continue
        rate = 1000 * k / n
        others = (sum(kk for _, kk in rates.values()) - k) / max(orders - n, 1)
        p = poisson_tail(k, n * max(others, 1e-4))
        if rate <= fence or p > s.p_value:
            continue
        score = min(1.0, 0.5 + 0.1 * rate / max(1000 * others, 1.0))
        product = stream.products.get(pid)
        name = product.name if product and product.name else pid
        summary = (
            f"{name}: {k} quality complaints on {n} paid orders ({rate:.0f} per 1,000), "
            f"against {1000 * others:.1f} per 1,000 for the other products."
        )
        evidence = {
            "orders": n,
            "quality_complaints": k,
            "per_thousand": round(rate, 1),
            "fence_per_thousand": round(fence, 1),
            "others_per_thousand": round(1000 * others, 2),
            "p_value": float(f"{p:.3g}"),
        }
        out.append(Finding(RULE, severity_of(score), score, summary, evidence, products=[pid]))
    return out
