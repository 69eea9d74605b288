"""The catalog's JSON shapes: what its APIs take and answer, each answer with its ``of(...)``
builder from the read-only shapes of :mod:`sunlit.catalog.views` (``ProductOut`` is what other
contexts' APIs answer with too)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from sunlit.catalog.model import (
    Band,
    BandPosition,
    BandStatus,
    Category,
    ClearanceReason,
    HelpStatus,
    InspectionKind,
    ProducerDraft,
    ProducerKind,
    ProductDraft,
    QualityStatus,
    Unit,
    UnsalableReason,
    Verification,
)
from sunlit.catalog.ports import ReviewAverages
from sunlit.catalog.products.services import ProductView
from sunlit.catalog.views import InspectionRecord, PhotoRecord, Producer, Product, UnsalableReport
from sunlit.core.ids import ID_PATTERN
from sunlit.core.regions import services as regions
from sunlit.core.regions.model import Region, RegionLevel
from sunlit.core.text import CleanText

__all__ = ["Product", "ProductOut"]


def file_url(sha256: str) -> str:
    """Where a stored file is served."""
    return f"/files/{sha256}"


class ProductOut(BaseModel):
    id: str
    producer_id: str
    name_zh: str
    name_en: str
    kind: str
    category: Category
    origin_region: str
    unit: Unit
    box_grams: int | None
    price: int
    declared_cost: int | None
    clearance: ClearanceReason | None
    stock: int
    description_zh: str
    description_en: str
    story_zh: str
    story_en: str
    updated_at: datetime

    @classmethod
    def of(cls, row: Product) -> ProductOut:
        return cls.model_validate(row, from_attributes=True)


# --- regions ----------------------------------------------------------------------------------


class RegionOut(BaseModel):
    code: str
    name_zh: str
    name_en: str
    level: RegionLevel
    parent: str | None

    @classmethod
    def of(cls, region: Region) -> RegionOut:
        return cls.model_validate(region, from_attributes=True)


class RegionDetailOut(RegionOut):
    path: list[RegionOut]
    children: list[RegionOut]

    @classmethod
    def of_code(cls, code: str) -> RegionDetailOut:
        """A region with the path down to it and its children (NotFound for an unknown code)."""
        region = regions.get_region(code)
        book = regions.region_book()
        return cls(
            **RegionOut.of(region).model_dump(),
            path=[RegionOut.of(r) for r in book.path(code)],
            children=[RegionOut.of(r) for r in book.children(code)],
        )


class ServeIn(BaseModel):
    code: str = Field(pattern=r"^\d{6}$")


# --- producers --------------------------------------------------------------------------------


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
        return cls.model_validate(row, from_attributes=True)


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

    def draft(self) -> ProducerDraft:
        return ProducerDraft(**self.model_dump(exclude={"manager"}))


class VerificationIn(BaseModel):
    verification: Verification
    note: CleanText = Field("", max_length=500)


# --- reference bands --------------------------------------------------------------------------


class PositionOut(BaseModel):
    status: BandStatus
    low: int
    high: int
    percent: int

    @classmethod
    def of(cls, position: BandPosition) -> PositionOut:
        return cls.model_validate(position, from_attributes=True)


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
        return cls.model_validate(band, from_attributes=True)


class BandIn(BaseModel):
    kind: str = Field(max_length=64)
    region: str = Field(pattern=r"^\d{6}$", description="000000 for a national band")
    low: int = Field(ge=-(2**62), le=2**62)
    high: int = Field(ge=-(2**62), le=2**62)
    unit: Unit
    box_grams: int | None = Field(None, ge=-(2**31), le=2**31)
    observed_on: date
    source: CleanText = Field(max_length=400)

    def band(self) -> Band:
        return Band(**self.model_dump())


# --- products ---------------------------------------------------------------------------------


class DocumentOut(BaseModel):
    kind: InspectionKind
    issuer: str
    issued_on: date
    expires_on: date
    url: str


class ReviewAveragesOut(BaseModel):
    """The averages of a product's visible reviews, 1 to 5 with one decimal (null without
    reviews); hidden reviews are left out of them and of ``count``."""

    count: int
    stars: float | None
    freshness: float | None
    packaging: float | None
    speed: float | None

    @classmethod
    def of(cls, averages: ReviewAverages) -> ReviewAveragesOut:
        return cls(
            count=averages.count,
            stars=averages.stars,
            freshness=averages.freshness,
            packaging=averages.packaging,
            speed=averages.speed,
        )


class ProductDetailOut(ProductOut):
    producer: ProducerOut
    band: BandOut | None
    position: PositionOut | None
    quality: QualityStatus
    documents: list[DocumentOut]
    photos: list[str]
    reviews: ReviewAveragesOut

    @classmethod
    def of_view(cls, view: ProductView, reviews: ReviewAverages) -> ProductDetailOut:
        return cls(
            **ProductOut.of(view.product).model_dump(),
            producer=ProducerOut.of(view.producer),
            band=BandOut.of(view.band) if view.band else None,
            position=PositionOut.of(view.position) if view.position else None,
            quality=view.quality,
            documents=[
                DocumentOut(
                    kind=InspectionKind(d.kind),
                    issuer=d.issuer,
                    issued_on=d.issued_on,
                    expires_on=d.expires_on,
                    url=file_url(d.sha256),
                )
                for d in view.inspections
            ],
            photos=[file_url(sha) for sha in view.photos],
            reviews=ReviewAveragesOut.of(reviews),
        )


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

    def draft(self) -> ProductDraft:
        return ProductDraft(**self.model_dump(exclude={"producer", "clearance"}))


class StockIn(BaseModel):
    stock: int = Field(ge=-(2**62), le=2**62)


# --- quality documents and photos -------------------------------------------------------------


class InspectionOut(BaseModel):
    id: str
    kind: InspectionKind
    issuer: str
    issued_on: date
    expires_on: date
    sha256: str
    url: str

    @classmethod
    def of(cls, row: InspectionRecord) -> InspectionOut:
        return cls(
            id=row.id,
            kind=InspectionKind(row.kind),
            issuer=row.issuer,
            issued_on=row.issued_on,
            expires_on=row.expires_on,
            sha256=row.sha256,
            url=file_url(row.sha256),
        )


class PhotoOut(BaseModel):
    id: str
    sha256: str
    url: str

    @classmethod
    def of(cls, row: PhotoRecord) -> PhotoOut:
        return cls(id=row.id, sha256=row.sha256, url=file_url(row.sha256))


# --- imports ----------------------------------------------------------------------------------


class ImportResult(BaseModel):
    rows: int
    imported: int
    dry_run: bool


# --- unsalable stock --------------------------------------------------------------------------


class UnsalableIn(BaseModel):
    product: str = Field(pattern=ID_PATTERN)
    quantity: int = Field(ge=-(2**62), le=2**62)
    reason: UnsalableReason
    deadline: date
    note: CleanText = Field("", max_length=2000)


class UnsalableOut(BaseModel):
    id: str
    product_id: str
    producer_id: str
    region: str
    quantity: int
    reason: UnsalableReason
    note: str
    deadline: date
    status: HelpStatus

    @classmethod
    def of(cls, row: UnsalableReport) -> UnsalableOut:
        return cls.model_validate(row, from_attributes=True)
