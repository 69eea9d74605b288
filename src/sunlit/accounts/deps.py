"""What the accounts context needs of the running services, beyond the web kit."""

from __future__ import annotations

from typing import Protocol, cast

from fastapi import Request

from sunlit.accounts.notifier import Notifier
from sunlit.accounts.services import Passwords
from sunlit.accounts.token_cache import TokenCache
from sunlit.web.deps import Kit


class AccountsKit(Kit, Protocol):
    @property
    def passwords(self) -> Passwords: ...
    @property
    def token_cache(self) -> TokenCache: ...
    @property
    def notifier(self) -> Notifier: ...

    async def revoke_access(self, account_id: str) -> None:
        """After committing a change that ends or changes an account's access (signing out, a
        disabled account, a changed role or password): forget its cached API tokens, void its
        unused live-room tickets and close its live-room sockets, in every process."""


def accounts_kit(request: Request) -> AccountsKit:
    return cast(AccountsKit, request.app.state.services)
