"""Majiang's blueberry season (issue 21, item 6): what the county page shows when sales do not
last. A cadre who sold blueberries on camera found that "on the days I was not on camera, the
blueberries sold less" (《疫情背景下的直播带货景象》). The demo plays that through: Majiang's
buyers order a few boxes a day; official.majiang hosts a session (the cooperative agrees to be
on the plan) and sells well; in the weeks after, with no official on camera, sales drop; then the
cooperative hosts its own session (farmer.majiang, approved by supervisor1) and sales come back
and stay. About 300 orders over three months, by up to 240 demo shoppers who come back now and then.

Every order goes the whole way through the use cases the routes call, at a time in the past:
placed, paid in the sandbox, booked with the sandbox carrier the next morning, delivered, its
receipt confirmed; a few are paid and then cancelled, so refunded. Payouts run once a week. The
sessions pass the stream gate, pin the blueberries and get the integrity monitor's final run.
The blueberries' certificate was valid all season and lapsed three days ago, as the demo's
quality gate shows. Idempotent: when the official's session is there, nothing is done."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from faker import Faker
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.model import Actor, NewAccount, Role
from sunlit.accounts.services import Passwords, account_named, do_register
from sunlit.catalog.model import Band, Unit
from sunlit.catalog.products import bands
from sunlit.core.eventlog import Event, EventType, append
from sunlit.demo.buying import buy_request, demo_address, settle
from sunlit.demo.data import BAND_SOURCE, COUNTIES, DemoCounty
from sunlit.demo.parcels import account, expect
from sunlit.demo.season import (
    FARMER_DAY,
    FARMER_TITLE,
    FIRST_DAY,
    HOMES,
    OFFICIAL_DAY,
    OFFICIAL_TITLE,
    Season,
    Wanted,
    season_orders,
    shopper_names,
)
from sunlit.demo.services import DEMO_ORIGIN
from sunlit.demo.upcoming import cooperative_products, submit_and_approve
from sunlit.filing import consent, gate
from sunlit.filing import services as filing
from sunlit.filing.model import PlanDraft, Purpose
from sunlit.filing.views import get_plan
from sunlit.fulfilment.aftersales import services as aftersales
from sunlit.fulfilment.aftersales import steps
from sunlit.fulfilment.aftersales.model import Answer, Kind, Reason
from sunlit.fulfilment.shipments import services as shipments
from sunlit.fulfilment.shipments.model import CarrierNotice
from sunlit.fulfilment.shipments.sandbox import SandboxCarrier
from sunlit.fulfilment.shipments.sandbox import deliver_in_process as deliver_scans
from sunlit.integrity.monitor import do_final_run
from sunlit.live import services as live
from sunlit.orders import services as orders
from sunlit.orders.desk import DeskRules, serve
from sunlit.orders.views import get_order
from sunlit.payments import services as payments
from sunlit.payments.sandbox import SandboxGateway
from sunlit.web.deps import Kit


def history_steps() -> int:
    return 6


@dataclass(frozen=True, slots=True)
class _Play:
    db: AsyncSession
    kit: Kit
    gateway: SandboxGateway
    season: Season
    official: Actor
    farmer: Actor

    async def notices(self, moment: datetime) -> None:
        """The gateway's notices of what happened at ``moment``, as its webhook applies them."""
        await settle(self.db, self.gateway, self.kit.settings, moment)


