"""The producer's dashboard forms read as typed values: each reader collects a field error
(msgid) for what cannot be read, so that a form reports every problem at once."""

from __future__ import annotations

from sunlit.catalog.model import (
    Category,
    ClearanceReason,
    ProducerDraft,
    ProducerKind,
    ProductDraft,
    Unit,
    check_product,
)
from sunlit.core.errors import N_
from sunlit.core.regions.services import region_book
from sunlit.web.forms import choice_in, whole_in, yuan_in


def producer_draft(fields: dict[str, str], errors: dict[str, str]) -> ProducerDraft:
    kind = choice_in(ProducerKind, fields, "kind", errors)
    return ProducerDraft(
        kind or ProducerKind.HOUSEHOLD,
        fields.get("name", ""),
        fields.get("region", "").strip(),
        village=fields.get("village"),
        contact_name=fields.get("contact_name"),
        contact_phone=fields.get("contact_phone"),
    )


def product_draft(fields: dict[str, str], errors: dict[str, str]) -> ProductDraft:
    """The product to list; besides what could not be read, ``errors`` gets what the catalog's
    rules refuse."""
    draft = ProductDraft(
        name_zh=fields.get("name_zh", ""),
        name_en=fields.get("name_en", ""),
        kind=fields.get("kind", "").strip(),
        category=choice_in(Category, fields, "category", errors) or Category.FRUIT,
        origin_region=fields.get("origin_region", "").strip(),
        unit=choice_in(Unit, fields, "unit", errors) or Unit.JIN,
        price=yuan_in(fields, "price", errors) or 0,
        stock=whole_in(fields, "stock", errors) or 0,
        box_grams=whole_in(fields, "box_grams", errors, optional=True),
        declared_cost=yuan_in(fields, "declared_cost", errors, optional=True),
        story_zh=fields.get("story_zh", ""),
        story_en=fields.get("story_en", ""),
    )
    for name, message in check_product(draft, region_book()).items():
        errors.setdefault(name, message)
    return draft


def clearance_in(fields: dict[str, str], errors: dict[str, str]) -> ClearanceReason | None:
    """The optional clearance reason of a price below its band."""
    reason: ClearanceReason | None = choice_in(
        ClearanceReason, fields, "clearance", errors, optional=True
    )
    return reason


def accepts(fields: dict[str, str], errors: dict[str, str]) -> bool:
    """The producer's answer to a price proposal: accept (True) or refuse."""
    decision = fields.get("decision")
    if decision not in ("accept", "refuse"):
        errors["decision"] = N_("Choose from the list.")
    return decision == "accept"
