"""The demo's parcels, after-sales and reviews (issue 17): the demo buyers order the counties'
produce outside any session and pay in the sandbox; the cooperatives ship by booking the
sandbox carrier, whose scans move each parcel through the operators' console functions
(``advance``, ``force_exception``) at past times, so the demo holds a shipment in every state:
just booked, picked up, in transit, out for delivery, delivered (confirmed by the buyer, or by
itself after the auto-confirm days) and lost, damaged, returned.

One quality claim with a photo, on an order already paid out, goes the whole way: the farmer
refuses, the buyer escalates, supervisor1 upholds it, the refund settles and the guarantee fund
pays it first; a later payout of the same cooperative gives it back. Buyers review what they
received (one review has the cooperative's reply), and one fresh claim waits for the farmer's
answer. Every step is a use case with an explicit time before ``now``. Idempotent: when buyer1
has an order outside a session, nothing is done."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.core.files.model import Upload
from sunlit.demo.parcels import (
    CARRIER_SEED,
    DAY,
    PARCELS,
    STEP_SECONDS,
    Play,
    account,
    check,
    expect,
    place,
    ship,
)
from sunlit.fulfilment.aftersales import services as aftersales
from sunlit.fulfilment.aftersales import steps
from sunlit.fulfilment.aftersales.model import Answer, Kind, Reason, Ruling
from sunlit.fulfilment.reviews import services as reviews
from sunlit.fulfilment.shipments import services as shipments
from sunlit.fulfilment.shipments.sandbox import SandboxCarrier
from sunlit.orders import services as orders
from sunlit.orders.views import get_order, orders_of_buyer
from sunlit.payments import services as payments
from sunlit.payments.sandbox import SandboxGateway
from sunlit.web.deps import Kit

CLAIM_TEXT = "箱子下层的蜜桔有三分之一发霉变软，吃到一半才发现，照片附上，请退款。"
REFUSAL = "发货前逐个挑过，装箱照片可以作证，可能是买家收到后存放太久。"
ESCALATION = "上层是好的，下层是烂的，是装箱时就混进去的坏果，请平台评评理。"
RULING = (
    "照片里发霉的果子都在箱子下层，霉从果蒂长起，是采摘后就有的病果，不是买家存放造成的；"
    "合作社的装箱照片只拍到上层。支持买家，全额退款，由保障金先行赔付，再从合作社下次结算中扣回。"
)
OPEN_TEXT = "菠萝到的时候底部已经发黑流汁，一箱里有两个不能吃，照片附上。"


#: Reviews: stars, freshness, packaging, speed, text, the cooperative's reply.
REVIEWS: dict[str, tuple[int, int, int, int, str, str | None]] = {
    "claim": (4, 4, 4, 5, "到货很快，上层的蜜桔很甜，还没吃到下面。", None),
    "recovery": (5, 5, 5, 4, "蜜桔很甜，水分足，家里老人孩子都爱吃，会回购。", None),
    "auto": (4, 4, 3, 4, "菠萝香甜，个头大，就是纸箱有点压扁了。", None),
    "reviewed": (
        5,
        5,
        5,
        5,
        "椪柑皮薄好剥，甜中带酸，一箱没有坏果，包装也用心。",
        "谢谢您的认可！今年雨水匀，果子甜，欢迎下次再来。",
    ),
}


def demo_photo(width: int = 48, height: int = 32) -> bytes:
    """A small PNG in the colour of mouldy fruit: the demo's claim photo (DEMO DATA)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(
        b"\x00"
        + b"".join(
            b"\x6b\x8e\x23" if (x // 8 + y // 8) % 2 else b"\xf0\x9a\x1c" for x in range(width)
        )
        for y in range(height)
    )
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


async def load_demo_fulfilment(
    db: AsyncSession,
    kit: Kit,
    gateway: SandboxGateway,
    *,
    now: datetime,
    progress: Callable[[str], None] = lambda _: None,
) -> bool:
    """Play the demo's parcels, claims and reviews; False if they were there. Needs the demo
    region, its ended session's payout made and the reactions between contexts connected."""
    buyer1 = await account(db, "buyer1")
    if any(order.session_id is None for order in await orders_of_buyer(db, buyer1.id)):
        return False
    carrier = SandboxCarrier(
        "demo", step_seconds=STEP_SECONDS, console_delay_ms=0, seed=CARRIER_SEED
    )
    play = Play(db, kit, gateway, carrier, now)
    placed = {}
    for parcel in PARCELS:
        placed[parcel.key] = await place(play, parcel)
        progress(parcel.key)
    for parcel in PARCELS:
        await ship(play, parcel, placed[parcel.key])
    await db.flush()
    await check(play, placed)
    await _confirm(play, placed)
    await _reviews(play, placed)
    await _claim(play, placed)
    await _waiting(play, placed["waiting"])
    progress("claims")
    return True


