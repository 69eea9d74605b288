"""Producers, products, reference bands and price consent through the services, on SQLite and
PostgreSQL: who may do what, what is refused, and which events are written."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from sunlit.accounts.model import NewAccount, Role
from sunlit.accounts.services import Origin, Passwords, do_register
from sunlit.accounts.tables import AccountRow
from sunlit.catalog.model import (
    Band,
    BandStatus,
    ClearanceReason,
    ProducerDraft,
    ProducerKind,
    Unit,
    Verification,
)
from sunlit.catalog.producers import services as producers
from sunlit.catalog.products import bands
from sunlit.catalog.products import services as catalog
from sunlit.core.db import Database
from sunlit.core.errors import Conflict, InvalidInput, PermissionDenied
from sunlit.core.eventlog.tables import EventRow
from sunlit.participation import services as consent
from sunlit.participation.model import PriceRoute
from sunlit.settings import Settings
from tests.test_catalog_model import PEARS

NOW = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)


async def people(database: Database, settings: Settings) -> dict[str, AccountRow]:
    made = {}
    async with database.transaction() as db:
        for username, role, region in [
            ("operator", Role.OPERATOR, None),
            ("farmer.a", Role.FARMER, "341321"),
            ("farmer.b", Role.FARMER, "341321"),
            ("official", Role.OFFICIAL, "341321"),
            ("buyer", Role.CONSUMER, None),
        ]:
            made[username] = await do_register(
                db,
                Passwords(settings),
                NewAccount(username, username, "a-long-password", role, region=region),
                now=NOW,
                origin=Origin("127.0.0.1", "test"),
                trusted=True,
            )
    return made


async def pear_shop(database: Database, who: dict[str, AccountRow]) -> str:
    """farmer.a's cooperative, verified, with a county band and pears listed; the product id."""
    async with database.transaction() as db:
        coop = await producers.do_register_producer(
            db,
            who["farmer.a"],
            ProducerDraft(ProducerKind.COOPERATIVE, "酥梨合作社", "341321"),
            now=NOW,
        )
        await producers.do_verify_producer(
            db, who["operator"], coop.id, Verification.VERIFIED, now=NOW
        )
        await bands.do_add_band(
            db,
            who["operator"],
            Band(
                "crisp_pear",
                "341321",
                300,
                500,
                Unit.JIN,
                date(2026, 11, 1),
                "砀山县价格监测",
            ),
            now=NOW,
        )
        product = await catalog.do_list_product(db, who["farmer.a"], coop.id, PEARS, now=NOW)
        return product.id


async def events(database: Database) -> list[EventRow]:
    async with database.sessions() as db:
        return list((await db.scalars(select(EventRow).order_by(EventRow.seq))).all())


async def test_listing_writes_the_spec_event_with_the_band(
    database: Database, settings: Settings
) -> None:
    who = await people(database, settings)
    product_id = await pear_shop(database, who)
    listed = [e for e in await events(database) if e.type == "product.listed"]
    assert len(listed) == 1
    assert listed[0].data == {
        "product": product_id,
        "name": "砀山酥梨",
        "category": "fruit",
        "origin_region": "341321",
        "producer": listed[0].data["producer"],
        "producer_kind": "cooperative",
        "price": 398,
        "reference_price_low": 300,
        "reference_price_high": 500,
        "declared_cost": 260,
        "stock": 5000,
    }
    async with database.sessions() as db:
        view = await catalog.view_product(db, product_id, on=NOW.date())
    assert view.position is not None and view.position.status is BandStatus.WITHIN
    assert view.producer.verification == "verified"


