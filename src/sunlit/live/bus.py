"""How the processes serving a room hear each other: a bus (chat, hides, likes, mutes, pins)
and a presence count (who is watching). In one process both are in memory; with
``SUNLIT_REDIS_URL`` they are Redis pub/sub and sorted sets, so any number of processes share a
room and its viewer count."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterable
from typing import Any, Protocol

import orjson
import structlog
from redis.asyncio import Redis

log = structlog.get_logger(__name__)

Deliver = Callable[[str, dict[str, Any]], None]
CHANNEL = "sunlit:live:"


class Bus(Protocol):
    def attach(self, deliver: Deliver) -> None:
        """Where messages for a room this process has joined are delivered."""

    async def publish(self, room: str, message: dict[str, Any]) -> None: ...

    async def join(self, room: str) -> None: ...

    async def leave(self, room: str) -> None: ...

    async def close(self) -> None: ...


class MemoryBus:
    """One process: a published message is delivered on the next turn of the loop."""

    def __init__(self) -> None:
        self._deliver: Deliver | None = None

    def attach(self, deliver: Deliver) -> None:
        self._deliver = deliver

    async def publish(self, room: str, message: dict[str, Any]) -> None:
        if self._deliver is not None:
            asyncio.get_running_loop().call_soon(self._deliver, room, message)

    async def join(self, room: str) -> None:
        return None

    async def leave(self, room: str) -> None:
        return None

    async def close(self) -> None:
        return None


class RedisBus:
    """Redis pub/sub, one channel per room; one subscriber connection per process."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self._pubsub = redis.pubsub(ignore_subscribe_messages=True)
        self._deliver: Deliver | None = None
        self._reader: asyncio.Task[None] | None = None

    def attach(self, deliver: Deliver) -> None:
        self._deliver = deliver

    async def publish(self, room: str, message: dict[str, Any]) -> None:
        await self._redis.publish(CHANNEL + room, orjson.dumps(message))

    async def join(self, room: str) -> None:
        await self._pubsub.subscribe(CHANNEL + room)
        if self._reader is None or self._reader.done():
            self._reader = asyncio.get_running_loop().create_task(self._read(), name="live-bus")

    async def leave(self, room: str) -> None:
        await self._pubsub.unsubscribe(CHANNEL + room)

    async def _read(self) -> None:
        while True:
            try:
                message = await self._pubsub.get_message(timeout=1.0)
            except Exception:
                log.exception("live bus read failed; retrying")
                await asyncio.sleep(0.5)
                continue
            if message is None or self._deliver is None:
                continue
            channel = message["channel"]
            room = (channel.decode() if isinstance(channel, bytes) else channel)[len(CHANNEL) :]
            try:
                self._deliver(room, orjson.loads(message["data"]))
            except Exception:
                log.exception("live bus message not delivered", room=room)

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        await self._pubsub.aclose()


class Presence(Protocol):
    async def report(
        self,
        room: str,
        viewers: Iterable[str],
        accounts: Iterable[str],
        now: float,
        gone: tuple[Iterable[str], Iterable[str]] = ((), ()),
    ) -> tuple[int, int]:
        """Record who watches ``room`` from this process, and forget the viewers and accounts
        that have ``gone`` from it since the last report; returns the room's distinct viewers
        and distinct signed-in accounts over every process."""


class MemoryPresence:
    async def report(
        self,
        room: str,
        viewers: Iterable[str],
        accounts: Iterable[str],
        now: float,
        gone: tuple[Iterable[str], Iterable[str]] = ((), ()),
    ) -> tuple[int, int]:
        return len(set(viewers)), len(set(accounts))  # one process: who is here is all


class RedisPresence:
    """Two sorted sets per room (viewers, accounts), scored by the time each was last seen;
    members not seen for ``horizon`` seconds no longer count."""

    def __init__(self, redis: Redis, *, horizon: float) -> None:
        self._redis = redis
        self._horizon = horizon

    async def report(
        self,
        room: str,
        viewers: Iterable[str],
        accounts: Iterable[str],
        now: float,
        gone: tuple[Iterable[str], Iterable[str]] = ((), ()),
    ) -> tuple[int, int]:
        # One pipeline a second per room, however many come and go. A viewer or account that
        # has gone from here but still watches through another process is added back by that
        # process's next report (within a second).
        cards: list[int] = []  # where each kind's ZCARD answer sits in the pipeline's results
        async with self._redis.pipeline(transaction=False) as pipe:
            for kind, members, left in (
                ("viewers", viewers, gone[0]),
                ("accounts", accounts, gone[1]),
            ):
                key = f"sunlit:live:{room}:{kind}"
                if left := list(left):
                    pipe.zrem(key, *left)
                scored = dict.fromkeys(members, now)
                if scored:
                    pipe.zadd(key, scored)
                pipe.zremrangebyscore(key, 0, now - self._horizon)
                pipe.zcard(key)
                cards.append(len(pipe.command_stack) - 1)
                pipe.expire(key, int(self._horizon * 4) + 1)
            results = await pipe.execute()
        return int(results[cards[0]]), int(results[cards[1]])
