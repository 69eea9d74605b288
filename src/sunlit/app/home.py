"""What the home page shows, read from the contexts it brings together: the public sessions (the
past ones with their verified figures), the regions served and a few verified products; for a
signed-in person, the upcoming sessions suggested to them and why."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.catalog.producers.services import producer_names
from sunlit.catalog.products import services as products_service
from sunlit.core.i18n import current_language
from sunlit.core.regions import services as catalog
from sunlit.filing import services as filing
from sunlit.filing import views as filing_views
from sunlit.integrity import views as integrity_views
from sunlit.integrity.figures import figures_key
from sunlit.orders.views import orders_of_buyer
from sunlit.participation import follows

#: How many verified products the home page shows.
PRODUCTS = 6


async def home_context(db: AsyncSession, now: datetime) -> dict[str, Any]:
    upcoming, past = await filing.public_sessions(db, now=now)
    # Each session card lists its products: two queries for all the cards together.
    filed = await filing_views.products_of_plans(db, [p.id for p in [*upcoming, *past]])
    rows = await products_service.products_by_id(db, {i for ids in filed.values() for i in ids})
    verified = await integrity_views.figures_of(db, {figures_key(None, p.id) for p in past})
    regions = await catalog.served_regions(db)
    book = catalog.region_book()
    today = now.date()
    shown = await products_service.list_products(db, limit=PRODUCTS, verified_only=True)
    products = await products_service.view_products(db, [row.id for row in shown], on=today)
    return {
        "upcoming": upcoming,
        "past": past,
        "verified": {row.session: row.figures for row in verified.values()},
        "session_products": {
            plan: [rows[i] for i in ids if i in rows] for plan, ids in filed.items()
        },
        "regions": regions,
        "products": products,
        "region_names": {r.code: book.full_name(r.code, current_language.get()) for r in regions},
    }


async def for_you(
    db: AsyncSession, account_id: str, context: dict[str, Any]
) -> list[tuple[Any, list[follows.Why]]]:
    """The upcoming sessions suggested to a signed-in person, each with why: what they follow
    on it, or a producer they bought from before. Simple and said (issue 21, item 4)."""
    followed = await follows.followed_by(db, account_id)
    bought = {o.producer_id for o in await orders_of_buyer(db, account_id) if o.paid_at}
    if not followed and not bought:
        return []
    suggested = []
    for plan in context["upcoming"]:
        why = follows.reasons_for(context["session_products"].get(plan.id, []), followed, bought)
        if why:
            suggested.append((plan, why))
    return suggested


async def reason_names(
    db: AsyncSession, suggested: list[tuple[Any, list[follows.Why]]], context: dict[str, Any]
) -> dict[follows.Why, str]:
    """Each reason's name in the reader's language: a producer's, a county's, a kind's (the
    name of the session's product of that kind)."""
    whys = {why for _, reasons in suggested for why in reasons}
    producers = await producer_names(db, {t for k, t in whys if k in ("producer", "bought")})
    language = current_language.get()
    book = catalog.region_book()
    kinds = {
        p.kind: (p.name_zh if language == "zh" else p.name_en)
        for items in context["session_products"].values()
        for p in items
    }
    names: dict[follows.Why, str] = {}
    for kind, target in whys:
        if kind == "county":
            names[(kind, target)] = book.own_name(target, language)
        elif kind == "kind":
            names[(kind, target)] = kinds.get(target, target)
        else:
            names[(kind, target)] = producers.get(target, target)
    return names
