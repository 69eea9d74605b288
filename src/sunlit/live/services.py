"""Live-room use cases on the database: who may watch and who runs a room, what it shows (status,
pinned product with its stock and reference band, order count), pins and timed offers, and its
recording. Each change is an event in the caller's transaction; chat is ``live.chat``'s."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.model import Actor, Role
from sunlit.accounts.services import aware
from sunlit.catalog.products import bands
from sunlit.catalog.products import services as catalog
from sunlit.core.errors import N_, InvalidInput, NotFound, PermissionDenied
from sunlit.core.eventlog import Event, EventType, append
from sunlit.filing import views as filing
from sunlit.filing.model import Plan, PlanStatus
from sunlit.live.model import Pin, current_pin
from sunlit.live.ports import SessionSales
from sunlit.live.tables import LiveRoomRow

MAX_OFFER_MINUTES = 120


@dataclass(frozen=True, slots=True)
class RoomState:
    """What every viewer of a room sees change, read afresh about once a second."""

    session: str
    status: str
    pin: Pin
    product: dict[str, Any] | None  # the pinned product as the shelf shows it
    orders: int  # orders placed in this session and not cancelled
    recording: str | None

    @property
    def live(self) -> bool:
        return self.status == PlanStatus.LIVE.value

    def message(self) -> dict[str, Any]:
        ends = self.pin.offer_ends_at
        return {
            "t": "state",
            "status": self.status,
            "product": self.product,
            "offer_ends_at": int(ends.timestamp() * 1000) if ends else None,
            "orders": self.orders,
        }


async def may_control(db: AsyncSession, actor: Actor, plan: Plan) -> bool:
    """The official who filed the session and their team run the room (operators may help)."""
    if actor.role == Role.OPERATOR or plan.official_id == actor.id:
        return True
    return actor.id in await filing.team_of(db, plan.id)


async def access_controlled_plan(db: AsyncSession, actor: Actor, session: str) -> Plan:
    plan = await filing.get_plan(db, session)
    if not await may_control(db, actor, plan):
        raise PermissionDenied(N_("Only the official's team runs this room."))
    return plan


async def access_watchable_plan(db: AsyncSession, session: str) -> Plan:
    """A session the public may watch: approved (waiting), live or ended."""
    plan = await filing.find_plan(db, session)
    if plan is None or plan.status not in (
        PlanStatus.APPROVED.value,
        PlanStatus.LIVE.value,
        PlanStatus.ENDED.value,
    ):
        raise NotFound(N_("No such live session."))
    return plan


async def room_row(db: AsyncSession, session: str) -> LiveRoomRow | None:
    return await db.get(LiveRoomRow, session)


def pin_of(row: LiveRoomRow | None) -> Pin:
    if row is None:
        return Pin(None)
    ends = aware(row.offer_ends_at) if row.offer_ends_at is not None else None
    return Pin(row.pinned_product_id, ends)


async def pinned_product(db: AsyncSession, session: str, *, now: datetime) -> str | None:
    """The product a live room presents at ``now`` (a timed offer that ran out: none)."""
    return current_pin(pin_of(await room_row(db, session)), now).product


async def shelf_product(db: AsyncSession, product_id: str, *, on: date) -> dict[str, Any]:
    (item,) = await shelf_products(db, [product_id], on=on)
    return item


async def shelf_products(
    db: AsyncSession, product_ids: list[str], *, on: date
) -> list[dict[str, Any]]:
    """The products as the room shows them, in the order given, in two statements."""
    rows = await catalog.products_in_order(db, product_ids)
    found = await bands.bands_by_kind(db, {row.kind for row in rows})
    shelf = []
    for row in rows:
        position = catalog.position_of(row, bands.band_on(found, row.kind, row.origin_region, on))
        shelf.append(
            {
                "id": row.id,
                "name": {"zh": row.name_zh, "en": row.name_en},
                "price": row.price,
                "unit": row.unit,
                "box_grams": row.box_grams,
                "stock": row.stock,
                "on_sale": row.on_sale,
                "band": None
                if position is None
                else {
                    "low": position.low,
                    "high": position.high,
                    "status": position.status.value,
                    "percent": position.percent,
                },
            }
        )
    return shelf


async def room_state(
    db: AsyncSession, session: str, sales: SessionSales, *, now: datetime, on: date
) -> RoomState:
    plan = await filing.find_plan(db, session)
    if plan is None:
        raise NotFound(N_("No such live session."))
    row = await room_row(db, session)
    pin = current_pin(pin_of(row), now)
    product = await shelf_product(db, pin.product, on=on) if pin.product else None
    return RoomState(
        session=session,
        status=plan.status,
        pin=pin,
        product=product,
        orders=await sales.orders_placed(db, session),
        recording=row.recording if row else None,
    )


async def session_products(
    db: AsyncSession, session: str, sales: SessionSales, *, on: date
) -> list[dict[str, Any]]:
    """The products filed for the session, in the plan's order, with stock and units sold here."""
    ids = await filing.plan_product_ids(db, session)
    sold = await sales.units_sold(db, session)
    shelf = await shelf_products(db, ids, on=on)
    for item in shelf:
        item["sold"] = sold.get(item["id"], 0)
    return shelf


def _require_live(plan: Plan) -> None:
    if plan.status != PlanStatus.LIVE.value:
        raise InvalidInput(N_("This room is not live."))


async def do_pin(
    db: AsyncSession,
    actor: Actor,
    session: str,
    product_id: str | None,
    *,
    offer_minutes: int | None,
    now: datetime,
) -> Pin:
    """Present a product (``None`` takes it down); with ``offer_minutes``, as a timed offer
    that ends by itself."""
    plan = await access_controlled_plan(db, actor, session)
    _require_live(plan)
    if product_id is not None and not await filing.is_filed(db, session, product_id):
        raise InvalidInput(
            N_("Please correct the marked fields."),
            fields={"product_id": N_("This product is not filed for this session.")},
        )
    if offer_minutes is not None and not 1 <= offer_minutes <= MAX_OFFER_MINUTES:
        raise InvalidInput(
            N_("Please correct the marked fields."),
            fields={"offer_minutes": N_("A timed offer runs for 1 to 120 minutes.")},
        )
    if offer_minutes is not None and product_id is None:
        raise InvalidInput(
            N_("Please correct the marked fields."),
            fields={"product_id": N_("Choose the product of the timed offer.")},
        )
    row = await room_row(db, session)
    if row is None:
        row = LiveRoomRow(session_id=session)
        db.add(row)
    row.pinned_product_id = product_id
    row.offer_ends_at = now + timedelta(minutes=offer_minutes) if offer_minutes else None
    row.pinned_at = now
    row.pinned_by = actor.id
    if product_id is not None:
        data: dict[str, Any] = {"product": product_id}
        if row.offer_ends_at is not None:
            data["offer_ends_at"] = row.offer_ends_at.isoformat()
        append(
            db,
            Event(
                type=EventType.PRODUCT_PINNED, ts=now, actor=actor.id, session=session, data=data
            ),
        )
    else:
        append(
            db,
            Event(
                type=EventType.PRODUCT_UNPINNED, ts=now, actor=actor.id, session=session, data={}
            ),
        )
    return pin_of(row)


async def set_recording(db: AsyncSession, session: str, name: str) -> bool:
    """nginx-rtmp finished a recording of ``session`` (its file name, converted to MP4)."""
    if await filing.find_plan(db, session) is None:
        return False
    row = await room_row(db, session)
    if row is None:
        row = LiveRoomRow(session_id=session)
        db.add(row)
    row.recording = name
    return True
