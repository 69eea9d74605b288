"""Counting attempts in a sliding window: in-process by default, Redis when configured, so
that several web processes share one count."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from collections.abc import Sequence
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

    # The methods below take the time from the caller (the application's clock, in seconds
    # since the epoch), so that waits can be stated, and tested, without sleeping.

    async def times(self, key: str, *, now: float, window_seconds: int) -> list[float]:
        """The times of the attempts under ``key`` in the window ending at ``now``, oldest
        first."""

    async def add(self, key: str, *, now: float, window_seconds: int) -> int:
        """Record an attempt at ``now``; returns the count in the window, this one included."""

    async def withdraw(self, key: str, *, at: float) -> None:
        """Take back one attempt recorded at ``at`` (one recorded ahead, as a failure, that
        turned out not to be one)."""

    async def admit(
        self, key: str, *, now: float, window_seconds: int, waits: Sequence[float]
    ) -> float:
        """Record an attempt at ``now`` unless it comes too soon: with ``k`` attempts in the
        window, the next one must come ``waits[min(k, len(waits) - 1)]`` seconds after the
        latest. Returns 0 when the attempt was recorded, else the seconds still to wait
        (nothing is recorded then). Check and record are one step, so parallel attempts
        cannot all slip through."""


def _admit(hits: list[float], now: float, waits: Sequence[float]) -> float:
    """How long an attempt at ``now`` must still wait, given the attempts in the window."""
    if not hits or not waits:
        return 0.0
    wait = waits[min(len(hits), len(waits) - 1)]
    return max(0.0, hits[-1] + wait - now)


class MemoryAttemptCounter:
    def __init__(self) -> None:
        self._hits: defaultdict[str, deque[float]] = defaultdict(deque)
        self._tallies: dict[str, tuple[int, float]] = {}
        self._timed: dict[str, list[float]] = {}

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
        self._timed.pop(key, None)

    def _in_window(self, key: str, now: float, window_seconds: int) -> list[float]:
        kept = [t for t in self._timed.get(key, []) if t > now - window_seconds]
        if kept:
            self._timed[key] = kept
        else:
            self._timed.pop(key, None)
        return kept

    async def times(self, key: str, *, now: float, window_seconds: int) -> list[float]:
        return list(self._in_window(key, now, window_seconds))

    async def add(self, key: str, *, now: float, window_seconds: int) -> int:
        hits = self._in_window(key, now, window_seconds)
        hits.append(now)
        hits.sort()
        self._timed[key] = hits
        return len(hits)

    async def withdraw(self, key: str, *, at: float) -> None:
        hits = self._timed.get(key)
        if hits and at in hits:
            hits.remove(at)

    async def admit(
        self, key: str, *, now: float, window_seconds: int, waits: Sequence[float]
    ) -> float:
        # No await between the check and the record: one event loop cannot interleave them.
        wait = _admit(self._in_window(key, now, window_seconds), now, waits)
        if wait == 0:
            await self.add(key, now=now, window_seconds=window_seconds)
        return wait

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

    async def times(self, key: str, *, now: float, window_seconds: int) -> list[float]:
        name = self._prefix + key
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.zremrangebyscore(name, "-inf", now - window_seconds)
            pipe.zrange(name, 0, -1, withscores=True)
            _, found = await pipe.execute()
        return sorted(float(score) for _, score in found)

    async def add(self, key: str, *, now: float, window_seconds: int) -> int:
        name = self._prefix + key
        member = f"{now:.6f}-{id(self)}-{time.perf_counter_ns()}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.zremrangebyscore(name, "-inf", now - window_seconds)
            pipe.zadd(name, {member: now})
            pipe.zcard(name)
            pipe.expire(name, window_seconds + 1)
            _, _, size, _ = await pipe.execute()
        return int(size)

    async def withdraw(self, key: str, *, at: float) -> None:
        await self._redis.eval(WITHDRAW, 1, self._prefix + key, repr(at))

    async def admit(
        self, key: str, *, now: float, window_seconds: int, waits: Sequence[float]
    ) -> float:
        member = f"{now:.6f}-{id(self)}-{time.perf_counter_ns()}"
        # The key lives for the window after its latest attempt, plus the longest wait.
        ttl = window_seconds + int(max(waits, default=0)) + 1
        found = await self._redis.eval(
            ADMIT,
            1,
            self._prefix + key,
            repr(now),
            window_seconds,
            member,
            ttl,
            *(repr(float(wait)) for wait in waits),
        )
        return float(found)


#: One attempt at exactly this time, taken back (see ``AttemptCounter.withdraw``).
WITHDRAW = """
local found = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], ARGV[1], 'LIMIT', 0, 1)
if #found > 0 then redis.call('ZREM', KEYS[1], found[1]) end
return #found
"""

#: Check and record in one step inside Redis (see ``AttemptCounter.admit``). Lua numbers
#: would come back truncated to integers, so the wait is returned as a string.
ADMIT = """
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
local count = redis.call('ZCARD', KEYS[1])
local waits = #ARGV - 4
if count > 0 and waits > 0 then
  local wait = tonumber(ARGV[5 + math.min(count, waits - 1)])
  local latest = tonumber(redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')[2])
  if now < latest + wait then
    return tostring(latest + wait - now)
  end
end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[4]))
return '0'
"""
