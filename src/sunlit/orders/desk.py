"""The order desk: group commit for buy requests. Requests wait in a queue; one worker takes
all that are waiting and serves them in a single transaction that locks the products' stock
rows first, so a hot product costs one commit per batch instead of one per order, and no
interleaving of processes or requests can ever give out more than the stock (the rows are
locked, on SQLite the whole database is, while the batch is allocated).

A request's outcome is decided only after its batch commits: an accepted order that the
buyer is told about is stored. If a batch fails as a whole (another process took the same
Idempotency-Key at the same instant, say), its requests are served again one by one."""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.catalog.products.stock import StockLine, documented, lock_stock, set_stock
from sunlit.core.clock import Clock
from sunlit.core.db import Database
from sunlit.core.eventlog import Event, EventType
from sunlit.core.eventlog.services import row_values
from sunlit.core.eventlog.tables import EventRow
from sunlit.core.ids import new_id
from sunlit.orders.model import (
    HOLDS_STOCK,
    BuyRequest,
    OrderState,
    Refusal,
    address_hash,
    allocate,
    expires_at,
)
from sunlit.orders.shipping.model import order_amount
from sunlit.orders.shipping.services import FeeTable, fee_tables
from sunlit.orders.tables import OrderRow

MAX_BATCH = 512


@dataclass(frozen=True, slots=True)
class Placed:
    """The desk's answer: the order (new or the one this key made before), or a refusal."""

    order: OrderRow | None
    replayed: bool = False
    refusal: Refusal | None = None
    limit: int = 0


@dataclass(frozen=True, slots=True)
class DeskRules:
    expiry_minutes: int
    default_limit: int
    secret: str


@dataclass
class _Waiting:
    request: BuyRequest
    future: asyncio.Future[Placed]


