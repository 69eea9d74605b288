"""Issue 20, item 3: who a sign-in session belongs to is remembered for a few seconds
(``SUNLIT_TOKEN_CACHE_SECONDS``), as the API tokens' accounts are, so a signed-in visitor's
pages do not each ask the database for the session and its account. What must not change with
it: a session still expires by the app's clock, "last seen" is still written once a minute,
signing out ends it at once in the process that served it, at once in every process that
shares the live rooms' Redis, and within the cache time in any other process."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from sunlit.accounts.tables import AccountRow
from sunlit.accounts.token_cache import Remembered, TokenCache
from sunlit.core.clock import FixedClock
from tests.support import (
    START,
    LiveServer,
    live_server,
    settings_for,
    sign_in,
    submit,
    wait_until,
)
from tests.test_page_cache import sql
from tests.test_web import PASSWORD, client, load_demo_into

IDLE, MAX_AGE = timedelta(minutes=30), timedelta(hours=12)


@contextmanager
def two_processes_with_a_memory_of_one_second(
    sqlite_url: str,
) -> Iterator[tuple[LiveServer, LiveServer, list[float]]]:
    """Two servers on one database with the demo and no Redis; the first remembers tokens and
    sessions for 1 s of a clock the test moves (``ticks[0]``), so the cache time passes when
    the test says (a real clock would make the outcome depend on how fast the machine is)."""
    settings = settings_for(sqlite_url, token_cache_seconds=1.0)
    ticks = [1000.0]
    with live_server(settings) as first, live_server(settings) as second:
        assert first.services is not None
        first.services.token_cache = TokenCache(1.0, clock=lambda: ticks[0])
        load_demo_into(first)
        yield first, second, ticks


def about_sessions(server: LiveServer, ask: object) -> list[str]:
    """The statements a request sends that read or write the sign-in sessions."""
    from tests.test_request_path_queries import statements

    assert server.services is not None and callable(ask)
    with statements(server.services.db.engine.sync_engine) as seen:
        ask()
    return [s for s in seen if "web_sessions" in s]


def signed_in(c: httpx.Client) -> bool:
    """The account page answers the visitor (a visitor who is not signed in is sent away)."""
    return c.get("/account").status_code == 200


def test_a_signed_in_visitor_is_looked_up_once_then_remembered(served: LiveServer) -> None:
    with client(served, "en") as c:
        assert sign_in(c, "buyer1", PASSWORD).status_code == 303
        assert about_sessions(served, lambda: c.get("/account")) != []  # first: asked
        # Within the cache time: no statement about the session, and the page is still theirs.
        assert about_sessions(served, lambda: c.get("/account")) == []
        page = c.get("/account")
        assert page.status_code == 200 and "buyer1" in page.text


def test_a_remembered_session_still_expires_and_is_still_stamped_by_the_clock(
    served: LiveServer,
) -> None:
    assert served.services is not None
    idle = timedelta(minutes=served.settings.session_idle_minutes)
    with client(served, "en") as c:
        assert sign_in(c, "buyer1", PASSWORD).status_code == 303
        assert signed_in(c)
        # Past a minute the "last seen" stamp is due: the database is asked and written.
        served.clock.advance(timedelta(minutes=2))
        stamped = about_sessions(served, lambda: c.get("/account"))
        assert any(s.startswith("UPDATE web_sessions") for s in stamped)
        seen = sql(served, "SELECT last_seen_at FROM web_sessions")
        assert str(seen[0]).startswith((START + timedelta(minutes=2)).strftime("%Y-%m-%d %H:%M"))
        assert about_sessions(served, lambda: c.get("/account")) == []  # remembered again
        # Idle too long: over, although this process remembers it.
        served.clock.advance(idle + timedelta(minutes=1))
        gone = c.get("/account")
        assert gone.status_code in (303, 401) and not signed_in(c)


def test_signing_out_ends_the_session_at_once_in_the_process_that_served_it(
    served: LiveServer,
) -> None:
    with client(served, "en") as c:
        assert sign_in(c, "buyer1", PASSWORD).status_code == 303
        assert signed_in(c) and signed_in(c)  # remembered by now
        cookie = c.cookies["sunlit_session"]
        assert submit(c, "/account", "/signout", {}).status_code == 303
    with client(served, "en") as again:
        again.cookies.set("sunlit_session", cookie)  # the old cookie, kept by someone
        assert not signed_in(again)


def test_signing_out_through_another_process_ends_it_here_within_the_cache_time(
    sqlite_url: str,
) -> None:
    """Two servers on one database and no Redis (one process would not share the live rooms
    with the other): the second cannot tell the first, whose memory lasts 1 s on the test's
    clock."""
    with two_processes_with_a_memory_of_one_second(sqlite_url) as (first, second, ticks):
        with client(first, "en") as on_first, client(second, "en") as on_second:
            assert sign_in(on_first, "buyer1", PASSWORD).status_code == 303
            assert signed_in(on_first)
            on_second.cookies = on_first.cookies  # the same browser, served by the other
            assert submit(on_second, "/account", "/signout", {}).status_code == 303
            assert signed_in(on_first)  # remembered
            ticks[0] += 0.75
            assert signed_in(on_first)  # still
            ticks[0] += 0.25  # the cache time (1 s) has passed
            assert not signed_in(on_first)


@pytest.mark.redis
def test_signing_out_through_another_process_ends_it_at_once_where_redis_is_shared(
    database_url: str, redis_url: str
) -> None:
    """With Redis the revocation the live rooms publish also reaches the other process's
    memory: the session ends there at once, however long the cache time."""
    settings = settings_for(database_url, redis_url=redis_url, token_cache_seconds=600.0)
    clock = FixedClock(START)
    with live_server(settings, clock) as first, live_server(settings, clock) as second:
        load_demo_into(first)
        with client(first, "en") as on_first, client(second, "en") as on_second:
            assert sign_in(on_first, "buyer1", PASSWORD).status_code == 303
            assert signed_in(on_first) and about_sessions(first, lambda: signed_in(on_first)) == []
            on_second.cookies = on_first.cookies
            assert submit(on_second, "/account", "/signout", {}).status_code == 303
            wait_until(lambda: not signed_in(on_first), "signed out on the first server")


def account(id: str = "a-1", username: str = "buyer1") -> AccountRow:
    return AccountRow(
        id=id, username=username, role="consumer", display_name=username, disabled=False
    )


def test_a_remembered_principal_keeps_the_time_it_was_read() -> None:
    """A live-room ticket is refused to an account revoked after its principal was read
    (``live.tickets``): what is remembered must say when that was, not when it is used."""
    ticks = [0.0]
    memory = TokenCache(5, clock=lambda: ticks[0])
    read = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    memory.put("d", account(), read_at=read.timestamp(), created_at=read, last_seen_at=read)
    ticks[0] = 4.9
    kept = memory.get("d")
    assert kept is not None and kept.read_at == read.timestamp()
    assert kept.account.username == "buyer1" and kept.account is not account()
    ticks[0] = 5.0
    assert memory.get("d") is None  # the cache time is over


def test_a_remembered_session_answers_only_while_it_is_live_and_no_stamp_is_due() -> None:
    begun = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    session = Remembered(account(), begun.timestamp(), begun, begun)

    def usable(after: timedelta, *, touch: bool = True) -> bool:
        return session.session_usable(begun + after, idle=IDLE, max_age=MAX_AGE, touch=touch)

    assert usable(timedelta(seconds=59))
    assert not usable(timedelta(minutes=2))  # a "last seen" stamp is due: ask the database
    assert usable(timedelta(minutes=2), touch=False)  # a quiet page stamps nothing
    assert not usable(IDLE + timedelta(seconds=1), touch=False)  # idle too long
    token = Remembered(account(), begun.timestamp())
    assert not token.session_usable(begun, idle=IDLE, max_age=MAX_AGE, touch=False)


def test_forgetting_an_account_forgets_its_tokens_and_sessions_only() -> None:
    memory = TokenCache(5)
    other = account("a-2", "buyer2")
    now = START.timestamp()
    memory.put("token", account(), read_at=now)
    memory.put("session", account(), read_at=now, created_at=START, last_seen_at=START)
    memory.put("theirs", other, read_at=now)
    memory.forget_account("a-1")
    assert memory.get("token") is None and memory.get("session") is None
    assert memory.get("theirs") is not None
    memory.forget("theirs")
    assert memory.get("theirs") is None
    assert TokenCache(0).seconds == 0
    off = TokenCache(0)
    off.put("token", account(), read_at=now)
    assert off.get("token") is None  # 0: nothing is remembered
