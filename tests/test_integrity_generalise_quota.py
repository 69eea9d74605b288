"""Quotas and below-cost sales in shapes Sunlit's simulator does not draw (issue 19): a quota
on each buyer's total at 100 or 200 yuan, reached on whatever product in one to three orders,
by old accounts with no employer on file, paying from their wallets, over a whole hour; honest
rooms where many buy one box at ¥49.9 or two at ¥99.8; a filing whose purpose says 助销滞销.
Streams are written as JSON Lines events (docs/events.md) by `tests.integrity_streams`."""

from __future__ import annotations

import math
import random
from pathlib import Path

import pytest

from sunlit.integrity.engine import run_detectors
from sunlit.integrity.model import Finding
from sunlit.integrity.reader import read_lines
from sunlit.simulate.model import SimConfig
from sunlit.simulate.services import simulate
from tests.integrity_streams import Events

#: fen; a shelf with prices that do not divide round amounts evenly.
SHELF = {
    "p-0": 4990,  # ¥49.9 a box
    "p-1": 3990,
    "p-2": 2580,
    "p-3": 6800,
    "p-4": 1250,
    "p-5": 9980,  # ¥99.8 for a double box
}
HONEST_QUANTITIES = ((1, 2, 3, 5), (0.7, 0.2, 0.07, 0.03))


def _shelf(e: Events) -> Events:
    return e.session(
        products=[
            {"product": p, "price": price, "declared_cost": None} for p, price in SHELF.items()
        ],
        purpose="砀山酥梨助销滞销助农直播",
    )


def _honest(e: Events, rng: random.Random, buyers: int, favourites: tuple[str, ...]) -> None:
    """Old accounts without an employer buying on their own: one order, some two, of one to
    five items, paid by wallet or bank card, over the hour; ``favourites`` get half the
    orders."""
    for i in range(buyers):
        aid = f"h-{i}"
        e.account(aid, days_old=rng.uniform(30, 3000))
        for k in range(1 if rng.random() < 0.85 else 2):
            pid = rng.choice(favourites) if rng.random() < 0.5 else rng.choice(list(SHELF))
            qty = rng.choices(*HONEST_QUANTITIES)[0]
            e.order(
                f"o-h{i}-{k}",
                aid,
                pid,
                rng.uniform(0, 3600),
                amount=SHELF[pid] * qty,
                qty=qty,
                payment=rng.choice(("wallet", "bank_card")),
            )


def _basket(rng: random.Random, quota: int) -> list[tuple[str, int]]:
    """One to three products at random, one item of each but the last and of the last just
    enough to pass ``quota``, drawn again until the total is within 15% over it (just over,
    as 100.8 is over 100: unit prices do not divide it evenly)."""
    while True:
        picks = rng.sample(list(SHELF), rng.randint(1, 3))
        basket = [(pid, 1) for pid in picks[:-1]]
        spent = sum(SHELF[pid] for pid in picks[:-1])
        if spent >= quota:
            continue
        last = picks[-1]
        basket.append((last, math.ceil((quota - spent) / SHELF[last])))
        if spent + SHELF[last] * basket[-1][1] < quota * 1.15:
            return basket


def _quota(e: Events, rng: random.Random, buyers: int, quota: int) -> dict[str, list[str]]:
    """Buyers told to spend at least ``quota`` fen (`_basket`): old accounts, no employer,
    wallet payment, each order at any time in the hour. Returns their orders."""
    orders: dict[str, list[str]] = {}
    for i in range(buyers):
        aid = f"q-{i}"
        e.account(aid, days_old=rng.uniform(400, 3000))
        orders[aid] = []
        for k, (pid, qty) in enumerate(_basket(rng, quota)):
            oid = f"o-q{i}-{k}"
            e.order(
                oid,
                aid,
                pid,
                rng.uniform(0, 3600),
                amount=SHELF[pid] * qty,
                qty=qty,
                payment="wallet",
            )
            orders[aid].append(oid)
    return orders


def _quota_findings(e: Events) -> list[Finding]:
    return [f for f in e.findings("forced_purchases") if "quota_fen" in f.evidence]