async def load_demo_history(
    db: AsyncSession,
    kit: Kit,
    gateway: SandboxGateway,
    passwords: Passwords,
    *,
    now: datetime,
    progress: Callable[[str], None] = lambda _: None,
) -> bool:
    """Play Majiang's season through; False if it was there. Needs the demo region and the
    reactions between contexts connected (``sunlit.app.reactions.connect``)."""
    official = await account(db, "official.majiang")
    if any(plan.title == OFFICIAL_TITLE for plan in await filing.list_plans(db, official)):
        return False
    county = next(c for c in COUNTIES if c.slug == "majiang")
    [product] = await cooperative_products(db, county.slug)
    settings, files = kit.settings, kit.files
    season = Season(now.astimezone(kit.zone).date(), kit.zone)
    farmer = await account(db, "farmer.majiang")
    play = _Play(db, kit, gateway, season, official, farmer)
    shoppers = await _shoppers(db, passwords, settings.demo_password, now=season.at(FIRST_DAY, 8))
    await _bands(play, county, operator=await account(db, "operator"))
    progress("shoppers")
    sessions = {
        "official": await _file(play, official, OFFICIAL_TITLE, OFFICIAL_DAY, product),
        "farmer": await _file(play, farmer, FARMER_TITLE, FARMER_DAY, product),
    }
    progress("filed")
    wanted = season_orders(season)
    for kind, session in sessions.items():
        host = official if kind == "official" else farmer
        days_ago = OFFICIAL_DAY if kind == "official" else FARMER_DAY
        await _go_live(play, host, session, product, days_ago, shoppers, wanted, kind)
    placed = await _buy(play, product, sessions, shoppers, wanted)
    progress("bought")
    for kind, session in sessions.items():
        days_ago = OFFICIAL_DAY if kind == "official" else FARMER_DAY
        end = season.at(days_ago, 21, 30)
        if not await gate.do_publish_done(db, session, now=end - timedelta(minutes=2)):
            raise RuntimeError(f"the demo's Majiang session {session} did not end")
        await do_final_run(db, files, season.zone, session, now=end, until=end)
    progress("aired")
    await _deliver(play, placed, shoppers)
    await _complaints(play, placed, shoppers)
    progress("delivered")
    await _payouts(play, now=now)
    for session in sessions.values():
        await db.flush()
        await do_final_run(db, files, season.zone, session, now=now, until=now)
    progress("figures")
    return True


#: The county's observed band for blueberries over the season (days ago, low, high; fen a jin):
#: prices eased as the harvest came in.
BANDS = ((FIRST_DAY + 8, 3200, 5200), (49, 2800, 4800))


async def _bands(play: _Play, county: DemoCounty, *, operator: Actor) -> None:
    berries = county.produce[0]
    for days_ago, low, high in BANDS:
        observed = play.season.day - timedelta(days=days_ago)
        band = Band(berries.kind, county.code, low, high, Unit.JIN, observed, BAND_SOURCE)
        await bands.do_add_band(play.db, operator, band, now=play.season.at(days_ago, 11))
    await play.db.flush()


async def _shoppers(
    db: AsyncSession, passwords: Passwords, password: str, *, now: datetime
) -> list[Actor]:
    """The season's demo shoppers, ``shopper001`` to ``shopper240`` (the demo's password)."""
    fake = Faker("zh_CN")
    fake.seed_instance(522635)
    people = []
    for username in shopper_names():
        if await account_named(db, username) is None:
            new = NewAccount(username, fake.name(), password, Role.CONSUMER)
            await do_register(db, passwords, new, now=now, origin=DEMO_ORIGIN, trusted=True)
        people.append(await account(db, username))
    return people


async def _file(play: _Play, host: Actor, title: str, days_ago: int, product: str) -> str:
    """Filed a week ahead, checked by the boundary rules, approved by supervisor1; the
    cooperative agrees to be on the official's plan and commits its stock."""
    db, season = play.db, play.season
    official = host.role is Role.OFFICIAL
    draft = PlanDraft(
        title=title,
        starts_at=season.at(days_ago, 19, 30),
        ends_at=season.at(days_ago, 21, 30),
        product_ids=(product,),
        purpose=Purpose.REGIONAL_BRAND,
        promotions="每盒 500 克，坏果包赔。",
        declares_no_payment=official,
    )
    filed = season.at(days_ago + 7, 10)
    plan = await filing.do_draft(db, host, draft, now=filed)
    await db.flush()
    if official:
        await consent.do_answer(
            db, play.farmer, plan.id, product, agree=True, stock=800, reason="", now=filed
        )
    await submit_and_approve(
        db,
        play.kit,
        host,
        plan.id,
        submitted=filed + timedelta(minutes=5),
        decided=season.at(days_ago + 6, 15),
        reason="本县合作社的蓝莓，质检证明有效，报备齐全。",
    )
    return plan.id


