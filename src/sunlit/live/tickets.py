"""The ticket book: which live-room tickets may still open a connection. A ticket's nonce is
written here when the page is given the ticket, and taken out when the WebSocket connects with
it (so it opens one connection) or when the account's access is revoked (signing out, a
disabled account, a changed role or password), whichever comes first; it lapses with the ticket.
In one process the book is in memory; with ``SUNLIT_REDIS_URL`` it is in Redis, so a ticket
given by one process is redeemed at most once over all of them."""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Protocol

from redis.asyncio import Redis

PREFIX = "sunlit:live:ticket:"
OF_ACCOUNT = "sunlit:live:tickets-of:"


class TicketBook(Protocol):
    async def issue(self, nonce: str, account: str | None, seconds: int) -> None:
        """Note a ticket given out, good for ``seconds`` (an anonymous one has no account)."""

    async def redeem(self, nonce: str) -> bool:
        """Take the ticket out of the book: True only the first time, before it lapses and
        unless its account's access was revoked meanwhile."""

    async def revoke(self, account: str) -> None:
        """Take out every ticket of ``account`` not yet redeemed."""


class MemoryTicketBook:
    """One process. Every ticket has the same lifetime, so the oldest lapse first."""

    def __init__(self) -> None:
        self._tickets: OrderedDict[str, tuple[float, str | None]] = OrderedDict()
        self._of_account: dict[str, set[str]] = {}

    def _lapse(self, now: float) -> None:
        while self._tickets:
            nonce, (until, _) = next(iter(self._tickets.items()))
            if until > now:
                break
            self._take(nonce)

    def _take(self, nonce: str) -> bool:
        found = self._tickets.pop(nonce, None)
        if found is None:
            return False
        account = found[1]
        if account is not None and (nonces := self._of_account.get(account)) is not None:
            nonces.discard(nonce)
            if not nonces:
                del self._of_account[account]
        return True

    async def issue(self, nonce: str, account: str | None, seconds: int) -> None:
        now = time.monotonic()
        self._lapse(now)
        self._tickets[nonce] = (now + seconds, account)
        if account is not None:
            self._of_account.setdefault(account, set()).add(nonce)

    async def redeem(self, nonce: str) -> bool:
        self._lapse(time.monotonic())
        return self._take(nonce)

    async def revoke(self, account: str) -> None:
        for nonce in list(self._of_account.get(account, ())):
            self._take(nonce)


# KEYS[1]: the account's set of nonces; ARGV[1]: the ticket key prefix. Atomic, so a ticket is
# either taken out here or redeemed, never both.
_REVOKE = """
local nonces = redis.call('SMEMBERS', KEYS[1])
for _, nonce in ipairs(nonces) do redis.call('DEL', ARGV[1] .. nonce) end
redis.call('DEL', KEYS[1])
return #nonces
"""


class RedisTicketBook:
    """A key per ticket (expiring with it) and, per account, a set of its tickets' nonces."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self._revoke = redis.register_script(_REVOKE)

    async def issue(self, nonce: str, account: str | None, seconds: int) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(PREFIX + nonce, account or "", ex=seconds)
            if account is not None:
                pipe.sadd(OF_ACCOUNT + account, nonce)
                pipe.expire(OF_ACCOUNT + account, seconds)
            await pipe.execute()

    async def redeem(self, nonce: str) -> bool:
        # DEL answers how many keys it removed: 1 for the first connection, 0 after. A nonce
        # left in the account's set is harmless (revoking deletes a key that is gone).
        return int(await self._redis.delete(PREFIX + nonce)) == 1

    async def revoke(self, account: str) -> None:
        await self._revoke(keys=[OF_ACCOUNT + account], args=[PREFIX])
