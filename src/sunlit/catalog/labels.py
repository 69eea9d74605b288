"""How the catalog's values are named on pages (msgids): categories, units, producers'
kinds and verification, price bands, clearance, unsalable stock and quality documents."""

from __future__ import annotations

from sunlit.catalog.model import (
    BandStatus,
    Category,
    ClearanceReason,
    HelpStatus,
    InspectionKind,
    ProducerKind,
    QualityStatus,
    Unit,
    UnsalableReason,
    Verification,
)
from sunlit.core.errors import N_

#: How the catalog's values are named on pages (msgids).
LABELS: dict[str, dict[str, str]] = {
    "category": {
        Category.FRUIT: N_("Fruit"),
        Category.VEGETABLE: N_("Vegetables"),
        Category.GRAIN: N_("Grain"),
        Category.TEA: N_("Tea"),
        Category.LIVESTOCK: N_("Livestock"),
        Category.AQUATIC: N_("Aquatic products"),
        Category.PROCESSED_AGRI: N_("Processed farm products"),
        Category.NON_AGRI: N_("Not a farm product"),
    },
    "producer_kind": {
        ProducerKind.HOUSEHOLD: N_("Household"),
        ProducerKind.COOPERATIVE: N_("Cooperative"),
        ProducerKind.ENTERPRISE: N_("Enterprise"),
    },
    "verification": {
        Verification.PENDING: N_("Awaiting verification"),
        Verification.VERIFIED: N_("Verified"),
        Verification.REJECTED: N_("Rejected"),
    },
    "clearance": {
        ClearanceReason.PERISHABLE: N_("Perishable produce that must sell now"),
        ClearanceReason.SEASON_END: N_("End of the season"),
        ClearanceReason.OVERSTOCK: N_("Overstock"),
    },
    "band_status": {
        BandStatus.BELOW: N_("Below the reference band"),
        BandStatus.WITHIN: N_("Within the reference band"),
        BandStatus.ABOVE: N_("Above the reference band"),
    },
    "unit": {
        Unit.JIN: N_("jin (500 g)"),
        Unit.KG: N_("kg"),
        Unit.BOX: N_("box"),
    },
}

LABELS["unsalable_reason"] = {
    UnsalableReason.EPIDEMIC: N_("An epidemic closed the usual markets"),
    UnsalableReason.DISASTER: N_("A natural disaster"),
    UnsalableReason.GLUT: N_("A glut: too much on the market"),
    UnsalableReason.LOGISTICS: N_("Transport is cut off"),
}
LABELS["help_status"] = {
    HelpStatus.OPEN: N_("Needs help"),
    HelpStatus.ANSWERED: N_("A session is planned"),
    HelpStatus.CLOSED: N_("Closed"),
}

LABELS["inspection_kind"] = {
    InspectionKind.INSPECTION_REPORT: N_("Inspection report"),
    InspectionKind.COMPLIANCE_CERTIFICATE: N_("Compliance certificate (承诺达标合格证)"),
}
LABELS["quality_status"] = {
    QualityStatus.VALID: N_("Quality documents valid"),
    QualityStatus.EXPIRED: N_("Quality documents expired"),
    QualityStatus.MISSING: N_("No quality documents yet"),
}
