"""Live-room tickets (security finding D1) over real HTTP and real WebSockets: a ticket opens
one connection, only within its lifetime, and only while the sign-in session that asked for it
lasts; signing out, a disabled account and a changed role close the account's open sockets;
the page gets a fresh ticket for whoever is signed in now (or an anonymous one)."""

from __future__ import annotations

import time
from datetime import timedelta

import httpx
import pytest
from playwright.sync_api import Browser, expect
from redis.asyncio import Redis
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from sunlit.live.tickets import MemoryTicketBook, RedisTicketBook, TicketBook
from tests.support import LiveServer, live_server, run_async, settings_for, sign_in, submit
from tests.test_browser import browser  # noqa: F401 - a fixture
from tests.test_catalog_api import api_as
from tests.test_live import Viewer, browser_like, go_live, kind, room_ticket
from tests.test_web import PASSWORD, events_of, load_demo_into

CLOSE_TICKET = 4001  # the ticket is used, expired or revoked: the page asks for a new one


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


def sign_out(c: httpx.Client) -> None:
    assert submit(c, "/account", "/signout", {}).status_code == 303


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


def test_signing_out_closes_the_socket_and_voids_unused_tickets(served: LiveServer) -> None:
    session, _ = go_live(served)
    with browser_like(served, "buyer1") as c, browser_like(served, "buyer2") as other:
        ws, spare = room_ticket(c, session)
        _, used = room_ticket(c, session)
        _, others = room_ticket(other, session)
        with open_socket(ws, session, used) as mine, open_socket(ws, session, others) as theirs:
            Viewer(mine).wait_for(kind("hello"))
            someone = Viewer(theirs)
            someone.wait_for(kind("hello"))
            sign_out(c)
            assert close_code(mine) == CLOSE_TICKET
            theirs.send('{"t": "chat", "text": "我还在"}')  # another account is untouched
            someone.wait_for(lambda m: m.get("t") == "chat" and m["text"] == "我还在")
        with open_socket(ws, session, spare) as late:
            assert close_code(late) == CLOSE_TICKET
        # Signed out, the page's next ticket is an anonymous viewer's: it watches, not chats.
        anonymous = fresh_ticket(c, session)
        assert anonymous["account"] is None and anonymous["ticket"]
        with open_socket(ws, session, str(anonymous["ticket"])) as watching:
            viewer = Viewer(watching)
            assert viewer.wait_for(kind("hello"))["you"]["account"] is None
            watching.send('{"t": "chat", "text": "我还想说"}')
            assert viewer.wait_for(kind("error"))["code"] == "sign_in"


def test_disabling_an_account_closes_its_sockets(served: LiveServer) -> None:
    session, _ = go_live(served)
    with browser_like(served, "buyer1") as c, api_as(served, "operator") as operator:
        ws, ticket = room_ticket(c, session)
        _, spare = room_ticket(c, session)
        with open_socket(ws, session, ticket) as mine:
            account = Viewer(mine).wait_for(kind("hello"))["you"]["account"]
            off = {"disabled": True}
            disabled = operator.post(f"/api/v1/accounts/{account}/disabled", json=off)
            assert disabled.status_code == 200, disabled.text
            assert disabled.json()["disabled"] is True
            assert close_code(mine) == CLOSE_TICKET
        with open_socket(ws, session, spare) as late:
            assert close_code(late) == CLOSE_TICKET
        assert c.get(f"/live/{session}/ticket").json()["account"] is None  # signed out too
        itself = operator.get("/api/v1/me").json()["id"]
        refused = operator.post(f"/api/v1/accounts/{itself}/disabled", json=off)
        assert refused.status_code == 403, refused.text
        enabled = operator.post(f"/api/v1/accounts/{account}/disabled", json={"disabled": False})
        assert enabled.json()["disabled"] is False
        assert sign_in(c, "buyer1", PASSWORD).status_code == 303  # enabled, it signs in again
    changes = [(e.type, e.data) for e in events_of(served) if e.type.startswith("account.")]
    assert changes[-2:] == [
        ("account.disabled", {"account": account}),
        ("account.enabled", {"account": account}),
    ]


def test_disabling_from_the_operators_page_closes_the_accounts_sockets(
    served: LiveServer,
) -> None:
    session, _ = go_live(served)
    with browser_like(served, "buyer1") as c, browser_like(served, "operator") as operator:
        ws, ticket = room_ticket(c, session)
        _, spare = room_ticket(c, session)
        with open_socket(ws, session, ticket) as mine:
            account = Viewer(mine).wait_for(kind("hello"))["you"]["account"]
            action = f"/operator/accounts/{account}/disabled"
            off = submit(operator, "/operator/accounts", action, {"disabled": "1"})
            assert off.status_code == 303, off.text[:300]
            assert close_code(mine) == CLOSE_TICKET
        with open_socket(ws, session, spare) as late:
            assert close_code(late) == CLOSE_TICKET


def test_a_role_change_closes_the_accounts_sockets_and_a_fresh_ticket_rejoins(
    served: LiveServer,
) -> None:
    session, _ = go_live(served)
    with browser_like(served, "buyer1") as c, api_as(served, "operator") as operator:
        ws, ticket = room_ticket(c, session)
        with open_socket(ws, session, ticket) as mine:
            account = Viewer(mine).wait_for(kind("hello"))["you"]["account"]
            changed = operator.post(f"/api/v1/accounts/{account}/role", json={"role": "farmer"})
            assert changed.status_code == 200, changed.text
            assert close_code(mine) == CLOSE_TICKET
        # What the page does on that close: a fresh ticket for the same sign-in, and in again.
        again = fresh_ticket(c, session)
        assert again["account"] == account
        with open_socket(ws, session, str(again["ticket"])) as rejoined:
            assert Viewer(rejoined).wait_for(kind("hello"))["you"]["account"] == account


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