class OrderDesk:
    def __init__(self, db: Database, clock: Clock, rules: DeskRules) -> None:
        self.db = db
        self.clock = clock
        self.rules = rules
        self._queue: asyncio.Queue[_Waiting] | None = None
        self._worker: asyncio.Task[None] | None = None
        self.batches = 0
        self.served = 0

    async def place(self, request: BuyRequest) -> Placed:
        if self._queue is None or self._worker is None or self._worker.done():
            self._queue = asyncio.Queue()
            self._worker = asyncio.create_task(self._run(self._queue), name="order-desk")
        future: asyncio.Future[Placed] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Waiting(request, future))
        return await future

    async def close(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None

    async def _run(self, queue: asyncio.Queue[_Waiting]) -> None:
        while True:
            batch = [await queue.get()]
            while not queue.empty() and len(batch) < MAX_BATCH:
                batch.append(queue.get_nowait())
            await self._serve_batch(batch)

    async def _serve_batch(self, batch: list[_Waiting]) -> None:
        try:
            async with self.db.transaction() as db:
                outcomes = await serve(
                    db, [item.request for item in batch], self.rules, self.clock.now()
                )
        except Exception as error:
            if len(batch) == 1:
                if not batch[0].future.done():
                    batch[0].future.set_exception(error)
                return
            for item in batch:
                await self._serve_batch([item])
            return
        self.batches += 1
        self.served += len(batch)
        for item, outcome in zip(batch, outcomes, strict=True):
            if not item.future.done():
                item.future.set_result(outcome)


async def _held(
    db: AsyncSession, product_id: str, buyers: set[str]
) -> dict[tuple[str, str | None], int]:
    query = (
        select(OrderRow.buyer_id, OrderRow.session_id, func.sum(OrderRow.qty))
        .where(
            OrderRow.product_id == product_id,
            OrderRow.buyer_id.in_(buyers),
            OrderRow.state.in_([state.value for state in HOLDS_STOCK]),
        )
        .group_by(OrderRow.buyer_id, OrderRow.session_id)
    )
    return {(buyer, session): int(qty) for buyer, session, qty in (await db.execute(query)).all()}


async def serve(
    db: AsyncSession, requests: Sequence[BuyRequest], rules: DeskRules, now: datetime
) -> list[Placed]:
    """Serve a batch in one transaction (the caller's); outcomes in request order."""
    outcomes: list[Placed | None] = [None] * len(requests)
    products = await lock_stock(db, sorted({r.product for r in requests}))
    keys = {(r.buyer, r.idempotency_key) for r in requests}
    earlier = {
        (row.buyer_id, row.idempotency_key): row
        for row in (
            await db.scalars(
                select(OrderRow).where(
                    tuple_(OrderRow.buyer_id, OrderRow.idempotency_key).in_(list(keys))
                )
            )
        ).all()
    }
    first_in_batch: dict[tuple[str, str], int] = {}
    fresh: dict[str, list[int]] = defaultdict(list)
    for index, request in enumerate(requests):
        key = (request.buyer, request.idempotency_key)
        if key in earlier:
            row = earlier[key]
            same = row.request_digest == request.digest
            outcomes[index] = (
                Placed(row, replayed=True) if same else Placed(None, refusal=Refusal.KEY_REUSED)
            )
        elif key in first_in_batch:
            continue  # answered below, from the first request with this key
        elif request.product not in products:
            outcomes[index] = Placed(None, refusal=Refusal.NO_PRODUCT)
        else:
            first_in_batch[key] = index
            fresh[request.product].append(index)

    new_orders: list[dict[str, object]] = []
    new_events: list[dict[str, object]] = []
    fees = await fee_tables(db, {products[product_id].producer_id for product_id in fresh})
    with_documents = await documented(db, list(fresh), on=now.date())
    for product_id, indexes in fresh.items():
        product = products[product_id]
        limit = product.per_buyer_limit or rules.default_limit
        batch = [requests[i] for i in indexes]
        held = await _held(db, product_id, {r.buyer for r in batch})
        allocation = allocate(
            batch,
            stock=product.stock,
            on_sale=product.on_sale,
            limit=limit,
            bought=held,
            documented=product_id in with_documents,
        )
        for position, refusal in allocation.refused.items():
            outcomes[indexes[position]] = Placed(None, refusal=refusal, limit=limit)
        for position in allocation.accepted:
            request = batch[position]
            order = _order_row(request, product, fees[product.producer_id], rules, now)
            new_orders.append(_columns(order))
            new_events.append(_placed_event(order, request, rules, now))
            outcomes[indexes[position]] = Placed(order)
        if allocation.accepted:
            await set_stock(db, product_id, allocation.stock_left, now=now)
    if new_orders:
        await db.execute(insert(OrderRow), new_orders)
        await db.execute(insert(EventRow), new_events)
    for index, request in enumerate(requests):
        if outcomes[index] is None:  # a repeat of a key first used earlier in this batch
            first = outcomes[first_in_batch[(request.buyer, request.idempotency_key)]]
            assert first is not None
            same = first.order is not None and first.order.request_digest == request.digest
            outcomes[index] = (
                Placed(first.order, replayed=True)
                if same
                else (first if first.order is None else Placed(None, refusal=Refusal.KEY_REUSED))
            )
    return [outcome for outcome in outcomes if outcome is not None]


def _order_row(
    request: BuyRequest, product: StockLine, fees: FeeTable, rules: DeskRules, now: datetime
) -> OrderRow:
    """The new order, its shipping fee fixed now from the producer's fee for the zone of the
    destination (a later change of fees leaves it as it is)."""
    shipping_fee = fees.to(request.address_region).fee
    return OrderRow(
        id=new_id("o"),
        buyer_id=request.buyer,
        product_id=product.id,
        producer_id=product.producer_id,
        session_id=request.session,
        qty=request.qty,
        unit_price=product.price,
        shipping_fee=shipping_fee,
        amount=order_amount(request.qty, product.price, shipping_fee),
        state=OrderState.PLACED.value,
        payment_method=request.payment_method.value,
        address_region=request.address_region,
        address_detail=request.address_detail,
        recipient=request.recipient,
        phone=request.phone,
        idempotency_key=request.idempotency_key,
        request_digest=request.digest,
        refunded=0,
        placed_at=now,
        expires_at=expires_at(now, rules.expiry_minutes),
    )


COLUMNS = [column.key for column in OrderRow.__table__.columns]


def _columns(order: OrderRow) -> dict[str, object]:
    return {name: getattr(order, name) for name in COLUMNS}


def _placed_event(
    order: OrderRow, request: BuyRequest, rules: DeskRules, now: datetime
) -> dict[str, object]:
    event = Event(
        EventType.ORDER_PLACED,
        now,
        {
            "order": order.id,
            "product": order.product_id,
            "qty": order.qty,
            "unit_price": order.unit_price,
            "amount": order.amount,
            "shipping_fee": order.shipping_fee,
            "address": {
                "region": order.address_region,
                "detail_hash": address_hash(rules.secret, order.address_detail),
            },
            "device": request.device,
            "ip": request.ip,
            "payment_method": order.payment_method,
        },
        actor=order.buyer_id,
        session=order.session_id,
    )
    return row_values(event)
