"""A quota's local footprint (issue 19): the cadres of the official's own county, told to buy,
have their produce delivered where they live. These streams have no employer on file, no
union or company card, amounts that overshoot any round sum and nothing in the timing: only
the delivery county tells the group from the room. Honest rooms with as many local buyers
as the stream's other sessions, and a session alone in its stream, are left alone. Streams
are written as JSON Lines events (docs/events.md) by `tests.integrity_streams`."""

from __future__ import annotations

import random

from sunlit.integrity.model import Finding
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
