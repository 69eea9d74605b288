"""fake_viewers and fake_orders on shapes the simulator does not draw (issue 19): bots on their
own devices and addresses, with months-old accounts, arriving in several small waves over ten
minutes, a few of them liking or chatting; brushing rings alone in one session, buying other
products too in mixed quantities, then refunding after the session or never shipping; and
honest rooms that look busy for honest reasons — an office on one IP, a family at one address,
a wave of viewers after an announcement — which must be left alone."""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta

from sunlit.integrity.model import Finding
from tests.integrity_streams import T0, Events

PRODUCTS = [{"product": f"p-{i}"} for i in range(4)]
MINUTES = 90


def _viewer(
    e: Events,
    rng: random.Random,
    aid: str,
    join: float,
    leave: float,
    *,
    ip: str | None = None,
    like: float = 0.2,
    chat: float = 0.06,
    days_old: float | None = None,
) -> None:
    """One viewer on their own device, liking and chatting with the given chances."""
    ip = ip or f"{rng.randrange(36, 223)}.{rng.randrange(256)}.{rng.randrange(256)}.7"
    e.account(aid, days_old=days_old or rng.uniform(30, 2000), ip=ip)
    e.add("viewer.joined", join, {"device": f"d-{aid}", "ip": ip, "client": "app"}, actor=aid)
    if rng.random() < like:
        e.add("like", rng.uniform(join, leave), {"count": rng.randint(1, 20)}, actor=aid)
    if rng.random() < chat:
        e.add("chat.message", rng.uniform(join, leave), {"text": "砀山梨甜吗"}, actor=aid)
    e.add("viewer.left", leave, {}, actor=aid)


def _honest_room(
    seed: int = 1,
    viewers: int = 800,
    announcement: float | None = None,
    office: int = 0,
) -> Events:
    """A room on a realistic curve: a trickle until the official comes in at 5 minutes, then a
    decaying crowd; stays long-tailed (median 2.5 minutes); a fifth like, 6% chat. With
    ``announcement`` (seconds), 150 more viewers arrive within a minute of it and stay as
    long as anyone else; with ``office``, that many colleagues watch from one IP."""
    rng = random.Random(seed)
    e = Events().session(products=PRODUCTS, minutes=MINUTES)
    end = MINUTES * 60
    for i in range(viewers):
        while True:
            t = rng.uniform(0, end - 30)
            w = 0.25 if t < 300 else 1 + 1.5 * math.exp(-(t - 300) / 900)
            if rng.random() < w / 2.5:
                break
        _viewer(e, rng, f"h-{i}", t, min(t + 3 + rng.lognormvariate(math.log(150), 1.2), end))
    if announcement is not None:
        for i in range(150):
            t = announcement + rng.expovariate(1 / 15)
            stay = 3 + rng.lognormvariate(math.log(150), 1.2)
            _viewer(e, rng, f"wave-{i}", t, min(t + stay, end))
    for i in range(office):
        t = rng.uniform(600, end - 600)
        stay = 3 + rng.lognormvariate(math.log(300), 1.0)
        _viewer(e, rng, f"office-{i}", t, min(t + stay, end), ip="61.190.12.3")
    return e


def _bot_waves(e: Events, seed: int, *, waves: int, leave_together: bool) -> set[str]:
    """Bots bought one by one (their own device and address, accounts two to ten months old)
    sent in ``waves`` small waves over ten minutes, each over about half a minute; a wave
    stays 4 to 8 minutes — each bot as long as the others of its wave (give or take 4 s), or
    until the wave leaves together. About one in ten likes, one in twenty chats."""
    rng = random.Random(seed)
    bots: set[str] = set()
    starts = sorted(rng.uniform(900, 1500) for _ in range(waves))
    for w, begin in enumerate(starts):
        stay = rng.uniform(240, 480)
        size = rng.randint(8, 15)
        for k in range(size):
            aid = f"bot-{w}-{k}"
            join = begin + rng.uniform(0, 30)
            leave = (begin + 30 + stay if leave_together else join + stay) + rng.uniform(-4, 4)
            _viewer(e, rng, aid, join, leave, like=0.1, chat=0.05, days_old=rng.uniform(60, 300))
            bots.add(aid)
    return bots


def _named(e: Events, rule: str) -> set[str]:
    return {a for f in e.findings(rule) for a in f.accounts}


