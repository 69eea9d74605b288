"""The demo's orders and parcels (issue 17): the demo buyers order the counties' produce
outside any session and pay in the sandbox; the cooperatives ship by booking the sandbox
carrier, whose scans move each parcel through the operators' console functions (``advance``,
``force_exception``) at past times, so that the demo holds a shipment in every state. The
after-sales and reviews on them are in :mod:`sunlit.demo.fulfilment`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.model import Actor
from sunlit.accounts.services import account_named
from sunlit.catalog.producers import services as producers
from sunlit.catalog.views import product_ids_of
from sunlit.demo.buying import buy_request, demo_address, settle
from sunlit.demo.data import COUNTIES, DELIVERY
from sunlit.fulfilment.shipments import services as shipments
from sunlit.fulfilment.shipments.model import CarrierNotice, ScanStatus
from sunlit.fulfilment.shipments.sandbox import SandboxCarrier
from sunlit.fulfilment.shipments.sandbox import deliver_in_process as deliver_scans
from sunlit.fulfilment.shipments.views import shipment_of
from sunlit.orders import services as orders
from sunlit.orders.desk import DeskRules, serve
from sunlit.orders.model import BuyRequest
from sunlit.orders.views import get_order
from sunlit.payments.sandbox import SandboxGateway
from sunlit.web.deps import Kit

#: The sandbox carrier's seed and step for the demo's parcels: a parcel still on its way
#: takes its next planned scan hours to days after the demo is loaded, as a real one would.
CARRIER_SEED = 18
STEP_SECONDS = 3 * 24 * 3600


@dataclass(frozen=True, slots=True)
class Parcel:
    """One demo order and how far its parcel went: paid ``paid_hours`` before now, booked an
    hour later, moved on by the console at each of ``scans`` (hours before now, oldest first:
    picked up, in transit, out for delivery, delivered), then ended in ``ends`` if set."""

    key: str
    buyer: str
    county: str
    qty: int
    paid_hours: int  # hours before now
    scans: tuple[int, ...] = ()
    ends: ScanStatus | None = None
    ends_hours: int = 0


DAY = 24
#: The demo's parcels. Times are hours before ``now``.
PARCELS: tuple[Parcel, ...] = (
    # delivered, confirmed by the buyer, paid out; then the quality claim the fund pays
    Parcel(
        "claim", "buyer2", "chenggu", 5, 20 * DAY, (19 * DAY, 18 * DAY + 12, 18 * DAY + 4, 18 * DAY)
    ),
    # delivered, confirmed, paid out after the claim: the payout gives the fund back
    Parcel(
        "recovery",
        "buyer1",
        "chenggu",
        8,
        15 * DAY,
        (14 * DAY, 13 * DAY + 12, 13 * DAY + 4, 13 * DAY),
    ),
    # delivered, receipt confirmed itself after the auto-confirm days
    Parcel(
        "auto", "buyer3", "xuwen", 6, 13 * DAY, (12 * DAY, 11 * DAY + 12, 11 * DAY + 4, 11 * DAY)
    ),
    # delivered, confirmed by the buyer, reviewed and replied to
    Parcel(
        "reviewed", "buyer1", "quzhou", 5, 8 * DAY, (7 * DAY, 6 * DAY + 12, 6 * DAY + 4, 6 * DAY)
    ),
    # delivered yesterday; a quality claim waits for the farmer's answer
    Parcel("waiting", "buyer2", "xuwen", 4, 3 * DAY, (2 * DAY, 2 * DAY - 8, 30, 20)),
    # the exceptions, ended from the console
    Parcel("lost", "buyer1", "enshi", 1, 7 * DAY, (6 * DAY, 5 * DAY), ScanStatus.LOST, 2 * DAY),
    Parcel("damaged", "buyer3", "quzhou", 4, 5 * DAY, (4 * DAY,), ScanStatus.DAMAGED, 3 * DAY),
    Parcel(
        "returned",
        "buyer2",
        "chenggu",
        2,
        6 * DAY,
        (5 * DAY, 4 * DAY),
        ScanStatus.RETURNED,
        3 * DAY,
    ),
    # still on their way: booked, picked up, in transit, out for delivery
    Parcel("booked", "buyer2", "quzhou", 3, 5, ()),
    Parcel("picked", "buyer3", "enshi", 1, 10, (4,)),
    Parcel("transit", "buyer3", "chenggu", 3, 30, (20, 8)),
    Parcel("out", "buyer1", "xuwen", 3, 2 * DAY, (40, 30, 3)),
)

#: The statuses the console moves give, in order (the carrier's plan, seeded, has no
#: exception of its own on these parcels; :func:`_ship` and :func:`_check` make sure).
ROUTE = (
    ScanStatus.PICKED_UP,
    ScanStatus.IN_TRANSIT,
    ScanStatus.OUT_FOR_DELIVERY,
    ScanStatus.DELIVERED,
)


@dataclass(frozen=True, slots=True)
class Play:
    """What every step needs: the transaction, the kit, the sandboxes and the moment the demo
    is loaded."""

    db: AsyncSession
    kit: Kit
    gateway: SandboxGateway
    carrier: SandboxCarrier
    now: datetime

    def ago(self, hours: float) -> datetime:
        return self.now - timedelta(hours=hours)

    async def notices(self, moment: datetime) -> None:
        """The gateway's notices of what happened at ``moment``, applied as its webhook would."""
        await settle(self.db, self.gateway, self.kit.settings, moment)

    async def scans(self, moment: datetime) -> None:
        """The carrier's notices due by ``moment``, applied as its receiver would."""
        days = self.kit.settings.auto_confirm_days

        async def apply(notice: CarrierNotice) -> None:
            await shipments.handle_notice(
                self.db, self.carrier, notice, confirm_days=days, now=moment
            )

        await deliver_scans(self.db, self.carrier, apply, now=moment)


