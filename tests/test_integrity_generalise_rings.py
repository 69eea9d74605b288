"""Brushing rings in shapes Sunlit's simulator does not draw (issue 19): a few orders each,
spread over the evening and the shelf, each account on its own phone, tied only by the
delivery addresses a handful of them share, most orders refunded or left unshipped; beside
honest rooms where households share an address, an office has its orders sent to work, and
the regulars buy much and keep it all. Streams are written as JSON Lines events
(docs/events.md) by `tests.integrity_streams`."""

from __future__ import annotations

import random

from tests.integrity_streams import Events

PRODUCTS = [{"product": f"p-{k}"} for k in range(4)]


def _room(e: Events, rng: random.Random, buyers: int, households: int = 40) -> None:
    """Honest buyers, one or two orders each, all shipped; the first ``households`` pairs
    share a delivery address; one order in fifty refunded."""
    for i in range(buyers):
        aid = f"h-{i}"
        e.account(aid, days_old=rng.uniform(30, 3000))
        address = f"home-{i // 2}" if i < 2 * households else None
        for k in range(1 if rng.random() < 0.85 else 2):
            refunded = rng.random() < 0.02
            e.order(
                f"o-{aid}-{k}",
                aid,
                rng.choice(PRODUCTS)["product"],
                rng.uniform(0, 3600),
                address=address,
                refunded=refunded,
                shipped=not refunded,
            )


def _ring(e: Events, rng: random.Random, n: int, drops: int) -> set[str]:
    """``n`` accounts on their own phones, one or two orders each at any time, on any
    product, delivered to ``drops`` shared addresses; two orders in three refunded or never
    shipped."""
    ring = set()
    for i in range(n):
        aid = f"r-{i}"
        ring.add(aid)
        e.account(aid, days_old=rng.uniform(60, 400))
        for k in range(rng.randint(1, 2)):
            fate = rng.random()
            e.order(
                f"o-{aid}-{k}",
                aid,
                rng.choice(PRODUCTS)["product"],
                rng.uniform(0, 3600),
                address=f"drop-{i % drops}",
                refunded=fate < 0.33,
                shipped=fate >= 0.67,
            )
    return ring


def test_a_ring_tied_only_by_shared_drop_addresses_is_found() -> None:
    rng = random.Random(1)
    e = Events().session(products=PRODUCTS)
    _room(e, rng, 300)
    ring = _ring(e, rng, 12, 2)
    found = e.findings("fake_orders")
    named = {a for f in found for a in f.accounts}
    assert named == ring
    for finding in found:  # one per drop address: six accounts each
        assert finding.evidence["accounts_sharing_an_address"] == 6
        assert finding.evidence["gone_bad"] >= 0.5 * finding.evidence["orders"]


def test_households_sharing_an_address_are_not_a_ring() -> None:
    rng = random.Random(2)
    e = Events().session(products=PRODUCTS)
    _room(e, rng, 300, households=100)
    assert e.findings("fake_orders") == []


def test_an_office_that_has_its_orders_sent_to_work_is_not_a_ring() -> None:
    """Twelve colleagues, one delivery address, orders kept and shipped like everyone's."""
    rng = random.Random(3)
    e = Events().session(products=PRODUCTS)
    _room(e, rng, 300)
    for i in range(12):
        e.account(f"colleague-{i}")
        e.order(f"o-c{i}", f"colleague-{i}", "p-1", 600 + 30 * i, address="office", shipped=True)
    assert e.findings("fake_orders") == []


def test_a_small_group_on_shared_addresses_with_the_usual_refunds_is_not_a_ring() -> None:
    rng = random.Random(4)
    e = Events().session(products=PRODUCTS)
    _room(e, rng, 300)
    for i in range(6):
        e.account(f"f-{i}")
        e.order(f"o-f{i}", f"f-{i}", "p-2", 900 + i, address=f"flat-{i % 2}", shipped=True)
    e.order("o-f-refund", "f-0", "p-3", 1900, address="flat-0", refunded=True)
    assert e.findings("fake_orders") == []


def test_a_room_of_regulars_sharing_a_few_phones_is_not_a_ring() -> None:
    """Most of the room buys eight times or more, a few families on one phone: dense, and
    the whole room. A ring is a group within a room, tied by more than a few of its own."""
    rng = random.Random(5)
    e = Events().session(products=PRODUCTS)
    for i in range(120):
        aid = f"reg-{i}"
        e.account(aid)
        device = f"family-{i // 3}" if i < 18 else None
        for k in range(8 + i % 4):
            e.order(
                f"o-{aid}-{k}",
                aid,
                PRODUCTS[k % 4]["product"],
                rng.uniform(0, 3600),
                device=device,
                address=f"fam-{i // 3}" if i < 18 else None,
                shipped=True,
            )
    for i in range(20):
        e.account(f"once-{i}").order(f"o-once-{i}", f"once-{i}", "p-0", 100 + i, shipped=True)
    assert e.findings("fake_orders") == []
