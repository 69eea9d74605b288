"""``generate``: a stream of honest sessions and one abusive session, with its labels.

Built from the public contract (docs/events.md) and the integrity specification's abuses
only, so that the detectors can be scored on streams that were not made by the simulator they
were developed against.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from sunlit.independent.abuse_catalogue import (
    add_enterprise,
    below_cost,
    company_favouritism,
    conflict_of_interest,
    honest_decoys,
    price_gouging,
)
from sunlit.independent.abuse_crowd import fake_viewers, paid_comments
from sunlit.independent.abuse_orders import fake_orders, forced_purchases
from sunlit.independent.aftermath import (
    honest_claim,
    hype_gap,
    quality_finish,
    quality_setup,
    rebalance,
)
from sunlit.independent.audience import Crowd, honest_audience
from sunlit.independent.catalogue import PLACES, TITLES, make_product, new_producer, region_name
from sunlit.independent.session import SessionPlan, draw_pins, write_order, write_plan
from sunlit.independent.shapes import Label, new_label
from sunlit.independent.world import DAY, MINUTE, World, fmt_ts, local_ms

Step = Callable[[World, SessionPlan, str, Label], None]

#: rule -> (before the audience, with the audience, after every order is drawn)
RULES: dict[str, tuple[Step | None, Step | None, Step | None]] = {
    "fake_viewers": (None, fake_viewers, None),
    "paid_comments": (None, paid_comments, None),
    "fake_orders": (None, fake_orders, None),
    "forced_purchases": (None, forced_purchases, None),
    "price_gouging": (price_gouging, None, None),
    "below_cost": (below_cost, None, None),
    "conflict_of_interest": (conflict_of_interest, None, None),
    "company_favouritism": (company_favouritism, None, None),
    "quality_complaints": (quality_setup, None, quality_finish),
    "hype_gap": (None, None, hype_gap),
}
CAMOUFLAGES = ("none", "default", "strong")
#: The contract's purpose is free text; Sunlit writes two codes, other platforms write words.
PURPOSES = (
    "unsalable",
    "regional_brand",
    "unsalable",
    "regional_brand",
    "助销滞销农产品",
    "推介本地特色农产品，打响区域品牌",
)
SURNAMES = ("王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "胡")


def generate(
    seed: int, viewers: int, abuses: Sequence[tuple[str, str]], *, honest_sessions: int = 0
) -> tuple[bytes, list[dict[str, Any]]]:
    """The stream (JSON Lines, UTF-8) and one label per entry of ``abuses``.

    Every abuse of the list happens in one session; ``honest_sessions`` more sessions are
    honest (at least one when the list is empty). ``viewers`` is the honest audience of the
    abusive session; honest sessions draw theirs around it."""
    for rule, camouflage in abuses:
        if rule not in RULES:
            raise ValueError(f"unknown rule {rule!r}; one of {', '.join(sorted(RULES))}")
        if camouflage not in CAMOUFLAGES:
            raise ValueError(f"unknown camouflage {camouflage!r}; one of {CAMOUFLAGES}")
    if sum(1 for rule, _ in abuses if rule == "company_favouritism") > 1:
        raise ValueError("a session can be turned over to one company only")
    if viewers < 1:
        raise ValueError("viewers must be at least 1")
    world = World(np.random.default_rng(seed))
    honest = max(honest_sessions, 0 if abuses else 1)
    abusive_at = world.between(0, honest) if abuses else -1
    day = local_ms(world.between(2020, 2024), world.between(1, 12), world.between(1, 28))
    world.epoch = day - 12 * DAY
    crowd = Crowd()
    labels: list[dict[str, Any]] = []
    for index in range(honest + (1 if abuses else 0)):
        start = day + world.between(18 * 60 + 30, 20 * 60 + 40) * MINUTE
        plan = new_plan(world, start)
        if index == abusive_at:
            steps = [
                (rule, camo, RULES[rule], new_label(rule, plan.id, camo)) for rule, camo in abuses
            ]
            audience = viewers
        else:
            steps = []
            audience = max(1, int(viewers * world.uniform(0.6, 1.4)))
        run_session(world, plan, crowd, audience, steps)
        labels.extend(label for *_, label in steps)
        day += world.between(1, 5) * DAY
    return serialise(world), [tidy(label) for label in labels]


def run_session(
    world: World,
    plan: SessionPlan,
    crowd: Crowd,
    audience: int,
    steps: list[tuple[str, str, tuple[Step | None, Step | None, Step | None], Label]],
) -> None:
    """One session from filing to the last review, honest crowd and abuses together."""
    honest_decoys(world, plan)
    for _, camo, (before, _live, _after), label in steps:
        if before is not None:
            before(world, plan, camo, label)
    draw_pins(world, plan)
    favour_pins(world, plan)
    honest_audience(world, plan, crowd, audience)
    for _, camo, (_before, live, _after), label in steps:
        if live is not None:
            live(world, plan, camo, label)
    for _, camo, (_before, _live, after), label in steps:
        if after is quality_finish:  # complaints first: their extra orders count in shares
            after(world, plan, camo, label)
    rebalance(world, plan)
    for _, camo, (_before, _live, after), label in steps:
        if after is not None and after is not quality_finish:
            after(world, plan, camo, label)
    if not any(rule == "hype_gap" for rule, *_ in steps):
        honest_claim(world, plan)
    write_plan(world, plan)
    for order in plan.orders:
        write_order(world, plan, order)


def new_plan(world: World, start: int) -> SessionPlan:
    """A filed session: a place, its official, three to six products of its producers."""
    region = world.pick(sorted(PLACES))
    place, produce = PLACES[region]
    title = world.pick(TITLES)
    official = world.consumer(
        start, age_days=world.uniform(200, 2000), role="official", org=place + "人民政府"
    )
    official.home = region
    producers = [
        new_producer(
            world, region_name(region), world.pick(("household", "cooperative", "cooperative"))
        )
        for _ in range(world.between(2, 4))
    ]
    count = min(len(produce), world.between(3, 6))
    products = [
        make_product(world, produce[int(i)], producers[k % len(producers)])
        for k, i in enumerate(world.rng.choice(len(produce), size=count, replace=False))
    ]
    for product in products:
        product.weight = world.uniform(0.5, 2.0)
    duration = world.between(60, 150) * MINUTE
    plan = SessionPlan(
        id=world.new_id("live-", 7),
        official=official,
        title=title,
        region=region,
        start=start,
        end=start + duration,
        products=products,
        producers=producers,
        purpose=world.pick(PURPOSES),
        official_name=world.pick(SURNAMES),
    )
    for producer in producers:
        if producer.kind == "cooperative" and world.chance(0.5):
            plan.partners.append(
                {"name": producer.name, "kind": "cooperative", "relationship": None}
            )
    if world.chance(0.2):  # an enterprise invited openly, with no tie to the official
        enterprise = add_enterprise(world, plan, world.uniform(0.5, 1.2))
        plan.partners.append(
            {
                "name": next(p.name for p in plan.producers if p.id == enterprise[0].producer),
                "kind": "enterprise",
                "relationship": None,
            }
        )
    return plan


def favour_pins(world: World, plan: SessionPlan) -> None:
    """A favoured enterprise's products are on screen most of the time."""
    for producer, target in plan.favoured.items():
        own = [p.id for p in plan.products if p.producer == producer]
        plan.pins = [
            (at, world.pick(own) if world.chance(target) else product) for at, product in plan.pins
        ]


