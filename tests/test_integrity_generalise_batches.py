"""View bots in shapes Sunlit's simulator does not draw (issue 19): accounts a farm registered
over a few days months ago, each on its own phone and network, arriving over half an hour
on the audience's own curve, a quarter of them liking a little, staying a minute or two;
beside a village that signed up on one day and watches like everyone, and newcomers who
registered in the days before the session. Streams are written as JSON Lines events
(docs/events.md) by `tests.integrity_streams`."""

from __future__ import annotations

import random

from tests.integrity_streams import Events

PRODUCTS = [{"product": "p-0"}, {"product": "p-1"}]


def _viewer(
    e: Events, rng: random.Random, aid: str, days_old: float, join: float, stay: float
) -> None:
    e.account(aid, days_old=days_old, ip=f"{rng.randrange(1, 223)}.{rng.randrange(256)}.0.9")
    net = f"{rng.randrange(1, 223)}.{rng.randrange(256)}.{rng.randrange(256)}.9"
    e.add("viewer.joined", join, {"device": f"d-{aid}", "ip": net, "client": "app"}, actor=aid)
    e.add("viewer.left", join + stay, {}, actor=aid)


def _room(e: Events, rng: random.Random, n: int = 800) -> None:
    """Honest viewers registered over four years, joining over the hour, staying from a
    minute to most of it; two in five like what they see."""
    for i in range(n):
        aid = f"h-{i}"
        join = rng.uniform(0, 3000)
        _viewer(e, rng, aid, rng.uniform(20, 1500), join, min(rng.lognormvariate(5.6, 0.9), 3600))
        if rng.random() < 0.4:
            e.add("like", join + 20, {"count": 2}, actor=aid)


def _farm(
    e: Events,
    rng: random.Random,
    n: int,
    days_old: float,
    spread_days: float,
    tag: str = "bot",
    longest: float = 180,
) -> set[str]:
    """``n`` accounts registered over ``spread_days`` about ``days_old`` days ago, joining
    within half an hour, staying 30 s to ``longest``; a quarter like once."""
    bots = set()
    for i in range(n):
        aid = f"{tag}-{i}"
        bots.add(aid)
        join = rng.uniform(900, 2700)
        stay = rng.uniform(30, longest)
        _viewer(e, rng, aid, days_old + rng.uniform(0, spread_days), join, stay)
        if rng.random() < 0.25:
            e.add("like", join + 10, {"count": 1}, actor=aid)
    return bots


def _named(e: Events) -> set[str]:
    return {a for f in e.findings("fake_viewers") for a in f.accounts}


def test_a_farm_registered_over_days_months_ago_is_found_by_how_its_batch_behaves() -> None:
    rng = random.Random(1)
    e = Events().session(products=PRODUCTS)
    _room(e, rng)
    bots = _farm(e, rng, 150, 290, 4)
    named = _named(e)
    assert len(named & bots) >= 0.9 * len(bots)
    assert len(named - bots) <= 0.05 * len(named)
    (finding,) = e.findings("fake_viewers")
    assert finding.evidence["signals"]["quiet_batch"] >= 0.9 * len(bots)


def test_many_small_batches_over_weeks_are_found_together() -> None:
    """Eight batches of 20, a week apart, staying up to six minutes: each alone is too
    small to tell from the room."""
    rng = random.Random(2)
    e = Events().session(products=PRODUCTS)
    _room(e, rng)
    bots: set[str] = set()
    for k in range(8):
        bots |= _farm(e, rng, 20, 100 + 7 * k, 0.2, tag=f"bot{k}", longest=360)
    named = _named(e)
    assert len(named & bots) >= 0.7 * len(bots)
    assert len(named - bots) <= 0.05 * len(named)


def test_a_village_registered_together_that_watches_like_everyone_is_not_named() -> None:
    rng = random.Random(3)
    e = Events().session(products=PRODUCTS)
    _room(e, rng)
    for i in range(150):
        join = rng.uniform(0, 3000)
        stay = min(rng.lognormvariate(5.6, 0.9), 3600)
        _viewer(e, rng, f"village-{i}", 290 + rng.uniform(0, 1), join, stay)
    assert not {a for a in _named(e) if a.startswith("village")}


def test_newcomers_who_signed_up_for_the_session_are_not_named() -> None:
    """Registered in the three days before, they look around briefly and rarely like."""
    rng = random.Random(4)
    e = Events().session(products=PRODUCTS)
    _room(e, rng)
    _farm(e, rng, 150, 0.5, 3, tag="new")
    assert not {a for a in _named(e) if a.startswith("new")}


