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


# Found by mutation testing (docs/mutation-testing.md): what became of the orders (never
# shipped, cancelled after the session) and the marks the ring shares, each on its own.


def _unshipped_ring(
    e: Events,
    rng: random.Random,
    n: int,
    *,
    cancel_after: float | None = None,
    phones: bool = False,
) -> set[str]:
    """``n`` accounts, two orders each, paid and never shipped nor refunded (or, with
    ``cancel_after``, cancelled that many seconds after the session began), delivered to three
    drop addresses; each on its own phone, or with ``phones`` each pair on one."""
    ring = set()
    for i in range(n):
        aid = f"r-{i}"
        ring.add(aid)
        e.account(aid, days_old=rng.uniform(60, 400))
        for k in range(2):
            oid = f"o-{aid}-{k}"
            e.order(
                oid,
                aid,
                rng.choice(PRODUCTS)["product"],
                rng.uniform(0, 3000),
                address=f"drop-{i % 3}",
                device=f"phone-{i // 2}" if phones else None,
            )
            if cancel_after is not None:
                e.add("order.cancelled", cancel_after, {"order": oid, "reason": "不要了"})
    return ring


def _shipped_room(e: Events, rng: random.Random, buyers: int, shipped_share: float) -> None:
    """Honest buyers on their own addresses and phones, one order each, ``shipped_share`` of
    them shipped, none refunded."""
    for i in range(buyers):
        aid = f"h-{i}"
        e.account(aid, days_old=rng.uniform(30, 3000))
        e.order(
            f"o-{aid}",
            aid,
            rng.choice(PRODUCTS)["product"],
            rng.uniform(0, 3600),
            shipped=rng.random() < shipped_share,
        )


def test_a_ring_whose_paid_orders_never_shipped_is_found_once_the_room_shipped() -> None:
    rng = random.Random(6)
    e = Events().session(products=PRODUCTS)
    _shipped_room(e, rng, 200, 1.0)
    ring = _unshipped_ring(e, rng, 12, phones=True)
    (finding,) = e.findings("fake_orders")
    assert set(finding.accounts) == ring
    ev = finding.evidence
    assert ev["never_shipped"] == ev["gone_bad"] == ev["orders"] == 24
    assert ev["gone_bad_share_others"] == 0.0
    # Each pair on one phone, four on each drop address.
    assert ev["accounts_sharing_a_device"] == ev["accounts_sharing_an_address"] == 12


def test_unshipped_orders_are_not_bad_before_most_of_the_room_shipped() -> None:
    """Read when a tenth of the room's orders had shipped: not shipped yet is not never."""
    rng = random.Random(6)
    e = Events().session(products=PRODUCTS)
    _shipped_room(e, rng, 200, 0.1)
    _unshipped_ring(e, rng, 12)
    assert e.findings("fake_orders") == []


def test_a_ring_that_is_most_of_its_session_is_judged_by_the_orders_outside_it() -> None:
    """Twelve accounts with twenty-four unshipped orders among twenty honest shipped ones:
    most of the session's orders did not ship, but all of those outside the ring did."""
    rng = random.Random(7)
    e = Events().session(products=PRODUCTS)
    _shipped_room(e, rng, 20, 1.0)
    ring = _unshipped_ring(e, rng, 12)
    found = e.findings("fake_orders")
    assert {a for f in found for a in f.accounts} == ring
    assert all(f.evidence["never_shipped"] == f.evidence["orders"] for f in found)
    # What decided it is what the evidence says went bad: every one of the ring's orders.
    assert all(f.evidence["gone_bad"] == f.evidence["orders"] for f in found)


def test_orders_cancelled_after_the_session_went_bad_cancelled_during_it_did_not() -> None:
    rng = random.Random(8)
    after = Events().session(products=PRODUCTS)
    _shipped_room(after, rng, 200, 1.0)
    ring = _unshipped_ring(after, rng, 12, cancel_after=3600 + 86400)
    (finding,) = after.findings("fake_orders")
    assert set(finding.accounts) == ring
    assert finding.evidence["refunded_or_cancelled"] == finding.evidence["gone_bad"] == 24
    during = Events().session(products=PRODUCTS)
    _shipped_room(during, rng, 200, 1.0)
    _unshipped_ring(during, rng, 12, cancel_after=3500)
    assert during.findings("fake_orders") == []


def test_the_others_rate_of_bad_orders_is_shown_as_it_is() -> None:
    """Ten of the room's two hundred orders refunded: 0.05 beside the ring's."""
    rng = random.Random(9)
    e = Events().session(products=PRODUCTS)
    for i in range(200):
        aid = f"h-{i}"
        e.account(aid)
        e.order(f"o-{aid}", aid, "p-0", 10.0 * i, refunded=i < 10, shipped=i >= 10)
    ring = _unshipped_ring(e, rng, 12)
    (finding,) = e.findings("fake_orders")
    assert set(finding.accounts) == ring
    assert finding.evidence["gone_bad_share_others"] == 0.05


