"""Product and reference-band use cases: ``check_*`` validates, ``do_*`` writes and emits
events. Producers are in ``catalog.producers``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.model import Actor
from sunlit.catalog.model import (
    MAX_PRICE_FEN,
    MAX_STOCK,
    Band,
    BandPosition,
    ClearanceReason,
    Inspection,
    InspectionKind,
    ProductDraft,
    QualityStatus,
    Unit,
    Verification,
    band_position,
    check_price_against_cost,
    check_product,
    quality_status,
    unit_grams,
)
from sunlit.catalog.producers.services import get_producer, manages, producers_by_id, speaks_for
from sunlit.catalog.products.bands import band_for, band_on, bands_by_kind
from sunlit.catalog.tables import (
    InspectionRow,
    ProducerRow,
    ProductPhotoRow,
    ProductRow,
)
from sunlit.core.errors import N_, NotFound, PermissionDenied, marked_fields
from sunlit.core.eventlog import Event, EventType, append
from sunlit.core.ids import new_id
from sunlit.core.regions.model import region_prefix
from sunlit.core.regions.services import region_book

# --- products ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProductView:
    """A product with what a buyer and a supervisor want beside it."""

    product: ProductRow
    producer: ProducerRow
    band: Band | None
    position: BandPosition | None
    inspections: list[InspectionRow] = field(default_factory=list)
    quality: QualityStatus = QualityStatus.MISSING
    photos: list[str] = field(default_factory=list)  # SHA-256 of each photo
    documents: list[Inspection] = field(default_factory=list)  # the inspections, as values


async def get_product(db: AsyncSession, product_id: str) -> ProductRow:
    row = await db.get(ProductRow, product_id)
    if row is None:
        raise NotFound(N_("No such product."))
    return row


async def access_product(db: AsyncSession, actor: Actor, product_id: str) -> ProductRow:
    """The product, for an account that manages its producer (to change its stock, documents
    or photos); raises NotFound or PermissionDenied."""
    product = await get_product(db, product_id)
    if not await manages(db, actor, await get_producer(db, product.producer_id)):
        raise PermissionDenied(N_("You can only change products of a producer you manage."))
    return product


async def products_by_id(db: AsyncSession, ids: set[str]) -> dict[str, ProductRow]:
    if not ids:
        return {}
    rows = (await db.scalars(select(ProductRow).where(ProductRow.id.in_(ids)))).all()
    return {row.id: row for row in rows}


def grams_of(row: ProductRow) -> int:
    return unit_grams(Unit(row.unit), row.box_grams)


def position_of(row: ProductRow, band: Band | None) -> BandPosition | None:
    """Where the product's price sits in its reference band (None without a band)."""
    return band_position(row.price, grams_of(row), band) if band else None


async def products_in_order(db: AsyncSession, product_ids: Sequence[str]) -> list[ProductRow]:
    """The products, in the order given, in one statement; NotFound if any is missing."""
    found = await products_by_id(db, set(product_ids))
    if any(pid not in found for pid in product_ids):
        raise NotFound(N_("No such product."))
    return [found[pid] for pid in product_ids]


async def view_product(db: AsyncSession, product_id: str, *, on: date) -> ProductView:
    (view,) = await view_products(db, [product_id], on=on)
    return view


async def view_products(
    db: AsyncSession, product_ids: Sequence[str], *, on: date
) -> list[ProductView]:
    """The views of the products, in the order given, in a fixed number of queries however
    many there are (products, producers, reference bands, inspections, photos: one each)."""
    if not product_ids:
        return []
    rows = await products_in_order(db, product_ids)
    producers = await producers_by_id(db, {row.producer_id for row in rows})
    bands = await bands_by_kind(db, {row.kind for row in rows})
    inspections: dict[str, list[InspectionRow]] = {}
    for inspection in (
        await db.scalars(
            select(InspectionRow)
            .where(InspectionRow.product_id.in_(product_ids))
            .order_by(InspectionRow.expires_on.desc())
        )
    ).all():
        inspections.setdefault(inspection.product_id, []).append(inspection)
    photos: dict[str, list[str]] = {}
    for product_id, sha256 in (
        await db.execute(
            select(ProductPhotoRow.product_id, ProductPhotoRow.sha256)
            .where(ProductPhotoRow.product_id.in_(product_ids))
            .order_by(ProductPhotoRow.created_at)
        )
    ).all():
        photos.setdefault(product_id, []).append(sha256)
    views = []
    for row in rows:
        producer = producers[row.producer_id]  # a foreign key: always there
        band = band_on(bands, row.kind, row.origin_region, on)
        position = position_of(row, band)
        mine = inspections.get(row.id, [])
        documents = [
            Inspection(InspectionKind(i.kind), i.issuer, i.issued_on, i.expires_on, i.sha256)
            for i in mine
        ]
        views.append(
            ProductView(
                row,
                producer,
                band,
                position,
                mine,
                quality_status(documents, on),
                photos.get(row.id, []),
                documents,
            )
        )
    return views


def below_cost(draft: ProductDraft) -> bool:
    return draft.declared_cost is not None and draft.price < draft.declared_cost


