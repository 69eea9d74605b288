"""A session's plan and its orders, and the events that record them.

Orders are planned first (who, what, when, how it ends) and written last, so that a pass over
every order of the session (an enterprise's share, the figures a claim is checked against) sees
them all before anything is emitted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sunlit.independent import texts
from sunlit.independent.catalogue import Producer, Product
from sunlit.independent.world import DAY, HOUR, MINUTE, Account, World, fmt_ts

#: How an order ends: delivered, cancelled (unpaid or by the buyer), refunded (before or after
#: shipping), paid but never shipped.
OUTCOMES = ("delivered", "expired", "cancelled", "refunded", "refunded_after", "unshipped")


@dataclass
class Order:
    id: str
    buyer: Account
    product: Product
    qty: int
    placed: int
    device: str
    ip: str
    address: tuple[str, str]
    payment: str
    outcome: str = "delivered"
    outcome_delay: int = 0  # after the session's end, for cancellations and refunds
    complaint: str | None = None
    complaint_text: str = ""
    stars: int | None = None
    honest: bool = True
    refund_reason: str = "买家申请退款"

    @property
    def unit_price(self) -> int:
        return self.product.price_at(self.placed)

    @property
    def amount(self) -> int:
        return self.qty * self.unit_price

    @property
    def counts(self) -> bool:
        """Whether the order stays in verified figures (paid, not cancelled or refunded)."""
        return self.outcome in ("delivered", "unshipped")


@dataclass
class SessionPlan:
    id: str
    official: Account
    title: str
    region: str
    start: int
    end: int
    products: list[Product]
    producers: list[Producer]
    partners: list[dict[str, Any]] = field(default_factory=list)
    purpose: str = "unsalable"
    official_name: str = ""
    favoured: dict[str, float] = field(default_factory=dict)  # producer -> share of sales
    pins: list[tuple[int, str]] = field(default_factory=list)
    orders: list[Order] = field(default_factory=list)
    honest_viewers: set[str] = field(default_factory=set)
    watchers: set[str] = field(default_factory=set)  # everyone who joined, abusers included
    bots: set[str] = field(default_factory=set)

    def pinned_at(self, ts: int) -> Product:
        current = self.products[0].id
        for at, product in self.pins:
            if at <= ts:
                current = product
        return next(p for p in self.products if p.id == current)

    def produce_word(self, at: int | None = None) -> str:
        """What viewers call the produce: the product on screen (or the first), without its
        brand and pack size."""
        product = self.pinned_at(at) if at is not None and self.pins else self.products[0]
        name = product.name.split(" ")
        return name[-2] if len(name) >= 2 else name[0]


def draw_pins(world: World, plan: SessionPlan) -> None:
    """Present the products in turn, some twice, each for a few minutes to twenty."""
    at = plan.start + world.between(1, 5) * MINUTE
    order = [plan.products[int(i)].id for i in world.rng.permutation(len(plan.products))]
    order = order + [world.pick(order) for _ in range(world.between(0, 3))]
    for product in order:
        if at >= plan.end - 2 * MINUTE:
            break
        plan.pins.append((at, product))
        at += int(world.uniform(4, 22) * MINUTE)


def write_plan(world: World, plan: SessionPlan) -> None:
    """Filing, listings, start, pins and end."""
    filed = plan.start - world.between(2, 9) * DAY - world.between(0, 10) * HOUR
    world.register(plan.official, filed)
    world.emit(
        filed,
        "session.filed",
        plan.id,
        plan.official.id,
        {
            "official": plan.official.id,
            "official_region": plan.region,
            "scheduled_start": fmt_ts(plan.start),
            "scheduled_end": fmt_ts(plan.end),
            "products": [p.id for p in plan.products],
            "partners": plan.partners,
            "purpose": plan.purpose,
        },
    )
    kinds = {pr.id: pr for pr in plan.producers}
    for product in plan.products:
        listed = product.listed_at or filed - world.between(1, 20) * HOUR
        world.emit(
            listed,
            "product.listed",
            None,
            None,
            {
                "product": product.id,
                "name": product.name,
                "category": product.category,
                "origin_region": plan.region,
                "producer": product.producer,
                "producer_kind": kinds[product.producer].kind,
                "price": product.price,
                "reference_price_low": product.ref_low,
                "reference_price_high": product.ref_high,
                "declared_cost": product.cost,
                "stock": product.stock,
            },
        )
        for at, price, clearance in product.changes:
            data: dict[str, Any] = {"product": product.id, "price": price}
            if clearance:
                data["clearance"] = clearance
            world.emit(at, "product.price_changed", None, None, data)
    world.emit(plan.start, "session.started", plan.id, plan.official.id, {})
    for at, pid in plan.pins:
        world.emit(at, "product.pinned", plan.id, plan.official.id, {"product": pid})
    world.emit(plan.end, "session.ended", plan.id, plan.official.id, {})


def write_order(world: World, plan: SessionPlan, order: Order) -> None:
    """The order's whole life: placed, paid, then its outcome days after the session."""
    world.register(order.buyer, order.placed)
    sid = plan.id
    world.emit(
        order.placed,
        "order.placed",
        sid,
        order.buyer.id,
        {
            "order": order.id,
            "product": order.product.id,
            "qty": order.qty,
            "unit_price": order.unit_price,
            "amount": order.amount,
            "address": {"region": order.address[0], "detail_hash": order.address[1]},
            "device": order.device,
            "ip": order.ip,
            "payment_method": order.payment,
        },
    )
    if order.outcome == "expired":
        world.emit(
            order.placed + 30 * MINUTE,
            "order.cancelled",
            sid,
            None,
            {"order": order.id, "reason": "expired"},
        )
        return
    paid = order.placed + world.between(3, 90) * 1000
    world.emit(paid, "order.paid", sid, None, {"order": order.id})
    after = max(max(plan.end, paid) + order.outcome_delay, paid + 30_000)
    if order.outcome == "cancelled":
        world.emit(
            after,
            "order.cancelled",
            sid,
            order.buyer.id,
            {
                "order": order.id,
                "reason": world.pick(
                    ("cancelled by the buyer", "拍错了", "不想要了", "地址填错了")
                ),
            },
        )
        return
    if order.outcome == "refunded":
        world.emit(
            after,
            "order.refunded",
            sid,
            None,
            {"order": order.id, "amount": order.amount, "reason": order.refund_reason},
        )
        return
    if order.outcome == "unshipped":
        return
    shipped = paid + int(world.uniform(8, 70) * HOUR)
    world.emit(
        shipped,
        "order.shipped",
        sid,
        None,
        {
            "order": order.id,
            "carrier": world.pick(("中通", "圆通", "顺丰", "韵达", "邮政", "京东")),
        },
    )
    delivered = shipped + int(world.uniform(20, 110) * HOUR)
    world.emit(delivered, "order.delivered", sid, order.buyer.id, {"order": order.id})
    if order.complaint:
        filed = delivered + int(world.uniform(1, 60) * HOUR)
        text = order.complaint_text or texts.complaint_text(world, order.complaint)
        world.emit(
            filed,
            "complaint.filed",
            sid,
            order.buyer.id,
            {"order": order.id, "category": order.complaint, "text": text},
        )
        if order.outcome == "refunded_after":
            world.emit(
                filed + int(world.uniform(2, 48) * HOUR),
                "order.refunded",
                sid,
                None,
                {
                    "order": order.id,
                    "amount": order.amount if world.chance(0.6) else order.amount // 2,
                    "reason": "质量问题",
                },
            )
    elif order.outcome == "refunded_after":
        world.emit(
            delivered + int(world.uniform(5, 72) * HOUR),
            "order.refunded",
            sid,
            None,
            {"order": order.id, "amount": order.amount, "reason": order.refund_reason},
        )
    if order.stars is not None:
        world.emit(
            delivered + int(world.uniform(3, 200) * HOUR),
            "review.posted",
            sid,
            order.buyer.id,
            {
                "order": order.id,
                "stars": order.stars,
                "text": texts.review_text(world, order.stars),
            },
        )


def new_order(
    world: World,
    plan: SessionPlan,
    buyer: Account,
    product: Product,
    qty: int,
    at: int,
    *,
    payment: str | None = None,
    honest: bool = True,
) -> Order:
    """An order from ``buyer``'s own device, network and address."""
    if payment is None:
        payment = str(
            world.rng.choice(
                ["wallet", "bank_card", "union_card", "corporate"], p=[0.62, 0.33, 0.04, 0.01]
            )
        )
    order = Order(
        world.new_id("T", 12),
        buyer,
        product,
        qty,
        at,
        buyer.device,
        buyer.ip,
        (buyer.home, buyer.address),
        payment,
        honest=honest,
    )
    plan.orders.append(order)
    return order
