"""A demo session that has ended, with its whole public record (issue 16): official.dangshan
files a plan for the county's pears well ahead (the cooperative agrees), supervisor1 approves
it, it goes live through the stream gate, the pears are pinned, demo buyers order and pay in the
sandbox (one pays and cancels, so is refunded; one cancels unpaid), the stream ends, the
cooperative ships, buyers confirm delivery, and after the holding period the payout reaches the
cooperative and three member households. The integrity monitor's final run gives the figures.

Every step is the use case the API routes call, with an explicit time: the session took place
days before the demo's ``now``, so `make run` on any day shows it ended. Idempotent: a plan with
the demo's title is kept as it is. The demo's concern and announced claim about this session
are loaded after it, in ``sunlit.cli._load_demo`` (the hook is :class:`DemoSession`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from faker import Faker
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.model import Actor
from sunlit.accounts.services import account_named
from sunlit.catalog.model import Band, ProducerDraft, ProducerKind, Unit
from sunlit.catalog.producers import services as producers
from sunlit.catalog.products import bands
from sunlit.catalog.views import product_ids_of
from sunlit.core.eventlog import Event, EventType, append
from sunlit.core.files.store import LocalFileStore
from sunlit.demo.buying import buy_request, settle
from sunlit.demo.data import (
    BAND_SOURCE,
    COUNTIES,
    DELIVERY,
    HOUSEHOLDS,
    SESSION_INVITED_BY,
    SESSION_ORDERS,
    SESSION_PARTNER,
    SESSION_TITLE,
    DemoCounty,
    DemoOrder,
)
from sunlit.filing import consent, gate
from sunlit.filing import services as filing
from sunlit.filing.model import Partner, PartnerKind, PlanDraft, PlanStatus, Purpose
from sunlit.filing.views import get_plan, plan_product_ids
from sunlit.fulfilment.shipments import services as shipments
from sunlit.fulfilment.shipments.model import CarrierNotice
from sunlit.fulfilment.shipments.sandbox import SandboxCarrier
from sunlit.fulfilment.shipments.sandbox import deliver_in_process as deliver_scans
from sunlit.integrity.monitor import do_final_run
from sunlit.live import services as live
from sunlit.orders import services as orders
from sunlit.orders.desk import DeskRules, serve
from sunlit.orders.model import BuyRequest
from sunlit.orders.views import get_order
from sunlit.payments import services as payments
from sunlit.payments.sandbox import SandboxGateway
from sunlit.settings import Settings

PARTNER = Partner(SESSION_PARTNER[0], PartnerKind.ENTERPRISE, None, SESSION_PARTNER[1])


@dataclass(frozen=True, slots=True)
class DemoSession:
    """What the demo's concern and claim attach to (issue 16)."""

    session: str
    product: str
    created: bool  # False: it was there already, nothing was changed


@dataclass(frozen=True, slots=True)
class Timeline:
    """When each step happened, from the day of the session (in the demo's time zone)."""

    day: date
    zone: ZoneInfo

    def at(self, days: int, hour: int, minute: int = 0) -> datetime:
        local = datetime.combine(self.day + timedelta(days=days), time(hour, minute), self.zone)
        return local.astimezone(ZoneInfo("UTC"))

    @property
    def starts(self) -> datetime:
        return self.at(0, 19, 30)

    @property
    def ends(self) -> datetime:
        return self.at(0, 21, 30)


def timeline(now: datetime, zone: ZoneInfo, hold_days: int) -> Timeline:
    """The session took place long enough ago for its payout, after delivery and the holding
    period (see :func:`_after`), to be two days old."""
    today = now.astimezone(zone).date()
    return Timeline(today - timedelta(days=hold_days + 6), zone)


def demo_session_steps() -> int:
    return 7 + len(SESSION_ORDERS)


async def _account(db: AsyncSession, username: str) -> Actor:
    row = await account_named(db, username)
    if row is None:
        raise LookupError(f"demo account {username} is missing")
    return row


@dataclass(frozen=True, slots=True)
class _Play:
    """What every step of the play needs: the transaction, the settings, the sandbox gateway,
    when things happen and who does them."""

    db: AsyncSession
    settings: Settings
    gateway: SandboxGateway
    files: LocalFileStore
    when: Timeline
    official: Actor
    farmer: Actor
    operator: Actor

    async def notices(self, moment: datetime) -> None:
        """The gateway's notices of what happened at ``moment``, as its webhook applies them."""
        await settle(self.db, self.gateway, self.settings, moment)

    async def final_run(self, session: str, *, now: datetime, until: datetime) -> None:
        await self.db.flush()
        zone = ZoneInfo(self.settings.timezone)
        await do_final_run(self.db, self.files, zone, session, now=now, until=until)


