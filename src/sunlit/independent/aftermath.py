"""What is settled once every order is drawn: shares of sales, complaints, published claims.

The figures a claim is checked against are counted here from the honest orders alone (paid,
not cancelled, not refunded) and the honest viewers: the verified figures net of everything an
abuse added, so a claim below them is true whatever the detectors flag, and a claim labelled
``hype_gap`` is more than 10% above them.
"""

from __future__ import annotations

import math

from sunlit.independent.audience import QTY, QTY_P
from sunlit.independent.catalogue import FRESH_CATEGORIES, Product
from sunlit.independent.session import Order, SessionPlan, new_order
from sunlit.independent.shapes import LEVEL, Label, draw
from sunlit.independent.world import DAY, HOUR, World

SOURCES = (
    "县融媒体中心",
    "县政府网站",
    "市日报",
    "县委宣传部微信公众号",
    "农业农村局简报",
    "省电视台新闻",
    "县商务局通报",
)
ENTERPRISE_CAP = 0.4


def enterprise_ids(plan: SessionPlan) -> set[str]:
    return {p.id for p in plan.producers if p.kind == "enterprise"}


def share(plan: SessionPlan, producer: str) -> float:
    total = sum(o.amount for o in plan.orders if o.counts)
    mine = sum(o.amount for o in plan.orders if o.counts and o.product.producer == producer)
    return mine / total if total else 0.0


def extra_order(world: World, plan: SessionPlan, product: Product) -> Order:
    """One more honest order of ``product`` from an honest viewer of the session."""
    viewers = sorted(plan.honest_viewers)
    buyer = world.accounts[viewers[world.between(0, len(viewers) - 1)]]
    at = plan.start + int(world.uniform(0.02, 0.98) * (plan.end - plan.start))
    order = new_order(world, plan, buyer, product, int(world.rng.choice(QTY, p=QTY_P)), at)
    if world.chance(0.2):
        order.stars = int(world.rng.choice([5, 4, 3], p=[0.7, 0.2, 0.1]))
    return order


def rebalance(world: World, plan: SessionPlan) -> None:
    """Bring each enterprise's share of sales to what the session says.

    A favoured enterprise gets its drawn share (above half); any other stays under
    ENTERPRISE_CAP, so that an honest session is never one company's shop by chance."""
    enterprises = enterprise_ids(plan)
    ordinary = [p for p in plan.products if p.producer not in enterprises and not p.flagged]
    for producer in sorted(enterprises):
        target = plan.favoured.get(producer)
        own = [p for p in plan.products if p.producer == producer]
        movable = [o for o in plan.orders if o.honest and o.counts and not o.product.flagged]
        movable = [movable[int(i)] for i in world.rng.permutation(len(movable))]
        if target is not None:
            for order in movable:
                if share(plan, producer) >= target:
                    break
                if order.product.producer not in enterprises:
                    order.product = own[world.between(0, len(own) - 1)]
            while share(plan, producer) < target:
                extra_order(world, plan, own[world.between(0, len(own) - 1)])
        elif ordinary:
            for order in movable:
                if share(plan, producer) <= ENTERPRISE_CAP:
                    break
                if order.product.producer == producer:
                    order.product = ordinary[world.between(0, len(ordinary) - 1)]


def quality_setup(world: World, plan: SessionPlan, camo: str, label: Label) -> None:
    """Pick the poor product and make sure it sells enough for a rate to mean something."""
    kinds = {p.id: p.kind for p in plan.producers}
    options = [p for p in plan.products if kinds[p.producer] != "enterprise" and not p.flagged]
    fresh = [p for p in options if p.category in FRESH_CATEGORIES]
    pool = fresh or options or plan.products
    product = pool[world.between(0, len(pool) - 1)]
    product.flagged = True
    product.weight *= world.uniform(1.5, 3.0)
    label["products"].append(product.id)
    del camo