async def test_only_the_manager_lists_and_below_cost_needs_clearance(
    database: Database, settings: Settings
) -> None:
    who = await people(database, settings)
    async with database.transaction() as db:
        coop = await producers.do_register_producer(
            db,
            who["farmer.a"],
            ProducerDraft(ProducerKind.COOPERATIVE, "合作社", "341321"),
            now=NOW,
        )
    assert coop.verification == "pending"
    async with database.transaction() as db:
        with pytest.raises(PermissionDenied):
            await catalog.do_list_product(db, who["farmer.b"], coop.id, PEARS, now=NOW)
        with pytest.raises(InvalidInput) as caught:
            await catalog.do_list_product(
                db, who["farmer.a"], coop.id, replace(PEARS, price=200), now=NOW
            )
        assert set(caught.value.fields) == {"price"}
        cleared = await catalog.do_list_product(
            db,
            who["farmer.a"],
            coop.id,
            replace(PEARS, price=200),
            now=NOW,
            clearance=ClearanceReason.PERISHABLE,
        )
    assert cleared.clearance == "perishable"


async def test_an_officials_proposal_needs_the_producers_consent(
    database: Database, settings: Settings
) -> None:
    who = await people(database, settings)
    product_id = await pear_shop(database, who)
    async with database.transaction() as db:
        route, proposal = await consent.do_change_price(
            db,
            who["official"],
            product_id,
            298,
            now=NOW,
            reason="直播特价，吸引人气",
        )
    assert route is PriceRoute.PROPOSAL
    async with database.sessions() as db:
        assert (await catalog.get_product(db, product_id)).price == 398  # nothing changed yet
    async with database.transaction() as db:
        with pytest.raises(PermissionDenied):  # another farmer cannot decide
            await consent.do_decide(db, who["farmer.b"], proposal.id, accept=True, now=NOW)
        with pytest.raises(PermissionDenied):  # nor can the operator
            await consent.do_decide(db, who["operator"], proposal.id, accept=True, now=NOW)
        await consent.do_decide(
            db, who["farmer.a"], proposal.id, accept=False, now=NOW, note="低于成本线附近，不接受"
        )
    async with database.transaction() as db:
        with pytest.raises(Conflict):
            await consent.do_decide(db, who["farmer.a"], proposal.id, accept=True, now=NOW)
    async with database.sessions() as db:
        assert (await catalog.get_product(db, product_id)).price == 398
    decided = [e for e in await events(database) if e.type == "price.proposal_decided"]
    assert [(e.actor, e.data["decision"]) for e in decided] == [(who["farmer.a"].id, "refused")]


async def test_accepting_a_below_cost_proposal_needs_a_clearance_reason(
    database: Database, settings: Settings
) -> None:
    who = await people(database, settings)
    product_id = await pear_shop(database, who)
    async with database.transaction() as db:
        _, proposal = await consent.do_change_price(
            db,
            who["operator"],
            product_id,
            199,
            now=NOW,
            reason="清库存",
        )
    with pytest.raises(InvalidInput):
        async with database.transaction() as db:
            await consent.do_decide(db, who["farmer.a"], proposal.id, accept=True, now=NOW)
    async with database.transaction() as db:
        assert (await consent.get_proposal(db, proposal.id)).status == "pending"
        await consent.do_decide(
            db,
            who["farmer.a"],
            proposal.id,
            accept=True,
            now=NOW,
            clearance=ClearanceReason.SEASON_END,
        )
    async with database.sessions() as db:
        product = await catalog.get_product(db, product_id)
    assert (product.price, product.clearance) == (199, "season_end")
    changed = [e for e in await events(database) if e.type == "product.price_changed"]
    assert changed[-1].data == {
        "product": product_id,
        "price": 199,
        "clearance": "season_end",
        "proposal": proposal.id,
    }
    assert changed[-1].actor == who["farmer.a"].id


async def test_the_producer_changes_their_own_price_directly_and_buyers_cannot_propose(
    database: Database, settings: Settings
) -> None:
    who = await people(database, settings)
    product_id = await pear_shop(database, who)
    async with database.transaction() as db:
        route, product = await consent.do_change_price(
            db, who["farmer.a"], product_id, 450, now=NOW
        )
        assert route is PriceRoute.DIRECT and product.price == 450
        with pytest.raises(PermissionDenied):
            await consent.do_change_price(
                db, who["buyer"], product_id, 100, now=NOW, reason="便宜点"
            )
        with pytest.raises(InvalidInput) as caught:
            await consent.do_change_price(db, who["official"], product_id, -3, now=NOW)
        assert set(caught.value.fields) == {"price", "reason"}
