"""Shipments as values: a carrier's scan statuses, the notice a carrier sends about a scan, the
path the sandbox carrier plans for a parcel, and which scan a timeline's current status is.
Pure functions, explicit ``now`` and an explicit random source."""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sunlit.core.errors import N_


class ScanStatus(StrEnum):
    """What a carrier's scan says of a parcel. The last four end its journey."""

    BOOKED = "booked"  # Sunlit's own first line: the seller booked the carrier
    PICKED_UP = "picked_up"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    LOST = "lost"
    DAMAGED = "damaged"
    RETURNED = "returned"


#: The exceptions: the parcel will not reach the buyer as sent.
EXCEPTIONS = frozenset({ScanStatus.LOST, ScanStatus.DAMAGED, ScanStatus.RETURNED})
#: A scan after one of these is not expected; the journey is over.
FINAL = EXCEPTIONS | {ScanStatus.DELIVERED}
#: Which of two scans at the same carrier time is the later one.
RANK: Mapping[ScanStatus, int] = {status: rank for rank, status in enumerate(ScanStatus)}

SCAN_LABELS: Mapping[ScanStatus, str] = {
    ScanStatus.BOOKED: N_("Booked with the carrier"),
    ScanStatus.PICKED_UP: N_("Picked up"),
    ScanStatus.IN_TRANSIT: N_("In transit"),
    ScanStatus.OUT_FOR_DELIVERY: N_("Out for delivery"),
    ScanStatus.DELIVERED: N_("Delivered"),
    ScanStatus.LOST: N_("Lost"),
    ScanStatus.DAMAGED: N_("Damaged"),
    ScanStatus.RETURNED: N_("Returned to the sender"),
}

CARRIER_LABELS: Mapping[str, str] = {"sandbox": N_("Sandbox carrier")}

LABELS: dict[str, dict[str, str]] = {
    "scan_status": {status.value: message for status, message in SCAN_LABELS.items()},
    "carrier": dict(CARRIER_LABELS),
}


@dataclass(frozen=True, slots=True)
class CarrierNotice:
    """A verified notice from a carrier: one scan of one parcel, at the carrier's own time."""

    id: str
    tracking_no: str
    status: ScanStatus
    at: datetime
    place: str


@dataclass(frozen=True, slots=True)
class Scan:
    """One line of a timeline."""

    status: ScanStatus
    at: datetime
    place: str


def is_later(scan: Scan, than: Scan | None) -> bool:
    """Whether ``scan`` comes after ``than`` in the carrier's time (a tie goes to the status
    further along the way): a late notice about an earlier scan never moves a status back."""
    if than is None:
        return True
    return (scan.at, RANK[scan.status]) > (than.at, RANK[than.status])


def current(scans: Iterable[Scan]) -> Scan | None:
    """The latest scan by the carrier's time: the shipment's status."""
    latest: Scan | None = None
    for scan in scans:
        if is_later(scan, latest):
            latest = scan
    return latest


def newest_first(scans: Iterable[Scan]) -> list[Scan]:
    return sorted(scans, key=lambda s: (s.at, RANK[s.status]), reverse=True)


def confirms_on(delivered_at: datetime, days: int) -> datetime:
    """When receipt confirms itself, unless the buyer opened after-sales."""
    return delivered_at + timedelta(days=days)


# --- the sandbox carrier's plan -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Places:
    """Where a parcel goes: the seller's county, sorting centres, the buyer's county."""

    origin: str
    hubs: Sequence[str]
    destination: str


#: Out of a thousand parcels, how many end in each exception.
EXCEPTION_PER_MILLE: Mapping[ScanStatus, int] = {
    ScanStatus.LOST: 15,
    ScanStatus.DAMAGED: 20,
    ScanStatus.RETURNED: 15,
}


def plan_path(
    rng: random.Random,
    places: Places,
    *,
    start: datetime,
    step_seconds: int,
    exceptions: bool = True,
) -> list[Scan]:
    """The scans a parcel will go through: picked up, one or more in-transit scans at sorting
    centres, out for delivery, delivered; or, now and then (unless ``exceptions`` is off), an
    exception somewhere after the pick-up. Each scan comes a random delay (up to
    ``step_seconds``) after the one before."""
    hubs = list(places.hubs) or [places.destination]
    route: list[tuple[ScanStatus, str]] = [(ScanStatus.PICKED_UP, places.origin)]
    route += [(ScanStatus.IN_TRANSIT, hub) for hub in hubs[: rng.randint(1, max(1, len(hubs)))]]
    route += [
        (ScanStatus.OUT_FOR_DELIVERY, places.destination),
        (ScanStatus.DELIVERED, places.destination),
    ]
    draw = rng.randrange(1000) if exceptions else 1000
    for status, per_mille in EXCEPTION_PER_MILLE.items():
        if draw < per_mille:
            cut = rng.randint(1, len(route) - 1)
            route = [*route[:cut], (status, route[cut][1])]
            break
        draw -= per_mille
    scans, at = [], start
    for status, place in route:
        at += timedelta(seconds=rng.randint(1, max(1, step_seconds)))
        scans.append(Scan(status, at, place))
    return scans