def quality_finish(world: World, plan: SessionPlan, camo: str, label: Label) -> None:
    """Complaints about the poor product, days after delivery, at a rate set by camouflage."""
    level = LEVEL[camo]
    product = next(p for p in plan.products if p.id == label["products"][0])
    rate = draw(world, camo, ((0.15, 0.3), (0.06, 0.12), (0.035, 0.06)))
    least = (6, 5, 4)[level]
    delivered = [
        o for o in plan.orders if o.product is product and o.honest and o.outcome == "delivered"
    ]
    session_size = sum(1 for o in plan.orders if o.honest and o.outcome == "delivered")
    # enough sales for the drawn rate to mean something, without the product swallowing
    # the session: in a small room the rate comes out higher than drawn
    needed = min(math.ceil(least / rate), max(20, session_size // 2))
    while len(delivered) < needed:
        delivered.append(extra_order(world, plan, product))
    quality = max(least, round(rate * len(delivered)))
    others = round(quality * (0.0, 0.15, 0.35)[level])  # strong: some filed as other kinds
    picked = world.rng.choice(
        len(delivered), size=min(quality + others, len(delivered)), replace=False
    )
    for k, i in enumerate(picked):
        order = delivered[int(i)]
        order.complaint = "quality" if k < quality else world.pick(("packaging", "mismatch"))
        if world.chance(0.5):
            order.outcome = "refunded_after"
        if world.chance(0.4):
            order.stars = world.between(1, 2)
    if level == 0 and world.chance(0.6):
        world.emit(
            plan.end + world.between(3, 9) * DAY,
            "report.filed",
            plan.id,
            None,
            {
                "category": "quality",
                "text": f"直播间买的{product.name}质量很差，很多人收到都是坏的",
            },
        )


def verified(plan: SessionPlan, *, honest_only: bool = True) -> tuple[int, int, int]:
    """GMV, orders and viewers, net of cancellations and refunds.

    ``honest_only`` counts the honest part alone (the floor of any verified figure); without
    it every kept order and every viewer counts, abusers included (its ceiling)."""
    kept = [o for o in plan.orders if o.counts and (o.honest or not honest_only)]
    viewers = plan.honest_viewers if honest_only else plan.watchers
    return sum(o.amount for o in kept), len(kept), len(viewers)


def _claim(world: World, plan: SessionPlan, figures: list[int | None]) -> None:
    world.emit(
        plan.end + int(world.uniform(1, 48) * HOUR),
        "claim.published",
        plan.id,
        None,
        {
            "source": world.pick(SOURCES),
            "gmv": figures[0],
            "orders": figures[1],
            "viewers": figures[2],
        },
    )


def honest_claim(world: World, plan: SessionPlan) -> None:
    """Sometimes a newsroom reports the session: rounded down, never above the truth."""
    if not world.chance(0.45):
        return
    truth = verified(plan)
    figures: list[int | None] = []
    for value in truth:
        if world.chance(0.3) or value == 0:
            figures.append(None)
            continue
        scaled = value * world.uniform(0.85, 1.0)
        digits = max(0, int(math.log10(max(scaled, 1))) - 1)
        figures.append(int(scaled // 10**digits * 10**digits))
    if any(f is not None for f in figures):
        _claim(world, plan, figures)


def hype_gap(world: World, plan: SessionPlan, camo: str, label: Label) -> None:
    """A published claim above the verified figures by more than 10%."""
    level = LEVEL[camo]
    truth = verified(plan)
    gross = verified(plan, honest_only=False)  # above even this, whatever is flagged
    inflated = [int(i) for i in world.rng.permutation(3) if truth[int(i)] > 0]
    keep = (3, world.between(1, 2), 1)[level]
    high = inflated[:keep] or [2]
    figures: list[int | None] = []
    for i, value in enumerate(truth):
        if i in high:
            factor = draw(world, camo, ((2.0, 6.0), (1.3, 2.0), (1.13, 1.3)))
            top = max(gross[i], 1)
            figures.append(max(math.ceil(top * factor), math.floor(top * 1.1) + 1))
        elif level == 2 and world.chance(0.6):
            figures.append(int(value * world.uniform(0.9, 1.0)))
        else:
            figures.append(None)
    _claim(world, plan, figures)
