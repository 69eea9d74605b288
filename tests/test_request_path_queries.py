"""Issue 20, no N+1: the views of a list of products are read in a fixed number of statements,
whatever the number of products, and say the same as the views read one by one. On SQLite and
PostgreSQL, through the services."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from sunlit.catalog.products import services as catalog
from sunlit.core.db import Database
from sunlit.core.errors import NotFound
from sunlit.settings import Settings
from tests.test_catalog_flows import NOW, pear_shop, people
from tests.test_catalog_model import PEARS


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements the engine sends while the block runs."""
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


async def test_product_views_take_as_many_statements_for_forty_products_as_for_one(
    database: Database, settings: Settings
) -> None:
    who = await people(database, settings)
    first = await pear_shop(database, who)
    async with database.sessions() as db:
        coop_id = (await catalog.get_product(db, first)).producer_id
    async with database.transaction() as db:
        more = [
            (
                await catalog.do_list_product(
                    db,
                    who["farmer.a"],
                    coop_id,
                    replace(PEARS, name_zh=f"砀山酥梨{i}号", price=380 + i),
                    now=NOW,
                )
            ).id
            for i in range(39)
        ]
    ids = [first, *more]
    engine = database.engine.sync_engine
    async with database.sessions() as db:
        with statements(engine) as one:
            (alone,) = await catalog.view_products(db, [first], on=NOW.date())
    async with database.sessions() as db:
        with statements(engine) as forty:
            views = await catalog.view_products(db, ids, on=NOW.date())
    assert len(views) == 40
    assert [v.product.id for v in views] == ids
    assert len(forty) == len(one) <= 5
    # The batch says what the single view says: producer, band, position, quality.
    async with database.sessions() as db:
        for view in views[::13]:
            single = await catalog.view_product(db, view.product.id, on=NOW.date())
            assert view.producer.id == single.producer.id
            assert view.band == single.band and view.band is not None
            assert view.position == single.position
            assert view.quality == single.quality
            assert view.photos == single.photos
    assert alone.product.price == PEARS.price


async def test_a_missing_product_among_many_is_not_found(
    database: Database, settings: Settings
) -> None:
    who = await people(database, settings)
    first = await pear_shop(database, who)
    async with database.sessions() as db:
        with pytest.raises(NotFound):
            await catalog.view_products(db, [first, "g-nothing"], on=NOW.date())
