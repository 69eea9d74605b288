"""Shipment pages: the seller ships an order with the carrier (from the order's page or the
producer's order list), and the sandbox carrier's console, where an operator moves a parcel a
scan on at once or ends it in an exception (what a demo does instead of waiting hours). The
console is refused in production, where no one may play the carrier."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from fastapi import APIRouter, Path
from fastapi.responses import Response

from sunlit.accounts.model import Role
from sunlit.accounts.work import Work, unit
from sunlit.core.errors import N_, NotFound, SunlitError
from sunlit.core.i18n import translate
from sunlit.fulfilment.deps import FulfilmentKit
from sunlit.fulfilment.pages import order_page_response
from sunlit.fulfilment.shipments import services as shipments
from sunlit.fulfilment.shipments.deps import ShipmentsKit, shipments_kit
from sunlit.fulfilment.shipments.model import EXCEPTIONS, ScanStatus
from sunlit.settings import Environment
from sunlit.web.deps import PathId, undo
from sunlit.web.forms import form_fields, redirect, safe_next
from sunlit.web.rendering import render

router = APIRouter(include_in_schema=False)

TrackingNo = Path(pattern=r"^[A-Z0-9]{4,40}$")
operator = unit(Role.OPERATOR, kit=shipments_kit)


@router.post("/orders/{order_id}/ship")
async def ship(
    order_id: PathId,
    work: Work[ShipmentsKit] = unit(Role.FARMER, Role.OPERATOR, kit=shipments_kit),
) -> Response:
    """Book the carrier for a paid order, then go back (to the order, or to ``back``)."""
    fields = await form_fields(work.request)
    try:
        await shipments.do_book_shipment(
            work.db, work.services.carrier, work.actor, order_id, now=work.now
        )
        await work.commit()
    except SunlitError as exc:
        await undo(work.db, work.principal.account)
        if exc.status == 404:
            raise
        page = cast(Work[FulfilmentKit], work)  # the order page needs no more than its kit
        return await order_page_response(page, order_id, status=exc.status, error=exc)
    return redirect(safe_next(fields.get("back"), f"/orders/{order_id}"))


@dataclass(frozen=True, slots=True)
class ParcelLine:
    tracking_no: str
    reference: str
    status: str | None  # the latest scan that happened; None before the pick-up
    next_status: str | None
    next_at: object


def _console_open(work: Work[ShipmentsKit]) -> None:
    if work.services.settings.env is Environment.PRODUCTION:
        raise NotFound(N_("The sandbox carrier is not available in production."))


async def _console(
    work: Work[ShipmentsKit], status: int = 200, error: str | None = None
) -> Response:
    carrier = work.services.carrier
    lines = []
    for parcel in await carrier.recent_parcels(work.db):
        scans = await carrier.scans(work.db, parcel.tracking_no)
        done = [s for s in scans if s.queued_at is not None]
        waiting = [s for s in scans if s.queued_at is None]
        lines.append(
            ParcelLine(
                tracking_no=parcel.tracking_no,
                reference=parcel.reference,
                status=done[-1].status.value if done else None,
                next_status=waiting[0].status.value if waiting else None,
                next_at=waiting[0].at if waiting else None,
            )
        )
    context = {
        "parcels": lines,
        "exceptions": [s.value for s in ScanStatus if s in EXCEPTIONS],
        "error": error,
    }
    return render(work.request, "fulfilment/sandbox_carrier.html", context, status=status)


@router.get("/sandbox/carrier")
async def console(work: Work[ShipmentsKit] = operator) -> Response:
    _console_open(work)
    return await _console(work)


@router.post("/sandbox/carrier/{tracking_no}")
async def console_action(
    tracking_no: str = TrackingNo, work: Work[ShipmentsKit] = operator
) -> Response:
    """``action=advance``: the next scan happens now; ``action=lost|damaged|returned``: the
    parcel's journey ends in that exception now."""
    _console_open(work)
    fields = await form_fields(work.request)
    action = fields.get("action", "")
    carrier = work.services.carrier
    try:
        if action == "advance":
            await carrier.advance(work.db, tracking_no, now=work.now)
        else:
            try:
                status = ScanStatus(action)
            except ValueError:
                status = ScanStatus.BOOKED  # refused below as no exception
            await carrier.force_exception(work.db, tracking_no, status, now=work.now)
        await work.commit()
    except SunlitError as exc:
        await undo(work.db, work.principal.account)
        if exc.status == 404:
            raise
        return await _console(work, exc.status, translate(exc.message, exc.params))
    return redirect("/sandbox/carrier")