@pytest.mark.parametrize(("quota", "seed"), [(10_000, 1), (20_000, 2), (10_000, 3)])
def test_a_quota_on_each_buyers_total_is_found_without_employer_card_or_burst(
    quota: int, seed: int
) -> None:
    rng = random.Random(seed)
    e = _shelf(Events())
    _honest(e, rng, 400, ("p-0", "p-5"))
    placed = _quota(e, rng, 60, quota)
    (finding,) = _quota_findings(e)
    ev = finding.evidence
    assert ev["quota_fen"] == quota
    assert ev["buyers_just_over"] >= 3 * ev["expected_just_over"]
    # Nothing but the amounts: no employer, no union or company card.
    assert ev["with_employer"] == 0 and ev["union_or_corporate_cards"] == 0
    named = set(finding.accounts)
    assert len(named & set(placed)) >= 0.7 * len(placed)
    assert len(named - set(placed)) <= 0.1 * len(named)
    several = [a for a in named & set(placed) if len(placed[a]) > 1]
    assert ev["in_several_orders"] >= len(several) > 0
    # Every order of a named quota buyer is named, across products.
    assert {o for a in named & set(placed) for o in placed[a]} <= set(finding.orders)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_honest_rooms_full_of_499_and_998_are_not_a_quota(seed: int) -> None:
    rng = random.Random(seed)
    e = _shelf(Events())
    _honest(e, rng, 600, ("p-0", "p-5"))
    assert e.findings("forced_purchases") == []


def test_honest_buyers_of_a_round_priced_product_are_not_a_quota() -> None:
    """A ¥25.0 box: every second buyer of two pays exactly 50 yuan, as honest buyers do."""
    rng = random.Random(7)
    e = Events().session(products=[{"product": "p-r", "price": 2500}])
    for i in range(500):
        qty = rng.choices(*HONEST_QUANTITIES)[0]
        e.account(f"h-{i}")
        e.order(f"o-{i}", f"h-{i}", "p-r", rng.uniform(0, 3600), amount=2500 * qty, qty=qty)
    assert e.findings("forced_purchases") == []


def test_a_handful_of_buyers_just_over_100_yuan_is_no_quota() -> None:
    rng = random.Random(5)
    e = _shelf(Events())
    _honest(e, rng, 400, ("p-0", "p-5"))
    _quota(e, rng, 5, 10_000)
    assert _quota_findings(e) == []


def test_an_employer_on_file_is_counted_when_present_but_not_needed() -> None:
    """Half the pushed buyers have their employer on file: the same buyers are found as
    without it, and the finding says how many of those named have one."""
    rng = random.Random(11)
    e = _shelf(Events())
    _honest(e, rng, 400, ("p-0", "p-5"))
    placed = _quota(e, rng, 40, 10_000)
    (bare,) = _quota_findings(e)
    for aid in list(placed)[:20]:
        e.account(aid, org="砀山县教育局")
    (finding,) = _quota_findings(e)
    employed = set(finding.accounts) & set(list(placed)[:20])
    assert finding.evidence["with_employer"] == len(employed) > 0
    assert bare.evidence["with_employer"] == 0
    assert set(bare.accounts) <= set(finding.accounts)


CHEAP = {"product": "p-0", "price": 1500, "declared_cost": 2000, "category": "fruit"}
PURPOSE = "砀山酥梨助销滞销，暴雨后清仓"


def test_the_officials_words_of_unsold_stock_are_no_clearance() -> None:
    e = Events().session(products=[CHEAP], purpose=PURPOSE)
    (finding,) = e.findings("below_cost")
    assert finding.products == ["p-0"]
    assert finding.evidence["clearance_words_in_filing"] is True
    assert finding.evidence["producer_clearances"] == 0


def test_the_producers_clearance_on_the_price_change_clears_fresh_produce() -> None:
    e = Events().session(products=[{**CHEAP, "price": 2600}], purpose=PURPOSE)
    e.add(
        "product.price_changed", 600, {"product": "p-0", "price": 1500, "clearance": "perishable"}
    )
    assert e.findings("below_cost") == []


def test_a_price_cut_below_cost_without_the_producers_reason_is_found() -> None:
    e = Events().session(products=[{**CHEAP, "price": 2600}], purpose=PURPOSE)
    e.add("product.price_changed", 600, {"product": "p-0", "price": 1500})
    (finding,) = e.findings("below_cost")
    assert finding.evidence["price"] == 1500