async def account(db: AsyncSession, username: str) -> Actor:
    row = await account_named(db, username)
    if row is None:
        raise LookupError(f"demo account {username} is missing")
    return row


async def place(play: Play, parcel: Parcel) -> str:
    """The buyer orders outside any session and pays in the sandbox."""
    db, settings = play.db, play.kit.settings
    county = next(c for c in COUNTIES if c.slug == parcel.county)
    cooperative = await producers.producer_named(db, county.cooperative_zh)
    if cooperative is None:
        raise LookupError(f"demo cooperative {county.cooperative_zh} is missing")
    [product] = await product_ids_of(db, cooperative.id)
    buyer = await account(db, parcel.buyer)
    moment = play.ago(parcel.paid_hours)
    request = _request(buyer.id, parcel, product)
    rules = DeskRules(
        settings.order_expiry_minutes, settings.order_default_limit, settings.secret_key
    )
    [outcome] = await serve(db, [request], rules, moment)
    order = await get_order(db, orders.placed_or_raise(outcome).id)
    paying = moment + timedelta(minutes=2)
    payment = await orders.do_start_payment(db, play.gateway, buyer, order, now=paying)
    await play.gateway.decide(db, payment.gateway_ref, pay=True, now=paying)
    await play.notices(paying)
    await expect(db, order.id, "paid")
    return order.id


async def ship(play: Play, parcel: Parcel, order_id: str) -> None:
    """The cooperative books the carrier an hour after payment; the console moves the parcel
    on at each of its times (a second sorting centre on the way, halfway), or ends it in an
    exception."""
    db, carrier = play.db, play.carrier
    farmer = await account(db, f"farmer.{parcel.county}")
    before = play.ago(parcel.paid_hours - 1)
    shipment = await shipments.do_book_shipment(db, carrier, farmer, order_id, now=before)
    for target, hours in zip(ROUTE, parcel.scans, strict=False):
        moment = play.ago(hours)
        while True:
            waiting = [
                s for s in await carrier.scans(db, shipment.tracking_no) if s.queued_at is None
            ]
            planned = waiting[0].status if waiting else None
            if planned is target:
                at = moment
            elif planned is ScanStatus.IN_TRANSIT and target is ScanStatus.OUT_FOR_DELIVERY:
                at = before + (moment - before) / 2
            else:
                raise RuntimeError(f"the demo parcel {parcel.key} went {planned}: reseed it")
            await carrier.advance(db, shipment.tracking_no, now=at)
            await play.scans(at)
            before = at
            if planned is target:
                break
    if parcel.ends is not None:
        moment = play.ago(parcel.ends_hours)
        await carrier.force_exception(db, shipment.tracking_no, parcel.ends, now=moment)
        await play.scans(moment)


def expected(parcel: Parcel) -> ScanStatus:
    """Where the parcel's journey stands once the demo is loaded."""
    if parcel.ends is not None:
        return parcel.ends
    return ROUTE[len(parcel.scans) - 1] if parcel.scans else ScanStatus.BOOKED


async def check(play: Play, placed: dict[str, str]) -> None:
    """Each parcel stands where the demo says, and none still on its way has a scan due
    before ``now`` (the jobs loop of `make run` would take it at once)."""
    for parcel in PARCELS:
        shipment = await shipment_of(play.db, placed[parcel.key])
        assert shipment is not None
        if shipment.status != expected(parcel):
            raise RuntimeError(f"the demo parcel {parcel.key} is {shipment.status}: reseed it")
        for scan in await play.carrier.scans(play.db, shipment.tracking_no):
            if scan.queued_at is None and scan.at <= play.now:
                raise RuntimeError(f"the demo parcel {parcel.key} moves at once: reseed it")


def _request(buyer: str, parcel: Parcel, product: str) -> BuyRequest:
    """A buy as the checkout would make it, outside any session, checked the same."""
    return buy_request(
        buyer,
        product,
        parcel.qty,
        session=None,
        region=DELIVERY[parcel.buyer],
        key=f"demo-fulfilment-{parcel.key}",
        address=demo_address(2020 + PARCELS.index(parcel)),
        device=f"demo-{parcel.buyer}",
        ip=f"198.51.100.{list(DELIVERY).index(parcel.buyer) + 10}",
    )


async def expect(db: AsyncSession, order_id: str, state: str) -> None:
    order = await get_order(db, order_id)
    if order.state != state:
        raise RuntimeError(f"demo order {order_id} is {order.state}, not {state}")
