"""With SUNLIT_REDIS_URL set, web processes share one sign-in throttle through Redis."""

from __future__ import annotations

import secrets
from datetime import timedelta

import httpx
import pytest
from redis.asyncio import Redis

from sunlit.core.ratelimit import RedisAttemptCounter
from tests.support import live_server, settings_for, sign_in
from tests.test_web import PASSWORD, load_demo_into

pytestmark = pytest.mark.redis


async def test_counter_counts_within_the_window_and_resets(redis_url: str) -> None:
    redis = Redis.from_url(redis_url)
    counter = RedisAttemptCounter(redis, prefix=f"sunlit:test:{secrets.token_hex(4)}:")
    try:
        assert await counter.count("k", 60) == 0
        assert [await counter.record("k", 60) for _ in range(3)] == [1, 2, 3]
        assert await counter.count("k", 60) == 3
        assert await counter.count("other", 60) == 0
        await counter.reset("k")
        assert await counter.count("k", 60) == 0
    finally:
        await redis.aclose()


def test_two_servers_share_the_sign_in_throttle(redis_url: str, sqlite_url: str) -> None:
    forget_throttle_keys(redis_url)
    settings = settings_for(sqlite_url, redis_url=redis_url, login_max_failures=4)
    with live_server(settings) as first, live_server(settings) as second:
        load_demo_into(first)
        clients = [httpx.Client(base_url=s.url, timeout=10) for s in (first, second)]
        try:
            for attempt in range(4):  # alternate between the two processes
                answer = sign_in(clients[attempt % 2], "buyer1", "wrong", language="en")
                assert answer.status_code == 401
            for c in clients:
                answer = sign_in(c, "buyer1", PASSWORD, language="en")
                assert answer.status_code == 429
        finally:
            for c in clients:
                c.close()
    forget_throttle_keys(redis_url)


def forget_throttle_keys(redis_url: str) -> None:
    """Forget the throttle keys of earlier runs (only Sunlit's, only in the test database)."""
    import redis as sync_redis

    client = sync_redis.Redis.from_url(redis_url)
    for key in client.scan_iter("sunlit:attempts:*"):
        client.delete(key)
    client.close()


async def test_a_tally_keeps_a_count_and_no_times(redis_url: str) -> None:
    redis = Redis.from_url(redis_url)
    prefix = f"sunlit:test:{secrets.token_hex(4)}:"
    counter = RedisAttemptCounter(redis, prefix=prefix)
    try:
        assert [await counter.tally("day", 60) for _ in range(3)] == [1, 2, 3]
        assert await redis.type(prefix + "day") == b"string"  # a number, no member per event
        assert 0 < await redis.ttl(prefix + "day") <= 60
    finally:
        await redis.delete(prefix + "day")
        await redis.aclose()


def test_two_servers_share_delays_per_account_and_address(redis_url: str, sqlite_url: str) -> None:
    forget_throttle_keys(redis_url)
    settings = settings_for(sqlite_url, redis_url=redis_url, login_max_failures=3)
    with live_server(settings) as first, live_server(settings) as second:
        load_demo_into(first)
        clients = [httpx.Client(base_url=s.url, timeout=10) for s in (first, second)]
        try:
            for attempt in range(3):  # address A guesses, alternating between the processes
                clients[attempt % 2].headers["X-Forwarded-For"] = "198.51.100.10"
                answer = sign_in(clients[attempt % 2], "buyer1", "wrong", language="en")
                assert answer.status_code == 401
            for c in clients:  # both processes make A wait
                c.headers["X-Forwarded-For"] = "198.51.100.10"
                answer = sign_in(c, "buyer1", PASSWORD, language="en")
                assert answer.status_code == 429
                assert "Try again in 1 second." in answer.text
            for s in (first, second):  # the wait is kept with its time
                s.clock.advance(timedelta(seconds=1))
            assert sign_in(clients[1], "buyer1", "wrong", language="en").status_code == 401
            answer = sign_in(clients[0], "buyer1", PASSWORD, language="en")
            assert "Try again in 2 seconds." in answer.text
            clients[0].headers["X-Forwarded-For"] = "203.0.113.20"  # the owner, elsewhere
            assert sign_in(clients[0], "buyer1", PASSWORD, language="en").status_code == 303
        finally:
            for c in clients:
                c.close()
    forget_throttle_keys(redis_url)


def test_two_servers_share_the_ceiling_per_address(redis_url: str, sqlite_url: str) -> None:
    forget_throttle_keys(redis_url)
    settings = settings_for(sqlite_url, redis_url=redis_url, login_max_failures_per_ip=4)
    with live_server(settings) as first, live_server(settings) as second:
        load_demo_into(first)
        clients = [httpx.Client(base_url=s.url, timeout=10) for s in (first, second)]
        try:
            for n, name in enumerate(["nobody1", "nobody2", "nobody3", "nobody4"]):
                clients[n % 2].headers["X-Forwarded-For"] = "198.51.100.10"
                assert sign_in(clients[n % 2], name, "wrong", language="en").status_code == 401
            answer = sign_in(clients[1], "buyer2", PASSWORD, language="en")
            assert answer.status_code == 429
            assert "Try again in 15 minutes." in answer.text
            clients[0].headers["X-Forwarded-For"] = "203.0.113.20"
            assert sign_in(clients[0], "buyer2", PASSWORD, language="en").status_code == 303
        finally:
            for c in clients:
                c.close()
    forget_throttle_keys(redis_url)