async def _go_live(
    play: _Play,
    host: Actor,
    session: str,
    product: str,
    days_ago: int,
    shoppers: list[Actor],
    wanted: list[Wanted],
    kind: str,
) -> None:
    """The gate lets the approved key through, the host pins the blueberries, and the room
    fills: each buyer joins a few minutes before buying, among viewers who only watch."""
    db, settings, season = play.db, play.kit.settings, play.season
    starts = season.at(days_ago, 19, 30)
    plan = await get_plan(db, session)
    assert plan.stream_nonce is not None
    key = filing.stream_secret(settings.secret_key, session, plan.stream_nonce)
    grace = timedelta(minutes=settings.stream_grace_minutes)
    answer = await gate.do_publish(
        db, session, key, secret=settings.secret_key, now=starts, grace=grace
    )
    if not answer.allowed:
        raise RuntimeError(f"the stream gate refused the demo's Majiang session: {answer.reason}")
    await live.do_pin(db, host, session, product, offer_minutes=None, now=starts)
    buyers = {w.shopper: w.at for w in reversed(wanted) if w.session == kind}
    for index, first in sorted(buyers.items()):
        seen = {"device": f"demo-shopper-{index}", "ip": _ip(index), "client": "web"}
        joined = max(starts, first - timedelta(minutes=4))
        append(db, Event(EventType.VIEWER_JOINED, joined, seen, actor=shoppers[index].id,
                         session=session))  # fmt: skip
    for n in range(3 * len(buyers)):  # who watched without buying, signed out
        seen = {"device": f"demo-viewer-{kind}-{n}", "ip": f"203.0.113.{n % 250 + 1}",
                "client": "web"}  # fmt: skip
        joined = starts + timedelta(minutes=(7 * n) % 110)
        append(db, Event(EventType.VIEWER_JOINED, joined, seen, session=session))


def _ip(index: int) -> str:
    return f"198.51.100.{index + 40}"


async def _buy(
    play: _Play,
    product: str,
    sessions: dict[str, str],
    shoppers: list[Actor],
    wanted: list[Wanted],
) -> list[tuple[str, Wanted]]:
    """Each order placed and paid in the sandbox; the refunded ones cancelled an hour later."""
    db, settings = play.db, play.kit.settings
    rules = DeskRules(
        settings.order_expiry_minutes, settings.order_default_limit, settings.secret_key
    )
    placed = []
    for number, want in enumerate(wanted, start=1):
        buyer = shoppers[want.shopper]
        session = sessions[want.session] if want.session else None
        request = buy_request(
            buyer.id,
            product,
            want.qty,
            session=session,
            region=HOMES[want.shopper % len(HOMES)],
            key=f"demo-majiang-{number}",
            address=demo_address(522635 + want.shopper),
            device=f"demo-shopper-{want.shopper}",
            ip=_ip(want.shopper),
        )
        if session is not None:
            await orders.check_session(db, session, product, now=want.at)
        [outcome] = await serve(db, [request], rules, want.at)
        order = await get_order(db, orders.placed_or_raise(outcome).id)
        paying = want.at + timedelta(minutes=2)
        payment = await orders.do_start_payment(db, play.gateway, buyer, order, now=paying)
        await play.gateway.decide(db, payment.gateway_ref, pay=True, now=paying)
        await play.notices(paying)
        await expect(db, order.id, "paid")
        if want.refunded:
            cancelled = want.at + timedelta(hours=1)
            await orders.do_cancel(db, play.gateway, buyer, order, reason="买多了", now=cancelled)
            await play.notices(cancelled)
            await expect(db, order.id, "refunded")
        else:
            placed.append((order.id, want))
        if number % 20 == 0:
            await _lighten(db)
    return placed