async def load_demo_session(
    db: AsyncSession,
    settings: Settings,
    gateway: SandboxGateway,
    files: LocalFileStore,
    *,
    now: datetime,
    progress: Callable[[str], None] = lambda _: None,
) -> DemoSession:
    """Play the demo session through, unless it is there. Needs the demo region and accounts
    (:func:`sunlit.demo.services.load_demo`) and the reactions between contexts connected
    (``sunlit.app.reactions.connect``): a captured payment marks its order paid through them."""
    official = await _account(db, "official.dangshan")
    for plan in await filing.list_plans(db, official):
        if plan.title == SESSION_TITLE:
            [product] = await plan_product_ids(db, plan.id)
            return DemoSession(plan.id, product, created=False)
    county = next(c for c in COUNTIES if c.slug == "dangshan")
    cooperative = await producers.producer_named(db, county.cooperative_zh)
    if cooperative is None:
        raise LookupError(f"demo cooperative {county.cooperative_zh} is missing")
    [product] = await product_ids_of(db, cooperative.id)
    play = _Play(
        db,
        settings,
        gateway,
        files,
        timeline(now, ZoneInfo(settings.timezone), settings.payout_hold_days),
        official,
        await _account(db, "farmer.dangshan"),
        await _account(db, "operator"),
    )
    await _before(play, county, cooperative.id)
    progress("households")
    session = await _file(play, product)
    progress("filed")
    placed = await _on_air(play, session, product, progress)
    progress("ended")
    await _after(play, session, placed, progress)
    return DemoSession(session, product, created=True)


async def _before(play: _Play, county: DemoCounty, cooperative: str) -> None:
    """Three households share the cooperative's payouts; the county's band is observed."""
    when, members = play.when, []
    for name, _ in HOUSEHOLDS:
        household = ProducerDraft(
            ProducerKind.HOUSEHOLD,
            name,
            county.code,
            village=county.village_zh,
            cooperative_id=cooperative,
        )
        row = await producers.do_register_producer(
            play.db, play.operator, household, now=when.at(-6, 9)
        )
        members.append(row.id)
    await play.db.flush()
    shares = [(m, bp) for m, (_, bp) in zip(members, HOUSEHOLDS, strict=True)]
    await payments.do_set_payout_shares(
        play.db, play.farmer, cooperative, shares, now=when.at(-6, 9, 30)
    )
    pears = county.produce[0]
    observed = when.day - timedelta(days=6)
    band = Band(
        pears.kind, county.code, pears.band_low_fen, pears.band_high_fen, Unit.JIN, observed,
        BAND_SOURCE,
    )  # fmt: skip
    await bands.do_add_band(play.db, play.operator, band, now=when.at(-6, 11))


async def _file(play: _Play, product: str) -> str:
    """Filed well ahead, checked by the boundary rules, approved by a supervisor."""
    db, when, official = play.db, play.when, play.official
    draft = PlanDraft(
        title=SESSION_TITLE,
        starts_at=when.starts,
        ends_at=when.ends,
        product_ids=(product,),
        partners=(PARTNER,),
        purpose=Purpose.REGIONAL_BRAND,
        promotions="直播间下单满 5 斤产地直发；坏果包赔。",
        declares_no_payment=True,
        invited_by=SESSION_INVITED_BY,
    )
    plan = await filing.do_draft(db, official, draft, now=when.at(-5, 10))
    await db.flush()
    await consent.do_answer(  # the cooperative agrees, committing its stock (issue 21)
        db, play.farmer, plan.id, product, agree=True, stock=3000, reason="", now=when.at(-5, 10)
    )
    rules = play.settings.filing_rule_settings()
    plan = await filing.do_submit(
        db, official, plan.id, now=when.at(-5, 10, 5), rule_settings=rules
    )
    if plan.status != PlanStatus.CHECKED:  # a certificate lapsed since the region was loaded
        raise RuntimeError(f"the demo plan was {plan.status} by the rules: {plan.findings}")
    supervisor = await _account(db, "supervisor1")
    reason = "本地特色农产品，报备齐全，合作方已说明公益理由。"
    await filing.do_decide(
        db, supervisor, plan.id, approve=True, reason=reason, now=when.at(-4, 15)
    )
    return plan.id