def test_regulars_who_return_more_than_the_newcomers_are_still_the_room() -> None:
    """The room's regulars, most of its buyers, eight orders or more each, a few families on
    one phone, send back one order in ten where the few newcomers kept everything: a dense
    block going bad more often than the rest, and still the room, not a ring."""
    rng = random.Random(10)
    e = Events().session(products=PRODUCTS)
    for i in range(120):
        aid = f"reg-{i}"
        e.account(aid)
        device = f"family-{i // 3}" if i < 18 else None
        for k in range(8 + i % 4):
            refunded = rng.random() < 0.1
            e.order(
                f"o-{aid}-{k}",
                aid,
                PRODUCTS[k % 4]["product"],
                rng.uniform(0, 3600),
                device=device,
                address=f"fam-{i // 3}" if i < 18 else None,
                refunded=refunded,
                shipped=not refunded,
            )
    for i in range(20):
        e.account(f"once-{i}").order(f"o-once-{i}", f"once-{i}", "p-0", 100 + i, shipped=True)
    # Another evening of the stream, six hundred buyers of one order each: beside it the
    # regulars are a dense block.
    e.session(products=[{"product": "q-0"}], sid="s-2")
    for i in range(600):
        aid = f"other-{i}"
        e.account(aid).order(f"o-{aid}", aid, "q-0", 6.0 * i, sid="s-2", shipped=True)
    assert e.findings("fake_orders") == []


def test_a_stream_of_nothing_but_a_rings_orders_is_read() -> None:
    """No order outside the ring: no rate of the others' to compare with, and no crash."""
    rng = random.Random(11)
    e = Events().session(products=PRODUCTS)
    ring = _unshipped_ring(e, rng, 12, phones=True)
    (finding,) = e.findings("fake_orders")
    assert set(finding.accounts) == ring
    assert finding.evidence["gone_bad_share_others"] == 0.0


def test_half_of_the_orders_outside_the_ring_shipped_is_enough() -> None:
    """Ten of the twenty honest orders shipped: half is the bar, and it is met."""
    rng = random.Random(12)
    e = Events().session(products=PRODUCTS)
    for i in range(20):
        e.account(f"h-{i}").order(f"o-h-{i}", f"h-{i}", "p-0", 60.0 * i, shipped=i < 10)
    ring = _unshipped_ring(e, rng, 12)
    assert {a for f in e.findings("fake_orders") for a in f.accounts} == ring


# A favoured product the whole room orders ten times in an evening (issue 19's independent
# generator draws such rooms): families on one phone doing the same are the room's habit.


def test_families_on_one_phone_ordering_as_often_as_the_room_are_not_a_ring() -> None:
    """A hundred and fifty buyers order one product six to fourteen times each; three
    families of four share a phone, a delivery address and a network, and order it as often
    and keep it all."""
    rng = random.Random(12)
    e = Events().session(products=PRODUCTS)
    for i in range(150):
        aid = f"h-{i}"
        e.account(aid, days_old=rng.uniform(30, 3000))
        for k in range(rng.randint(6, 14)):
            e.order(
                f"o-{aid}-{k}", aid, "p-0", rng.uniform(0, 3600), ip=f"10.1.{i}.1", shipped=True
            )
    for f in range(3):
        for m in range(4):
            aid = f"fam{f}-{m}"
            e.account(aid, days_old=rng.uniform(300, 3000), device=f"phone-{f}")
            for k in range(rng.randint(7, 13)):
                e.order(
                    f"o-{aid}-{k}",
                    aid,
                    "p-0",
                    rng.uniform(0, 3600),
                    device=f"phone-{f}",
                    address=f"home-{f}",
                    ip=f"10.2.{f}.1",
                    shipped=True,
                )
    assert e.findings("fake_orders") == []


def test_a_ring_on_shared_phones_and_addresses_keeping_its_orders_is_still_found() -> None:
    """Twelve accounts on three phones and four drop addresses, three orders each, all kept,
    in a room where everyone else orders once: tied by their marks, three times the room."""
    rng = random.Random(13)
    e = Events().session(products=PRODUCTS)
    for i in range(300):
        aid = f"h-{i}"
        e.account(aid, days_old=rng.uniform(30, 3000))
        product = rng.choice(PRODUCTS)["product"]
        e.order(f"o-{aid}", aid, product, rng.uniform(0, 3600), shipped=True)
    ring = set()
    for i in range(12):
        aid = f"r-{i}"
        ring.add(aid)
        e.account(aid, days_old=rng.uniform(60, 400))
        for k in range(3):
            e.order(
                f"o-{aid}-{k}",
                aid,
                rng.choice(PRODUCTS)["product"],
                rng.uniform(0, 3600),
                device=f"rp-{i % 3}",
                address=f"drop-{i % 4}",
                shipped=True,
            )
    (finding,) = e.findings("fake_orders")
    assert set(finding.accounts) == ring
    assert finding.evidence["accounts_sharing_a_device"] == 12
