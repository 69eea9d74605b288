"""What the accounts context's reads hand to pages and APIs besides an account (which they see
as :class:`sunlit.accounts.model.Actor`): API tokens, read-only."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class ApiToken(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def last_used_at(self) -> datetime | None: ...
