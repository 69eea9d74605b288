"""The catalog as values: producers, products, reference prices, unsalable stock; and the
pure rules about them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sunlit.accounts.model import Role
from sunlit.core.errors import N_
from sunlit.core.regions.model import RegionBook, RegionLevel, covers, level_of

# --- producers and products --------------------------------------------------------------


class ProducerKind(StrEnum):
    HOUSEHOLD = "household"
    COOPERATIVE = "cooperative"
    ENTERPRISE = "enterprise"


class Verification(StrEnum):
    PENDING = "pending"
    VERIFIED = "verified"
    REJECTED = "rejected"


class Category(StrEnum):
    """The categories of docs/events.md (``product.listed``)."""

    FRUIT = "fruit"
    VEGETABLE = "vegetable"
    GRAIN = "grain"
    TEA = "tea"
    LIVESTOCK = "livestock"
    AQUATIC = "aquatic"
    PROCESSED_AGRI = "processed_agri"
    NON_AGRI = "non_agri"


class Unit(StrEnum):
    JIN = "jin"  # 500 g
    KG = "kg"
    BOX = "box"  # with a stated net weight


class ClearanceReason(StrEnum):
    """Why a producer agrees to sell below declared cost (Price Law art. 14 allows clearing
    fresh produce, seasonal goods and overstock)."""

    PERISHABLE = "perishable"
    SEASON_END = "season_end"
    OVERSTOCK = "overstock"


KIND = re.compile(r"^[a-z][a-z_]{1,31}$")
MAX_PRICE_FEN = 10_000_000  # ¥100,000 a unit: anything above is a typing error
MAX_STOCK = 10_000_000


def unit_grams(unit: Unit, box_grams: int | None) -> int:
    if unit is Unit.JIN:
        return 500
    if unit is Unit.KG:
        return 1000
    if box_grams is None or box_grams <= 0:
        raise ValueError("a box needs its net weight in grams")
    return box_grams


@dataclass(frozen=True, slots=True)
class ProductDraft:
    """What a producer types to list a product (money in fen)."""

    name_zh: str
    name_en: str
    kind: str
    category: Category
    origin_region: str
    unit: Unit
    price: int
    stock: int
    box_grams: int | None = None
    declared_cost: int | None = None
    description_zh: str = ""
    description_en: str = ""
    story_zh: str = ""
    story_en: str = ""


def check_product(draft: ProductDraft, regions: RegionBook) -> dict[str, str]:
    """Field errors (msgids) for a product; empty when it can be listed."""
    errors: dict[str, str] = {}
    if not draft.name_zh.strip() or len(draft.name_zh) > 80:
        errors["name_zh"] = N_("Give the product a name of 1 to 80 characters.")
    if len(draft.name_en) > 80:
        errors["name_en"] = N_("A name is at most 80 characters.")
    if not KIND.match(draft.kind):
        errors["kind"] = N_("A product kind is 2 to 32 lower-case letters, such as crisp_pear.")
    if regions.get(draft.origin_region) is None:
        errors["origin_region"] = N_("Enter a six-digit GB/T 2260 code.")
    if not 1 <= draft.price <= MAX_PRICE_FEN:
        errors["price"] = N_("A price is between ¥0.01 and ¥100,000 a unit.")
    if not 0 <= draft.stock <= MAX_STOCK:
        errors["stock"] = N_("Stock is a whole number between 0 and 10,000,000.")
    if draft.unit is Unit.BOX and not (draft.box_grams and 1 <= draft.box_grams <= 100_000):
        errors["box_grams"] = N_("Give the net weight of a box in grams (1 to 100,000).")
    if draft.declared_cost is not None and not 0 <= draft.declared_cost <= MAX_PRICE_FEN:
        errors["declared_cost"] = N_("A cost is between ¥0 and ¥100,000 a unit.")
    for name in ("description_zh", "description_en"):
        if len(getattr(draft, name)) > 2000:
            errors[name] = N_("A description is at most 2,000 characters.")
    for name in ("story_zh", "story_en"):
        if len(getattr(draft, name)) > 4000:
            errors[name] = N_("The story is at most 4,000 characters.")
    return errors


def check_price_against_cost(
    price: int, declared_cost: int | None, clearance: ClearanceReason | None
) -> str | None:
    """A msgid when the price needs the producer's clearance reason and has none."""
    if declared_cost is not None and price < declared_cost and clearance is None:
        return N_(
            "This price is below the declared cost. The producer must give a clearance reason."
        )
    return None


# --- reference prices ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Band:
    """A reference price band for a product kind in a region, per ``unit``."""

    kind: str
    region: str
    low: int
    high: int
    unit: Unit
    observed_on: date
    source: str
    box_grams: int | None = None


class BandStatus(StrEnum):
    BELOW = "below"
    WITHIN = "within"
    ABOVE = "above"


@dataclass(frozen=True, slots=True)
class BandPosition:
    status: BandStatus
    low: int  # the band converted to the product's unit, in fen
    high: int
    percent: int  # where the price sits, 0 at the low end and 100 at the high end (clamped)


def check_band(low: int, high: int) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not 1 <= low <= MAX_PRICE_FEN:
        errors["low"] = N_("A price is between ¥0.01 and ¥100,000 a unit.")
    if not 1 <= high <= MAX_PRICE_FEN:
        errors["high"] = N_("A price is between ¥0.01 and ¥100,000 a unit.")
    elif low > high:
        errors["high"] = N_("The high end of a band cannot be below its low end.")
    return errors


