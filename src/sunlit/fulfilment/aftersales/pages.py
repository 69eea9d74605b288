"""After-sales pages: the buyer's request and each step's form post from the order's page
(which shows itself again with the error when a step is refused); the producer's queue
(phone first, linked from /producer/orders); and the arbitration queue and page of operators
and supervisors, with both sides' words and photos side by side."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from sunlit.accounts.model import Role
from sunlit.accounts.work import Work, unit
from sunlit.catalog.producers import services as producer_service
from sunlit.catalog.products import services as catalog
from sunlit.core.errors import InvalidInput, NotFound, SunlitError
from sunlit.core.files.model import Upload
from sunlit.core.i18n import field_errors, translate
from sunlit.core.text import printable
from sunlit.fulfilment.aftersales import policy, services, steps, views
from sunlit.fulfilment.aftersales.model import FIX, Answer, Kind, Reason, Ruling
from sunlit.fulfilment.deps import FulfilmentKit, fulfilment_kit
from sunlit.fulfilment.pages import order_page_response
from sunlit.web.deps import PathId, settle
from sunlit.web.forms import choice_in, read_form, redirect, yuan_in
from sunlit.web.rendering import render

router = APIRouter(include_in_schema=False)
#: The posts with photos (multipart): only these accept bodies up to the upload size.
uploads = APIRouter(include_in_schema=False)

signed_in = unit("signed_in", kit=fulfilment_kit)
seller = unit(Role.FARMER, Role.OPERATOR, kit=fulfilment_kit)
arbiter = unit(Role.SUPERVISOR, Role.OPERATOR, kit=fulfilment_kit)


async def _photos(request: Request) -> list[Upload]:
    form = await request.form()
    return [
        Upload(data=await sent.read(), name=printable(sent.filename or ""))
        for sent in form.getlist("photos")
        if isinstance(sent, UploadFile)
    ]


async def _settle(
    work: Work[FulfilmentKit],
    order_id: str,
    fields: dict[str, str],
    errors: dict[str, str],
    action: Callable[[], Awaitable[object]],
    arbitration: str | None = None,
) -> Response:
    """Run a step and commit it; refused, show the page it came from again with the error
    and what was typed (the order's page, or the arbitration page)."""

    async def act() -> object:
        if errors:
            raise InvalidInput(FIX, fields=errors)
        return await action()

    outcome = await settle(work.db, work.principal.account, act)
    if isinstance(outcome, NotFound):
        raise outcome
    if isinstance(outcome, SunlitError):
        if arbitration is not None:
            return await _arbitration_page(work, arbitration, status=outcome.status, error=outcome)
        return await order_page_response(
            work, order_id, status=outcome.status, error=outcome, values=fields
        )
    return redirect(fields.get("back") or f"/orders/{order_id}#aftersales")


@uploads.post("/orders/{order_id}/aftersales")
async def open_request(order_id: PathId, work: Work[FulfilmentKit] = signed_in) -> Response:
    fields, errors = await read_form(work.request)
    photos = await _photos(work.request)
    kind = choice_in(Kind, fields, "kind", errors)
    reason = choice_in(Reason, fields, "reason", errors)
    amount = yuan_in(fields, "amount", errors, optional=True)
    return await _settle(
        work,
        order_id,
        fields,
        errors,
        lambda: services.do_open(
            work.db,
            work.services,
            work.actor,
            order_id,
            kind=kind,
            reason=reason,
            amount=amount,
            text=fields.get("text", ""),
            photos=photos,
            now=work.now,
        ),
    )


async def _order_of(work: Work[FulfilmentKit], request_id: str) -> str:
    row, _ = await steps.access_request(work.db, work.actor, request_id)
    return row.order_id


@uploads.post("/aftersales/{request_id}/answer")
async def answer(request_id: PathId, work: Work[FulfilmentKit] = seller) -> Response:
    order_id = await _order_of(work, request_id)
    fields, errors = await read_form(work.request)
    photos = await _photos(work.request)
    chosen = choice_in(Answer, fields, "answer", errors)
    offer = yuan_in(fields, "offer", errors, optional=True)
    return await _settle(
        work,
        order_id,
        fields,
        errors,
        lambda: steps.do_answer(
            work.db,
            work.services,
            work.services.payment_gateway,
            work.actor,
            request_id,
            answer=chosen,
            offer=offer,
            text=fields.get("text", ""),
            photos=photos,
            now=work.now,
        ),
    )


Step = Callable[[dict[str, str], dict[str, str]], Awaitable[object]]


async def _step(work: Work[FulfilmentKit], request_id: str, run: Step, **kw: str) -> Response:
    order_id = await _order_of(work, request_id)
    fields, errors = await read_form(work.request)
    return await _settle(work, order_id, fields, errors, lambda: run(fields, errors), **kw)


@router.post("/aftersales/{request_id}/take")
async def take_offer(request_id: PathId, work: Work[FulfilmentKit] = signed_in) -> Response:
    async def run(fields: dict[str, str], errors: dict[str, str]) -> object:
        kit = work.services
        return await steps.do_take_offer(
            work.db, kit, kit.payment_gateway, work.actor, request_id, now=work.now
        )

    return await _step(work, request_id, run)


@router.post("/aftersales/{request_id}/escalate")
async def escalate(request_id: PathId, work: Work[FulfilmentKit] = signed_in) -> Response:
    async def run(fields: dict[str, str], errors: dict[str, str]) -> object:
        text = fields.get("escalation_text", "")
        return await steps.do_escalate(work.db, work.actor, request_id, text=text, now=work.now)

    return await _step(work, request_id, run)


@router.post("/aftersales/{request_id}/send-back")
async def send_back(request_id: PathId, work: Work[FulfilmentKit] = signed_in) -> Response:
    async def run(fields: dict[str, str], errors: dict[str, str]) -> object:
        return await steps.do_send_back(
            work.db,
            work.services,
            work.actor,
            request_id,
            carrier=fields.get("carrier", ""),
            tracking_no=fields.get("tracking_no", ""),
            now=work.now,
        )

    return await _step(work, request_id, run)


@router.post("/aftersales/{request_id}/receive")
async def receive(request_id: PathId, work: Work[FulfilmentKit] = seller) -> Response:
    async def run(fields: dict[str, str], errors: dict[str, str]) -> object:
        kit = work.services
        return await steps.do_receive(
            work.db, kit, kit.payment_gateway, work.actor, request_id, now=work.now
        )

    return await _step(work, request_id, run)


@router.post("/aftersales/{request_id}/withdraw")
async def withdraw(request_id: PathId, work: Work[FulfilmentKit] = signed_in) -> Response:
    async def run(fields: dict[str, str], errors: dict[str, str]) -> object:
        kit = work.services
        return await steps.do_withdraw(
            work.db, kit, kit.payment_gateway, work.actor, request_id, now=work.now
        )

    return await _step(work, request_id, run)


@router.post("/aftersales/{request_id}/decide")
async def decide(request_id: PathId, work: Work[FulfilmentKit] = arbiter) -> Response:
    async def run(fields: dict[str, str], errors: dict[str, str]) -> object:
        kit = work.services
        ruling = choice_in(Ruling, fields, "ruling", errors)
        amount = yuan_in(fields, "amount", errors, optional=True)
        if errors:
            raise InvalidInput(FIX, fields=errors)
        return await steps.do_decide(
            work.db,
            kit,
            kit.payment_gateway,
            work.actor,
            request_id,
            ruling=ruling,
            amount=amount,
            text=fields.get("ruling_text", ""),
            now=work.now,
        )

    return await _step(work, request_id, run, arbitration=request_id)


@router.get("/producer/aftersales")
async def producer_queue(work: Work[FulfilmentKit] = seller) -> Response:
    db = work.db
    producers = await producer_service.producer_scope(db, work.actor)
    found = await views.queue(db, producers)
    names = await catalog.products_by_id(db, {order.product_id for _, order in found})
    items = [(await views.view_of(db, row), order) for row, order in found]
    return render(
        work.request, "fulfilment/aftersales_queue.html", {"items": items, "names": names}
    )


@router.get("/supervisor/aftersales")
async def arbitration_queue(work: Work[FulfilmentKit] = arbiter) -> Response:
    db = work.db
    found = await views.queue(db, None, escalated=True)
    names = await catalog.products_by_id(db, {order.product_id for _, order in found})
    return render(
        work.request, "fulfilment/arbitration_queue.html", {"items": found, "names": names}
    )


async def _arbitration_page(
    work: Work[FulfilmentKit],
    request_id: str,
    *,
    status: int = 200,
    error: SunlitError | None = None,
) -> Response:
    db = work.db
    row, order = await steps.access_request(db, work.actor, request_id)
    view = await views.view_of(db, row)
    facts = await services.order_facts(db, order)
    return render(
        work.request,
        "fulfilment/arbitration.html",
        {
            "v": view,
            "order": order,
            "facts": facts,
            "product": await catalog.get_product(db, order.product_id),
            "rules": policy.RULES,
            "rulings": list(Ruling),
            "error": translate(error.message, error.params) if error else None,
            "errors": field_errors(error.fields, error.params) if error else {},
        },
        status=status,
    )


@router.get("/supervisor/aftersales/{request_id}")
async def arbitration_page(request_id: PathId, work: Work[FulfilmentKit] = arbiter) -> Response:
    return await _arbitration_page(work, request_id)
