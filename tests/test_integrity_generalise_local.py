"""A quota's local footprint (issue 19): the cadres of the official's own county, told to buy,
have their produce delivered where they live. These streams have no employer on file, no
union or company card, amounts that overshoot any round sum and nothing in the timing: only
the delivery county tells the group from the room. Honest rooms with as many local buyers
as the stream's other sessions, and a session alone in its stream, are left alone. Streams
are written as JSON Lines events (docs/events.md) by `tests.integrity_streams`."""

from __future__ import annotations

import random

import pytest

from sunlit.integrity.detectors.local_buyers import quota_shaped
from sunlit.integrity.model import Finding
from sunlit.integrity.stream import Order
from tests.integrity_streams import Events

HOME = "341321"  # the official's county (Dangshan)
ELSEWHERE = ("110105", "310104", "440305", "330106", "420106", "510107", "610113", "320102")
SHELF = {"p-a": 2990, "p-b": 4580, "p-c": 6800}


def _room(
    e: Events, rng: random.Random, sid: str, home: str, buyers: int, local_share: float
) -> None:
    """A session of the official of ``home`` and its honest buyers, ``local_share`` of them
    at home; a third of them like what they see."""
    e.session(
        products=[{"product": f"{sid}-{p}", "price": price} for p, price in SHELF.items()],
        sid=sid,
        region=home,
        official=f"official-{sid}",
    )
    for i in range(buyers):
        aid = f"{sid}-h{i}"
        e.account(aid, days_old=rng.uniform(30, 3000))
        product = rng.choice(list(SHELF))
        qty = rng.choices((1, 2, 3, 5), (0.6, 0.25, 0.1, 0.05))[0]
        region = home if rng.random() < local_share else rng.choice(ELSEWHERE)
        e.order(
            f"o-{aid}",
            aid,
            f"{sid}-{product}",
            rng.uniform(0, 3600),
            amount=SHELF[product] * qty,
            qty=qty,
            sid=sid,
            region=region,
            payment=rng.choice(("wallet", "bank_card")),
        )
        if rng.random() < 0.33:
            e.add("like", rng.uniform(0, 3600), {"count": 3}, actor=aid, session=sid)