def _households(e: Events, rng: random.Random) -> set[str]:
    """Eleven accounts registered in the same ten minutes a year ago on four phones, who watch
    a minute and do nothing."""
    family = set()
    for i in range(11):
        aid = f"fam-{i}"
        family.add(aid)
        e.account(aid, days_old=365 + i / 1440, device=f"phone-{i % 4}")
        join = 1200 + rng.uniform(0, 5)
        e.add("viewer.joined", join, {"device": f"phone-{i % 4}", "ip": "9.9.9.9"}, actor=aid)
        e.add("viewer.left", join + 60, {}, actor=aid)
    return family


def test_a_few_households_on_shared_phones_are_a_finding_in_a_small_room_only() -> None:
    """The same eleven accounts: named among 2,000 viewers, too few to matter among 6,000
    (a finding needs 0.2% of the viewers)."""
    small = Events().session(products=PRODUCTS)
    _room(small, random.Random(6), 2000)
    family = _households(small, random.Random(7))
    assert _named(small) >= family
    big = Events().session(products=PRODUCTS)
    _room(big, random.Random(6), 6000)
    _households(big, random.Random(7))
    assert not _named(big) & family


# Found by mutation testing (docs/mutation-testing.md).


def test_a_batch_that_stays_briefly_but_likes_as_much_as_the_room_is_not_quiet() -> None:
    """A village registered together that drops in for a minute or two and likes what it sees
    more often than the room: short stays alone do not make a batch quiet."""
    rng = random.Random(8)
    e = Events().session(products=PRODUCTS)
    _room(e, rng)
    for i in range(150):
        aid = f"village-{i}"
        join = rng.uniform(900, 2700)
        _viewer(e, rng, aid, 290 + rng.uniform(0, 4), join, rng.uniform(30, 180))
        if rng.random() < 0.6:
            e.add("like", join + 10, {"count": 1}, actor=aid)
    assert not {a for a in _named(e) if a.startswith("village")}


def test_a_farm_is_found_after_a_small_family_batch_years_before_it() -> None:
    """Twelve accounts a family registered in one hour years ago are a batch too small to
    test; the farm registered later is still tested and found."""
    rng = random.Random(9)
    e = Events().session(products=PRODUCTS)
    _room(e, rng)
    for i in range(12):
        join = rng.uniform(0, 3000)
        stay = min(rng.lognormvariate(5.6, 0.9), 3600)
        _viewer(e, rng, f"family-{i}", 1400 + rng.uniform(0, 0.04), join, stay)
    bots = _farm(e, rng, 150, 290, 4)
    named = _named(e)
    assert len(named & bots) >= 0.9 * len(bots)
    (finding,) = e.findings("fake_viewers")
    assert finding.evidence["signals"]["quiet_batch"] >= 0.9 * len(bots)


def test_a_farm_that_likes_as_often_as_the_room_but_never_buys_is_found() -> None:
    """A farm told to like as often as the audience does (two in five) is no longer quieter
    in likes; it still never buys while one viewer in eight of the room does, and its stays
    are a minute or two. Liking is cheap to automate, buying is not."""
    rng = random.Random(10)
    e = Events().session(products=PRODUCTS)
    _room(e, rng)
    for i in range(0, 800, 8):
        e.order(f"o-{i}", f"h-{i}", "p-0", 600 + 2 * i)
    bots = _farm(e, rng, 150, 290, 4)
    for i, aid in enumerate(sorted(bots)):
        if i % 5 < 2:
            e.add("like", 2800 + i, {"count": 1}, actor=aid)
    named = _named(e)
    assert len(named & bots) >= 0.9 * len(bots)
    assert len(named - bots) <= 0.05 * len(named)


def test_a_small_farm_registered_over_two_days_is_one_batch_across_the_bins() -> None:
    """Thirty accounts registered over two days months ago, in a room of five hundred: no
    day's bin holds the twenty a batch needs to be tested, whichever way the days are cut;
    the neighbouring bins together do."""
    rng = random.Random(11)
    e = Events().session(products=PRODUCTS)
    _room(e, rng, n=500)
    bots = _farm(e, rng, 30, 300, 2)
    named = _named(e)
    assert len(named & bots) >= 0.9 * len(bots)
    assert len(named - bots) <= 0.05 * len(named)
    (finding,) = e.findings("fake_viewers")
    assert finding.evidence["signals"]["quiet_batch"] >= 0.9 * len(bots)
