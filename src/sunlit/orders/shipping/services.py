"""Shipping fee use cases: a producer's fees by zone, read for checkout and the order desk,
and set by the producer's people (each change a ``shipping.fees_set`` event)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.model import Actor
from sunlit.catalog.producers import services as producers
from sunlit.catalog.products import services as catalog
from sunlit.catalog.views import manages_producer
from sunlit.core.errors import N_, PermissionDenied, marked_fields
from sunlit.core.eventlog import Event, EventType, append
from sunlit.core.regions.services import region_book
from sunlit.orders.shipping.model import Zone, check_fees, fee_for, ships_to, zone_of
from sunlit.orders.tables import ShippingFeeRow


@dataclass(frozen=True, slots=True)
class FeeTable:
    """A producer's fees by zone (fen; a zone never set is 0, free) and the region it ships
    from."""

    producer: str
    origin: str
    fees: Mapping[str, int]

    def fee(self, zone: Zone) -> int:
        return fee_for(self.fees, zone)

    def to(self, destination: str) -> Quote:
        zone = zone_of(self.origin, destination)
        return Quote(zone, self.fee(zone))

    @property
    def by_zone(self) -> list[tuple[Zone, int]]:
        return [(zone, self.fee(zone)) for zone in Zone]


@dataclass(frozen=True, slots=True)
class Quote:
    zone: Zone
    fee: int


async def fee_tables(db: AsyncSession, producer_ids: Iterable[str]) -> dict[str, FeeTable]:
    """The fee tables of these producers (one query for the fees; the producers are read
    through the catalog)."""
    wanted = sorted(set(producer_ids))
    if not wanted:
        return {}
    rows = (
        await db.scalars(select(ShippingFeeRow).where(ShippingFeeRow.producer_id.in_(wanted)))
    ).all()
    fees: dict[str, dict[str, int]] = {producer: {} for producer in wanted}
    for row in rows:
        fees[row.producer_id][row.zone] = row.fee
    tables = {}
    for producer_id in wanted:
        producer = await producers.get_producer(db, producer_id)
        tables[producer_id] = FeeTable(producer_id, producer.region, fees[producer_id])
    return tables


async def fee_table(db: AsyncSession, producer_id: str) -> FeeTable:
    """A producer's fee table; NotFound when there is no such producer."""
    return (await fee_tables(db, [producer_id]))[producer_id]


async def quote(db: AsyncSession, product_id: str, destination: str) -> Quote:
    """The shipping fee of one order of a product to a region (the caller checks the region)."""
    product = await catalog.get_product(db, product_id)
    return (await fee_table(db, product.producer_id)).to(destination)


async def do_set_fees(
    db: AsyncSession,
    actor: Actor,
    producer_id: str,
    fees: Mapping[str, object],
    *,
    now: datetime,
    errors: Mapping[str, str] | None = None,
) -> FeeTable:
    """The producer's people (or an operator) set its fee for every zone, in fen. ``errors``:
    what a form already found wrong (amounts it could not read); nothing changes if any."""
    if not await manages_producer(db, actor, producer_id):
        raise PermissionDenied(N_("Only the producer's people set its shipping fees."))
    checked, problems = check_fees(fees)
    problems = {**problems, **(errors or {})}
    if problems:
        raise marked_fields(problems)
    await db.execute(delete(ShippingFeeRow).where(ShippingFeeRow.producer_id == producer_id))
    await db.execute(
        insert(ShippingFeeRow),
        [
            {
                "producer_id": producer_id,
                "zone": zone,
                "fee": fee,
                "updated_at": now,
                "updated_by": actor.id,
            }
            for zone, fee in checked.items()
        ],
    )
    append(
        db,
        Event(
            EventType.SHIPPING_FEES_SET,
            now,
            {"producer": producer_id, "fees": checked},
            actor=actor.id,
        ),
    )
    return await fee_table(db, producer_id)


@dataclass(frozen=True, slots=True)
class CheckoutSums:
    """What checkout shows before the buyer confirms: the goods, the shipping fee to the chosen
    county (None until one is chosen) and the total. The desk computes the fee again when it
    places the order; that is the one that counts."""

    goods: int
    zone: Zone | None
    fee: int | None
    table: FeeTable

    @property
    def total(self) -> int | None:
        return None if self.fee is None else self.goods + self.fee


async def checkout_sums(
    db: AsyncSession, producer_id: str, unit_price: int, qty: int, destination: str | None
) -> CheckoutSums:
    table = await fee_table(db, producer_id)
    goods = unit_price * max(qty, 0)
    if not destination or not (
        region_book().is_delivery_area(destination) and ships_to(destination)
    ):
        return CheckoutSums(goods, None, None, table)
    found = table.to(destination)
    return CheckoutSums(goods, found.zone, found.fee, table)