def _cadres(e: Events, rng: random.Random, sid: str, n: int, quota: int = 0) -> set[str]:
    """Old accounts of the county, no employer on file, paying by wallet or bank card, buying
    two to six items of whatever product over the hour (or, with a ``quota`` in fen, just
    enough to pass it), delivered at home."""
    group = set()
    for i in range(n):
        aid = f"{sid}-cadre{i}"
        group.add(aid)
        e.account(aid, days_old=rng.uniform(400, 3000))
        product = rng.choice(list(SHELF))
        qty = -(-quota // SHELF[product]) if quota else rng.randint(2, 6)
        e.order(
            f"o-{aid}",
            aid,
            f"{sid}-{product}",
            rng.uniform(0, 3600),
            amount=SHELF[product] * qty,
            qty=qty,
            sid=sid,
            region=HOME,
            payment=rng.choice(("wallet", "bank_card")),
        )
    return group


def _local(e: Events) -> list[Finding]:
    return [f for f in e.findings("forced_purchases") if "local_buyers" in f.evidence]


def test_a_group_delivering_in_the_officials_county_is_found_by_that_alone() -> None:
    rng = random.Random(1)
    e = Events()
    _room(e, rng, "s-1", HOME, 400, 0.01)
    _room(e, rng, "s-2", "522635", 400, 0.01)
    group = _cadres(e, rng, "s-1", 30)
    (finding,) = _local(e)
    named = set(finding.accounts)
    assert len(named & group) >= 27
    assert len(named - group) <= 0.1 * len(named)
    ev = finding.evidence
    assert ev["official_county"] == f"砀山县 ({HOME})"
    assert ev["with_employer"] == 0 and ev["union_or_corporate_cards"] == 0
    assert ev["local_buyers"] >= 30 and ev["local_share_elsewhere"] < 0.05
    # Every order of a named buyer is named.
    assert {f"o-{a}" for a in named} <= set(finding.orders)


def test_the_engaged_honest_locals_are_left_out_when_locals_are_common() -> None:
    """When the honest locals expected are too many to name every local buyer, those who
    behave like the room (they liked what they saw) are left out."""
    rng = random.Random(2)
    e = Events()
    _room(e, rng, "s-1", HOME, 800, 0.02)
    _room(e, rng, "s-2", "522635", 800, 0.02)
    group = _cadres(e, rng, "s-1", 60, quota=10_000)
    (finding,) = _local(e)
    assert finding.evidence["quota_shaped_totals"] > 0
    # With the quota on the totals, which may name some of them first.
    named = {a for f in e.findings("forced_purchases") for a in f.accounts}
    liked = {a for _, a, _ in _likes(e, "s-1")}
    assert not named & liked
    assert len(named & group) >= 54
    assert len(named - group) <= 0.1 * len(named)


def _likes(e: Events, sid: str) -> list[tuple[float, str, int]]:
    return [
        (item["ts"], item["actor"], 1)
        for item in e.items
        if item["type"] == "like" and item["session"] == sid
    ]


def test_a_room_with_as_many_locals_as_the_other_sessions_is_no_quota() -> None:
    rng = random.Random(3)
    e = Events()
    _room(e, rng, "s-1", HOME, 500, 0.15)
    _room(e, rng, "s-2", "522635", 500, 0.15)
    _room(e, rng, "s-3", "610722", 500, 0.15)
    assert _local(e) == []


def test_a_session_alone_in_its_stream_needs_more_than_a_few_locals() -> None:
    """With no other session to compare with, a prior of one buyer in twenty at home stands
    in: a room with 5% locals is no quota; thirty cadres buying just over ¥100 among 150
    buyers are."""
    rng = random.Random(4)
    quiet = Events()
    _room(quiet, rng, "s-1", HOME, 600, 0.05)
    assert _local(quiet) == []
    loud = Events()
    _room(loud, rng, "s-1", HOME, 150, 0.0)
    group = _cadres(loud, rng, "s-1", 30, quota=10_000)
    named = {a for f in loud.findings("forced_purchases") for a in f.accounts}
    # The quota on the totals names them too, with a few honest buyers just over ¥100.
    assert group <= named
    assert len(named - group) <= 0.2 * len(named)


def test_a_handful_of_locals_is_no_quota() -> None:
    rng = random.Random(5)
    e = Events()
    _room(e, rng, "s-1", HOME, 300, 0.0)
    _room(e, rng, "s-2", "522635", 300, 0.0)
    _cadres(e, rng, "s-1", 6)
    assert _local(e) == []


# Found by mutation testing (docs/mutation-testing.md): each test below fails when a part of
# the local group is narrowed or its gates loosened, which no test above noticed.


def _quiet_room(e: Events, rng: random.Random, sid: str, home: str, buyers: int) -> None:
    """A session of the official of ``home`` whose honest buyers live elsewhere and neither
    like, chat nor share."""
    e.session(
        products=[{"product": f"{sid}-{p}", "price": price} for p, price in SHELF.items()],
        sid=sid,
        region=home,
        official=f"official-{sid}",
    )
    for i in range(buyers):
        aid = f"{sid}-h{i}"
        e.account(aid, days_old=rng.uniform(30, 3000))
        product = rng.choice(list(SHELF))
        e.order(
            f"o-{aid}",
            aid,
            f"{sid}-{product}",
            rng.uniform(0, 3600),
            amount=SHELF[product],
            sid=sid,
            region=rng.choice(ELSEWHERE),
        )


def _locals(
    e: Events,
    rng: random.Random,
    sid: str,
    n: int,
    *,
    region: str = HOME,
    org: str | None = None,
    employed: int | None = None,
    liking: int = 0,
    split_card: bool = False,
) -> set[str]:
    """``n`` buyers delivering in ``region``, two to six items each; the first ``liking`` of
    them like what they see; with ``org`` an employer on file (for the first ``employed``, or
    all); with ``split_card`` each pays one order by union card and a second by wallet."""
    group = set()
    for i in range(n):
        aid = f"{sid}-local{i}"
        group.add(aid)
        employer = org if employed is None or i < employed else None
        e.account(aid, days_old=rng.uniform(400, 3000), org=employer)
        product = rng.choice(list(SHELF))
        qty = rng.randint(2, 6)
        e.order(
            f"o-{aid}",
            aid,
            f"{sid}-{product}",
            rng.uniform(0, 3600),
            amount=SHELF[product] * qty,
            qty=qty,
            sid=sid,
            region=region,
            payment="union_card" if split_card else "wallet",
        )
        if split_card:
            e.order(
                f"o-{aid}-2",
                aid,
                f"{sid}-p-a",
                rng.uniform(0, 3600),
                amount=SHELF["p-a"],
                sid=sid,
                region=region,
            )
        if i < liking:
            e.add("like", rng.uniform(0, 3600), {"count": 3}, actor=aid, session=sid)
    return group


def _quota_named(e: Events) -> set[str]:
    found = e.findings("forced_purchases")
    return {a for f in found if "local_buyers" not in f.evidence for a in f.accounts}


def _forced(e: Events) -> set[str]:
    return {a for f in e.findings("forced_purchases") for a in f.accounts}


def test_when_locals_are_rare_every_local_buyer_is_named_even_those_who_liked() -> None:
    """Honest locals expected: about two of thirty. Every local buyer is named, the three
    cadres who liked what they saw (as a third of the room did) too; the small session last in
    the stream weighs as much as its buyers, no more."""
    rng = random.Random(11)
    e = Events()
    _room(e, rng, "s-1", HOME, 200, 0.0)
    _room(e, rng, "s-2", "522635", 400, 0.0)
    group = _locals(e, rng, "s-1", 30, liking=3)
    _room(e, rng, "s-3", "610722", 40, 0.0)
    (finding,) = _local(e)
    # Some of them bought just over ¥150, and the quota on the totals named those first.
    assert group <= _forced(e)
    assert {"s-1-local0", "s-1-local1"} <= set(finding.accounts)
    ev = finding.evidence
    assert ev["named_buyers"] == len(finding.accounts) == len(group - _quota_named(e))
    assert ev["buyers_in_session"] == 230 and ev["local_buyers"] == 30
    assert ev["p_value"] < 1e-6 and ev["forced_purchase_reports"] == 0
    # Thirty where two are expected: the ratio counts up to six; no employer, card or report.
    assert ev["with_employer"] == 0 and ev["union_or_corporate_cards"] == 0
    assert finding.score == pytest.approx(0.8)
    assert finding.summary.startswith("30 of the session's 230 buyers")


def test_an_employer_on_file_sets_the_locals_apart_when_locals_are_common() -> None:
    """Honest locals are common (2%): only a kind of buyer rare in the room is named. Cadres
    with an employer on file, liking as the room does, no card and no round totals, are."""
    rng = random.Random(12)
    e = Events()
    _room(e, rng, "s-1", HOME, 800, 0.02)
    _room(e, rng, "s-2", "522635", 800, 0.02)
    group = _locals(e, rng, "s-1", 60, org="县直机关", liking=20)
    named = _forced(e)
    assert len(named & group) >= 54
    assert len(named - group) <= 0.1 * len(named)


def test_a_union_card_on_one_order_of_two_sets_the_locals_apart() -> None:
    """Cadres who pay one order by union card and the other from their own wallet are backed
    by a card all the same."""
    rng = random.Random(13)
    e = Events()
    _room(e, rng, "s-1", HOME, 800, 0.02)
    _room(e, rng, "s-2", "522635", 800, 0.02)
    group = _locals(e, rng, "s-1", 60, liking=20, split_card=True)
    named = _forced(e)
    assert len(named & group) >= 54
    assert len(named - group) <= 0.1 * len(named)


def test_a_dozen_locals_where_four_are_expected_is_chance_not_a_quota() -> None:
    """Three times the expected and eight more, but a Poisson tail of about 1e-4: the p-value
    gate (1e-6) holds however unlike the room the twelve behave."""
    rng = random.Random(14)
    e = Events()
    _quiet_room(e, rng, "s-2", "522635", 400)
    _quiet_room(e, rng, "s-3", "610722", 400)
    _quiet_room(e, rng, "s-1", HOME, 640)
    _locals(e, rng, "s-1", 12, liking=12)
    assert _local(e) == []


def test_twice_the_usual_share_of_locals_is_not_a_quota_however_many() -> None:
    """A room with twice the locals of the stream's other sessions, sixty more than expected
    and a tiny p-value, is still short of the ratio (three times)."""
    rng = random.Random(15)
    e = Events()
    _room(e, rng, "s-2", "522635", 600, 0.1)
    _room(e, rng, "s-3", "610722", 600, 0.1)
    _quiet_room(e, rng, "s-1", HOME, 540)
    _locals(e, rng, "s-1", 60, liking=60)
    for i in range(60):  # the room's usual locals: a tenth of it
        aid = f"s-1-h{i}"
        e.order(f"o-{aid}-2", aid, "s-1-p-a", 100.0 + i, amount=SHELF["p-a"], region=HOME)
    assert _local(e) == []


def test_eight_locals_where_half_of_one_is_expected_are_too_few_for_a_quota() -> None:
    """Sixteen times the expected and a tiny p-value, but fewer than eight more than expected."""
    rng = random.Random(16)
    e = Events()
    _quiet_room(e, rng, "s-2", "522635", 1000)
    _quiet_room(e, rng, "s-3", "610722", 1000)
    _quiet_room(e, rng, "s-1", HOME, 200)
    _locals(e, rng, "s-1", 8)
    assert _local(e) == []


def test_the_expected_share_pools_every_other_session() -> None:
    """Three rooms with 15% locals and a small one from a county none of its buyers live in:
    the share expected is the pool of all the others, not the last session's."""
    rng = random.Random(17)
    e = Events()
    for sid, home in (("s-1", HOME), ("s-2", "522635"), ("s-3", "610722")):
        _room(e, rng, sid, home, 500, 0.15)
    _quiet_room(e, rng, "s-4", "450881", 100)
    assert _local(e) == []


def test_a_county_the_region_book_does_not_know_is_shown_by_its_code() -> None:
    rng = random.Random(18)
    e = Events()
    _room(e, rng, "s-1", "341399", 200, 0.0)
    _room(e, rng, "s-2", "522635", 400, 0.0)
    _locals(e, rng, "s-1", 30, region="341399")
    (finding,) = _local(e)
    assert finding.evidence["official_county"] == "341399"


def test_township_codes_are_read_at_the_county() -> None:
    """An official filed at the township (nine digits) and deliveries coded to the village
    (twelve): both are read as their county."""
    rng = random.Random(19)
    e = Events()
    _room(e, rng, "s-1", HOME + "100", 200, 0.0)
    _room(e, rng, "s-2", "522635", 400, 0.0)
    group = _locals(e, rng, "s-1", 30, region=HOME + "100201")
    (finding,) = _local(e)
    assert group <= set(finding.accounts)
    assert finding.evidence["official_county"] == f"砀山县 ({HOME})"


def _order(amount: int, qty: int, *, cancelled: bool = False) -> Order:
    return Order(
        id=f"o-{amount}-{qty}",
        session="s-1",
        account="a",
        product="p",
        ts=0,
        qty=qty,
        unit_price=amount // qty,
        amount=amount,
        region=HOME,
        address=None,
        device=None,
        ip=None,
        payment="wallet",
        cancelled=1 if cancelled else None,
    )


def test_a_quota_shaped_total_reaches_the_round_sum_and_one_item_fewer_would_not() -> None:
    """What a supervisor reads as `quota_shaped_totals`: ¥100 exactly passes ¥100; ¥150 of
    three ¥50 items does not (two would still reach it); cancelled orders do not count, and a
    buyer whose orders were all cancelled has no total."""
    assert quota_shaped([_order(10_000, 2)], (10_000,))
    assert not quota_shaped([_order(15_000, 3)], (10_000,))
    assert quota_shaped([_order(10_000, 2), _order(9_000, 3, cancelled=True)], (10_000,))
    assert not quota_shaped([_order(10_000, 2, cancelled=True)], (10_000,))


def test_an_employer_on_file_and_a_report_of_a_quota_raise_the_score() -> None:
    """One of the group has an employer on file, and someone reported a quota (the
    other reports, of quality and the like, do not count): 0.8 + 0.1 + 0.05."""
    rng = random.Random(11)
    e = Events()
    _room(e, rng, "s-1", HOME, 200, 0.0)
    _room(e, rng, "s-2", "522635", 400, 0.0)
    _locals(e, rng, "s-1", 30, org="县财政局", employed=1)
    reports = (("forced_purchase", "单位要求每人买一百元"), ("quality", "烂了"), ("other", "慢"))
    for category, text in reports:
        e.add("report.filed", 9000, {"category": category, "text": text}, session="s-1")
    (finding,) = _local(e)
    ev = finding.evidence
    assert "s-1-local0" in finding.accounts
    assert ev["with_employer"] == 1 and ev["union_or_corporate_cards"] == 0
    assert ev["forced_purchase_reports"] == 1
    assert finding.score == pytest.approx(0.95)


def test_a_card_raises_the_score_and_the_ratio_counts_below_six() -> None:
    rng = random.Random(13)
    e = Events()
    _room(e, rng, "s-1", HOME, 800, 0.02)
    _room(e, rng, "s-2", "522635", 800, 0.02)
    _locals(e, rng, "s-1", 60, liking=20, split_card=True)
    (finding,) = _local(e)
    ev = finding.evidence
    assert ev["with_employer"] == 0 and ev["union_or_corporate_cards"] > 0
    ratio = ev["local_buyers"] / ev["expected_local"]
    assert 3 < ratio < 6
    assert finding.score == pytest.approx(0.5 + 0.05 * ratio + 0.1, abs=0.005)


def test_a_session_with_no_county_on_file_has_no_local_group() -> None:
    """No official's county filed: no local group, even when the orders carry no delivery
    county either (blank is not a county)."""
    rng = random.Random(20)
    e = Events()
    _room(e, rng, "s-1", "", 200, 0.0)
    _room(e, rng, "s-2", "522635", 400, 0.0)
    _locals(e, rng, "s-1", 30, region="")
    assert _local(e) == []


def test_a_quota_among_the_locals_is_found_where_the_whole_room_hides_it() -> None:
    """A thousand honest buyers of whom one in nine lands just over ¥100 by habit (three of the
    ¥45.80 item, two of the ¥68): twenty-five cadres at home buying just past ¥100 are too few
    to show against them. Among the buyers delivering in the official's county — one in
    twenty of the room, as in the other session — they are nearly half of those just over,
    where the others' rate gives a tenth: the locals' own window finds them."""
    rng = random.Random(21)
    e = Events()
    _room(e, rng, "s-1", HOME, 1000, 0.05)
    _room(e, rng, "s-2", "522635", 1000, 0.05)
    group = _cadres(e, rng, "s-1", 25, quota=10_000)
    quota = [f for f in e.findings("forced_purchases") if f.evidence.get("quota_fen") == 10_000]
    assert quota, "no quota finding at ¥100"
    named = {a for f in quota for a in f.accounts}
    assert len(named & group) >= 18
    assert len(named - group) <= 0.35 * len(named)
    assert quota[0].evidence["delivered_in_officials_county"] >= 18
    assert not _local(e)  # the local share alone is no finding here
