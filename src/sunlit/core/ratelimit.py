"""Counting attempts in a sliding window: in-process by default, Redis when configured, so
that several web processes share one count."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from typing import Protocol

from redis.asyncio import Redis


class AttemptCounter(Protocol):
    async def count(self, key: str, window_seconds: int) -> int:
        """Attempts recorded under ``key`` within the window."""

    async def record(self, key: str, window_seconds: int) -> int:
        """Record one attempt; returns the count within the window, this one included."""

    async def reset(self, key: str) -> None: ...

    async def tally(self, key: str, window_seconds: int) -> int:
        """Add one to a plain count that expires ``window_seconds`` after it starts, keeping
        no time of each addition (for counts that must not reveal when); returns the count."""


class MemoryAttemptCounter:
    def __init__(self) -> None:
        self._hits: defaultdict[str, deque[float]] = defaultdict(deque)
        self._tallies: dict[str, tuple[int, float]] = {}

    def _trim(self, key: str, window_seconds: int) -> deque[float]:
        hits = self._hits[key]
        horizon = time.monotonic() - window_seconds
        while hits and hits[0] <= horizon:
            hits.popleft()
        return hits

    async def count(self, key: str, window_seconds: int) -> int:
        return len(self._trim(key, window_seconds))

    async def record(self, key: str, window_seconds: int) -> int:
        hits = self._trim(key, window_seconds)
        hits.append(time.monotonic())
        return len(hits)

    async def reset(self, key: str) -> None:
        self._hits.pop(key, None)
        self._tallies.pop(key, None)

    async def tally(self, key: str, window_seconds: int) -> int:
        now = time.monotonic()
        count, expires = self._tallies.get(key, (0, now + window_seconds))
        if now >= expires:
            count, expires = 0, now + window_seconds
        self._tallies[key] = (count + 1, expires)
        return count + 1


class RedisAttemptCounter:
    """A sorted set per key, scored by time: trim, add and count in one transaction."""

    def __init__(self, redis: Redis, prefix: str = "sunlit:attempts:") -> None:
        self._redis = redis
        self._prefix = prefix

    async def count(self, key: str, window_seconds: int) -> int:
        name = self._prefix + key
        now = time.time()
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.zremrangebyscore(name, 0, now - window_seconds)
            pipe.zcard(name)
            _, size = await pipe.execute()
        return int(size)

    async def record(self, key: str, window_seconds: int) -> int:
        name = self._prefix + key
        now = time.time()
        member = f"{now:.6f}-{id(self)}-{time.perf_counter_ns()}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.zremrangebyscore(name, 0, now - window_seconds)
            pipe.zadd(name, {member: now})
            pipe.zcard(name)
            pipe.expire(name, window_seconds + 1)
            _, _, size, _ = await pipe.execute()
        return int(size)

    async def reset(self, key: str) -> None:
        await self._redis.delete(self._prefix + key)

    async def tally(self, key: str, window_seconds: int) -> int:
        name = self._prefix + key
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(name)
            pipe.expire(name, window_seconds, nx=True)
            count, _ = await pipe.execute()
        return int(count)
