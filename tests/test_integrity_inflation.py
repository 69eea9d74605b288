"""How many viewers were not real when no bot can be named (issue 19): the excess of idle visits
(under 30 seconds, nothing done) over comparable sessions, as an interval that is a floor, and
what a supervisor reads beside the verified figures."""

from __future__ import annotations

from sunlit.integrity.inflation import IDLE_MS, Visits, dwell, estimate, visits
from sunlit.integrity.reader import read_lines
from tests.integrity_streams import Events


def test_dwell_pairs_each_join_with_the_next_leave() -> None:
    assert dwell([0, 100_000], [10_000, 160_000], 500_000) == 10_000 + 60_000
    assert dwell([0], [], 45_000) == 45_000  # never left: to the session's end
    assert dwell([50_000], [10_000], 80_000) == 30_000  # a leave before the join is not its own


def room(idle: int, stayed: int, chatted: int = 0) -> Events:
    events = Events().session(products=[{"product": "p-1"}], minutes=60)
    for n in range(idle):
        events.add("viewer.joined", 60 + n, {"device": f"b{n}", "ip": "1.1.1.1"}, actor=f"b-{n}")
        events.add("viewer.left", 60 + n + 5, {}, actor=f"b-{n}")
    for n in range(stayed):
        events.add("viewer.joined", 30 + n, {"device": f"h{n}", "ip": "2.2.2.2"}, actor=f"h-{n}")
        events.add("viewer.left", 30 + n + 900, {}, actor=f"h-{n}")
    for n in range(chatted):  # a short visit, but it said something: not idle
        events.add("viewer.joined", 90, {"device": f"c{n}", "ip": "3.3.3.3"}, actor=f"c-{n}")
        events.add("chat.message", 91, {"text": "甜吗"}, actor=f"c-{n}")
        events.add("viewer.left", 95, {}, actor=f"c-{n}")
    return events


def test_idle_visits_are_short_and_silent() -> None:
    stream, _ = read_lines(room(idle=40, stayed=60, chatted=5).lines())
    assert visits(stream.sessions["s-1"]) == Visits(viewers=105, idle=40)
    assert IDLE_MS == 30_000


def test_a_padded_room_gives_a_floor_and_an_honest_one_none() -> None:
    honest = [Visits(1000, 30), Visits(1200, 41), Visits(900, 25)]
    padded = estimate(Visits(3000, 2030), honest)
    assert padded is not None
    # 2,030 idle where about 3% (90) were expected: close to 1,940 not real, never more.
    assert 1800 <= padded.low <= 1940 <= padded.high <= 2030
    same = estimate(Visits(1100, 36), honest)
    assert same is not None and same.low == 0
    assert estimate(Visits(1100, 36), [Visits(150, 4)]) is None  # too little to compare with


def test_an_evening_of_three_rooms_gives_the_padded_one_its_floor() -> None:
    """Two honest rooms and one padded with 400 bots that came and went at once."""
    from sunlit.integrity.figures import figures
    from sunlit.integrity.inflation import estimate as estimated

    lines: list[bytes] = []
    for sid, bots in (("s-1", 0), ("s-2", 0), ("s-3", 400)):
        events = room(idle=bots + 6, stayed=200)
        for item in events.items:
            if item["session"] == "s-1":
                item["session"] = sid
            item["id"] = f"{sid}-{item['id']}"
        lines += events.lines()
    stream, _ = read_lines(lines)
    values = {sid: figures(s, set(), set()) for sid, s in stream.sessions.items()}
    assert values["s-3"]["idle_visits"] == 406 and values["s-3"]["viewers_joined"] == 606
    found = estimated(Visits(606, 406), [Visits(206, 6), Visits(206, 6)])
    assert found is not None and 330 <= found.low <= 400
