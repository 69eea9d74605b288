"""Schemas of the catalog's JSON answers that other contexts' APIs answer with too (built from
the read-only :class:`sunlit.catalog.views.Product`)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from sunlit.accounts.services import aware
from sunlit.catalog.model import Category, ClearanceReason, Unit
from sunlit.catalog.views import Product

__all__ = ["Product", "ProductOut"]


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
        return cls(
            id=row.id,
            producer_id=row.producer_id,
            name_zh=row.name_zh,
            name_en=row.name_en,
            kind=row.kind,
            category=Category(row.category),
            origin_region=row.origin_region,
            unit=Unit(row.unit),
            box_grams=row.box_grams,
            price=row.price,
            declared_cost=row.declared_cost,
            clearance=ClearanceReason(row.clearance) if row.clearance else None,
            stock=row.stock,
            description_zh=row.description_zh,
            description_en=row.description_en,
            story_zh=row.story_zh,
            story_en=row.story_en,
            updated_at=aware(row.updated_at),
        )
