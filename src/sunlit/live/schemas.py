"""The live API's request bodies and the moderation log's entries."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field

from sunlit.accounts.services import aware
from sunlit.core.clock import to_rfc3339
from sunlit.core.eventlog.tables import EventRow
from sunlit.core.ids import ID_PATTERN
from sunlit.core.text import CleanText
from sunlit.live.model import HideReason
from sunlit.live.services import MAX_OFFER_MINUTES


class PinIn(BaseModel):
    product_id: str | None = Field(None, pattern=ID_PATTERN)
    offer_minutes: int | None = Field(None, ge=1, le=MAX_OFFER_MINUTES)


class ModerationIn(BaseModel):
    reason: HideReason
    note: CleanText = Field("", max_length=200)


def moderation_entry(row: EventRow, zone: ZoneInfo) -> dict[str, Any]:
    """One hide or mute of the moderation log, as the API gives it."""
    return {
        "id": row.id,
        "type": row.type,
        "ts": to_rfc3339(aware(row.ts), zone),
        "session": row.session,
        "actor": row.actor,
        "data": row.data,
    }
