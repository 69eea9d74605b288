"""Abuses of the order book: fake orders (刷单) and forced purchases (摊派).

A brushing ring buys to inflate the figures and takes the money back afterwards (refund,
cancellation, or an order that is never shipped, or an empty parcel to a drop address). Cadres
under a quota buy just enough to pass a round amount, delivered to the county they work in.
"""

from __future__ import annotations

import math

import numpy as np

from sunlit.independent import texts
from sunlit.independent.audience import watch
from sunlit.independent.catalogue import Product, region_name
from sunlit.independent.session import SessionPlan, new_order
from sunlit.independent.shapes import (
    LEVEL,
    Label,
    draw,
    draw_int,
    ring_accounts,
    shared_pool,
    timing,
)
from sunlit.independent.world import DAY, HOUR, MINUTE, World, salted_hash

GOV_UNITS = (
    "县农业农村局",
    "县财政局",
    "县教育局",
    "县卫健委",
    "县住建局",
    "县自然资源局",
    "县人社局",
    "县市场监管局",
    "县委组织部",
    "县政府办公室",
    "镇人民政府",
    "县供销社",
)


def ordinary_products(plan: SessionPlan) -> list[Product]:
    """Products of households and cooperatives: abusers here never touch an enterprise's."""
    kinds = {p.id: p.kind for p in plan.producers}
    found = [p for p in plan.products if kinds[p.producer] != "enterprise"]
    return found or plan.products


