"""The ticket book: which live-room tickets may still open a connection. A ticket's nonce is
written here when the page is given the ticket, and taken out when the WebSocket connects with
it (so it opens one connection) or when the account's access is revoked (signing out, a
disabled account, a changed role or password), whichever comes first; it lapses with the ticket.
In one process the book is in memory; with ``SUNLIT_REDIS_URL`` it is in Redis, so a ticket
given by one process is redeemed at most once over all of them.

A revocation also leaves a mark on the account for one ticket lifetime, and a ticket is not
given for a request that began (and so found the account's access) before the mark: otherwise
a request that read the account just before the revocation committed could write a fresh ticket
just after the revocation emptied the book, and that ticket would still open a socket. Times are
wall-clock seconds of the web processes, whose clocks must agree (as for a ticket's expiry)."""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Protocol

from redis.asyncio import Redis

PREFIX = "sunlit:live:ticket:"
OF_ACCOUNT = "sunlit:live:tickets-of:"
REVOKED = "sunlit:live:revoked:"


class TicketBook(Protocol):
    async def issue(self, nonce: str, account: str | None, seconds: int, *, since: float) -> bool:
        """Note a ticket given out, good for ``seconds`` (an anonymous one has no account), for a
        request that began at ``since``; False, and nothing noted, when the account's access was
        revoked at or after that."""

    async def redeem(self, nonce: str) -> bool:
        """Take the ticket out of the book: True only the first time, before it lapses and
        unless its account's access was revoked meanwhile."""

    async def revoke(self, account: str, *, seconds: int, now: float) -> None:
        """Take out every ticket of ``account`` not yet redeemed, and mark the account revoked
        at ``now`` for ``seconds`` (a ticket's lifetime)."""


class MemoryTicketBook:
    """One process. Every ticket has the same lifetime, so the oldest lapse first."""

    def __init__(self) -> None:
        self._tickets: OrderedDict[str, tuple[float, str | None]] = OrderedDict()
        self._of_account: dict[str, set[str]] = {}
        self._revoked: dict[str, tuple[float, float]] = {}  # account: (when, until)

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

    async def issue(self, nonce: str, account: str | None, seconds: int, *, since: float) -> bool:
        now = time.monotonic()
        self._lapse(now)
        if account is not None and (mark := self._revoked.get(account)) is not None:
            when, until = mark
            if until <= now:
                del self._revoked[account]
            elif when > since:
                return False
        self._tickets[nonce] = (now + seconds, account)
        if account is not None:
            self._of_account.setdefault(account, set()).add(nonce)
        return True

    async def redeem(self, nonce: str) -> bool:
        self._lapse(time.monotonic())
        return self._take(nonce)

    async def revoke(self, account: str, *, seconds: int, now: float) -> None:
        for nonce in list(self._of_account.get(account, ())):
            self._take(nonce)
        later = time.monotonic()
        self._revoked = {a: m for a, m in self._revoked.items() if m[1] > later}  # few: a minute's
        self._revoked[account] = (now, later + seconds)


# KEYS[1]: the account's set of nonces, KEYS[2]: its revocation mark; ARGV[1]: the ticket key
# prefix, ARGV[2]: the time of the revocation, ARGV[3]: how long the mark stays. Atomic, so a
# ticket is either taken out here or redeemed, never both.
_REVOKE = """
local nonces = redis.call('SMEMBERS', KEYS[1])
for _, nonce in ipairs(nonces) do redis.call('DEL', ARGV[1] .. nonce) end
redis.call('DEL', KEYS[1])
redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
return #nonces
"""

# KEYS[1]: the ticket, KEYS[2]: the account's set of nonces, KEYS[3]: its revocation mark;
# ARGV[1]: the account ('' for an anonymous viewer), ARGV[2]: lifetime, ARGV[3]: when the
# request began, ARGV[4]: the nonce. Atomic with _REVOKE: no ticket slips in between.
_ISSUE = """
if ARGV[1] ~= '' then
  local revoked = redis.call('GET', KEYS[3])
  if revoked and tonumber(revoked) > tonumber(ARGV[3]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
if ARGV[1] ~= '' then
  redis.call('SADD', KEYS[2], ARGV[4])
  redis.call('EXPIRE', KEYS[2], ARGV[2])
end
return 1
"""


class RedisTicketBook:
    """A key per ticket (expiring with it) and, per account, a set of its tickets' nonces."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self._revoke = redis.register_script(_REVOKE)
        self._issue = redis.register_script(_ISSUE)

    async def issue(self, nonce: str, account: str | None, seconds: int, *, since: float) -> bool:
        who = account or ""
        keys = [PREFIX + nonce, OF_ACCOUNT + who, REVOKED + who]
        return int(await self._issue(keys=keys, args=[who, seconds, repr(since), nonce])) == 1

    async def redeem(self, nonce: str) -> bool:
        # DEL answers how many keys it removed: 1 for the first connection, 0 after. A nonce
        # left in the account's set is harmless (revoking deletes a key that is gone).
        return int(await self._redis.delete(PREFIX + nonce)) == 1

    async def revoke(self, account: str, *, seconds: int, now: float) -> None:
        keys = [OF_ACCOUNT + account, REVOKED + account]
        await self._revoke(keys=keys, args=[PREFIX, repr(now), seconds])
