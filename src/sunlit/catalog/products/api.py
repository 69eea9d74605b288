"""JSON API for producers, products and reference prices (``/api/v1``). Money is in fen."""

from __future__ import annotations

from fastapi import APIRouter, Query

from sunlit.accounts.model import Role
from sunlit.accounts.work import Work, unit
from sunlit.catalog import views
from sunlit.catalog.deps import CatalogKit, catalog_kit
from sunlit.catalog.model import KIND, Verification
from sunlit.catalog.producers import services as producers
from sunlit.catalog.products import bands
from sunlit.catalog.products import services as catalog
from sunlit.catalog.schemas import (
    BandIn,
    BandOut,
    ProducerIn,
    ProducerOut,
    ProductDetailOut,
    ProductIn,
    ProductOut,
    StockIn,
    VerificationIn,
)
from sunlit.core.text import NO_CONTROL
from sunlit.web.deps import Kit, PathId

router = APIRouter(prefix="/api/v1", tags=["catalog"])
STAFF = (Role.FARMER, Role.OPERATOR)


@router.get("/producers", response_model=list[ProducerOut])
async def list_producers(
    region: str | None = Query(None, pattern=r"^\d{6}$"),
    work: Work[Kit] = unit("public"),
) -> list[ProducerOut]:
    """Verified producers (operators see every producer)."""
    only = None if work.principal.role is Role.OPERATOR else Verification.VERIFIED
    rows = await producers.list_producers(work.db, region=region, verification=only)
    return [ProducerOut.of(row) for row in rows]


@router.get("/producers/{producer_id}", response_model=ProducerOut)
async def get_producer(producer_id: PathId, work: Work[Kit] = unit("public")) -> ProducerOut:
    return ProducerOut.of(await producers.get_producer(work.db, producer_id))


@router.post("/producers", status_code=201, response_model=ProducerOut)
async def register_producer(body: ProducerIn, work: Work[Kit] = unit(*STAFF)) -> ProducerOut:
    row = await producers.do_register_producer(
        work.db, work.actor, body.draft(), now=work.now, manager=body.manager
    )
    await work.commit()
    return ProducerOut.of(row)


@router.post("/producers/{producer_id}/verification", response_model=ProducerOut)
async def verify_producer(
    producer_id: PathId, body: VerificationIn, work: Work[Kit] = unit(Role.OPERATOR)
) -> ProducerOut:
    row = await producers.do_verify_producer(
        work.db, work.actor, producer_id, body.verification, now=work.now, note=body.note
    )
    await work.commit()
    return ProducerOut.of(row)


@router.get("/products", response_model=list[ProductOut])
async def list_products(
    region: str | None = Query(None, pattern=r"^\d{6}$"),
    q: str = Query("", max_length=64, pattern=NO_CONTROL),
    work: Work[Kit] = unit("public"),
) -> list[ProductOut]:
    rows = await views.products_seen_by(work.db, work.principal.role, region=region, text=q)
    return [ProductOut.of(row) for row in rows]


@router.get("/products/{product_id}", response_model=ProductDetailOut)
async def get_product(
    product_id: PathId, work: Work[CatalogKit] = unit("public", kit=catalog_kit)
) -> ProductDetailOut:
    """A product with its producer, reference band, quality documents, photos and the averages
    of its buyers' reviews."""
    view = await catalog.view_product(work.db, product_id, on=work.now.date())
    averages = await work.services.reviews.averages(work.db, product_id)
    return ProductDetailOut.of_view(view, averages)


@router.post("/products", status_code=201, response_model=ProductOut)
async def list_product(body: ProductIn, work: Work[Kit] = unit(*STAFF)) -> ProductOut:
    row = await catalog.do_list_product(
        work.db, work.actor, body.producer, body.draft(), now=work.now, clearance=body.clearance
    )
    await work.commit()
    return ProductOut.of(row)


@router.post("/products/{product_id}/stock", response_model=ProductOut)
async def update_stock(
    product_id: PathId, body: StockIn, work: Work[Kit] = unit(*STAFF)
) -> ProductOut:
    row = await catalog.do_update_stock(work.db, work.actor, product_id, body.stock, now=work.now)
    await work.commit()
    return ProductOut.of(row)


@router.get("/reference-bands", response_model=list[BandOut])
async def list_bands(
    kind: str = Query(pattern=KIND.pattern), work: Work[Kit] = unit("public")
) -> list[BandOut]:
    found = await bands.bands_for(work.db, kind)
    return [BandOut.of(band) for band in sorted(found, key=lambda b: (b.region, b.observed_on))]


@router.post("/reference-bands", status_code=201, response_model=BandOut)
async def add_band(body: BandIn, work: Work[Kit] = unit(Role.OPERATOR)) -> BandOut:
    band = body.band()
    await bands.do_add_band(work.db, work.actor, band, now=work.now)
    await work.commit()
    return BandOut.of(band)
