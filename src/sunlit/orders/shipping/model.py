"""Shipping fees by destination zone, as values. A zone is where a parcel goes as seen from the
producer: its own province, another mainland province, or a remote one. Provinces are the first
two digits of a GB/T 2260 code (docs/adr/0008), so the zones are data, not addresses. Pure
functions; the fee of an order is fixed per order, whatever its quantity (docs/shipping.md)."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from sunlit.core.errors import N_
from sunlit.core.money import parse_yuan


class Zone(StrEnum):
    SAME_PROVINCE = "same_province"
    MAINLAND = "mainland"
    REMOTE = "remote"


#: The provinces Chinese carriers commonly list as remote (偏远地区): their parcels cost more
#: and take longer, and many shops that ship free (包邮) elsewhere charge for them. 新疆 65,
#: 西藏 54, 青海 63, 内蒙古 15, 甘肃 62, 宁夏 64.
REMOTE_PROVINCES: frozenset[str] = frozenset({"65", "54", "63", "15", "62", "64"})

#: Provinces Sunlit does not ship to: 台湾 71, 香港 81, 澳门 82 (customs, other carriers). The
#: region table lists them without counties, so no checkout can choose them anyway.
NOT_DELIVERABLE: frozenset[str] = frozenset({"71", "81", "82"})

ZONE_LABELS: Mapping[Zone, str] = {
    Zone.SAME_PROVINCE: N_("Same province"),
    Zone.MAINLAND: N_("Other provinces"),
    Zone.REMOTE: N_("Remote areas (Xinjiang, Tibet, Qinghai, Inner Mongolia, Gansu, Ningxia)"),
}

#: The highest fee a producer may set for one zone: ¥1,000.00.
MAX_FEE = 100_000


def province_of(code: str) -> str:
    return code[:2]


def ships_to(destination: str) -> bool:
    """Whether a parcel may go to this region at all (its province is not excluded)."""
    return province_of(destination) not in NOT_DELIVERABLE


def zone_of(origin: str, destination: str) -> Zone:
    """The zone of a parcel from a producer in ``origin`` to ``destination`` (region codes). A
    parcel inside the producer's own province is that zone, even in a remote province."""
    if province_of(destination) == province_of(origin):
        return Zone.SAME_PROVINCE
    if province_of(destination) in REMOTE_PROVINCES:
        return Zone.REMOTE
    return Zone.MAINLAND


def fee_for(fees: Mapping[str, int], zone: Zone) -> int:
    """The producer's fee for a zone, in fen; a zone it never set ships free (0, 包邮)."""
    return fees.get(zone.value, 0)


def order_amount(qty: int, unit_price: int, shipping_fee: int) -> int:
    """What the buyer pays for an order: the goods and one shipping fee."""
    return qty * unit_price + shipping_fee


def check_fees(fees: Mapping[str, object]) -> tuple[dict[str, int], dict[str, str]]:
    """The fees by zone (whole fen) and a message per bad field. Every zone must be given: 0 is
    free shipping."""
    checked: dict[str, int] = {}
    errors: dict[str, str] = {}
    for zone in Zone:
        fee = fees.get(zone.value)
        if type(fee) is not int:
            errors[zone.value] = N_("Give the fee as a whole number of fen (0 ships free).")
        elif not 0 <= fee <= MAX_FEE:
            errors[zone.value] = N_("A fee is from ¥0 (free shipping) to ¥1,000.")
        else:
            checked[zone.value] = fee
    unknown = sorted(set(fees) - {zone.value for zone in Zone})
    for name in unknown:
        errors[name] = N_("There is no such zone.")
    return checked, errors


def fees_from_form(fields: Mapping[str, str]) -> tuple[dict[str, object], dict[str, str]]:
    """The fee form's fields (yuan, as a person types them: "8", "8.50", empty for free) as fees
    in fen for :func:`check_fees`, with a message for what is not an amount."""
    fees: dict[str, object] = {}
    errors: dict[str, str] = {}
    for zone in Zone:
        text = fields.get(zone.value, "").strip()
        try:
            fees[zone.value] = parse_yuan(text) if text else 0
        except ValueError:
            errors[zone.value] = N_("Give the fee in yuan, like 8 or 8.50 (0 ships free).")
    return fees, errors
