"""The control page's one form for the team's actions: what it asks for, checked, and doing it.
``action`` is pin, unpin, offer, hide, mute or unmute."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.model import Actor
from sunlit.core.errors import N_, InvalidInput
from sunlit.live import chat
from sunlit.live import services as live
from sunlit.live.model import HideReason

PINS = ("pin", "offer", "unpin")
MODERATION = ("hide", "mute")


def _reason(value: str) -> HideReason:
    try:
        return HideReason(value)
    except ValueError:
        raise InvalidInput(
            N_("Please correct the marked fields."),
            fields={"reason": N_("Choose why: only abuse is a reason to hide or mute.")},
        ) from None


@dataclass(frozen=True)
class ControlAction:
    action: str
    product: str | None = None
    offer_minutes: int | None = None
    message_id: str = ""
    account: str = ""
    reason: HideReason | None = None
    note: str = ""

    @classmethod
    def of(cls, fields: dict[str, str]) -> ControlAction:
        """The submitted form, checked (an unknown action or a missing reason raises)."""
        action = fields.get("action", "")
        if action in PINS:
            minutes = fields.get("minutes", "").strip()
            return cls(
                action,
                product=None if action == "unpin" else fields.get("product_id") or None,
                offer_minutes=(int(minutes) if minutes.isdigit() else 0)
                if action == "offer"
                else None,
            )
        if action in MODERATION:
            return cls(
                action,
                message_id=fields.get("message_id", "")[:64],
                account=fields.get("account_id", "")[:40],
                reason=_reason(fields.get("reason", "")),
                note=fields.get("note", "").strip()[:200],
            )
        if action == "unmute":
            return cls(action, account=fields.get("account_id", "")[:40])
        raise InvalidInput(N_("That action is not one this page knows."))

    async def run(
        self, db: AsyncSession, actor: Actor, session: str, *, now: datetime
    ) -> dict[str, Any]:
        """Do it; the message to announce in the room."""
        if self.action in PINS:
            minutes = self.offer_minutes
            await live.do_pin(db, actor, session, self.product, offer_minutes=minutes, now=now)
            return {"t": "refresh"}
        if self.action == "unmute":
            return await chat.do_unmute(db, actor, session, self.account, now=now)
        assert self.reason is not None
        if self.action == "hide":
            return await chat.do_hide(
                db, actor, session, self.message_id, self.reason, self.note, now=now
            )
        return await chat.do_mute(db, actor, session, self.account, self.reason, self.note, now=now)
