"""JSON API for shipping fees (``/api/v1``): a producer's fees by zone (public, as checkout
shows them), setting them (the producer's people), and the fee of one order to a county."""

from __future__ import annotations

from fastapi import APIRouter, Query
from pydantic import BaseModel

from sunlit.accounts.model import Role
from sunlit.accounts.work import Work, unit
from sunlit.catalog.products import services as catalog
from sunlit.core.errors import N_, marked_fields
from sunlit.core.regions.services import region_book
from sunlit.orders.shipping import services as shipping
from sunlit.orders.shipping.model import ships_to
from sunlit.orders.shipping.services import FeeTable
from sunlit.web.deps import Kit, PathId

router = APIRouter(prefix="/api/v1", tags=["shipping"])


class FeesIn(BaseModel):
    #: Fen per zone (``same_province``, ``mainland``, ``remote``), each a whole number from 0
    #: (free shipping) to 100000; every zone is given.
    fees: dict[str, object]


class FeesOut(BaseModel):
    producer_id: str
    origin_region: str
    fees: dict[str, int]

    @classmethod
    def of(cls, table: FeeTable) -> FeesOut:
        return cls(
            producer_id=table.producer,
            origin_region=table.origin,
            fees={zone.value: fee for zone, fee in table.by_zone},
        )


class QuoteOut(BaseModel):
    product_id: str
    region: str
    zone: str
    shipping_fee: int


@router.get("/producers/{producer_id}/shipping-fees", response_model=FeesOut)
async def get_fees(producer_id: PathId, work: Work[Kit] = unit("public")) -> FeesOut:
    """A producer's shipping fee for each zone, in fen (0: free shipping)."""
    return FeesOut.of(await shipping.fee_table(work.db, producer_id))


@router.put("/producers/{producer_id}/shipping-fees", response_model=FeesOut)
async def set_fees(
    producer_id: PathId, body: FeesIn, work: Work[Kit] = unit(Role.FARMER, Role.OPERATOR)
) -> FeesOut:
    """Set the fee of every zone (fen). New orders use them; placed orders keep theirs."""
    table = await shipping.do_set_fees(work.db, work.actor, producer_id, body.fees, now=work.now)
    await work.commit()
    return FeesOut.of(table)


@router.get("/products/{product_id}/shipping-fee", response_model=QuoteOut)
async def shipping_fee(
    product_id: PathId,
    region: str = Query(pattern=r"^\d{6}$"),
    work: Work[Kit] = unit("public"),
) -> QuoteOut:
    """The shipping fee (fen) of one order of this product to a county, whatever the quantity."""
    if not (region_book().is_delivery_area(region) and ships_to(region)):
        raise marked_fields({"region": N_("Choose the county to deliver to.")})
    product = await catalog.get_product(work.db, product_id)
    found = await shipping.quote(work.db, product.id, region)
    return QuoteOut(
        product_id=product.id, region=region, zone=found.zone.value, shipping_fee=found.fee
    )
