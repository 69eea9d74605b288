"""What a session sold, product by product, and its live figures: a fold over the session's
events (pure: no I/O). The orders and viewers a supervisor confirmed as fake are left out, as
the verified figures leave them out (docs/integrity.md, "Verified figures")."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

#: The event types the fold reads.
TYPES = (
    "viewer.joined",
    "order.placed",
    "order.paid",
    "order.cancelled",
    "order.refunded",
    "complaint.filed",
)


class Happened(Protocol):
    @property
    def type(self) -> str: ...
    @property
    def actor(self) -> str | None: ...
    @property
    def data(self) -> dict[str, Any]: ...


@dataclass(slots=True)
class _Order:
    product: str
    qty: int
    amount: int
    paid: bool = False
    cancelled: bool = False
    refunded: int = 0
    complaints: int = 0


@dataclass(frozen=True, slots=True)
class Settlement:
    """What became of one order's payment (from the ledger): the platform's fee, the guarantee
    fund's share, whether it has been paid out, and the member households who shared in it."""

    fee: int
    fund: int
    paid_out: int
    households: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class ProductOutcome:
    product: str
    orders: int  # placed
    paid_orders: int  # paid and neither cancelled nor refunded in full
    units: int  # in those orders
    paid: int  # fen paid, before refunds
    refunded: int  # fen
    cancelled: int  # orders
    complaints: int
    paid_out: int  # fen paid out to the producer so far
    fee: int  # fen, the platform's fee
    fund: int  # fen, the guarantee fund's share
    households: int  # member households who received a share


@dataclass(frozen=True, slots=True)
class LiveFigures:
    viewers: int  # distinct accounts that joined, less confirmed fake viewers
    paid_orders: int
    units: int
    amount: int  # fen paid, less refunds


@dataclass(slots=True)
class Tally:
    viewers: set[str] = field(default_factory=set)
    orders: dict[str, _Order] = field(default_factory=dict)
    left_out: int = 0  # orders a supervisor confirmed as fake


def tally(events: Iterable[Happened], *, fake_orders: set[str], fake_viewers: set[str]) -> Tally:
    """Fold a session's events (in log order) into its viewers and orders."""
    out = Tally()
    for event in events:
        data = event.data
        if event.type == "viewer.joined":
            if event.actor is not None and event.actor not in fake_viewers:
                out.viewers.add(event.actor)
            continue
        order_id = str(data.get("order", ""))
        if order_id in fake_orders:
            out.left_out += event.type == "order.placed"
            continue
        if event.type == "order.placed":
            out.orders[order_id] = _Order(
                str(data.get("product", "")), int(data.get("qty", 0)), int(data.get("amount", 0))
            )
            continue
        order = out.orders.get(order_id)
        if order is None:
            continue
        if event.type == "order.paid":
            order.paid = True
        elif event.type == "order.cancelled":
            order.cancelled = True
        elif event.type == "order.refunded":
            order.refunded += int(data.get("amount", 0))
        elif event.type == "complaint.filed":
            order.complaints += 1
    return out


def _standing(order: _Order) -> bool:
    """Paid, and not undone by a cancellation or a refund of the whole amount."""
    return order.paid and not order.cancelled and order.refunded < order.amount


def live_figures(counted: Tally) -> LiveFigures:
    standing = [o for o in counted.orders.values() if _standing(o)]
    return LiveFigures(
        viewers=len(counted.viewers),
        paid_orders=len(standing),
        units=sum(o.qty for o in standing),
        amount=sum(o.amount - o.refunded for o in standing),
    )


def outcome(
    counted: Tally, products: Iterable[str], settlements: Mapping[str, Settlement]
) -> tuple[ProductOutcome, ...]:
    """One row for each product of the plan (in the plan's order), whether it sold or not."""
    rows = []
    for product in products:
        mine = {k: o for k, o in counted.orders.items() if o.product == product}
        standing = [o for o in mine.values() if _standing(o)]
        settled = [settlements[k] for k, o in mine.items() if o.paid and k in settlements]
        rows.append(
            ProductOutcome(
                product=product,
                orders=len(mine),
                paid_orders=len(standing),
                units=sum(o.qty for o in standing),
                paid=sum(o.amount for o in mine.values() if o.paid),
                refunded=sum(o.refunded for o in mine.values()),
                cancelled=sum(o.cancelled for o in mine.values()),
                complaints=sum(o.complaints for o in mine.values()),
                paid_out=sum(s.paid_out for s in settled),
                fee=sum(s.fee for s in settled),
                fund=sum(s.fund for s in settled),
                households=len(frozenset().union(*(s.households for s in settled))),
            )
        )
    return tuple(rows)


def households(counted: Tally, settlements: Mapping[str, Settlement]) -> int:
    """Distinct member households who shared in the payouts of the session's orders (one
    household may grow two of its products: counted once)."""
    reached: set[str] = set()
    for order_id, order in counted.orders.items():
        if order.paid and order_id in settlements:
            reached |= settlements[order_id].households
    return len(reached)


def totals(rows: Iterable[ProductOutcome], *, reached: int) -> ProductOutcome:
    """The table's last line: each column added up, households counted once (``reached``)."""
    rows = list(rows)
    names = [n for n in ProductOutcome.__slots__ if n not in ("product", "households")]
    added = {n: sum(getattr(r, n) for r in rows) for n in names}
    return ProductOutcome("", households=reached, **added)
