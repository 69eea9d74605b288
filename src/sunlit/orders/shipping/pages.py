"""The producer's shipping fees page (phone first): the fee of each zone, in yuan as a person
types it, for each producer the account manages."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from sunlit.accounts.model import Role
from sunlit.accounts.work import Work, unit
from sunlit.catalog.producers import services as producer_service
from sunlit.catalog.views import Producer
from sunlit.core.errors import SunlitError
from sunlit.core.i18n import field_errors, translate
from sunlit.core.money import format_fen
from sunlit.orders.shipping import services as shipping
from sunlit.orders.shipping.model import ZONE_LABELS, Zone, fees_from_form
from sunlit.web.deps import Kit, undo
from sunlit.web.forms import form_fields, redirect
from sunlit.web.rendering import render

router = APIRouter(include_in_schema=False)

seller = unit(Role.FARMER, Role.OPERATOR)


async def _producers(work: Work[Kit]) -> list[Producer]:
    scope = await producer_service.producer_scope(work.db, work.actor)
    found = await producer_service.list_producers(work.db)
    return [p for p in found if scope is None or p.id in scope]


def _yuan(fen: int) -> str:
    return format_fen(fen).removeprefix("¥").replace(",", "")


async def _page(
    work: Work[Kit],
    producer_id: str | None,
    status: int = 200,
    **extra: object,
) -> Response:
    producers = await _producers(work)
    chosen = next(
        (p for p in producers if p.id == producer_id), producers[0] if producers else None
    )
    table = await shipping.fee_table(work.db, chosen.id) if chosen is not None else None
    values = {zone.value: _yuan(fee) for zone, fee in table.by_zone} if table else {}
    return render(
        work.request,
        "orders/shipping.html",
        {
            "producers": producers,
            "chosen": chosen,
            "table": table,
            "zones": [(zone, ZONE_LABELS[zone]) for zone in Zone],
            "values": values,
            "errors": {},
            "error": None,
            "done": work.request.query_params.get("done") == "1",
            **extra,
        },
        status=status,
    )


@router.get("/producer/shipping")
async def shipping_page(work: Work[Kit] = seller) -> Response:
    return await _page(work, work.request.query_params.get("producer"))


@router.post("/producer/shipping")
async def set_fees(work: Work[Kit] = seller) -> Response:
    fields = await form_fields(work.request)
    producer_id = fields.get("producer", "")
    fees, unreadable = fees_from_form(fields)
    try:
        await shipping.do_set_fees(
            work.db, work.actor, producer_id, fees, now=work.now, errors=unreadable
        )
        await work.commit()
    except SunlitError as exc:
        await undo(work.db, work.principal.account)
        return await _page(
            work,
            producer_id,
            exc.status,
            values=fields,
            error=translate(exc.message, exc.params),
            errors=field_errors(exc.fields, exc.params),
        )
    return redirect(f"/producer/shipping?producer={producer_id}&done=1")
