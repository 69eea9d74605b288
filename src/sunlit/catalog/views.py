"""Reads of the catalog that pages, APIs and other contexts share, and the read-only shapes they
hand out: producers, products and unsalable-stock reports (the catalog's rows satisfy these;
route modules and other contexts never see its tables)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from sqlalchemy import case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.model import Actor, Role
from sunlit.catalog.model import ProducerKind, Unit, Verification, unit_grams
from sunlit.catalog.producers import services as producers
from sunlit.catalog.products import services as products
from sunlit.catalog.tables import ProducerRow, ProductRow
from sunlit.catalog.unsalable import services as unsalable
from sunlit.core.regions.model import region_prefix


class Producer(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def region(self) -> str: ...
    @property
    def village(self) -> str | None: ...
    @property
    def cooperative_id(self) -> str | None: ...
    @property
    def verification(self) -> str: ...


class Product(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def producer_id(self) -> str: ...
    @property
    def name_zh(self) -> str: ...
    @property
    def name_en(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def category(self) -> str: ...
    @property
    def origin_region(self) -> str: ...
    @property
    def unit(self) -> str: ...
    @property
    def box_grams(self) -> int | None: ...
    @property
    def price(self) -> int: ...
    @property
    def declared_cost(self) -> int | None: ...
    @property
    def clearance(self) -> str | None: ...
    @property
    def stock(self) -> int: ...
    @property
    def description_zh(self) -> str: ...
    @property
    def description_en(self) -> str: ...
    @property
    def story_zh(self) -> str: ...
    @property
    def story_en(self) -> str: ...
    @property
    def updated_at(self) -> datetime: ...


class UnsalableReport(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def product_id(self) -> str: ...
    @property
    def producer_id(self) -> str: ...
    @property
    def region(self) -> str: ...
    @property
    def quantity(self) -> int: ...
    @property
    def reason(self) -> str: ...
    @property
    def note(self) -> str: ...
    @property
    def deadline(self) -> date: ...
    @property
    def status(self) -> str: ...


class InspectionRecord(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def issuer(self) -> str: ...
    @property
    def issued_on(self) -> date: ...
    @property
    def expires_on(self) -> date: ...
    @property
    def sha256(self) -> str: ...


class PhotoRecord(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def sha256(self) -> str: ...


async def manages_producer(db: AsyncSession, actor: Actor, producer_id: str) -> bool:
    """Whether the account manages this producer (False when there is no such producer)."""
    producer = await db.get(ProducerRow, producer_id)
    return producer is not None and await producers.manages(db, actor, producer)


async def producer_manager(db: AsyncSession, producer_id: str) -> str | None:
    """The account that manages a producer: its own, or its cooperative's (None if neither)."""
    producer = await db.get(ProducerRow, producer_id)
    if producer is None:
        return None
    manager = producer.account_id
    if manager is None and producer.cooperative_id is not None:
        cooperative = await db.get(ProducerRow, producer.cooperative_id)
        manager = cooperative.account_id if cooperative is not None else None
    return manager


async def member_households(db: AsyncSession, cooperative_id: str) -> set[str]:
    """The ids of a cooperative's member households."""
    query = select(ProducerRow.id).where(ProducerRow.cooperative_id == cooperative_id)
    return set((await db.scalars(query)).all())


async def households_among(db: AsyncSession, producer_ids: set[str]) -> set[str]:
    """Which of these producers are households (people, shown to the public as a count)."""
    if not producer_ids:
        return set()
    query = select(ProducerRow.id).where(
        ProducerRow.id.in_(producer_ids), ProducerRow.kind == ProducerKind.HOUSEHOLD
    )
    return set((await db.scalars(query)).all())


async def products_seen_by(
    db: AsyncSession, viewer: Role | None, *, region: str | None, text: str
) -> Sequence[Product]:
    """The products a search finds, newest first: an operator sees every producer's, everyone
    else only verified producers'."""
    return await products.list_products(
        db, region=region, text=text, verified_only=viewer is not Role.OPERATOR
    )


async def help_queue(
    db: AsyncSession, actor: Actor
) -> tuple[str | None, Sequence[UnsalableReport]]:
    """The open unsalable-stock reports an account looks after, with the region they are of: an
    official's jurisdiction, or every region (None) for oversight."""
    region = unsalable.region_of_view(actor)
    return region, await unsalable.needs_help(db, region=region)