async def _confirm(play: Play, placed: dict[str, str]) -> None:
    """Buyers confirm receipt the evening of delivery; one forgets and receipt confirms itself
    after the auto-confirm days; the claim's order is paid out after the holding period."""
    db, settings = play.db, play.kit.settings
    hold = settings.payout_hold_days
    for key in ("claim", "recovery", "reviewed"):
        parcel = next(p for p in PARCELS if p.key == key)
        buyer = await account(db, parcel.buyer)
        order = await get_order(db, placed[key])
        moment = play.ago(parcel.scans[-1] - 3)
        await orders.do_deliver(db, buyer, order, hold_days=hold, now=moment)
    auto = next(p for p in PARCELS if p.key == "auto")
    due = play.ago(auto.scans[-1] - settings.auto_confirm_days * DAY - 1)
    await shipments.confirm_due(
        db,
        days=settings.auto_confirm_days,
        hold_days=hold,
        now=due,
        in_aftersales=aftersales.orders_in_aftersales,
    )
    paid_out = _paid_out(play, "claim")
    await payments.run_payouts(db, by=(await account(db, "operator")).id, now=paid_out)
    await expect(db, placed["claim"], "completed")


def _paid_out(play: Play, key: str) -> datetime:
    """The morning the order's payment is paid out: the buyer confirmed receipt three hours
    after delivery, the holding period passed, the payouts ran at the next run."""
    parcel = next(p for p in PARCELS if p.key == key)
    hold = play.kit.settings.payout_hold_days
    return play.ago(parcel.scans[-1] - 3 - hold * DAY - 14)


async def _reviews(play: Play, placed: dict[str, str]) -> None:
    db = play.db
    for key, (stars, fresh, packing, speed, text, reply) in REVIEWS.items():
        parcel = next(p for p in PARCELS if p.key == key)
        buyer = await account(db, parcel.buyer)
        posted = play.ago(parcel.scans[-1] - 20)
        row = await reviews.do_post_review(
            db,
            play.kit,
            buyer,
            placed[key],
            stars=stars,
            freshness=fresh,
            packaging=packing,
            speed=speed,
            text=text,
            photos=[],
            now=posted,
        )
        if reply is not None:
            farmer = await account(db, f"farmer.{parcel.county}")
            await db.flush()
            await reviews.do_reply(db, farmer, row.id, reply, now=posted + timedelta(hours=15))


async def _claim(play: Play, placed: dict[str, str]) -> None:
    """The claim on the paid-out order: refused, escalated, upheld by supervisor1; the refund
    settles and the fund pays it first. The recovery order's payout gives it back."""
    db, kit, gateway = play.db, play.kit, play.gateway
    parcel = next(p for p in PARCELS if p.key == "claim")
    buyer, farmer = await account(db, parcel.buyer), await account(db, "farmer.chenggu")
    opened = _paid_out(play, "claim") + timedelta(days=1)  # the rest of the box, a day later
    photo = Upload(demo_photo(), "claim.png")
    row = await aftersales.do_open(
        db,
        kit,
        buyer,
        placed["claim"],
        kind=Kind.REFUND_ONLY,
        reason=Reason.QUALITY,
        amount=None,
        text=CLAIM_TEXT,
        photos=[photo],
        now=opened,
    )
    await db.flush()
    answered = opened + timedelta(hours=20)
    await steps.do_answer(
        db,
        kit,
        gateway,
        farmer,
        row.id,
        answer=Answer.REFUSED,
        offer=None,
        text=REFUSAL,
        photos=[],
        now=answered,
    )
    await db.flush()
    escalated = answered + timedelta(hours=6)
    await steps.do_escalate(db, buyer, row.id, text=ESCALATION, now=escalated)
    await db.flush()
    decided = escalated + timedelta(hours=16)
    supervisor = await account(db, "supervisor1")
    await steps.do_decide(
        db,
        kit,
        gateway,
        supervisor,
        row.id,
        ruling=Ruling.BUYER,
        amount=None,
        text=RULING,
        now=decided,
    )
    await play.notices(decided)
    paid_out = _paid_out(play, "recovery")
    if not paid_out > decided:
        raise RuntimeError("the demo's recovering payout comes before the claim is paid")
    await payments.run_payouts(db, by=(await account(db, "operator")).id, now=paid_out)
    await expect(db, placed["recovery"], "completed")


async def _waiting(play: Play, order_id: str) -> None:
    """A fresh claim with a photo, opened this morning: the farmer's queue has it."""
    db = play.db
    buyer = await account(db, "buyer2")
    await aftersales.do_open(
        db,
        play.kit,
        buyer,
        order_id,
        kind=Kind.REFUND_ONLY,
        reason=Reason.QUALITY,
        amount=None,
        text=OPEN_TEXT,
        photos=[Upload(demo_photo(40, 40), "pineapple.png")],
        now=play.ago(3),
    )
    await db.flush()
