"""A short-lived, in-process memory of which account an API token belongs to, so that a busy
API client (a flash sale's buyers) does not cost a database lookup per call. A revoked token or
a changed role is forgotten at once in this process (the routes that change them say so) and
within ``SUNLIT_TOKEN_CACHE_SECONDS`` in other processes. ADR 0003 records the trade."""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy.orm import make_transient_to_detached

from sunlit.accounts.tables import AccountRow

COLUMNS = [column.key for column in AccountRow.__table__.columns]
MAX_ENTRIES = 100_000


class TokenCache:
    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self.clock = clock  # seconds, monotonic; a test passes its own to make time pass
        self._entries: dict[str, tuple[float, AccountRow]] = {}

    def get(self, digest: str) -> AccountRow | None:
        """A detached snapshot of the account (merge it into a session with ``load=False``)."""
        found = self._entries.get(digest)
        if found is None:
            return None
        if self.clock() >= found[0]:
            del self._entries[digest]
            return None
        return found[1]

    def put(self, digest: str, account: AccountRow) -> None:
        if self.seconds <= 0:
            return
        if len(self._entries) >= MAX_ENTRIES:
            self._entries.clear()
        snapshot = AccountRow(**{name: getattr(account, name) for name in COLUMNS})
        make_transient_to_detached(snapshot)
        self._entries[digest] = (self.clock() + self.seconds, snapshot)

    def forget_account(self, account_id: str) -> None:
        for digest in [d for d, (_, row) in self._entries.items() if row.id == account_id]:
            del self._entries[digest]
