"""Reads of the live rooms that the API and the pages share."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.live import services as live
from sunlit.live.deps import LiveKit


async def room_message(
    db: AsyncSession, services: LiveKit, session: str, *, now: datetime
) -> dict[str, Any]:
    """A watchable room's state as the API gives it: status, pin, offer, title, recording and
    the viewers this process last counted there (null when it serves no one there)."""
    plan = await live.access_watchable_plan(db, session)
    state = await live.room_state(db, plan.id, services.sales, now=now, on=now.date())
    figures = services.live.room_figures(session) or {}
    return {
        **state.message(),
        "t": "state",
        "session": session,
        "title": plan.title,
        "recording": state.recording,
        "viewers": figures.get("viewers"),
        "signed_in": figures.get("signed_in"),
    }