async def product_ids_of(db: AsyncSession, *producer_ids: str) -> list[str]:
    """Every product id of these producers (no page limit), in one statement."""
    query = select(ProductRow.id).where(ProductRow.producer_id.in_(producer_ids))
    return list((await db.scalars(query)).all())


@dataclass(frozen=True, slots=True)
class Sold:
    """What a sales summary needs of a product: its kind and names (for prices by kind), where
    it comes from and the net weight of one unit (to put prices against a band)."""

    id: str
    kind: str
    name_zh: str
    name_en: str
    origin_region: str
    grams: int


def _sold(rows: Sequence[ProductRow]) -> list[Sold]:
    return [
        Sold(
            r.id,
            r.kind,
            r.name_zh,
            r.name_en,
            r.origin_region,
            unit_grams(Unit(r.unit), r.box_grams),
        )
        for r in rows
    ]


async def sold_of(db: AsyncSession, *producer_ids: str) -> list[Sold]:
    """:class:`Sold` of every product of these producers, in one statement."""
    query = select(ProductRow).where(ProductRow.producer_id.in_(producer_ids))
    return _sold((await db.scalars(query.order_by(ProductRow.id))).all())


async def sold_in(db: AsyncSession, *regions: str) -> list[Sold]:
    """:class:`Sold` of every product whose origin lies in one of ``regions``, in one
    statement (none for no region)."""
    if not regions:
        return []
    within = or_(*(ProductRow.origin_region.startswith(region_prefix(r)) for r in regions))
    return _sold((await db.scalars(select(ProductRow).where(within).order_by(ProductRow.id))).all())


async def kind_names(db: AsyncSession, kind: str) -> tuple[str, str] | None:
    """A kind of produce in both languages (the name of its first listed product), or None
    when no product of the kind is listed."""
    row = (
        await db.execute(
            select(ProductRow.name_zh, ProductRow.name_en)
            .where(ProductRow.kind == kind)
            .order_by(ProductRow.created_at, ProductRow.id)
            .limit(1)
        )
    ).first()
    return None if row is None else (str(row[0]), str(row[1]))


async def kind_names_of(db: AsyncSession, kinds: set[str]) -> dict[str, tuple[str, str]]:
    """:func:`kind_names` of several kinds at once (one statement): those with a product."""
    if not kinds:
        return {}
    rows = await db.execute(
        select(ProductRow.kind, ProductRow.name_zh, ProductRow.name_en)
        .where(ProductRow.kind.in_(kinds))
        .order_by(ProductRow.created_at.desc(), ProductRow.id.desc())
    )
    # newest first, so each kind ends with the name of its first listed product
    return {str(kind): (str(zh), str(en)) for kind, zh, en in rows.all()}


@dataclass(frozen=True, slots=True)
class PublicProducer:
    """A cooperative or enterprise as the open data shows it: by name, with no contact."""

    id: str
    name: str
    kind: str
    region: str
    cooperative: str | None
    verified: bool


async def public_producers(db: AsyncSession, ids: set[str]) -> list[PublicProducer]:
    """The organisations among these producers (a household is a person: never by name)."""
    found = await producers.producers_by_id(db, ids)
    return [
        PublicProducer(
            p.id,
            p.name,
            str(p.kind),
            p.region,
            p.cooperative_id,
            p.verification is Verification.VERIFIED,
        )
        for p in found.values()
        if p.kind is not ProducerKind.HOUSEHOLD
    ]


async def household_regions(db: AsyncSession, ids: set[str]) -> set[str]:
    """The counties of the households among these producers."""
    found = await producers.producers_by_id(db, ids)
    return {p.region for p in found.values() if p.kind is ProducerKind.HOUSEHOLD}


async def households_counted(db: AsyncSession, regions: set[str]) -> dict[str, tuple[int, int]]:
    """For each county, its household producers and how many of them are verified."""
    if not regions:
        return {}
    verified = func.sum(case((ProducerRow.verification == Verification.VERIFIED, 1), else_=0))
    query = (
        select(ProducerRow.region, func.count(), verified)
        .where(ProducerRow.kind == ProducerKind.HOUSEHOLD, ProducerRow.region.in_(regions))
        .group_by(ProducerRow.region)
    )
    counted = {region: (0, 0) for region in regions}
    for region, households, ok in (await db.execute(query)).all():
        counted[region] = (int(households), int(ok or 0))
    return counted
