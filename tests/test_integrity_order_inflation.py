"""How many of a session's orders were not organic when no ring can be named for certain
(issue 19, item 3): the excess of marked orders — from buyers who share a delivery address or a
phone with another buyer of the session, or paid and never shipped beside shipped ones — over
comparable sessions, as an interval; and the verified figures shown as a range, in the pages a
supervisor and the public read."""

from __future__ import annotations

import html
import re

import httpx

from sunlit.integrity.figures import figures
from sunlit.integrity.inflation import Marked, estimate_orders, marked_orders
from sunlit.integrity.reader import read_lines
from tests.integrity_streams import Events
from tests.support import LiveServer
from tests.test_catalog_api import api_as
from tests.test_concerns import web_as
from tests.test_integrity_cases import post_stream
from tests.test_integrity_evidence import confirm_and_publish
from tests.test_web import client

PRICE = 4_800  # fen per order


def evening(ring: int) -> Events:
    """Three rooms selling the same pears. In each, 150 households buy on their own (two of
    them a couple at one address) and their orders ship. In s-3, ``ring`` more orders come from
    accounts that share a delivery address with two others each, on phones of their own; they
    pay and never take delivery."""
    events = Events()
    for sid in ("s-1", "s-2", "s-3"):
        events.session(products=[{"product": "pear"}], minutes=90, sid=sid)
        for n in range(150):
            buyer = f"{sid}-h{n}"
            events.add("viewer.joined", 60 + n, {"device": f"d-{buyer}"}, actor=buyer, session=sid)
            address = f"{sid}-home-0" if n < 2 else None  # a couple
            events.order(
                f"{sid}-o{n}",
                buyer,
                "pear",
                120 + n * 20,
                amount=PRICE,
                sid=sid,
                address=address,
                shipped=True,
            )
    for n in range(ring):
        buyer = f"r{n}"
        events.add("viewer.joined", 900 + n, {"device": f"d-{buyer}"}, actor=buyer, session="s-3")
        events.order(
            f"s-3-r{n}",
            buyer,
            "pear",
            1000 + n * 30,
            amount=PRICE,
            sid="s-3",
            address=f"drop-{n // 3}",
        )
    return events


def test_marked_orders_are_tied_or_never_shipped() -> None:
    stream, _ = read_lines(evening(ring=30).lines())
    honest = marked_orders(stream.sessions["s-1"], set())
    assert honest == Marked(orders=150, marked=2, marked_gmv=2 * PRICE)  # the couple
    padded = marked_orders(stream.sessions["s-3"], set())
    assert padded == Marked(orders=180, marked=32, marked_gmv=32 * PRICE)
    # Orders a supervisor confirmed as the ring's are no longer verified orders at all.
    confirmed = {f"s-3-r{n}" for n in range(30)}
    assert marked_orders(stream.sessions["s-3"], confirmed) == Marked(150, 2, 2 * PRICE)


def test_a_room_read_before_shipping_marks_no_unshipped_order() -> None:
    events = Events().session(products=[{"product": "pear"}])
    for n in range(40):
        events.order(f"o{n}", f"b{n}", "pear", 100 + n)  # paid, nothing shipped yet
    stream, _ = read_lines(events.lines())
    assert marked_orders(stream.sessions["s-1"], set()).marked == 0


def test_the_estimate_is_a_floor_against_comparable_rooms() -> None:
    honest = [Marked(150, 2, 0), Marked(150, 2, 0)]
    found = estimate_orders(Marked(180, 32, 32 * PRICE), honest)
    # 32 marked where about 1.3% of 180 (2.4) were expected: about 30 not organic; the floor
    # takes the low end of both counts at 95%, so it is well under 30, never above it.
    assert found is not None and 10 <= found.low <= 30 <= found.high <= 32
    assert (found.total, found.marked, found.baseline_sessions) == (180, 32, 2)
    same = estimate_orders(Marked(150, 3, 0), honest)
    assert same is not None and same.low == 0
    assert estimate_orders(Marked(180, 32, 0), [Marked(40, 0, 0)]) is None  # too few to say


def test_figures_carry_the_marked_orders() -> None:
    stream, _ = read_lines(evening(ring=30).lines())
    values = figures(stream.sessions["s-3"], set(), set())
    assert (values["orders"], values["marked_orders"], values["marked_gmv"]) == (
        180,
        32,
        32 * PRICE,
    )


def numbers(text: str) -> list[int]:
    return [int(x.replace(",", "")) for x in re.findall(r"\d[\d,]*", text)]


def test_pages_show_the_range_until_a_supervisor_confirms_the_ring(served: LiveServer) -> None:
    """Imported over HTTP; the case of s-3 shows its verified orders and sales as a range, in
    Chinese and English; once the ring's case is confirmed and published, the public finding
    shows the ring's orders taken off and no range left."""
    data = b"".join(evening(ring=30).lines())
    with api_as(served, "supervisor1") as api:
        api.timeout = httpx.Timeout(120)
        answer = post_stream(api, data, filename="pears-elsewhere.jsonl")
        assert answer.status_code == 201, answer.text
        cases = [api.get(f"/api/v1/cases/{c}").json() for c in answer.json()["cases_opened"]]
    assert {c["session"] for c in cases} == {"s-3"}, cases  # the honest rooms open nothing
    ring = next(c for c in cases if c["rule"] == "fake_orders")
    with web_as(served, "supervisor1") as web:
        words_of = {"en": "verified orders were not organic", "zh": "笔不是自然成交"}
        for language, words in words_of.items():
            web.cookies.set("sunlit_lang", language)
            page = html.unescape(web.get(f"/supervisor/cases/{ring['id']}").text)
            assert words in page, language
            ranges = re.findall(r'<span class="range">([^<]+)</span>', page)
            assert len(ranges) == 2, ranges  # sales and orders; the viewers were all real
            # 180 orders counted, 30 of them the ring's: the range holds the 150 real ones.
            expected = estimate_orders(Marked(180, 32, 0), [Marked(150, 2, 0)] * 2)
            assert expected is not None
            assert numbers(ranges[1]) == [180 - expected.high, 180 - expected.low]
            assert 180 - expected.high <= 150 < 180 - expected.low
            sales = numbers(ranges[0].replace(".00", ""))  # whole yuan: ¥7,104.00
            assert sales == [
                PRICE * (180 - expected.high) // 100,
                PRICE * (180 - expected.low) // 100,
            ]
    confirm_and_publish(served, ring["id"], "三十个账户用十个地址下单后从不收货")
    with client(served, "en") as visitor:  # anyone, not signed in
        page = html.unescape(visitor.get("/findings").text)
    assert "three" not in page and "三十个账户" in page  # the published finding, its reason
    assert "verified orders were not organic" not in page
    assert 'class="range"' not in page
    # The confirmed case named the ring's 30 orders, not the couple sharing an address in the
    # same room, and they are taken off: 150 verified orders, a point figure again.
    assert set(ring["orders"]) == {f"s-3-r{n}" for n in range(30)}
    orders = re.search(r"<dt>Verified orders</dt><dd>(\d+)</dd>", page)
    assert orders is not None and int(orders.group(1)) == 150
