"""Issue 6 across processes: with SUNLIT_REDIS_URL set, two Sunlit servers (each with its own
hub, WebSocket server and Redis connections, as two processes would have) share one live room
through Redis pub/sub and count its viewers through Redis sorted sets. Real servers on one
database, real Redis, real WebSocket clients on both: chat crosses once each and in order per
sender, likes add up alike, viewers are counted over both, and hides, mutes and pins done
through one server reach the viewers of the other."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from sunlit.core.clock import FixedClock
from tests.support import START, LiveServer, live_server, settings_for, wait_until
from tests.test_catalog_api import api_as
from tests.test_live import Viewer, browser_like, go_live, kind, room_ticket, viewer
from tests.test_web import events_of, load_demo_into

pytestmark = pytest.mark.redis

Pair = tuple[LiveServer, LiveServer]


@pytest.fixture
def pair(database_url: str, redis_url: str) -> Iterator[Pair]:
    """Servers A and B on one database and one Redis, with one clock (a session live in one is
    live in the other). The chat limit is raised so that a burst of messages is not refused."""
    settings = settings_for(database_url, redis_url=redis_url, live_chat_messages=50)
    clock = FixedClock(START)
    with live_server(settings, clock) as a, live_server(settings, clock) as b:
        load_demo_into(a)
        yield a, b


def chats(v: Viewer) -> list[dict[str, Any]]:
    return [m for m in v.seen if m.get("t") == "chat"]


def settle(v: Viewer, seconds: float) -> None:
    """Read whatever else arrives for ``seconds`` (to catch duplicates or late extras)."""
    with contextlib.suppress(AssertionError):
        v.wait_for(lambda m: False, seconds)


def account_of(v: Viewer) -> str:
    account = v.wait_for(kind("hello"))["you"]["account"]
    assert account is not None
    return str(account)


def counted(viewers: int, signed_in: int) -> Any:
    return lambda m: (
        m.get("t") == "state" and m.get("viewers") == viewers and m.get("signed_in") == signed_in
    )


def pinned_id(message: dict[str, Any]) -> str | None:
    """The product a ``state`` message shows pinned (None otherwise)."""
    if message.get("t") != "state" or not message.get("product"):
        return None
    return str(message["product"]["id"])


def hide_when_stored(official: httpx.Client, session: str, message: str) -> httpx.Response:
    """Hide through the API; the chat event reaches the log in a batch a moment after it is
    shown, so a 404 is retried for a few seconds."""
    deadline = time.monotonic() + 5
    while True:
        answer = official.post(
            f"/api/v1/live/{session}/messages/{message}/hide", json={"reason": "spam"}
        )
        if answer.status_code != 404 or time.monotonic() > deadline:
            return answer
        time.sleep(0.1)


def test_each_server_gives_its_own_websocket_address(pair: Pair) -> None:
    a, b = pair
    session, _ = go_live(a)
    addresses = []
    for server in (a, b):
        with browser_like(server) as c:
            ws, _ = room_ticket(c, session)
        assert server.services is not None and server.services.live_port is not None
        assert ws == f"ws://127.0.0.1:{server.services.live_port}/live/"
        addresses.append(ws)
    assert addresses[0] != addresses[1]


def test_chat_crosses_servers_exactly_once_and_in_order_per_sender(pair: Pair) -> None:
    a, b = pair
    session, _ = go_live(a)
    burst = 8
    with (
        viewer(a, session, "buyer1") as a1,
        viewer(a, session) as a_anonymous,
        viewer(b, session, "buyer2") as b1,
        viewer(b, session) as b_anonymous,
    ):
        everyone = [a1, a_anonymous, b1, b_anonymous]
        for v in everyone:
            v.wait_for(kind("hello"))
        from_a = [f"A{n} 砀山梨甜不甜？" for n in range(burst)]
        from_b = [f"B{n} 今天发货吗？" for n in range(burst)]
        for text_a, text_b in zip(from_a, from_b, strict=True):  # interleaved, no waiting
            a1.send({"t": "chat", "text": text_a})
            b1.send({"t": "chat", "text": text_b})
        on_a, on_b = account_of(a1), account_of(b1)
        for v in everyone:
            v.wait_for(lambda m, v=v: m.get("t") == "chat" and len(chats(v)) >= 2 * burst)
        settle(a1, 0.5)  # the others' frames arrive meanwhile and are read at once
        for v in everyone[1:]:
            settle(v, 0.05)
        for v in everyone:
            seen = chats(v)
            assert len(seen) == 2 * burst, [m["text"] for m in seen]  # exactly once each
            assert len({m["id"] for m in seen}) == 2 * burst
            for sender, sent in ((on_a, from_a), (on_b, from_b)):
                texts = [m["text"] for m in seen if m["account"] == sender]
                assert texts == sent, f"one sender's chat out of order: {texts}"
            assert not [m for m in v.seen if m.get("t") == "error"]
        # Both servers forward one Redis channel: everyone sees one conversation, alike.
        orders = {tuple(m["id"] for m in chats(v)) for v in everyone}
        assert len(orders) == 1, orders
        # Someone joining either server later is shown the same history.
        for server in (a, b):
            with viewer(server, session) as late:
                history = late.wait_for(kind("hello"))["history"]
                assert {m["text"] for m in history} == set(from_a + from_b)


def test_likes_on_both_servers_add_up_to_one_total_on_both(pair: Pair) -> None:
    a, b = pair
    session, _ = go_live(a)
    with (
        viewer(a, session, "buyer1") as a1,
        viewer(a, session, "buyer2") as a2,
        viewer(b, session, "buyer3") as b1,
        viewer(b, session) as b_anonymous,
    ):
        everyone = [a1, a2, b1, b_anonymous]
        for v in everyone:
            v.wait_for(kind("hello"))
        a1.send({"t": "like", "n": 3})
        b1.send({"t": "like", "n": 5})
        a2.send({"t": "like", "n": 4})
        b1.send({"t": "like", "n": 1})
        b_anonymous.send({"t": "like", "n": 50})
        assert b_anonymous.wait_for(kind("error"))["code"] == "sign_in"
        for v in everyone:
            v.wait_for(lambda m: m.get("t") == "likes" and m["total"] == 13)
        settle(a1, 1.5)  # more than a refresh: nothing counted twice arrives later
        for v in everyone:
            settle(v, 0.05)
            totals = [m["total"] for m in v.seen if m.get("t") == "likes"]
            assert max(totals) == 13 and totals[-1] == 13, totals
        for server in (a, b):
            with viewer(server, session) as late:
                assert late.wait_for(kind("hello"))["likes"] == 13

    def recorded() -> list[int]:  # the recorders write in batches, a moment after the room
        return [e.data["count"] for e in events_of(a) if e.type == "like" and e.session == session]

    likes = wait_until(lambda: sum(recorded()) >= 13 and recorded(), "13 likes in the event log")
    assert sum(likes) == 13


def test_viewers_are_counted_over_both_servers(pair: Pair) -> None:
    a, b = pair
    session, _ = go_live(a)
    with (
        viewer(a, session, "buyer1") as a1,
        viewer(a, session, "buyer2") as a2,
        viewer(b, session) as b_anonymous,
        viewer(b, session, "buyer3") as b1,
    ):
        everyone = [a1, a2, b_anonymous, b1]
        for v in everyone:
            v.wait_for(counted(4, 3), seconds=6)
        for server in (a, b):
            state = httpx.get(f"{server.url}/api/v1/live/{session}", timeout=10).json()
            assert (state["viewers"], state["signed_in"]) == (4, 3), server.url
        # The same account on both servers (a second device) is one signed-in viewer.
        with viewer(b, session, "buyer1") as b_again:
            everyone.append(b_again)
            for v in everyone:
                v.wait_for(counted(5, 3), seconds=6)
            for server in (a, b):
                state = httpx.get(f"{server.url}/api/v1/live/{session}", timeout=10).json()
                assert (state["viewers"], state["signed_in"]) == (5, 3), server.url


def test_a_hide_and_a_mute_through_one_server_reach_the_other(pair: Pair) -> None:
    a, b = pair
    session, _ = go_live(a)
    with (
        viewer(a, session, "buyer1") as a1,
        viewer(b, session, "buyer2") as b1,
        viewer(b, session, "buyer3") as b2,
        api_as(a, "official.dangshan") as official,
    ):
        for v in (a1, b1, b2):
            v.wait_for(kind("hello"))
        b2.send({"t": "chat", "text": "便宜卖，点我主页"})
        shown = a1.wait_for(kind("chat"))
        assert shown["text"] == "便宜卖，点我主页"
        message, author = shown["id"], shown["account"]
        assert author == account_of(b2)
        for v in (b1, b2):
            v.wait_for(lambda m: m.get("t") == "chat" and m["id"] == message)

        hidden = hide_when_stored(official, session, message)
        assert hidden.status_code == 200, hidden.text
        for v in (b1, b2, a1):
            v.wait_for(lambda m: m.get("t") == "hide" and m["id"] == message, seconds=5)
        with viewer(b, session) as late:
            assert message not in [m["id"] for m in late.wait_for(kind("hello"))["history"]]

        muted = official.put(f"/api/v1/live/{session}/mutes/{author}", json={"reason": "insult"})
        assert muted.status_code == 200, muted.text
        b2.wait_for(lambda m: m.get("t") == "muted" and m["reason"] == "insult", seconds=5)
        b2.send({"t": "chat", "text": "我又来了"})
        refused = b2.wait_for(kind("error"), seconds=5)
        assert refused["code"] == "muted"
        b1.send({"t": "chat", "text": "还有货吗？"})  # others still chat, across servers
        for v in (a1, b1, b2):
            v.wait_for(lambda m: m.get("t") == "chat" and m["text"] == "还有货吗？")
            assert "我又来了" not in [m["text"] for m in chats(v)]
        assert not [m for m in b1.seen if m.get("t") == "muted"]  # only the muted hear it
        with viewer(b, session, "buyer3") as again:
            assert again.wait_for(kind("hello"))["you"]["muted"] == "insult"


def test_a_pin_through_one_server_shows_on_the_other(pair: Pair) -> None:
    a, b = pair
    session, products = go_live(a)
    with (
        viewer(a, session, "buyer1") as a1,
        viewer(b, session, "buyer2") as b1,
        viewer(b, session) as b_anonymous,
        api_as(a, "official.dangshan") as official,
    ):
        for v in (a1, b1, b_anonymous):
            assert v.wait_for(kind("hello")).get("product") is None
        pinned = official.put(f"/api/v1/live/{session}/pin", json={"product_id": products[0]})
        assert pinned.status_code == 200, pinned.text
        for v in (b1, b_anonymous):  # the other server shows the product pinned through this one
            shown = v.wait_for(lambda m: pinned_id(m) == products[0])
            assert shown["product"] == pinned.json()["product"]
        a1.wait_for(lambda m: m.get("t") == "state" and m.get("product") is not None, seconds=2.5)
        for v in (b1, b_anonymous):
            v.seen.clear()  # only what arrives from now on
        taken_down = official.put(f"/api/v1/live/{session}/pin", json={"product_id": None})
        assert taken_down.status_code == 200, taken_down.text
        for v in (b1, b_anonymous):
            v.wait_for(lambda m: m.get("t") == "state" and m.get("product") is None, seconds=2.5)


def test_a_ticket_redeemed_on_one_server_is_refused_on_the_other(pair: Pair) -> None:
    from tests.test_live_tickets import CLOSE_TICKET, close_code, open_socket

    a, b = pair
    session, _ = go_live(a)
    with browser_like(a, "buyer1") as c:
        ws_a, ticket = room_ticket(c, session)
    with browser_like(b) as c:
        ws_b, _ = room_ticket(c, session)
    with open_socket(ws_a, session, ticket) as first:
        Viewer(first).wait_for(kind("hello"))
        with open_socket(ws_b, session, ticket) as again:
            assert close_code(again) == CLOSE_TICKET


def test_signing_out_on_one_server_closes_the_socket_on_the_other(pair: Pair) -> None:
    from tests.test_live_tickets import CLOSE_TICKET, close_code, open_socket, sign_out
    from tests.test_web import client

    a, b = pair
    session, _ = go_live(a)
    with browser_like(b, "buyer1") as on_b, client(a, "en") as on_a:
        ws_b, ticket = room_ticket(on_b, session)
        _, spare = room_ticket(on_b, session)
        on_a.cookies = on_b.cookies  # the same browser, its next request served by A
        with open_socket(ws_b, session, ticket) as watching:
            Viewer(watching).wait_for(kind("hello"))
            sign_out(on_a)
            assert close_code(watching) == CLOSE_TICKET
        with open_socket(ws_b, session, spare) as late:
            assert close_code(late) == CLOSE_TICKET
