"""The sign-in throttle (probe finding D3): failures count per (account, address) with growing
delays, and per address across all names; nobody can lock out a person by naming them."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest
from redis.asyncio import Redis

from sunlit.accounts import sessions, throttle
from sunlit.accounts.errors import BadCredentials
from sunlit.accounts.model import NewAccount, address_bucket, sign_in_waits
from sunlit.accounts.services import Passwords
from sunlit.accounts.tables import AccountRow
from sunlit.core.db import Database
from sunlit.core.errors import TooManyAttempts
from sunlit.core.ratelimit import MemoryAttemptCounter, RedisAttemptCounter
from sunlit.settings import Settings
from tests.support import LiveServer, live_server, settings_for, sign_in
from tests.test_accounts import T0, register
from tests.test_web import PASSWORD, client, load_demo_into

A = "198.51.100.10"
B = "203.0.113.20"
RIGHT = "correct-password"


async def attempt(
    database: Database,
    settings: Settings,
    counter: MemoryAttemptCounter,
    *,
    username: str,
    password: str,
    ip: str,
    now: datetime,
) -> AccountRow:
    async with database.transaction() as db:
        account, _ = await sessions.do_sign_in(
            db,
            Passwords(settings),
            counter,
            settings,
            username=username,
            password=password,
            ip=ip,
            now=now,
        )
        return account


async def test_failures_from_one_address_do_not_lock_out_another(
    database: Database, settings: Settings
) -> None:
    await register(database, settings, NewAccount("liu.yang", "刘洋", RIGHT))
    counter = MemoryAttemptCounter()
    for n in range(settings.login_max_failures + 2):  # seven wrong passwords from A
        with pytest.raises((BadCredentials, TooManyAttempts)):
            await attempt(
                database, settings, counter, username="liu.yang", password=f"x-{n}", ip=A, now=T0
            )
    signed_in = await attempt(
        database, settings, counter, username="liu.yang", password=RIGHT, ip=B, now=T0
    )
    assert signed_in.username == "liu.yang"


async def test_one_address_waits_longer_after_each_further_failure(
    database: Database, settings: Settings
) -> None:
    await register(database, settings, NewAccount("wang.fang", "王芳", RIGHT))
    counter = MemoryAttemptCounter()
    now = T0

    async def wrong(at: datetime) -> None:
        with pytest.raises(BadCredentials):
            await attempt(
                database, settings, counter, username="wang.fang", password="nope", ip=A, now=at
            )

    for _ in range(settings.login_max_failures):
        await wrong(now)  # the first few are answered at once
    waits = []
    for _ in range(4):
        with pytest.raises(TooManyAttempts) as caught:
            await attempt(
                database, settings, counter, username="wang.fang", password=RIGHT, ip=A, now=now
            )
        waits.append(caught.value.retry_after)
        now += timedelta(seconds=caught.value.retry_after or 0) - timedelta(milliseconds=1)
        with pytest.raises(TooManyAttempts):  # a moment too soon is still too soon
            await attempt(
                database, settings, counter, username="wang.fang", password=RIGHT, ip=A, now=now
            )
        now += timedelta(milliseconds=1)
        await wrong(now)
    assert waits == [1, 2, 4, 8]
    with pytest.raises(TooManyAttempts) as caught:
        await attempt(
            database, settings, counter, username="wang.fang", password=RIGHT, ip=A, now=now
        )
    assert caught.value.params == {"seconds": 16}
    now += timedelta(seconds=16)
    account = await attempt(
        database, settings, counter, username="wang.fang", password=RIGHT, ip=A, now=now
    )
    assert account.username == "wang.fang"  # after waiting, the right password works
    await wrong(now)  # and the success cleared the count: no wait now
    await wrong(now)


async def test_delays_stop_growing_at_the_cap(database: Database, settings: Settings) -> None:
    settings = settings.model_copy(update={"login_max_delay_seconds": 5})
    counter = MemoryAttemptCounter()
    now = T0
    waits = []
    for _ in range(settings.login_max_failures + 6):
        try:
            await attempt(
                database, settings, counter, username="nobody", password="x", ip=A, now=now
            )
        except TooManyAttempts as refused:
            waits.append(refused.retry_after)
            now += timedelta(seconds=refused.retry_after or 0)
            with pytest.raises(BadCredentials):
                await attempt(
                    database, settings, counter, username="nobody", password="x", ip=A, now=now
                )
        except BadCredentials:
            pass
    assert waits == [1, 2, 4, 5, 5, 5]


async def test_one_address_failing_on_many_names_is_blocked_for_all(
    database: Database, settings: Settings
) -> None:
    settings = settings.model_copy(update={"login_max_failures_per_ip": 6})
    await register(database, settings, NewAccount("zhao.lei", "赵磊", RIGHT))
    counter = MemoryAttemptCounter()
    for n in range(6):  # one guess on each of six names, never enough to slow any one name
        with pytest.raises(BadCredentials):
            await attempt(
                database, settings, counter, username=f"name{n}", password="x", ip=A, now=T0
            )
    with pytest.raises(TooManyAttempts) as caught:  # now A is refused on every name
        await attempt(
            database, settings, counter, username="zhao.lei", password=RIGHT, ip=A, now=T0
        )
    assert caught.value.retry_after == settings.login_window_seconds
    assert caught.value.params == {"minutes": settings.login_window_seconds // 60}
    # The person themselves, from elsewhere, is not.
    await attempt(database, settings, counter, username="zhao.lei", password=RIGHT, ip=B, now=T0)
    # Once the failures leave the window, A may try again.
    later = T0 + timedelta(seconds=settings.login_window_seconds)
    await attempt(database, settings, counter, username="zhao.lei", password=RIGHT, ip=A, now=later)


def test_web_and_api_sign_in_from_elsewhere_survive_failures_from_one_address(
    server: LiveServer,
) -> None:
    load_demo_into(server)
    attacker = {"X-Forwarded-For": A}
    owner = {"X-Forwarded-For": B}
    with client(server, "en") as c:
        c.headers.update(attacker)
        for _ in range(7):
            answer = sign_in(c, "supervisor1", "wrong-password")
            assert answer.status_code in (401, 429)
        assert answer.status_code == 429
        assert "Try again in 1 second." in answer.text
        api = c.post("/api/v1/tokens", json={"username": "supervisor1", "password": PASSWORD})
        assert api.status_code == 429
        assert api.headers["retry-after"] == "1"
        assert api.json()["error"]["code"] == "too_many_attempts"
    with client(server, "zh") as c:
        c.headers.update(owner)
        assert sign_in(c, "supervisor1", PASSWORD).status_code == 303
    with client(server, "en") as c:
        c.headers.update(owner)
        api = c.post("/api/v1/tokens", json={"username": "supervisor1", "password": PASSWORD})
        assert api.status_code == 201


def test_the_wait_is_explained_in_chinese(server: LiveServer) -> None:
    load_demo_into(server)
    with client(server, "zh") as c:
        c.headers["X-Forwarded-For"] = A
        for _ in range(server.settings.login_max_failures):
            assert sign_in(c, "buyer2", "wrong-password").status_code == 401
        answer = sign_in(c, "buyer2", PASSWORD)
        assert answer.status_code == 429
        assert "请 1 秒后再试" in answer.text


def test_forwarded_addresses_count_only_from_a_trusted_proxy(sqlite_url: str) -> None:
    with live_server(settings_for(sqlite_url, trusted_proxies="")) as untrusting:
        load_demo_into(untrusting)
        with client(untrusting, "en") as c:
            for n in range(untrusting.settings.login_max_failures):
                # A guesser cannot escape its delays by claiming a new address each time.
                c.headers["X-Forwarded-For"] = f"192.0.2.{n}"
                assert sign_in(c, "buyer3", "wrong-password").status_code == 401
            c.headers["X-Forwarded-For"] = B
            assert sign_in(c, "buyer3", PASSWORD).status_code == 429


def test_waits_double_to_the_cap_and_ipv6_counts_by_its_64() -> None:
    assert sign_in_waits(2, 1, 10) == (0, 0, 1, 2, 4, 8, 10)
    assert address_bucket("2001:db8:1:2:aaaa::1") == address_bucket("2001:db8:1:2:bbbb::9")
    assert address_bucket("2001:db8:1:2::1") != address_bucket("2001:db8:1:3::1")
    assert address_bucket("198.51.100.10") == "198.51.100.10"


async def test_guesses_in_flight_on_many_names_cannot_pass_the_address_ceiling(
    database: Database, settings: Settings
) -> None:
    """Password spraying from one address with parallel requests: every guess is admitted (or
    not) before any password is checked, so the ceiling must count guesses still in flight.
    200 sign-ins on 200 names at once, against a ceiling of 5: at most 5 are checked."""
    sprayed = settings.model_copy(update={"login_max_failures_per_ip": 5})
    counter = MemoryAttemptCounter()
    checked = 0

    async def one(n: int) -> None:
        nonlocal checked
        try:
            await throttle.check_sign_in_allowed(
                counter, sprayed, username=f"name-{n}", ip=A, now=T0
            )
        except TooManyAttempts:
            return
        checked += 1
        await asyncio.sleep(0)  # the password check: every other request starts meanwhile

    await asyncio.gather(*(one(n) for n in range(200)))
    assert checked == 5
    # A right password takes its guess back; a wrong one stays counted.
    attempt = await throttle.check_sign_in_allowed(
        counter, sprayed, username="name-0", ip=B, now=T0
    )
    await throttle.attempt_succeeded(counter, attempt)
    for n in range(5):
        await throttle.check_sign_in_allowed(counter, sprayed, username=f"x-{n}", ip=B, now=T0)
    with pytest.raises(TooManyAttempts):
        await throttle.check_sign_in_allowed(counter, sprayed, username="x-5", ip=B, now=T0)


@pytest.mark.redis
async def test_guesses_in_flight_cannot_pass_the_address_ceiling_with_redis(
    settings: Settings, redis_url: str
) -> None:
    sprayed = settings.model_copy(update={"login_max_failures_per_ip": 5})
    client_ = Redis.from_url(redis_url)
    try:
        await client_.flushdb()
        counter = RedisAttemptCounter(client_)
        outcomes = await asyncio.gather(
            *(
                throttle.check_sign_in_allowed(counter, sprayed, username=f"n-{n}", ip=A, now=T0)
                for n in range(50)
            ),
            return_exceptions=True,
        )
        assert sum(not isinstance(o, BaseException) for o in outcomes) == 5
        assert all(isinstance(o, TooManyAttempts) for o in outcomes if isinstance(o, Exception))
    finally:
        await client_.flushdb()
        await client_.aclose()
