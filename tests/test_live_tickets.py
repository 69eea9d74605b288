"""Live-room tickets (security finding D1) over real HTTP and real WebSockets: a ticket opens
one connection, only within its lifetime, and only while the sign-in session that asked for it
lasts; the page gets a fresh ticket for whoever is signed in now (or an anonymous one)."""

from __future__ import annotations

import time
from datetime import timedelta

import httpx
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from tests.support import LiveServer
from tests.test_live import Viewer, browser_like, go_live, kind, room_ticket

CLOSE_TICKET = 4001  # the ticket is used or expired: the page asks for a new one


def close_code(connection: ClientConnection, seconds: float = 10) -> int:
    """Read until the server closes the connection; its close code. Fails if it stays open
    past ``seconds`` (a deadline to wait on, not a duration asserted)."""
    deadline = time.monotonic() + seconds
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"the connection was still open after {seconds}s")
        try:
            connection.recv(timeout=left)
        except TimeoutError:
            continue
        except ConnectionClosed as closed:
            assert closed.rcvd is not None, "closed without a close frame"
            return closed.rcvd.code


def open_socket(ws: str, session: str, ticket: str) -> ClientConnection:
    return connect(f"{ws}{session}?ticket={ticket}", open_timeout=10)


def fresh_ticket(c: httpx.Client, session: str) -> dict[str, str | None]:
    answer = c.get(f"/live/{session}/ticket")
    assert answer.status_code == 200, answer.text[:300]
    assert "no-store" in answer.headers.get("cache-control", "")
    found: dict[str, str | None] = answer.json()
    return found


def test_a_ticket_opens_one_connection_and_a_second_use_is_refused(served: LiveServer) -> None:
    session, _ = go_live(served)
    with browser_like(served, "buyer1") as c:
        ws, ticket = room_ticket(c, session)
    with open_socket(ws, session, ticket) as first:
        Viewer(first).wait_for(kind("hello"))
        with open_socket(ws, session, ticket) as again:
            assert close_code(again) == CLOSE_TICKET
        first.send('{"t": "chat", "text": "还在吗"}')  # the first connection is unharmed
        Viewer(first).wait_for(lambda m: m.get("t") == "chat" and m["text"] == "还在吗")
    with open_socket(ws, session, ticket) as after_it_closed:
        assert close_code(after_it_closed) == CLOSE_TICKET


def test_a_ticket_older_than_its_lifetime_is_refused(served: LiveServer) -> None:
    session, _ = go_live(served)
    with browser_like(served) as c:  # an anonymous viewer's ticket is short-lived too
        ws, old = room_ticket(c, session)
        served.clock.advance(timedelta(minutes=2))  # the default lifetime is a minute
        _, new = room_ticket(c, session)
    with open_socket(ws, session, old) as late:
        assert close_code(late) == CLOSE_TICKET
    with open_socket(ws, session, new) as fresh:
        Viewer(fresh).wait_for(kind("hello"))


def test_the_ticket_endpoint_answers_for_an_anonymous_viewer(served: LiveServer) -> None:
    session, _ = go_live(served)
    with browser_like(served) as c:
        answer = fresh_ticket(c, session)
        assert answer["account"] is None
        assert "sunlit_viewer" in c.cookies  # the viewer id a new browser is given
        ws, _ = room_ticket(c, session)
        with open_socket(ws, session, str(answer["ticket"])) as watching:
            Viewer(watching).wait_for(kind("hello"))
        assert c.get("/live/p-doesnotexist/ticket").status_code == 404