async def _deliver(play: _Play, placed: list[tuple[str, Wanted]], shoppers: list[Actor]) -> None:
    """Each morning the cooperative books the carrier for the orders of the day before; the
    parcels arrive in one to three days and each buyer confirms receipt that evening."""
    db, settings, zone = play.db, play.kit.settings, play.season.zone
    carrier = SandboxCarrier(
        "demo-majiang", step_seconds=14 * 3600, console_delay_ms=0, seed=522635, exceptions=False
    )
    days, hold = settings.auto_confirm_days, settings.payout_hold_days
    by_day: dict[date, list[tuple[str, Wanted]]] = {}
    for order_id, want in placed:
        by_day.setdefault(want.at.astimezone(zone).date() + timedelta(days=1), []).append(
            (order_id, want)
        )
    for day, batch in sorted(by_day.items()):
        await _lighten(db)
        booked = datetime.combine(day, time(10)).replace(tzinfo=zone)
        for order_id, _ in batch:
            await shipments.do_book_shipment(db, carrier, play.farmer, order_id, now=booked)
        arrived = booked + timedelta(days=3)

        async def scanned(notice: CarrierNotice, at: datetime = arrived) -> None:
            await shipments.handle_notice(db, carrier, notice, confirm_days=days, now=at)

        await deliver_scans(db, carrier, scanned, now=arrived)
        confirmed = arrived + timedelta(hours=9)
        for order_id, want in batch:
            order = await get_order(db, order_id)
            await orders.do_deliver(
                db, shoppers[want.shopper], order, hold_days=hold, now=confirmed
            )


#: What some buyers complained of (the seeds: "物流太慢、包装太大"), by the order's number in the
#: season: the reason, the refund asked in fen, the words. The cooperative accepts each.
COMPLAINTS = (
    (40, Reason.LATE, 500, "快递走了四天才到，有几颗蓝莓压软了，希望补偿一点。"),
    (120, Reason.PACKAGING, 300, "一盒蓝莓用了一个大纸箱，泡沫塞满，包装太大太浪费了。"),
    (190, Reason.LATE, 500, "比页面上写的晚到了两天，蓝莓还好，就是等得有点久。"),
)


async def _complaints(play: _Play, placed: list[tuple[str, Wanted]], shoppers: list[Actor]) -> None:
    """A buyer asks for part of the money back the day after delivery; the cooperative
    accepts the next morning and the sandbox refunds it."""
    db, zone = play.db, play.season.zone
    for number, reason, amount, text in COMPLAINTS:
        order_id, want = placed[min(number, len(placed) - 1)]
        booked = datetime.combine(want.at.astimezone(zone).date(), time(10)).replace(tzinfo=zone)
        opened = booked + timedelta(days=4, hours=10)  # arrived three days after booking
        request = await aftersales.do_open(
            db, play.kit, shoppers[want.shopper], order_id, kind=Kind.REFUND_ONLY,
            reason=reason, amount=amount, text=text, photos=[], now=opened,
        )  # fmt: skip
        answered = opened + timedelta(hours=14)
        await steps.do_answer(
            db, play.kit, play.gateway, play.farmer, request.id, answer=Answer.ACCEPTED,
            offer=None, text="抱歉，已按您的要求退款，我们会换更小的包装、更快的快递。",
            photos=[], now=answered,
        )  # fmt: skip
        await play.notices(answered)


async def _lighten(db: AsyncSession) -> None:
    """Write what is pending and forget the rows read so far: a flush looks at every row the
    session holds, so one transaction of hundreds of orders would slow down as it grows."""
    await db.flush()
    db.expunge_all()


async def _payouts(play: _Play, *, now: datetime) -> None:
    """The operator runs payouts every Monday morning of the season, up to a week ago."""
    operator = await account(play.db, "operator")
    day = play.season.day - timedelta(days=FIRST_DAY)
    day += timedelta(days=(7 - day.weekday()) % 7)
    while (moment := play.season.at((play.season.day - day).days, 9)) < now - timedelta(days=7):
        await payments.run_payouts(play.db, by=operator.id, now=moment)
        day += timedelta(days=7)
