"""The carrier boundary. A carrier takes a parcel (booking gives its tracking number) and tells
us of each scan in signed notices that may come late, twice or out of order, as a payment
gateway does (``payments.gateway``: the same ``t=…,v1=…`` HMAC-SHA256 signature and replay
tolerance, with a secret of the carrier's own). Adding SF Express or EMS means one module that
implements :class:`Carrier` and one line where the services build it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Protocol

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.core.errors import N_, InvalidInput
from sunlit.fulfilment.shipments.model import CarrierNotice, ScanStatus
from sunlit.payments.gateway import verify_signature

SIGNATURE_HEADER = "carrier-signature"
#: The statuses a carrier's notice may carry (``booked`` is Sunlit's own first line).
NOTICE_STATUSES = frozenset(ScanStatus) - {ScanStatus.BOOKED}


class Carrier(Protocol):
    name: str

    async def book(
        self, db: AsyncSession, *, reference: str, origin: str, destination: str, now: datetime
    ) -> str:
        """Book a parcel for the order ``reference`` from the ``origin`` county to the
        ``destination`` county; returns its tracking number."""
        ...

    def verify(self, headers: Mapping[str, str], body: bytes, *, now: datetime) -> CarrierNotice:
        """The notice in ``body``, once its signature is checked (``SignatureRefused``, 400) and
        its content read (``InvalidInput``, 422)."""
        ...


def verify_notice(
    secret: str, headers: Mapping[str, str], body: bytes, *, now: datetime
) -> CarrierNotice:
    verify_signature(secret, headers.get(SIGNATURE_HEADER), body, now=now)
    return parse_notice(body)


def parse_notice(body: bytes) -> CarrierNotice:
    try:
        raw = orjson.loads(body)
        status = ScanStatus(raw["status"])
        at = datetime.fromisoformat(str(raw["at"]))
        ok = (
            status in NOTICE_STATUSES
            and at.tzinfo is not None
            and all(isinstance(raw[k], str) and 0 < len(raw[k]) <= 64 for k in ("id", "tracking"))
            and isinstance(raw["place"], str)
            and len(raw["place"]) <= 80
        )
        if not ok:
            raise ValueError("not a carrier notice")
        return CarrierNotice(
            id=raw["id"],
            tracking_no=raw["tracking"],
            status=status,
            at=at.astimezone(UTC),
            place=raw["place"],
        )
    except (orjson.JSONDecodeError, KeyError, ValueError, TypeError, AttributeError):
        raise InvalidInput(N_("The notice is not one this carrier sends.")) from None


def notice_body(notice: CarrierNotice) -> bytes:
    return orjson.dumps(
        {
            "id": notice.id,
            "tracking": notice.tracking_no,
            "status": notice.status.value,
            "at": notice.at.astimezone(UTC).isoformat(),
            "place": notice.place,
        }
    )