def fake_orders(world: World, plan: SessionPlan, camo: str, label: Label) -> None:
    """A ring of accounts placing orders that are undone after the session."""
    level = LEVEL[camo]
    n = draw_int(world, camo, ((15, 40), (10, 28), (8, 20)))
    ring = ring_accounts(
        world,
        plan,
        n,
        fresh_share=draw(world, camo, ((0.7, 1.0), (0.3, 0.6), (0.0, 0.2))),
        virtual_phone=draw(world, camo, ((0.5, 1.0), (0.2, 0.5), (0.0, 0.2))),
        batch_days=draw(world, camo, ((0.02, 0.1), (0.05, 1.0), (0.5, 7.0)))
        if world.chance(0.5)
        else None,
    )
    devices = shared_pool(
        world,
        n,
        draw(world, camo, ((0.7, 1.0), (0.3, 0.6), (0.0, 0.2))),
        max(1, n // world.between(3, 8)),
        world.device,
    )
    ips = shared_pool(
        world,
        n,
        draw(world, camo, ((0.7, 1.0), (0.3, 0.6), (0.05, 0.25))),
        world.between(1, 3),
        world.home_ip,
    )
    drop_region = world.region()
    drops = [
        (drop_region if world.chance(0.7) else world.region(), world.address())
        for _ in range(world.between(1, 4))
    ]
    address_share = draw(world, camo, ((0.7, 1.0), (0.3, 0.6), (0.1, 0.35)))
    choices = ordinary_products(plan)
    product = choices[world.between(0, len(choices) - 1)]
    target = product.id
    target_only = world.chance((0.9, 0.6, 0.35)[level])
    qty_low, qty_high = ((8, 50), (3, 15), (1, 4))[level]
    per_account = draw_int(world, camo, ((1, 4), (1, 3), (1, 2)))
    total = n * per_account
    times = timing(world, plan, total, camo, early=level == 0 and world.chance(0.5))
    outcome_p = _outcome_mix(world, level)
    for k, member in enumerate(ring):  # the first two always share the main drop address
        if k < 2 or world.chance(address_share):
            member.home, member.address = drops[0 if k < 2 else world.between(0, len(drops) - 1)]
    watched = world.chance((0.3, 0.7, 1.0)[level])
    label["products"].append(target)
    for i, at in enumerate(times):
        buyer = ring[i % n]
        buyer.device, buyer.ip = devices[i % n], ips[i % n]
        if watched and buyer.id not in label["accounts"]:
            watch(
                world,
                plan,
                buyer,
                max(plan.start + 500, int(at) - world.between(20, 600) * 1000),
                dwell=world.between(60, 900) * 1000,
            )
        item = (
            product
            if target_only or world.chance(0.7)
            else choices[world.between(0, len(choices) - 1)]
        )
        qty = world.between(qty_low, qty_high)
        order = new_order(
            world,
            plan,
            buyer,
            item,
            qty,
            int(at),
            payment=world.pick(("wallet", "wallet", "bank_card")),
            honest=False,
        )
        order.outcome = str(
            world.rng.choice(["refunded", "cancelled", "unshipped", "delivered"], p=outcome_p)
        )
        order.outcome_delay = int(world.uniform(5 * MINUTE, (0.5, 1.5, 2.5)[level] * DAY))
        order.refund_reason = world.pick(("协商退款", "买家申请退款", "不想要了", "重复下单"))
        if order.outcome == "delivered":  # an empty parcel to a drop address
            order.address = drops[0]
        if buyer.id not in label["accounts"]:
            label["accounts"].append(buyer.id)
        label["orders"].append(order.id)


def _outcome_mix(world: World, level: int) -> np.ndarray:
    """Shares of refunded, cancelled, never shipped and empty-parcel orders."""
    base = world.rng.dirichlet(np.array([3.0, 1.5, 1.5, 0.2 + 1.2 * level]))
    base[3] = min(base[3], 0.35)  # most of the ring's orders are undone afterwards
    return np.asarray(base / base.sum())


def forced_purchases(world: World, plan: SessionPlan, camo: str, label: Label) -> None:
    """Cadres of the host's county buying just over a quota."""
    level = LEVEL[camo]
    n = draw_int(world, camo, ((30, 80), (20, 50), (15, 35)))
    choices = ordinary_products(plan)
    cheapest = min(p.price for p in choices)
    quota = next(q for q in (5000, 10000, 20000, 30000, 50000) if cheapest <= q * 0.7)
    if level < 2 or world.chance(0.5):
        eligible = [p for p in choices if p.price <= quota * 0.7]
    else:
        eligible = choices
    one_product = world.chance((0.8, 0.5, 0.25)[level])
    main = world.pick([p.id for p in eligible])
    cadres = ring_accounts(
        world,
        plan,
        n,
        fresh_share=draw(world, camo, ((0.7, 1.0), (0.3, 0.6), (0.0, 0.15))),
        virtual_phone=0.0,
        batch_days=None,
    )
    units = [world.pick(GOV_UNITS) for _ in range(world.between(1, (3, 6, 9)[level]))]
    org_share = draw(world, camo, ((0.8, 1.0), (0.4, 0.7), (0.0, 0.3)))
    compounds = [salted_hash(f"{plan.id}:{u}") for u in units]
    office_share = draw(world, camo, ((0.6, 1.0), (0.2, 0.5), (0.0, 0.15)))
    office_ip = shared_pool(
        world, n, draw(world, camo, ((0.6, 1.0), (0.2, 0.5), (0.0, 0.1))), len(units), world.home_ip
    )
    pay = (
        ["union_card", "corporate", "wallet", "bank_card"],
        [(0.5, 0.3, 0.1, 0.1), (0.3, 0.1, 0.35, 0.25), (0.1, 0.0, 0.55, 0.35)][level],
    )
    times = timing(world, plan, n, camo)
    place = plan.region
    clerk = shared_pool(  # one clerk ordering for colleagues from the office computer
        world, n, draw(world, camo, ((0.2, 0.6), (0.0, 0.2), (0.0, 0.0))), 1, world.device
    )
    for cadre, at, ip, device in zip(cadres, times, office_ip, clerk, strict=True):
        cadre.device = device
        unit = world.between(0, len(units) - 1)
        if world.chance(org_share):
            cadre.org = place_name(plan) + units[unit]
        cadre.home = place
        if world.chance(office_share):
            cadre.address = compounds[unit]
        cadre.ip = ip
        if world.chance((0.3, 0.6, 0.9)[level]):
            watch(
                world,
                plan,
                cadre,
                max(plan.start + 500, int(at) - world.between(30, 900) * 1000),
                dwell=world.between(60, 1500) * 1000,
            )
        pid = main if one_product else world.pick([p.id for p in eligible])
        product = next(p for p in eligible if p.id == pid)
        qty = math.ceil(quota / max(product.price_at(int(at)), 1))
        if level == 2 and world.chance(0.15):
            qty += 1
        order = new_order(
            world,
            plan,
            cadre,
            product,
            qty,
            int(at),
            payment=str(world.rng.choice(pay[0], p=pay[1])),
            honest=False,
        )
        order.outcome_delay = world.between(1, 48) * HOUR
        if world.chance(0.04):
            order.outcome = "refunded"
        label["accounts"].append(cadre.id)
        label["orders"].append(order.id)
        if pid not in label["products"]:
            label["products"].append(pid)
    reports = world.between(*((1, 3), (0, 1), (0, 0))[level])
    midnight = (plan.end // DAY + 1) * DAY - 8 * HOUR  # the next local midnight
    if midnight <= plan.end:
        midnight += DAY
    for _ in range(reports):
        world.emit(
            midnight,
            "report.filed",
            plan.id,
            None,
            {"category": "forced_purchase", "text": texts.forced_report(world, quota // 100)},
        )


def place_name(plan: SessionPlan) -> str:
    return region_name(plan.region).removesuffix("县").removesuffix("市").removesuffix("区")
