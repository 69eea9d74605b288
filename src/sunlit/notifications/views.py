"""Reading notifications, and rendering one in the reader's language at display time."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.core.i18n import current_language, translate
from sunlit.core.money import format_fen
from sunlit.notifications.model import MESSAGES, MONEY, Kind
from sunlit.notifications.tables import NotificationRow


@dataclass(frozen=True)
class Shown:
    id: str
    kind: Kind
    text: str
    link: str
    created_at: datetime
    read_at: datetime | None
    params: Mapping[str, Any]


def _value(name: str, value: Any, language: str) -> object:
    if name in MONEY and isinstance(value, int):
        return format_fen(value)
    if isinstance(value, dict):  # a name in both languages: {"zh": ..., "en": ...}
        return value.get(language) or value.get("zh") or ""
    return value


def text_of(kind: Kind, params: Mapping[str, Any]) -> str:
    """The sentence, in the current language, with its parameters filled in."""
    language = current_language.get()
    values: dict[str, object] = {
        name: _value(name, value, language) for name, value in params.items()
    }
    # A name the follower could not find (a product since removed) shows as its id; an order
    # it could not find, without its quantity and amount.
    for name in ("product", "plan", "order", "qty", "amount"):
        values.setdefault(name, "")
    return translate(MESSAGES[kind], values)


def shown(row: NotificationRow) -> Shown:
    return Shown(
        id=row.id,
        kind=row.kind,
        text=text_of(row.kind, row.params),
        link=row.link,
        created_at=row.created_at,
        read_at=row.read_at,
        params=row.params,
    )


async def notifications_of(db: AsyncSession, account_id: str, *, limit: int = 100) -> list[Shown]:
    """The newest first."""
    rows = await db.scalars(
        select(NotificationRow)
        .where(NotificationRow.account_id == account_id)
        .order_by(NotificationRow.created_at.desc(), NotificationRow.id.desc())
        .limit(limit)
    )
    return [shown(row) for row in rows]


async def unread_count(db: AsyncSession, account_id: str) -> int:
    count = await db.scalar(
        select(func.count())
        .select_from(NotificationRow)
        .where(NotificationRow.account_id == account_id, NotificationRow.read_at.is_(None))
    )
    return int(count or 0)


async def unread_by(db: AsyncSession, *, made_before: datetime) -> list[str]:
    """The accounts with a notification made before ``made_before`` still unread."""
    found = await db.scalars(
        select(NotificationRow.account_id)
        .where(NotificationRow.created_at < made_before, NotificationRow.read_at.is_(None))
        .distinct()
    )
    return list(found)