def test_bots_in_small_waves_on_their_own_devices_are_named() -> None:
    for seed, waves, together in ((1, 5, False), (2, 8, True), (3, 10, False), (4, 6, True)):
        e = _honest_room(seed)
        bots = _bot_waves(e, seed, waves=waves, leave_together=together)
        (finding,) = e.findings("fake_viewers")
        named = set(finding.accounts)
        assert len(named & bots) >= 0.75 * len(bots), (seed, len(named & bots), len(bots))
        # An honest viewer now and then shares a wave's moments; under 1% of the room.
        assert len(named - bots) <= 0.01 * 800, (seed, sorted(named - bots))
        # What a supervisor reads: the waves, and that they did less than the room.
        assert finding.evidence["signals"]["wave_lockstep"] >= 0.6 * len(bots)
        assert finding.evidence["lockstep_waves"] >= 2
        assert finding.evidence["active_share_waves"] < finding.evidence["active_share_others"]


def test_a_wave_of_honest_viewers_after_an_announcement_is_not_bots() -> None:
    for seed in (1, 2, 3):
        e = _honest_room(seed, announcement=1800, office=40)
        assert e.findings("fake_viewers") == [], seed


def test_an_ordinary_room_has_no_bots() -> None:
    for seed in (4, 5, 6):
        assert _honest_room(seed, viewers=1500).findings("fake_viewers") == [], seed


def test_everyone_leaving_when_the_stream_drops_is_not_bots() -> None:
    # The stream fails at 40 minutes: everyone watching leaves within ten seconds, and those
    # who arrived in the busy minutes before it came and went together.
    drop = 2400.0
    rng = random.Random(9)
    e = _honest_room(9)
    for i in range(200):
        _viewer(e, rng, f"busy-{i}", rng.uniform(1500, drop - 10), drop + 60)
    present = {
        item["actor"]
        for item in e.items
        if item["type"] == "viewer.joined"
        and (T0 + timedelta(seconds=drop)).isoformat(timespec="milliseconds") > item["ts"]
    }
    for item in e.items:
        left = datetime.fromisoformat(item["ts"])
        if (
            item["type"] == "viewer.left"
            and item["actor"] in present
            and left > T0 + timedelta(seconds=drop)
        ):
            moment = T0 + timedelta(seconds=drop + rng.uniform(0, 10))
            item["ts"] = moment.isoformat(timespec="milliseconds")
    assert e.findings("fake_viewers") == []


# --- fake_orders ---------------------------------------------------------------------------


def _honest_orders(e: Events, seed: int, buyers: int = 60, *, family: bool, office: bool) -> None:
    """Ordinary buyers, one or two orders each, nearly all shipped. With ``family``, five
    relatives at one address (two on one phone) buy several times; with ``office``, thirty
    colleagues order from the office's one IP."""
    rng = random.Random(seed)
    n = 0

    def order(buyer: str, *, address: str, device: str, ip: str, refunded: bool = False) -> None:
        nonlocal n
        n += 1
        ts = rng.uniform(300, MINUTES * 60 - 60)
        qty = rng.choice([1, 1, 1, 2, 3, 5])
        _order(
            e,
            f"o-h{n}",
            buyer,
            f"p-{rng.randrange(4)}",
            ts,
            qty=qty,
            address=address,
            device=device,
            ip=ip,
            refunded=refunded,
        )

    for i in range(buyers):
        b = f"b-{i}"
        e.account(b)
        for _ in range(1 + (rng.random() < 0.1)):
            order(
                b,
                address=f"home-{i}",
                device=f"d-{b}",
                ip=f"58.{i}.1.9",
                refunded=rng.random() < 0.05,
            )
    if family:
        for i in range(5):
            b = f"family-{i}"
            e.account(b)
            for _ in range(rng.randint(2, 4)):
                order(
                    b,
                    address="family-home",
                    device=f"d-family-{min(i, 3)}",
                    ip="112.8.8.8",
                    refunded=rng.random() < 0.1,
                )
    if office:
        for i in range(30):
            b = f"colleague-{i}"
            e.account(b)
            order(b, address=f"home-c{i}", device=f"d-{b}", ip="61.190.12.3")


