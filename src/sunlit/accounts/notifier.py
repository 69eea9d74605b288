"""How Sunlit tells a person something outside the site (a password-reset code): an interface,
and the development adapter that writes the message to the log instead of sending it."""

from __future__ import annotations

from typing import Protocol

import structlog

from sunlit.accounts.tables import AccountRow
from sunlit.settings import Settings

log = structlog.get_logger("sunlit.notifier")


class Notifier(Protocol):
    async def send(self, account: AccountRow, message: str) -> None:
        """Deliver ``message`` to the person (an SMS to their phone, say). An adapter that
        cannot reach this account sends nothing; it never tells the caller which."""


class LogNotifier:
    """Development adapter: the message goes to the log (level warning, so that it shows in
    any configuration, and so that a deployment that still uses it notices)."""

    async def send(self, account: AccountRow, message: str) -> None:
        log.warning(
            "notification written to the log, not sent",
            account=account.id,
            phone=account.phone,
            message=message,
        )


def notifier_for(settings: Settings) -> Notifier:
    """The adapter the settings name (``SUNLIT_NOTIFIER``)."""
    if settings.notifier == "log":
        return LogNotifier()
    raise ValueError(f"unknown notifier {settings.notifier!r}")