async def do_list_product(
    db: AsyncSession,
    actor: Actor,
    producer_id: str,
    draft: ProductDraft,
    *,
    now: datetime,
    clearance: ClearanceReason | None = None,
) -> ProductRow:
    producer = await get_producer(db, producer_id)
    if not await manages(db, actor, producer):
        raise PermissionDenied(N_("You can only list products of a producer you manage."))
    errors = check_product(draft, region_book())
    if not await speaks_for(db, actor, producer):
        if draft.declared_cost is not None:
            errors["declared_cost"] = N_("Only the producer declares its cost.")
        if clearance is not None:
            errors["clearance"] = N_("Only the producer can agree to sell below cost.")
    cost_error = check_price_against_cost(draft.price, draft.declared_cost, clearance)
    if cost_error and "price" not in errors:
        errors["price"] = cost_error
    if errors:
        raise marked_fields(errors)
    row = ProductRow(
        id=new_id("g"),
        producer_id=producer.id,
        name_zh=draft.name_zh.strip(),
        name_en=draft.name_en.strip(),
        kind=draft.kind,
        category=draft.category.value,
        origin_region=draft.origin_region,
        unit=draft.unit.value,
        box_grams=draft.box_grams if draft.unit is Unit.BOX else None,
        price=draft.price,
        declared_cost=draft.declared_cost,
        stock=draft.stock,
        description_zh=draft.description_zh,
        description_en=draft.description_en,
        story_zh=draft.story_zh,
        story_en=draft.story_en,
        clearance=clearance.value if clearance and below_cost(draft) else None,
        created_at=now,
        updated_at=now,
    )
    db.add(row)
    band = await band_for(db, row.kind, row.origin_region, now.date())
    position = position_of(row, band)
    append(
        db,
        Event(
            type=EventType.PRODUCT_LISTED,
            ts=now,
            actor=actor.id,
            data={
                "product": row.id,
                "name": row.name_zh,
                "category": row.category,
                "origin_region": row.origin_region,
                "producer": producer.id,
                "producer_kind": producer.kind,
                "price": row.price,
                "reference_price_low": position.low if position else None,
                "reference_price_high": position.high if position else None,
                "declared_cost": row.declared_cost,
                "stock": row.stock,
            },
        ),
    )
    return row


async def set_price(
    db: AsyncSession,
    product: ProductRow,
    price: int,
    *,
    actor: str,
    now: datetime,
    clearance: ClearanceReason | None,
    proposal: str | None = None,
) -> ProductRow:
    """Change a product's price: for the producer's own change and an accepted proposal only.
    (Participation decides who may; this checks the price itself.)"""
    errors = {}
    if not 1 <= price <= MAX_PRICE_FEN:
        errors["price"] = N_("A price is between ¥0.01 and ¥100,000 a unit.")
    elif cost_error := check_price_against_cost(price, product.declared_cost, clearance):
        errors["price"] = cost_error
    if errors:
        raise marked_fields(errors)
    below = product.declared_cost is not None and price < product.declared_cost
    product.price = price
    product.clearance = clearance if below and clearance else None
    product.updated_at = now
    data: dict[str, object] = {"product": product.id, "price": price}
    if below and clearance:
        data["clearance"] = clearance.value
    if proposal:
        data["proposal"] = proposal
    append(db, Event(type=EventType.PRODUCT_PRICE_CHANGED, ts=now, actor=actor, data=data))
    return product


async def do_update_stock(
    db: AsyncSession, actor: Actor, product_id: str, stock: int, *, now: datetime
) -> ProductRow:
    product = await access_product(db, actor, product_id)
    if not 0 <= stock <= MAX_STOCK:
        raise marked_fields({"stock": N_("Stock is a whole number between 0 and 10,000,000.")})
    if stock != product.stock:
        data = {"product": product.id, "stock": stock, "previous": product.stock}
        append(db, Event(type=EventType.PRODUCT_STOCK_CHANGED, ts=now, actor=actor.id, data=data))
    product.stock, product.updated_at = stock, now
    return product


async def list_products(
    db: AsyncSession,
    *,
    region: str | None = None,
    producer_ids: list[str] | None = None,
    text: str = "",
    limit: int = 100,
    verified_only: bool = False,
) -> list[ProductRow]:
    """Products, newest first. The public sees only products of verified producers."""
    query = select(ProductRow).order_by(ProductRow.created_at.desc()).limit(limit)
    if verified_only:
        verified = select(ProducerRow.id).where(
            ProducerRow.verification == Verification.VERIFIED.value
        )
        query = query.where(ProductRow.producer_id.in_(verified))
    if region:
        query = query.where(ProductRow.origin_region.startswith(region_prefix(region)))
    if producer_ids is not None:
        query = query.where(ProductRow.producer_id.in_(producer_ids))
    if text.strip():
        needle = f"%{text.strip()}%"
        query = query.where(or_(ProductRow.name_zh.like(needle), ProductRow.name_en.ilike(needle)))
    return list((await db.scalars(query)).all())