#: Types a live room's recorder writes in batches, a fraction of a second late.
RECORDED_LATE = frozenset({"viewer.joined", "viewer.left", "chat.message", "like", "share"})


def serialise(world: World) -> bytes:
    """One JSON object a line, in the order a log would have written them.

    A live room's recorder writes its events in batches every 0.2 s (every 0.2–1 s when
    busy), so they reach the file after events stamped a little later, as the contract
    allows (a reader sorts by ``ts``)."""
    batch = int(world.rng.integers(200, 1000))
    keyed = [
        ((event.ts // batch + 1) * batch if event.type in RECORDED_LATE else event.ts, event.ts, i)
        for i, event in enumerate(world.events)
    ]
    lines = []
    for number, (_, _, index) in enumerate(sorted(keyed)):
        event = world.events[index]
        lines.append(
            json.dumps(
                {
                    "id": f"evt{number:08d}",
                    "type": event.type,
                    "ts": fmt_ts(event.ts),
                    "session": event.session,
                    "actor": event.actor,
                    "data": event.data,
                },
                ensure_ascii=False,
                separators=(",", ":"),
            )
        )
    return ("\n".join(lines) + "\n").encode("utf-8")


def tidy(label: Label) -> dict[str, Any]:
    """Ids once each, sorted, as a finding lists them."""
    for key in ("accounts", "orders", "products"):
        label[key] = sorted(set(label[key]))
    return label


__all__ = ["CAMOUFLAGES", "RULES", "generate"]