def signed_in_count(served: LiveServer, session: str, count: int) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        state = httpx.get(f"{served.url}/api/v1/live/{session}", timeout=10).json()
        if state["signed_in"] == count:
            return
        time.sleep(0.1)
    raise AssertionError(f"the room did not count {count} signed-in viewers within 10s")


# --- a revocation racing a request that is making a ticket ----------------------------------
# (before the browser test below: Playwright keeps an event loop on this thread after it)


async def _race(book: TicketBook) -> None:
    """A request read the account at 100.0; its access is revoked at 100.5, emptying the book;
    only then does the request write its ticket. That ticket must not be given, nor redeemed."""
    await book.revoke("acct-1", seconds=60, now=100.5)
    assert await book.issue("n-late", "acct-1", 60, since=100.0) is False
    assert await book.redeem("n-late") is False
    # A request that read the account after the revocation gets its ticket, once.
    assert await book.issue("n-after", "acct-1", 60, since=101.0) is True
    assert await book.redeem("n-after") is True
    assert await book.redeem("n-after") is False
    # Other accounts and anonymous viewers are not touched by the mark.
    assert await book.issue("n-other", "acct-2", 60, since=100.0) is True
    assert await book.issue("n-anon", None, 60, since=0.0) is True
    assert await book.redeem("n-other") and await book.redeem("n-anon")
    # Revoking voids what was given before it.
    assert await book.issue("n-open", "acct-2", 60, since=102.0) is True
    await book.revoke("acct-2", seconds=60, now=103.0)
    assert await book.redeem("n-open") is False


def test_a_ticket_made_while_access_was_revoked_is_not_given() -> None:
    run_async(_race(MemoryTicketBook()))  # (run_async: Playwright keeps a loop on this thread)


@pytest.mark.redis
def test_a_ticket_made_while_access_was_revoked_is_not_given_with_redis(redis_url: str) -> None:
    async def race() -> None:
        client = Redis.from_url(redis_url)
        try:
            await client.flushdb()
            await _race(RedisTicketBook(client))
        finally:
            await client.flushdb()
            await client.aclose()

    run_async(race())


def test_the_ticket_endpoint_refuses_a_request_that_began_before_a_revocation(
    served: LiveServer,
) -> None:
    """End to end: the account is read, then revoked (its role changed by an operator), then the
    ticket is made: 409, and the page's next try, after the revocation, gets a ticket."""
    session, _ = go_live(served)
    assert served.services is not None
    with browser_like(served, "buyer2") as c:
        account = c.get(f"/live/{session}/ticket").json()["account"]
        services = served.services
        hub = services.live
        revoke_at = served.clock.now() + timedelta(seconds=1)

        async def revoke() -> None:
            await hub.tickets.revoke(
                account, seconds=services.settings.live_ticket_seconds, now=revoke_at.timestamp()
            )

        run_async(revoke())
        refused = c.get(f"/live/{session}/ticket")  # read at the clock's now: before the mark
        assert refused.status_code == 409, refused.text
        assert refused.headers["cache-control"] == "no-store"
        served.clock.advance(timedelta(seconds=2))
        again = c.get(f"/live/{session}/ticket")
        assert again.status_code == 200 and again.json()["account"] == account


@pytest.mark.browser
def test_the_room_page_reconnects_on_a_fresh_ticket_and_reloads_once_signed_out(
    sqlite_url: str,
    browser: Browser,  # noqa: F811 - the fixture
) -> None:
    with live_server(settings_for(sqlite_url)) as served:
        load_demo_into(served)
        room_page_reconnects(served, browser)


def room_page_reconnects(served: LiveServer, browser: Browser) -> None:  # noqa: F811
    session, _ = go_live(served)
    with api_as(served, "buyer1") as buyer:
        account = buyer.get("/api/v1/me").json()["id"]
    context = browser.new_context()
    context.add_cookies([{"name": "sunlit_lang", "value": "en", "url": served.url}])
    page = context.new_page()
    page.goto(served.url + "/signin")
    page.locator("#f-username").fill("buyer1")
    page.locator("#f-password").fill(PASSWORD)
    page.locator("form[action='/signin'] button").click()
    page.wait_for_url(served.url + "/")
    page.goto(f"{served.url}/live/{session}")
    signed_in_count(served, session, 1)  # its socket is open

    def say(text: str) -> None:
        page.get_by_label("Message").fill(text)
        page.get_by_role("button", name="Send").click()
        expect(page.locator("#chat")).to_contain_text(text)

    say("第一句")
    with api_as(served, "operator") as operator:
        changed = operator.post(f"/api/v1/accounts/{account}/role", json={"role": "farmer"})
        assert changed.status_code == 200, changed.text
    error = page.locator("#room-error")
    expect(error).to_have_text("Connection lost; reconnecting…", timeout=10_000)
    expect(error).to_be_hidden(timeout=10_000)  # open again, on a ticket it fetched
    say("第二句")

    # Signed out in another tab: the socket closes, and the page shows itself signed out.
    other = context.new_page()
    other.goto(f"{served.url}/account")
    other.locator("form[action='/signout'] button").click()
    expect(page.locator(f"a[href='/signin?next=/live/{session}']")).to_be_visible(timeout=10_000)
    expect(page.locator("#chat-form")).to_have_count(0)
    context.close()
