"""Every context's tables, loaded in one place so that ``Base.metadata`` knows them all (for
Alembic, ``create_all`` in tests, and foreign keys between contexts). The composition root is
the one place that knows every context; it loads their ``tables`` modules by name, so that no
module reaches into another context's tables."""

from __future__ import annotations

from importlib import import_module

from sqlalchemy import MetaData

from sunlit.core.db import Base

#: The packages that own tables, in no particular order.
OWNERS = (
    "sunlit.core.eventlog",
    "sunlit.core.files",
    "sunlit.core.regions",
    "sunlit.core.calendar",
    "sunlit.accounts",
    "sunlit.catalog",
    "sunlit.payments",
    "sunlit.filing",
    "sunlit.participation",
    "sunlit.live",
    "sunlit.orders",
    "sunlit.integrity",
    "sunlit.disclosure.concerns",
    "sunlit.disclosure.opendata",
    "sunlit.fulfilment.shipments",
    "sunlit.fulfilment.aftersales",
    "sunlit.fulfilment.reviews",
    "sunlit.notifications",
)


def metadata() -> MetaData:
    """``Base.metadata`` with every context's tables on it."""
    for owner in OWNERS:
        import_module(f"{owner}.tables")
    return Base.metadata


metadata()
