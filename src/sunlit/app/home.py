"""What the home page shows, read from the contexts it brings together: the public sessions (the
past ones with their verified figures), the regions served and a few verified products."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.catalog.products import services as products_service
from sunlit.core.i18n import current_language
from sunlit.core.regions import services as catalog
from sunlit.filing import services as filing
from sunlit.filing import views as filing_views
from sunlit.integrity import views as integrity_views
from sunlit.integrity.figures import figures_key

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