def test_a_clearance_counts_for_fresh_produce_only() -> None:
    canned = {**CHEAP, "price": 2600, "category": "processed_agri"}
    e = Events().session(products=[canned], purpose=PURPOSE)
    e.add("product.price_changed", 600, {"product": "p-0", "price": 1500, "clearance": "overstock"})
    assert [f.products for f in e.findings("below_cost")] == [["p-0"]]


def test_a_clearance_only_down_to_its_own_price() -> None:
    e = Events().session(products=[{**CHEAP, "price": 2600}], purpose=PURPOSE)
    e.add(
        "product.price_changed", 600, {"product": "p-0", "price": 1800, "clearance": "season_end"}
    )
    e.add("product.price_changed", 1200, {"product": "p-0", "price": 1200})
    (finding,) = e.findings("below_cost")
    assert finding.evidence["price"] == 1200


def test_a_product_whose_usual_pack_comes_to_a_round_sum_is_no_quota() -> None:
    """Eggs at ¥12.5 bought by the four or eight (¥50, ¥100) by most who take them, beside
    a shelf bought one or two at a time: one product's habit, not a quota on people."""
    rng = random.Random(3)
    e = _shelf(Events())
    _honest(e, rng, 400, ("p-0", "p-5"))
    for i in range(80):
        qty = rng.choice((4, 4, 8, 1))
        e.account(f"egg-{i}")
        e.order(f"o-egg{i}", f"egg-{i}", "p-4", rng.uniform(0, 3600), amount=1250 * qty, qty=qty)
    assert _quota_findings(e) == []


def test_the_simulators_honest_clearance_is_the_producers_and_is_not_flagged(
    tmp_path: Path,
) -> None:
    path = tmp_path / "clearance.jsonl"
    simulate(SimConfig(seed=3, viewers=200, minutes=30, clearance=True), path)
    stream, _ = read_lines(path.read_bytes().splitlines(keepends=True))
    cleared = [p for p in stream.products.values() if p.clearances]
    assert cleared and all(p.cost is not None and p.clearances[0][1] < p.cost for p in cleared)
    found = run_detectors(stream)
    assert [f for fs in found.values() for f in fs if f.rule == "below_cost"] == []


def test_a_bunch_of_two_box_orders_with_the_rooms_usual_share_of_cards_is_not_a_quota() -> None:
    """An honest room where a ¥44 product is mostly bought two at a time (¥88, one of the round
    sums the order-level signal watches) and one buyer in eight pays by union card or has an
    employer on file, as across the room: the bunch is the product's habit, not a quota."""
    events = Events().session(products=[{"product": "p-1", "price": 4400}, {"product": "p-2"}])
    for n in range(160):
        qty = 2 if n % 5 else 1
        card = "union_card" if n % 8 == 0 else "wallet"
        events.account(f"b-{n}", org="县医院" if n % 16 == 1 else None)
        events.order(f"o-{n}", f"b-{n}", "p-1", 60 + n, amount=4400 * qty, qty=qty, payment=card)
    for n in range(160, 200):
        events.account(f"b-{n}").order(f"o-{n}", f"b-{n}", "p-2", 60 + n)
    assert events.findings("forced_purchases") == []


def test_baskets_just_over_100_yuan_that_were_cancelled_are_no_quota() -> None:
    """Forty buyers put together baskets just over ¥100 and cancelled them before paying
    (found by mutation testing: an order cancelled is no purchase, and a quota is money
    spent). Only what they did not cancel counts, and that is nothing."""
    rng = random.Random(31)
    e = _shelf(Events())
    _honest(e, rng, 300, ("p-0", "p-5"))
    baskets = _quota(e, random.Random(32), 40, 10_000)
    for oids in baskets.values():
        for oid in oids:
            e.add("order.cancelled", 3700, {"order": oid, "reason": "buyer"}, session="s-1")
    assert not _quota_findings(e)
    # The same baskets, kept, are the quota.
    kept = _shelf(Events())
    _honest(kept, random.Random(31), 300, ("p-0", "p-5"))
    _quota(kept, random.Random(32), 40, 10_000)
    assert _quota_findings(kept)
