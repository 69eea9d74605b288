"""JSON API for producers, products and reference prices (``/api/v1``). Money is in fen."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.access import Principal, allow
from sunlit.accounts.model import Role
from sunlit.catalog import producers
from sunlit.catalog import products as catalog
from sunlit.catalog.model import (
    KIND,
    Band,
    BandStatus,
    Category,
    ClearanceReason,
    InspectionKind,
    ProducerDraft,
    ProducerKind,
    ProductDraft,
    QualityStatus,
    Unit,
    Verification,
)
from sunlit.catalog.schemas import ProductOut
from sunlit.catalog.views import Producer
from sunlit.core.ids import ID_PATTERN
from sunlit.core.text import NO_CONTROL, CleanText
from sunlit.web.deps import PathId, get_db, get_services

router = APIRouter(prefix="/api/v1", tags=["catalog"])
STAFF = (Role.FARMER, Role.OPERATOR)


class ProducerOut(BaseModel):
    id: str
    kind: ProducerKind
    name: str
    region: str
    village: str | None
    cooperative_id: str | None
    verification: Verification

    @classmethod
    def of(cls, row: Producer) -> ProducerOut:
        return cls(
            id=row.id,
            kind=ProducerKind(row.kind),
            name=row.name,
            region=row.region,
            village=row.village,
            cooperative_id=row.cooperative_id,
            verification=Verification(row.verification),
        )


class ProducerIn(BaseModel):
    kind: ProducerKind
    name: CleanText = Field(max_length=200)
    region: str = Field(pattern=r"^\d{6}$")
    village: CleanText | None = Field(None, max_length=200)
    contact_name: CleanText | None = Field(None, max_length=64)
    contact_phone: CleanText | None = Field(None, max_length=32)
    cooperative_id: str | None = Field(None, pattern=ID_PATTERN)
    manager: str | None = Field(
        None, pattern=ID_PATTERN, description="operators: the farmer account"
    )


class VerificationIn(BaseModel):
    verification: Verification
    note: CleanText = Field("", max_length=500)


class PositionOut(BaseModel):
    status: BandStatus
    low: int
    high: int
    percent: int


class BandOut(BaseModel):
    kind: str
    region: str
    low: int
    high: int
    unit: Unit
    box_grams: int | None
    observed_on: date
    source: str

    @classmethod
    def of(cls, band: Band) -> BandOut:
        return cls(
            kind=band.kind,
            region=band.region,
            low=band.low,
            high=band.high,
            unit=band.unit,
            box_grams=band.box_grams,
            observed_on=band.observed_on,
            source=band.source,
        )


class DocumentOut(BaseModel):
    kind: InspectionKind
    issuer: str
    issued_on: date
    expires_on: date
    url: str


class ProductDetailOut(ProductOut):
    producer: ProducerOut
    band: BandOut | None
    position: PositionOut | None
    quality: QualityStatus
    documents: list[DocumentOut]
    photos: list[str]


class ProductIn(BaseModel):
    producer: str = Field(pattern=ID_PATTERN)
    name_zh: CleanText = Field(max_length=200)
    name_en: CleanText = Field("", max_length=200)
    kind: str = Field(max_length=64)
    category: Category
    origin_region: str = Field(pattern=r"^\d{6}$")
    unit: Unit
    box_grams: int | None = Field(None, ge=-(2**31), le=2**31)
    price: int = Field(ge=-(2**62), le=2**62)
    declared_cost: int | None = Field(None, ge=-(2**62), le=2**62)
    stock: int = Field(ge=-(2**62), le=2**62)
    clearance: ClearanceReason | None = None
    description_zh: CleanText = Field("", max_length=4000)
    description_en: CleanText = Field("", max_length=4000)
    story_zh: CleanText = Field("", max_length=8000)
    story_en: CleanText = Field("", max_length=8000)


class StockIn(BaseModel):
    stock: int = Field(ge=-(2**62), le=2**62)


class BandIn(BaseModel):
    kind: str = Field(max_length=64)
    region: str = Field(pattern=r"^\d{6}$", description="000000 for a national band")
    low: int = Field(ge=-(2**62), le=2**62)
    high: int = Field(ge=-(2**62), le=2**62)
    unit: Unit
    box_grams: int | None = Field(None, ge=-(2**31), le=2**31)
    observed_on: date
    source: CleanText = Field(max_length=400)


@router.get("/producers", response_model=list[ProducerOut])
async def list_producers(
    region: str | None = Query(None, pattern=r"^\d{6}$"),
    principal: Principal = allow("public"),
    db: AsyncSession = Depends(get_db),
) -> list[ProducerOut]:
    """Verified producers (operators see every producer)."""
    only = None if principal.role is Role.OPERATOR else Verification.VERIFIED
    rows = await producers.list_producers(db, region=region, verification=only)
    return [ProducerOut.of(row) for row in rows]


@router.get("/producers/{producer_id}", response_model=ProducerOut)
async def get_producer(
    producer_id: PathId,
    principal: Principal = allow("public"),
    db: AsyncSession = Depends(get_db),
) -> ProducerOut:
    return ProducerOut.of(await producers.get_producer(db, producer_id))


@router.post("/producers", status_code=201, response_model=ProducerOut)
async def register_producer(
    body: ProducerIn,
    request: Request,
    principal: Principal = allow(*STAFF),
    db: AsyncSession = Depends(get_db),
) -> ProducerOut:
    draft = ProducerDraft(
        body.kind,
        body.name,
        body.region,
        body.village,
        body.contact_name,
        body.contact_phone,
        body.cooperative_id,
    )
    row = await producers.do_register_producer(
        db,
        principal.require(),
        draft,
        now=get_services(request).clock.now(),
        manager=body.manager,
    )
    await db.commit()
    return ProducerOut.of(row)


@router.post("/producers/{producer_id}/verification", response_model=ProducerOut)
async def verify_producer(
    producer_id: PathId,
    body: VerificationIn,
    request: Request,
    principal: Principal = allow(Role.OPERATOR),
    db: AsyncSession = Depends(get_db),
) -> ProducerOut:
    row = await producers.do_verify_producer(
        db,
        principal.require(),
        producer_id,
        body.verification,
        now=get_services(request).clock.now(),
        note=body.note,
    )
    await db.commit()
    return ProducerOut.of(row)


@router.get("/products", response_model=list[ProductOut])
async def list_products(
    region: str | None = Query(None, pattern=r"^\d{6}$"),
    q: str = Query("", max_length=64, pattern=NO_CONTROL),
    principal: Principal = allow("public"),
    db: AsyncSession = Depends(get_db),
) -> list[ProductOut]:
    rows = await catalog.list_products(
        db, region=region, text=q, verified_only=principal.role is not Role.OPERATOR
    )
    return [ProductOut.of(row) for row in rows]


@router.get("/products/{product_id}", response_model=ProductDetailOut)
async def get_product(
    product_id: PathId,
    request: Request,
    principal: Principal = allow("public"),
    db: AsyncSession = Depends(get_db),
) -> ProductDetailOut:
    services = get_services(request)
    view = await catalog.view_product(db, product_id, on=services.clock.now().date())
    position = view.position
    return ProductDetailOut(
        **ProductOut.of(view.product).model_dump(),
        producer=ProducerOut.of(view.producer),
        band=BandOut.of(view.band) if view.band else None,
        quality=view.quality,
        documents=[
            DocumentOut(
                kind=InspectionKind(d.kind),
                issuer=d.issuer,
                issued_on=d.issued_on,
                expires_on=d.expires_on,
                url=f"/files/{d.sha256}",
            )
            for d in view.inspections
        ],
        photos=[f"/files/{sha}" for sha in view.photos],
        position=PositionOut(
            status=position.status, low=position.low, high=position.high, percent=position.percent
        )
        if position
        else None,
    )


@router.post("/products", status_code=201, response_model=ProductOut)
async def list_product(
    body: ProductIn,
    request: Request,
    principal: Principal = allow(*STAFF),
    db: AsyncSession = Depends(get_db),
) -> ProductOut:
    draft = ProductDraft(
        name_zh=body.name_zh,
        name_en=body.name_en,
        kind=body.kind,
        category=body.category,
        origin_region=body.origin_region,
        unit=body.unit,
        price=body.price,
        stock=body.stock,
        box_grams=body.box_grams,
        declared_cost=body.declared_cost,
        description_zh=body.description_zh,
        description_en=body.description_en,
        story_zh=body.story_zh,
        story_en=body.story_en,
    )
    row = await catalog.do_list_product(
        db,
        principal.require(),
        body.producer,
        draft,
        now=get_services(request).clock.now(),
        clearance=body.clearance,
    )
    await db.commit()
    return ProductOut.of(row)


@router.post("/products/{product_id}/stock", response_model=ProductOut)
async def update_stock(
    product_id: PathId,
    body: StockIn,
    request: Request,
    principal: Principal = allow(*STAFF),
    db: AsyncSession = Depends(get_db),
) -> ProductOut:
    row = await catalog.do_update_stock(
        db, principal.require(), product_id, body.stock, now=get_services(request).clock.now()
    )
    await db.commit()
    return ProductOut.of(row)


@router.get("/reference-bands", response_model=list[BandOut])
async def list_bands(
    kind: str = Query(pattern=KIND.pattern),
    principal: Principal = allow("public"),
    db: AsyncSession = Depends(get_db),
) -> list[BandOut]:
    bands = sorted(await catalog.bands_for(db, kind), key=lambda b: (b.region, b.observed_on))
    return [BandOut.of(band) for band in bands]


@router.post("/reference-bands", status_code=201, response_model=BandOut)
async def add_band(
    body: BandIn,
    request: Request,
    principal: Principal = allow(Role.OPERATOR),
    db: AsyncSession = Depends(get_db),
) -> BandOut:
    band = Band(
        body.kind,
        body.region,
        body.low,
        body.high,
        body.unit,
        body.observed_on,
        body.source,
        body.box_grams,
    )
    await catalog.do_add_band(db, principal.require(), band, now=get_services(request).clock.now())
    await db.commit()
    return BandOut.of(band)
