"""Brushing rings of an order or two per account, each account on its own phone and address
(issue 19): the shapes the independent generator draws at its strongest camouflage and
Sunlit's simulator never does. Repeat buyers whose every order went bad, and bursts of one
product's orders that went bad together, beside honest rooms where buyers order twice, a pin
brings a burst, and unhappy buyers complain and are refunded. Streams are written as JSON
Lines events (docs/events.md) by `tests.integrity_streams`."""

from __future__ import annotations

import random

from sunlit.integrity import wording
from tests.integrity_streams import Events

PRODUCTS = [{"product": f"p-{k}"} for k in range(3)]
END = 7200  # the session lasts two hours


def _room(e: Events, rng: random.Random, buyers: int = 240) -> None:
    """Honest buyers, one order each or (one in five) two, on any product at any time, all
    shipped to their own homes; one order in thirty refunded."""
    e.session(products=PRODUCTS, minutes=END // 60)
    for i in range(buyers):
        aid = f"h-{i}"
        e.account(aid, days_old=rng.uniform(30, 3000))
        for k in range(2 if rng.random() < 0.2 else 1):
            refunded = rng.random() < 1 / 30
            e.order(
                f"o-{aid}-{k}",
                aid,
                rng.choice(PRODUCTS)["product"],
                rng.uniform(0, END),
                refunded=refunded,
                shipped=not refunded,
            )


def _gone_bad(e: Events, oid: str, buyer: str, product: str, at: float, how: str) -> None:
    """An order that went bad: refunded, cancelled after the session, or paid and never
    shipped."""
    e.order(oid, buyer, product, at, refunded=how == "refunded", shipped=False)
    if how == "cancelled":
        e.add("order.cancelled", END + 3600, {"order": oid, "reason": "buyer"}, session="s-1")


def _repeaters(e: Events, rng: random.Random, n: int) -> set[str]:
    """``n`` accounts, each on its own phone and address, two orders each at any time on any
    product, every one gone bad in one of the three ways."""
    orders = set()
    for i in range(n):
        aid = f"r-{i}"
        e.account(aid, days_old=rng.uniform(1, 900))
        for k in range(2):
            oid = f"o-{aid}-{k}"
            how = rng.choice(["refunded", "cancelled", "never shipped"])
            _gone_bad(e, oid, aid, rng.choice(PRODUCTS)["product"], rng.uniform(0, END), how)
            orders.add(oid)
    return orders


def named(e: Events) -> tuple[set[str], list[dict[str, object]]]:
    found = e.findings("fake_orders")
    return {o for f in found for o in f.orders}, [f.evidence for f in found]


def test_repeat_buyers_whose_every_order_went_bad_are_a_ring() -> None:
    rng = random.Random(7)
    e = Events()
    _room(e, rng)
    ring = _repeaters(e, rng, 8)
    orders, evidence = named(e)
    assert orders == ring
    assert evidence[0]["every_order_gone_bad"] is True and evidence[0]["accounts"] == 8
    # The page reads the shape from the evidence, and says it in the summary.
    text, params = wording.SUMMARIES["fake_orders"](evidence[0], {}, str)
    assert "every one of them went bad" in text % params and "8 accounts" in text % params


def test_too_few_repeat_buyers_and_honest_rooms_are_left_alone() -> None:
    for seed in range(5):
        e = Events()
        _room(e, random.Random(seed))
        assert named(e)[0] == set(), seed
    e = Events()
    rng = random.Random(3)
    _room(e, rng)
    _repeaters(e, rng, 3)  # three unlucky buyers are not a ring
    assert named(e)[0] == set()


def test_buyers_who_complained_before_their_refunds_are_not_a_ring() -> None:
    """Six buyers whose two orders each came bruised: they complained, and were refunded."""
    rng = random.Random(11)
    e = Events()
    _room(e, rng)
    for i in range(6):
        aid = f"c-{i}"
        e.account(aid)
        for k in range(2):
            e.order(
                f"o-{aid}-{k}", aid, "p-0", rng.uniform(0, END), refunded=True, complaint="quality"
            )
    assert named(e)[0] == set()


def test_a_burst_of_orders_that_went_bad_together_is_a_ring_and_a_pins_burst_is_not() -> None:
    """Right after the host pins p-1, forty honest buyers order it within a minute and keep
    what they bought. Later, seventeen accounts order p-2 within fifty seconds, one order
    each on phones of their own: ten of the orders go bad, and seven are sent to one drop
    address, five of those shipped."""
    rng = random.Random(5)
    e = Events()
    _room(e, rng)
    e.add("product.pinned", 1800, {"product": "p-1"}, session="s-1")
    for i in range(40):
        e.account(f"pin-{i}")
        e.order(f"o-pin-{i}", f"pin-{i}", "p-1", 1801 + rng.uniform(0, 60), shipped=True)
    ring = set()
    for i in range(17):
        aid, oid, at = f"b-{i}", f"o-b-{i}", 3865 + rng.uniform(0, 50)
        e.account(aid, days_old=rng.uniform(1, 600))
        drop = "drop-510116" if i < 7 else None
        if 2 <= i < 12:
            how = ["refunded", "cancelled", "never shipped"][i % 3]
            e.order(oid, aid, "p-2", at, address=drop, refunded=how == "refunded")
            if how == "cancelled":
                e.add("order.cancelled", END + 600, {"order": oid, "reason": "buyer"})
        else:
            e.order(oid, aid, "p-2", at, address=drop, shipped=True)
        ring.add(oid)
    orders, evidence = named(e)
    # The ten gone bad, and the two shipped to the drop address they used: the five shipped
    # orders sent elsewhere look like anyone's and are not named.
    drop_shipped = {"o-b-0", "o-b-1"}
    assert orders == {f"o-b-{i}" for i in range(2, 12)} | drop_shipped
    # The seven on the drop address are a linked group; the burst names the five others.
    shapes = {
        next((k for k in ("linked_by_address_or_phone", "gone_bad_together") if ev.get(k)), ""): ev[
            "orders"
        ]
        for ev in evidence
    }
    assert shapes == {"linked_by_address_or_phone": 7, "gone_bad_together": 5}
    assert not any(o.startswith("o-pin-") for o in orders)


def test_orders_gone_bad_spread_over_the_evening_are_no_burst() -> None:
    """The same ten bad orders, one per account, spread over two hours: no burst, no repeat."""
    rng = random.Random(5)
    e = Events()
    _room(e, rng)
    for i in range(10):
        _gone_bad(e, f"o-s-{i}", f"s-{i}", "p-2", 600 + 650 * i, "refunded")
    assert named(e)[0] == set()


def _batch(e: Events, rng: random.Random, n: int, days_old: float, spread: float) -> set[str]:
    """``n`` accounts registered within ``spread`` days, ``days_old`` days before the session,
    each on its own phone and address, one order each of p-2 spread over the evening; every
    fourth stays paid and shipped, to an address another of them used, the rest went bad."""
    orders = set()
    for i in range(n):
        aid = f"b-{i}"
        e.account(aid, days_old=days_old + rng.uniform(0, spread))
        oid, at = f"o-{aid}", 300 + i * (END - 600) / n
        if i % 4 == 3:
            e.order(oid, aid, "p-2", at, shipped=True, address=f"addr-b-{i - 1}")
        else:
            how = ("refunded", "cancelled", "never shipped")[i % 3]
            e.order(
                oid,
                aid,
                "p-2",
                at,
                refunded=how == "refunded",
                shipped=False,
                address=f"addr-b-{i}",
            )
            if how == "cancelled":
                e.add(
                    "order.cancelled", END + 3600, {"order": oid, "reason": "buyer"}, session="s-1"
                )
        orders.add(oid)
    return orders


def test_buyers_registered_together_whose_orders_went_bad_are_a_ring() -> None:
    """Sixteen accounts a farm registered within two days, forty days ago: one order each,
    spread over two hours (no burst, no repeat), each on its own phone and address."""
    rng = random.Random(11)
    e = Events()
    _room(e, rng)
    ring = _batch(e, rng, 16, 40, 2)
    orders, evidence = named(e)
    assert orders == ring
    assert evidence[0]["registered_together"] is True
    text, params = wording.SUMMARIES["fake_orders"](evidence[0], {}, str)
    assert "registered within days of each other" in text % params


def test_bad_orders_of_accounts_registered_apart_or_in_the_week_before_are_no_ring() -> None:
    """The same orders from accounts registered over two years, or in the five days before the
    session (newcomers who signed up for it and changed their minds): no ring."""
    for days_old, spread in ((30, 700), (1, 5)):
        rng = random.Random(12)
        e = Events()
        _room(e, rng)
        _batch(e, rng, 16, days_old, spread)
        assert named(e)[0] == set(), (days_old, spread)
