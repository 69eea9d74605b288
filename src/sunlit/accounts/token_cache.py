"""A short-lived, in-process memory of which account an API token or a sign-in session cookie
belongs to, so that a busy client (a flash sale's buyers, a signed-in buyer browsing) does not
cost a database lookup per request. A revoked token, a signed-out session, a disabled account
or a changed role is forgotten at once in this process (``Services.revoke_access`` and the
routes that revoke a token say so) and within ``SUNLIT_TOKEN_CACHE_SECONDS`` in other
processes. ADR 0003 records the trade for tokens, ADR 0012 for sessions.

Each entry keeps the time its account was read (``read_at``): a live-room ticket is refused to
a principal whose account lost its access after that (``sunlit.live.tickets``), so a
remembered principal cannot outlive a revocation there. A remembered session is used only
while it is live by the app's clock and needs no "last seen" stamp (at most one a minute, as
``sessions.session_account`` writes it); otherwise the database is asked, as without it."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import make_transient_to_detached

from sunlit.accounts.model import session_is_live, stamp_due
from sunlit.accounts.tables import AccountRow

COLUMNS = [column.key for column in AccountRow.__table__.columns]
MAX_ENTRIES = 100_000


@dataclass(frozen=True, slots=True)
class Remembered:
    account: AccountRow  # a detached snapshot: merge it into a session with ``load=False``
    read_at: float  # unix seconds of the app's clock when the account was read
    #: For a sign-in session: when it began and was last seen, as stored.
    created_at: datetime | None = None
    last_seen_at: datetime | None = None

    def session_usable(
        self, now: datetime, *, idle: timedelta, max_age: timedelta, touch: bool
    ) -> bool:
        """May this remembered session answer for the database at ``now``? Only while it is
        live and no "last seen" stamp is due (``touch``); a session that is not remembered as
        one (an API token's entry) never may."""
        if self.created_at is None or self.last_seen_at is None:
            return False
        if touch and stamp_due(self.last_seen_at, now):
            return False
        return session_is_live(
            created_at=self.created_at,
            last_seen_at=self.last_seen_at,
            now=now,
            idle=idle,
            max_age=max_age,
        )


class TokenCache:
    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self.clock = clock  # seconds, monotonic; a test passes its own to make time pass
        self._entries: dict[str, tuple[float, Remembered]] = {}

    def get(self, digest: str) -> Remembered | None:
        found = self._entries.get(digest)
        if found is None:
            return None
        if self.clock() >= found[0]:
            del self._entries[digest]
            return None
        return found[1]

    def put(
        self,
        digest: str,
        account: AccountRow,
        *,
        read_at: float,
        created_at: datetime | None = None,
        last_seen_at: datetime | None = None,
    ) -> None:
        if self.seconds <= 0:
            return
        if len(self._entries) >= MAX_ENTRIES:
            self._entries.clear()
        snapshot = AccountRow(**{name: getattr(account, name) for name in COLUMNS})
        make_transient_to_detached(snapshot)
        remembered = Remembered(snapshot, read_at, created_at, last_seen_at)
        self._entries[digest] = (self.clock() + self.seconds, remembered)

    def forget(self, digest: str) -> None:
        self._entries.pop(digest, None)

    def forget_account(self, account_id: str) -> None:
        gone = [d for d, (_, kept) in self._entries.items() if kept.account.id == account_id]
        for digest in gone:
            del self._entries[digest]