def _order(
    e: Events,
    oid: str,
    buyer: str,
    product: str,
    seconds: float,
    *,
    qty: int,
    address: str,
    device: str,
    ip: str,
    refunded: bool = False,
    cancelled_after: bool = False,
    shipped: bool = True,
) -> None:
    """An order with its whole life: paid; then refunded or cancelled hours after the
    session, or shipped two days later, or left paid and never shipped."""
    amount = 2800 * qty
    e.add(
        "order.placed",
        seconds,
        {
            "order": oid,
            "product": product,
            "qty": qty,
            "unit_price": 2800,
            "amount": amount,
            "address": {"region": "341321", "detail_hash": address},
            "device": device,
            "ip": ip,
            "payment_method": "wallet",
        },
        actor=buyer,
    )
    e.add("order.paid", seconds + 40, {"order": oid})
    after = MINUTES * 60 + 3 * 3600
    if cancelled_after:
        e.add("order.cancelled", after, {"order": oid, "reason": "buyer"})
    elif refunded:
        e.add("order.refunded", after, {"order": oid, "amount": amount, "reason": "buyer"})
    elif shipped:
        e.add("order.shipped", seconds + 2 * 86400, {"order": oid, "carrier": "sf"})
        e.add("order.delivered", seconds + 4 * 86400, {"order": oid})


def _ring(e: Events, seed: int, members: int, *, outcome: str) -> tuple[set[str], set[str]]:
    """A ring in this one session: its members share three drop addresses and four phones,
    each buys the target product (p-0) and one or two others, one to six items an order;
    then most orders are refunded or cancelled after the session (``outcome="gone"``) or stay
    paid and are never shipped (``outcome="unshipped"``)."""
    rng = random.Random(seed)
    accounts: set[str] = set()
    orders: set[str] = set()
    for i in range(members):
        a = f"ring-{i}"
        e.account(a, days_old=rng.uniform(90, 900), ip=f"121.{i}.3.4")
        accounts.add(a)
        products = ["p-0", *rng.sample(["p-1", "p-2", "p-3"], rng.randint(1, 2))]
        for k in range(rng.randint(2, 4)):
            oid = f"o-ring{i}-{k}"
            bad = rng.random() < 0.85
            _order(
                e,
                oid,
                a,
                products[k % len(products)],
                rng.uniform(600, MINUTES * 60 - 120),
                qty=rng.choice([1, 2, 3, 6]),
                address=f"drop-{i % 3}",
                device=f"ring-phone-{i % 4}",
                ip=f"121.{i}.3.4",
                refunded=bad and outcome == "gone" and k % 2 == 0,
                cancelled_after=bad and outcome == "gone" and k % 2 == 1,
                shipped=not bad,
            )
            orders.add(oid)
    return accounts, orders


def test_a_ring_alone_in_one_session_is_found_by_its_marks_and_refunds() -> None:
    for seed, outcome in ((1, "gone"), (2, "unshipped"), (3, "gone")):
        e = Events().session(products=PRODUCTS, minutes=MINUTES)
        _honest_orders(e, seed, buyers=15, family=False, office=False)
        accounts, orders = _ring(e, seed, 10, outcome=outcome)
        (finding,) = e.findings("fake_orders")
        assert set(finding.accounts) == accounts, seed
        assert len(set(finding.orders) & orders) >= 0.9 * len(orders), seed
        assert set(finding.orders) <= orders, seed
        bad = finding.evidence["refunded_or_cancelled"] + finding.evidence["never_shipped"]
        assert bad >= 0.6 * len(finding.orders), seed
        assert finding.evidence["distinct_delivery_hashes"] == 3


def test_a_ring_among_many_honest_buyers_with_a_family_and_an_office() -> None:
    for seed, outcome in ((4, "gone"), (5, "unshipped")):
        e = Events().session(products=PRODUCTS, minutes=MINUTES)
        _honest_orders(e, seed, buyers=300, family=True, office=True)
        accounts, orders = _ring(e, seed, 8, outcome=outcome)
        (finding,) = e.findings("fake_orders")
        assert set(finding.accounts) == accounts, seed
        assert len(set(finding.orders) & orders) >= 0.9 * len(orders), seed


def test_a_family_at_one_address_and_an_office_on_one_ip_are_not_a_ring() -> None:
    for seed in (6, 7, 8):
        e = Events().session(products=PRODUCTS, minutes=MINUTES)
        _honest_orders(e, seed, buyers=200, family=True, office=True)
        assert e.findings("fake_orders") == [], seed


def test_findings_name_accounts() -> None:
    # Guard against a detector that finds nothing at all passing the honest tests above.
    e = Events().session(products=PRODUCTS, minutes=MINUTES)
    _honest_orders(e, 1, buyers=15, family=False, office=False)
    _ring(e, 1, 10, outcome="gone")
    found: list[Finding] = e.findings("fake_orders")
    assert found and all(f.accounts for f in found)
