"""Abuses of the catalogue and the filing: prices, ties, one company's shop.

These are decided before the audience arrives: a price above the market band or below the
declared cost, an enterprise tied to the official among the partners, an enterprise the room
is turned over to. Honest sessions carry the innocent look-alikes (a clearance below cost with
the producer's reason, a short discount, an enterprise partner with no tie).
"""

from __future__ import annotations

from sunlit.independent.catalogue import (
    BRAND_WORDS,
    FRESH_CATEGORIES,
    MCN_NAMES,
    PLACES,
    RELATIONSHIPS,
    Product,
    make_product,
    new_producer,
    region_name,
)
from sunlit.independent.session import SessionPlan
from sunlit.independent.shapes import LEVEL, Label, draw
from sunlit.independent.world import HOUR, MINUTE, World

FRESH = FRESH_CATEGORIES


def shop_price(fen: float) -> int:
    """A price as shops write it (whole yuan, or ending in .80 or .90), never above ``fen``."""
    ending = (0, 80, 90)[int(fen) % 3]
    price = int(fen) // 100 * 100 + ending
    if price > fen:
        price -= 100
    return max(100, price)


def untouched(world: World, plan: SessionPlan, *, fresh: bool = False) -> Product:
    """A product of an ordinary producer whose price nobody has changed yet (added if none)."""
    kinds = {p.id: p.kind for p in plan.producers}
    found = [
        p
        for p in plan.products
        if not p.changes
        and not p.flagged
        and kinds[p.producer] != "enterprise"
        and (not fresh or p.category in FRESH)
    ]
    if not found:
        produce = PLACES[plan.region][1]
        options = [x for x in produce if not fresh or x[1] in FRESH] or list(produce)
        producer = new_producer(world, region_name(plan.region), "cooperative")
        plan.producers.append(producer)
        found = [make_product(world, options[world.between(0, len(options) - 1)], producer)]
        plan.products.extend(found)
    product = found[world.between(0, len(found) - 1)]
    product.flagged = True
    return product


def honest_decoys(world: World, plan: SessionPlan) -> None:
    """Innocent price moves: a clearance below cost with a reason, a short discount."""
    span = plan.end - plan.start
    if world.chance(0.3):
        product = untouched(world, plan, fresh=True)
        product.flagged = False
        if product.cost is None:
            product.cost = int(product.price * world.uniform(0.5, 0.7))
        at = plan.start + int(world.uniform(-24 * HOUR, 0.7 * span))
        product.changes.append(
            (
                at,
                shop_price(product.cost * world.uniform(0.7, 0.95)),
                world.pick(("perishable", "season_end", "overstock")),
            )
        )
    if world.chance(0.3):
        product = untouched(world, plan)
        product.flagged = False
        low = max(product.cost or 0, product.ref_low or 0, int(product.price * 0.85))
        new = shop_price(world.uniform(low, product.price))
        if product.cost is None or new > product.cost:
            product.changes.append((plan.start + int(world.uniform(0.2, 0.8) * span), new, None))


def price_gouging(world: World, plan: SessionPlan, camo: str, label: Label) -> None:
    """A price above the product's market band, at listing or raised live."""
    product = untouched(world, plan)
    if product.ref_high is None or product.ref_low is None:
        product.ref_high = product.price
        product.ref_low = shop_price(product.price * world.uniform(0.75, 0.92))
    markup = draw(world, camo, ((1.6, 2.6), (1.2, 1.5), (1.07, 1.15)))
    new = shop_price(product.ref_high * markup)
    if new <= product.ref_high * 1.04:  # shop rounding must not undo a small markup
        new = -(-int(product.ref_high * markup) // 10) * 10
    if world.chance((0.3, 0.5, 0.7)[LEVEL[camo]]):
        span = plan.end - plan.start
        product.changes.append((plan.start + int(world.uniform(0.05, 0.6) * span), new, None))
    else:
        product.price = new
    label["products"].append(product.id)


def below_cost(world: World, plan: SessionPlan, camo: str, label: Label) -> None:
    """A price under the declared cost with no clearance reason from the producer."""
    product = untouched(world, plan, fresh=world.chance(0.6))
    if product.cost is None:
        product.cost = int(product.price * world.uniform(0.55, 0.8))
    depth = draw(world, camo, ((0.35, 0.65), (0.7, 0.88), (0.88, 0.96)))
    if LEVEL[camo] > 0 and world.chance(0.5):  # the filing's words are no clearance
        plan.purpose = world.pick(("助销滞销，薄利多销", "助销滞销：帮果农清库存", "unsalable"))
    new = min(shop_price(product.cost * depth), product.cost - 10)
    span = plan.end - plan.start
    roll = world.rng.random()
    if roll < (0.5, 0.3, 0.15)[LEVEL[camo]]:
        product.price = new
    else:
        at = plan.start + int(world.uniform(-12 * HOUR, 0.6 * span))
        if LEVEL[camo] == 2 and world.chance(0.5):  # a discount first, then below cost
            first = shop_price((product.price + product.cost) / 2)
            product.changes.append((at - world.between(10, 90) * MINUTE, first, None))
        product.changes.append((at, new, None))
    label["products"].append(product.id)


def add_enterprise(world: World, plan: SessionPlan, weight: float) -> list[Product]:
    """An enterprise of the host's place with one to three branded products."""
    brand = world.pick(BRAND_WORDS)
    producer = new_producer(world, region_name(plan.region), "enterprise", brand)
    plan.producers.append(producer)
    produce = PLACES[plan.region][1]
    picks = world.rng.choice(
        len(produce), size=min(len(produce), world.between(1, 3)), replace=False
    )
    products = [make_product(world, produce[int(i)], producer, brand=brand) for i in picks]
    for product in products:
        product.weight = weight
    plan.products.extend(products)
    return products


def conflict_of_interest(world: World, plan: SessionPlan, camo: str, label: Label) -> None:
    """An enterprise tied to the official (the tie declared in the filing) sells in the room."""
    products = add_enterprise(world, plan, world.uniform(0.6, 1.4))
    producer = next(p for p in plan.producers if p.id == products[0].producer)
    partner = {
        "name": producer.name,
        "kind": "enterprise",
        "relationship": world.pick(RELATIONSHIPS[camo]),
    }
    others = [
        {"name": world.pick(MCN_NAMES), "kind": "mcn", "relationship": None}
        for _ in range(world.between(0, LEVEL[camo] + 1))
    ]
    plan.partners.extend(others)
    plan.partners.insert(world.between(0, len(plan.partners)), partner)
    label["accounts"].append(plan.official.id)
    label["products"].extend(p.id for p in products)


def company_favouritism(world: World, plan: SessionPlan, camo: str, label: Label) -> None:
    """One enterprise gets most of the room: its products are shown and sold the most.

    The share itself is set after the orders are drawn (``aftersales.rebalance``)."""
    products = add_enterprise(world, plan, world.uniform(4, 9))
    plan.partners.append(
        {
            "name": next(p.name for p in plan.producers if p.id == products[0].producer),
            "kind": "enterprise",
            "relationship": None,
        }
    )
    plan.favoured[products[0].producer] = draw(world, camo, ((0.8, 0.95), (0.6, 0.75), (0.53, 0.6)))
    label["products"].extend(p.id for p in products)
