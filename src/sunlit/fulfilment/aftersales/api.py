"""JSON API for after-sales (``/api/v1``): the buyer opens a request on an order (201; a
second while one is open: 409), the producer answers, the buyer takes an offer, escalates,
sends the goods back or withdraws, the producer confirms the return, an operator or
supervisor decides. Photos go with the order page's forms."""

from __future__ import annotations

from fastapi import APIRouter

from sunlit.accounts.model import Role
from sunlit.accounts.work import Work, unit
from sunlit.catalog.producers import services as producer_service
from sunlit.fulfilment.aftersales import services, steps, views
from sunlit.fulfilment.aftersales.schemas import (
    AftersalesIn,
    AftersalesOut,
    AnswerIn,
    DecideIn,
    ReturnIn,
    TextIn,
)
from sunlit.fulfilment.deps import FulfilmentKit, fulfilment_kit
from sunlit.web.deps import PathId

router = APIRouter(prefix="/api/v1", tags=["after-sales"])

signed_in = unit("signed_in", kit=fulfilment_kit)
seller = unit(Role.FARMER, Role.OPERATOR, kit=fulfilment_kit)
arbiter = unit(Role.SUPERVISOR, Role.OPERATOR, kit=fulfilment_kit)


@router.post("/orders/{order_id}/aftersales", status_code=201, response_model=AftersalesOut)
async def open_request(
    order_id: PathId, body: AftersalesIn, work: Work[FulfilmentKit] = signed_in
) -> AftersalesOut:
    """The buyer asks for a refund or a return on their order, under the policy
    (docs/aftersales.md); the payout waits until the request closes."""
    row = await services.do_open(
        work.db,
        work.services,
        work.actor,
        order_id,
        kind=body.kind,
        reason=body.reason,
        amount=body.amount,
        text=body.text,
        photos=[],
        now=work.now,
    )
    await work.commit()
    return AftersalesOut.of(row)


@router.get("/aftersales", response_model=list[AftersalesOut])
async def list_requests(work: Work[FulfilmentKit] = signed_in) -> list[AftersalesOut]:
    """Your requests as a buyer; a farmer's producers' requests; all for operators and
    supervisors. Newest first."""
    actor = work.actor
    if actor.role in (Role.FARMER, Role.OPERATOR, Role.SUPERVISOR):
        scope = await producer_service.producer_scope(work.db, actor)
        rows = await views.requests_for(work.db, producers=scope)
    else:
        rows = await views.requests_for(work.db, buyer=actor.id)
    return [AftersalesOut.of(row) for row in rows]


@router.get("/aftersales/{request_id}", response_model=AftersalesOut)
async def get_request(request_id: PathId, work: Work[FulfilmentKit] = signed_in) -> AftersalesOut:
    row, _ = await steps.access_request(work.db, work.actor, request_id)
    return AftersalesOut.of(row)


@router.post("/aftersales/{request_id}/answer", response_model=AftersalesOut)
async def answer(
    request_id: PathId, body: AnswerIn, work: Work[FulfilmentKit] = seller
) -> AftersalesOut:
    """Accept, offer part (``offer``, fen), or refuse with a reason."""
    kit = work.services
    row = await steps.do_answer(
        work.db,
        kit,
        kit.payment_gateway,
        work.actor,
        request_id,
        answer=body.answer,
        offer=body.offer,
        text=body.text,
        photos=[],
        now=work.now,
    )
    await work.commit()
    return AftersalesOut.of(row)


@router.post("/aftersales/{request_id}/take", response_model=AftersalesOut)
async def take_offer(request_id: PathId, work: Work[FulfilmentKit] = signed_in) -> AftersalesOut:
    kit = work.services
    row = await steps.do_take_offer(
        work.db, kit, kit.payment_gateway, work.actor, request_id, now=work.now
    )
    await work.commit()
    return AftersalesOut.of(row)


@router.post("/aftersales/{request_id}/escalate", response_model=AftersalesOut)
async def escalate(
    request_id: PathId, body: TextIn, work: Work[FulfilmentKit] = signed_in
) -> AftersalesOut:
    row = await steps.do_escalate(work.db, work.actor, request_id, text=body.text, now=work.now)
    await work.commit()
    return AftersalesOut.of(row)


@router.post("/aftersales/{request_id}/send-back", response_model=AftersalesOut)
async def send_back(
    request_id: PathId, body: ReturnIn, work: Work[FulfilmentKit] = signed_in
) -> AftersalesOut:
    row = await steps.do_send_back(
        work.db,
        work.services,
        work.actor,
        request_id,
        carrier=body.carrier,
        tracking_no=body.tracking_no,
        now=work.now,
    )
    await work.commit()
    return AftersalesOut.of(row)


@router.post("/aftersales/{request_id}/receive", response_model=AftersalesOut)
async def receive(request_id: PathId, work: Work[FulfilmentKit] = seller) -> AftersalesOut:
    kit = work.services
    row = await steps.do_receive(
        work.db, kit, kit.payment_gateway, work.actor, request_id, now=work.now
    )
    await work.commit()
    return AftersalesOut.of(row)


@router.post("/aftersales/{request_id}/decide", response_model=AftersalesOut)
async def decide(
    request_id: PathId, body: DecideIn, work: Work[FulfilmentKit] = arbiter
) -> AftersalesOut:
    """Arbitration, with a written reason: for the buyer (``amount``, or all asked) or for
    the producer."""
    kit = work.services
    row = await steps.do_decide(
        work.db,
        kit,
        kit.payment_gateway,
        work.actor,
        request_id,
        ruling=body.ruling,
        amount=body.amount,
        text=body.text,
        now=work.now,
    )
    await work.commit()
    return AftersalesOut.of(row)


@router.post("/aftersales/{request_id}/withdraw", response_model=AftersalesOut)
async def withdraw(request_id: PathId, work: Work[FulfilmentKit] = signed_in) -> AftersalesOut:
    kit = work.services
    row = await steps.do_withdraw(
        work.db, kit, kit.payment_gateway, work.actor, request_id, now=work.now
    )
    await work.commit()
    return AftersalesOut.of(row)