async def _on_air(
    play: _Play, session: str, product: str, progress: Callable[[str], None]
) -> list[tuple[str, DemoOrder]]:
    """The stream gate lets the approved key through, the pears are pinned, the buyers order
    and pay (or not) in the sandbox, the stream ends and the monitor makes its final run."""
    db, settings, gateway, when = play.db, play.settings, play.gateway, play.when
    plan = await get_plan(db, session)
    assert plan.stream_nonce is not None
    key = filing.stream_secret(settings.secret_key, session, plan.stream_nonce)
    grace = timedelta(minutes=settings.stream_grace_minutes)
    answer = await gate.do_publish(
        db, session, key, secret=settings.secret_key, now=when.starts, grace=grace
    )
    if not answer.allowed:
        raise RuntimeError(f"the stream gate refused the demo session: {answer.reason}")
    pinned = when.starts + timedelta(minutes=3)
    await live.do_pin(db, play.official, session, product, offer_minutes=None, now=pinned)
    progress("live")

    fake = Faker("zh_CN")
    fake.seed_instance(2020)
    addresses = {name: (fake.street_address(), fake.name(), _phone(fake)) for name in DELIVERY}
    buyers = {name: await _account(db, name) for name in DELIVERY}
    for seat, buyer in enumerate(buyers.values(), start=1):  # the room's own record
        joined = when.starts + timedelta(minutes=seat)
        seen = {"device": f"demo-device-{seat}", "ip": f"10.0.0.{seat}", "client": "web"}
        append(db, Event(EventType.VIEWER_JOINED, joined, seen, actor=buyer.id, session=session))
    rules = DeskRules(
        settings.order_expiry_minutes, settings.order_default_limit, settings.secret_key
    )
    placed = []
    for number, wanted in enumerate(SESSION_ORDERS, start=1):
        moment = when.starts + timedelta(minutes=wanted.minute)
        buyer = buyers[wanted.buyer]
        address = addresses[wanted.buyer]
        request = _request(buyer.id, product, session, wanted, f"demo-{number}", address)
        await orders.check_session(db, session, product, now=moment)
        [outcome] = await serve(db, [request], rules, moment)
        order = await get_order(db, orders.placed_or_raise(outcome).id)
        if wanted.fate == "dropped":
            cancelled = moment + timedelta(minutes=4)
            await orders.do_cancel(db, gateway, buyer, order, reason="拍重了", now=cancelled)
        else:
            paying = moment + timedelta(minutes=2)
            payment = await orders.do_start_payment(db, gateway, buyer, order, now=paying)
            await gateway.decide(db, payment.gateway_ref, pay=True, now=paying)
            await play.notices(paying)
            await _expect(db, order.id, "paid")
        if wanted.fate == "refunded":
            cancelled = moment + timedelta(minutes=20)
            await orders.do_cancel(db, gateway, buyer, order, reason="买多了", now=cancelled)
            await play.notices(cancelled)
            await _expect(db, order.id, "refunded")
        placed.append((order.id, wanted))
        progress(order.id)

    if not await gate.do_publish_done(db, session, now=when.ends - timedelta(minutes=3)):
        raise RuntimeError("the demo session did not end")
    await play.final_run(session, now=when.ends, until=when.ends)
    return placed


async def _after(
    play: _Play,
    session: str,
    placed: list[tuple[str, DemoOrder]],
    progress: Callable[[str], None],
) -> None:
    """Shipped with the sandbox carrier, delivered, paid out when the holding period is over;
    the monitor's late run counts what happened to the orders since the end."""
    db, when, hold = play.db, play.when, play.settings.payout_hold_days
    delivered = when.at(3, 18)
    paid_out = delivered + timedelta(days=hold, hours=16)  # the morning after the hold ends
    kept = [order_id for order_id, wanted in placed if wanted.fate == "kept"]
    buyer_of = {order_id: wanted.buyer for order_id, wanted in placed}
    carrier = SandboxCarrier(
        "demo", step_seconds=play.settings.sandbox_carrier_step_seconds, console_delay_ms=0, seed=7
    )
    for order_id in kept:  # shipped with the sandbox carrier, whose scans come in by evening
        await shipments.do_book_shipment(db, carrier, play.farmer, order_id, now=when.at(1, 10))
    days = play.settings.auto_confirm_days

    async def scanned(notice: CarrierNotice) -> None:
        await shipments.handle_notice(db, carrier, notice, confirm_days=days, now=delivered)

    await deliver_scans(db, carrier, scanned, now=delivered)
    for order_id in kept:  # and each buyer confirms receipt
        buyer = await _account(db, buyer_of[order_id])
        order = await get_order(db, order_id)
        await orders.do_deliver(db, buyer, order, hold_days=hold, now=delivered)
    progress("delivered")
    if not await payments.run_payouts(db, by=play.operator.id, now=paid_out):
        raise RuntimeError("the demo session's payout was not made")
    for order_id in kept:
        await _expect(db, order_id, "completed")
    progress("paid out")
    await play.final_run(session, now=paid_out + timedelta(minutes=10), until=paid_out)
    progress("figures")


def _phone(fake: Faker) -> str:
    return "1" + str(fake.random_number(digits=10, fix_len=True))


def _request(
    buyer: str,
    product: str,
    session: str,
    wanted: DemoOrder,
    key: str,
    address: tuple[str, str, str],
) -> BuyRequest:
    """A buy as the checkout would make it (``orders.forms.buy_request``), checked the same."""
    return buy_request(
        buyer,
        product,
        wanted.qty,
        session=session,
        region=DELIVERY[wanted.buyer],
        key=key,
        address=address,
        device=f"demo-{wanted.buyer}",
        ip=f"198.51.100.{list(DELIVERY).index(wanted.buyer) + 10}",
    )


async def _expect(db: AsyncSession, order_id: str, state: str) -> None:
    """The order moved as the payment's reactions should have moved it."""
    order = await get_order(db, order_id)
    if order.state != state:
        raise RuntimeError(
            f"demo order {order_id} is {order.state}, not {state}: are the reactions between "
            "contexts connected (sunlit.app.reactions.connect)?"
        )