def band_position(price: int, grams: int, band: Band) -> BandPosition:
    """Where a price for ``grams`` of produce sits in a band quoted per its own unit."""
    band_grams = unit_grams(band.unit, band.box_grams)
    low = (band.low * grams + band_grams // 2) // band_grams
    high = (band.high * grams + band_grams // 2) // band_grams
    if price < low:
        status = BandStatus.BELOW
    elif price > high:
        status = BandStatus.ABOVE
    else:
        status = BandStatus.WITHIN
    span = high - low
    percent = 50 if span == 0 else round(100 * (price - low) / span)
    return BandPosition(status, low, high, max(0, min(100, percent)))


#: The region code of a nation-wide band.
NATIONAL = "000000"


def pick_band(bands: list[Band], kind: str, region_path: list[str], on: date) -> Band | None:
    """The newest band for the kind, observed on or before ``on``, for the most specific region
    on the path (county, then prefecture, then province, then the nation ``000000``)."""
    for code in [*reversed(region_path), NATIONAL]:
        found = [b for b in bands if b.kind == kind and b.region == code and b.observed_on <= on]
        if found:
            return max(found, key=lambda b: b.observed_on)
    return None


@dataclass(frozen=True, slots=True)
class ProducerDraft:
    kind: ProducerKind
    name: str
    region: str
    village: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    cooperative_id: str | None = None


PHONE = re.compile(r"^1\d{10}$")


def check_producer(draft: ProducerDraft, regions: RegionBook) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not draft.name.strip() or len(draft.name) > 80:
        errors["name"] = N_("Give a name of 1 to 80 characters.")
    region = regions.get(draft.region)
    if region is None:
        errors["region"] = N_("Enter a six-digit GB/T 2260 code.")
    elif region.level is not RegionLevel.COUNTY:
        errors["region"] = N_("A producer's region is a county or district, not a larger area.")
    if draft.village is not None and len(draft.village) > 80:
        errors["village"] = N_("A village name is at most 80 characters.")
    if draft.contact_phone and not PHONE.match(draft.contact_phone):
        errors["contact_phone"] = N_("A mainland mobile number has 11 digits and starts with 1.")
    if draft.cooperative_id is not None and draft.kind is not ProducerKind.HOUSEHOLD:
        errors["cooperative_id"] = N_("Only a household can be a member of a cooperative.")
    return errors


def check_registrar(role: str, home: str | None, region: str) -> str | None:
    """Who may register a producer in ``region`` (a refusal msgid, or None): an operator
    anywhere; a farmer or cooperative only in their own county, the region on their account."""
    if role == Role.OPERATOR:
        return None
    if role != Role.FARMER:
        return N_("Only farmers and operators register producers.")
    if not home or level_of(home) is not RegionLevel.COUNTY:
        return N_("Your account has no county on record; ask an operator to set it.")
    if region != home:
        return N_("You can register producers only in your own county.")
    return None


def check_proposer(role: str, jurisdiction: str | None, origin_region: str) -> str | None:
    """Who may propose a price for a product from ``origin_region`` (a refusal msgid, or
    None): an operator for any product; an official only for produce of the regions they
    serve, the region on their account and the counties inside it. The producer's own change
    is not a proposal and is not judged here."""
    if role == Role.OPERATOR:
        return None
    if role != Role.OFFICIAL:
        return N_("Only the producer, an official or an operator can do this.")
    if not jurisdiction:
        return N_("Your account has no jurisdiction on record; ask an operator to set it.")
    if not covers(jurisdiction, origin_region):
        return N_("You can propose prices only for products of the regions you serve.")
    return None


# --- unsalable stock (滞销求助) ---------------------------------------------------------------


class UnsalableReason(StrEnum):
    EPIDEMIC = "epidemic"
    DISASTER = "disaster"
    GLUT = "glut"
    LOGISTICS = "logistics"


class HelpStatus(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"  # a session plan has taken it up (issue "Filing")
    CLOSED = "closed"


def check_unsalable(quantity: int, deadline: date, today: date, note: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not 1 <= quantity <= MAX_STOCK:
        errors["quantity"] = N_("Give a quantity between 1 and 10,000,000 units.")
    if deadline < today:
        errors["deadline"] = N_("The deadline cannot be in the past.")
    elif (deadline - today).days > 366:
        errors["deadline"] = N_("The deadline is at most a year away.")
    if len(note) > 1000:
        errors["note"] = N_("A note is at most 1,000 characters.")
    return errors


# --- quality ------------------------------------------------------------------------------


class InspectionKind(StrEnum):
    INSPECTION_REPORT = "inspection_report"
    COMPLIANCE_CERTIFICATE = "compliance_certificate"  # 承诺达标合格证


class QualityStatus(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    MISSING = "missing"


@dataclass(frozen=True, slots=True)
class Inspection:
    kind: InspectionKind
    issuer: str
    issued_on: date
    expires_on: date
    sha256: str


def check_inspection(issuer: str, issued_on: date, expires_on: date, today: date) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not issuer.strip() or len(issuer) > 120:
        errors["issuer"] = N_("Name the body that issued the document (1 to 120 characters).")
    if issued_on > today:
        errors["issued_on"] = N_("A document cannot be issued in the future.")
    if expires_on <= issued_on:
        errors["expires_on"] = N_("The expiry date must come after the issue date.")
    return errors


def quality_status(inspections: list[Inspection], on: date) -> QualityStatus:
    """Valid while any document is unexpired on ``on``; expired when all have run out."""
    if not inspections:
        return QualityStatus.MISSING
    if any(item.issued_on <= on <= item.expires_on for item in inspections):
        return QualityStatus.VALID
    return QualityStatus.EXPIRED


def valid_through(inspections: list[Inspection], start: date, end: date) -> bool:
    """Whether one document covers a whole window (a live session must be covered: issue
    "Filing" refuses a product whose inspection expires before the session ends)."""
    return any(item.issued_on <= start and end <= item.expires_on for item in inspections)
