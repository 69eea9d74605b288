"""Orders as values: the state machine, the checks on a buy request and the allocation of a
batch of requests against the stock that is left. Pure functions, explicit ``now``."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from sunlit.accounts.model import Role
from sunlit.core.errors import N_


class OrderState(StrEnum):
    PLACED = "placed"
    PAID = "paid"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


class Action(StrEnum):
    PAY = "pay"
    SHIP = "ship"
    DELIVER = "deliver"
    COMPLETE = "complete"
    CANCEL = "cancel"  # by the buyer, or by the system when an unpaid order expires
    REFUND = "refund"  # the whole amount has been returned


class PaymentMethod(StrEnum):
    WALLET = "wallet"
    BANK_CARD = "bank_card"
    UNION_CARD = "union_card"
    CORPORATE = "corporate"


#: A person's own ways to pay.
PERSONAL_METHODS = (PaymentMethod.WALLET, PaymentMethod.BANK_CARD)


def payment_methods_for(role: str, org: str | None) -> tuple[PaymentMethod, ...]:
    """The ways an account may pay. A union card (工会卡) and a corporate account (对公账户)
    are an organisation's money: only an account of an organisation's staff (a role other
    than consumer, with its organisation on record) pays with them, and such orders are what
    the integrity detectors weigh (``forced_purchases``). A consumer pays as a person."""
    if role == Role.CONSUMER or not (org or "").strip():
        return PERSONAL_METHODS
    return tuple(PaymentMethod)


#: The whole state machine: (state, action) -> next state. Anything else is refused.
TRANSITIONS: Mapping[tuple[OrderState, Action], OrderState] = {
    (OrderState.PLACED, Action.PAY): OrderState.PAID,
    (OrderState.PLACED, Action.CANCEL): OrderState.CANCELLED,
    (OrderState.PAID, Action.SHIP): OrderState.SHIPPED,
    (OrderState.PAID, Action.REFUND): OrderState.REFUNDED,
    (OrderState.SHIPPED, Action.DELIVER): OrderState.DELIVERED,
    (OrderState.SHIPPED, Action.REFUND): OrderState.REFUNDED,
    (OrderState.DELIVERED, Action.COMPLETE): OrderState.COMPLETED,
    (OrderState.DELIVERED, Action.REFUND): OrderState.REFUNDED,
    (OrderState.COMPLETED, Action.REFUND): OrderState.REFUNDED,
}

#: States that hold stock: the reservation of a placed order, the sale of the others.
HOLDS_STOCK = frozenset(
    {
        OrderState.PLACED,
        OrderState.PAID,
        OrderState.SHIPPED,
        OrderState.DELIVERED,
        OrderState.COMPLETED,
    }
)

STATE_LABELS: Mapping[OrderState, str] = {
    OrderState.PLACED: N_("Awaiting payment"),
    OrderState.PAID: N_("Paid, awaiting shipment"),
    OrderState.SHIPPED: N_("Shipped"),
    OrderState.DELIVERED: N_("Delivered"),
    OrderState.COMPLETED: N_("Completed"),
    OrderState.CANCELLED: N_("Cancelled"),
    OrderState.REFUNDED: N_("Refunded"),
}


class TransitionRefused(ValueError):
    def __init__(self, state: OrderState, action: Action) -> None:
        super().__init__(f"{action.value} is not allowed from {state.value}")
        self.state = state
        self.action = action


def next_state(state: OrderState, action: Action) -> OrderState:
    """The state after ``action``; raises TransitionRefused if the machine has no such edge."""
    try:
        return TRANSITIONS[(state, action)]
    except KeyError:
        raise TransitionRefused(state, action) from None


def can(state: OrderState, action: Action) -> bool:
    return (state, action) in TRANSITIONS


def expires_at(placed_at: datetime, minutes: int) -> datetime:
    return placed_at + timedelta(minutes=minutes)


def is_expired(state: OrderState, expiry: datetime, now: datetime) -> bool:
    return state is OrderState.PLACED and now >= expiry


@dataclass(frozen=True, slots=True)
class BuyRequest:
    """What a buyer asks for, checked and ready for the order desk."""

    buyer: str
    product: str
    qty: int
    idempotency_key: str
    digest: str  # of the request body: the same key with another body is refused
    session: str | None
    address_region: str
    address_detail: str
    recipient: str
    phone: str
    payment_method: PaymentMethod
    device: str
    ip: str


MAX_QTY = 999


def check_buy(
    *,
    qty: int,
    address_region: str,
    address_detail: str,
    recipient: str,
    phone: str,
    deliverable: bool = True,
) -> dict[str, str]:
    """``deliverable``: the region is a current county (or a prefecture without counties)."""
    errors: dict[str, str] = {}
    if not 1 <= qty <= MAX_QTY:
        errors["qty"] = N_("Order 1 to 999.")
    if len(address_region) != 6 or not address_region.isdigit() or not deliverable:
        errors["address_region"] = N_("Choose the county to deliver to.")
    if not 4 <= len(address_detail) <= 200 or not address_detail.isprintable():
        errors["address_detail"] = N_("Give the street address (4 to 200 characters).")
    if not 1 <= len(recipient) <= 40 or not recipient.isprintable():
        errors["recipient"] = N_("Give the recipient's name (1 to 40 characters).")
    if not (phone.isdigit() and 7 <= len(phone) <= 15):
        errors["phone"] = N_("Give a phone number of 7 to 15 digits.")
    return errors


def check_idempotency_key(key: str | None) -> str | None:
    """A msgid when the key is missing or unusable."""
    if key is None or not key.strip():
        return N_("Send an Idempotency-Key header: the same key returns the same order.")
    if len(key) > 64 or not key.isascii() or not key.isprintable():
        return N_("An Idempotency-Key is 1 to 64 printable ASCII characters.")
    return None


def request_digest(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()


def address_hash(secret: str, detail: str) -> str:
    """The salted hash of a street address that events carry instead of the address."""
    return hashlib.sha256(f"{secret}|{detail.strip()}".encode()).hexdigest()[:32]


class Refusal(StrEnum):
    """Why the desk refused a request; each has a message for the buyer."""

    SOLD_OUT = "sold_out"
    OVER_LIMIT = "over_limit"
    NOT_ON_SALE = "not_on_sale"
    KEY_REUSED = "key_reused"
    NO_PRODUCT = "no_product"
    NO_QUALITY_DOCUMENT = "no_quality_document"


REFUSAL_MESSAGES: Mapping[Refusal, str] = {
    Refusal.SOLD_OUT: N_("Sold out: there is not enough stock left for this order."),
    Refusal.OVER_LIMIT: N_(
        "Each buyer may order at most %(limit)s of this product in this session."
    ),
    Refusal.NOT_ON_SALE: N_("This product is not on sale at the moment."),
    Refusal.KEY_REUSED: N_(
        "This Idempotency-Key was already used for a different order. Use a new key."
    ),
    Refusal.NO_PRODUCT: N_("No such product."),
    Refusal.NO_QUALITY_DOCUMENT: N_(
        "This product cannot be bought: it has no valid inspection report or compliance "
        "certificate. It can be bought again once the producer uploads one."
    ),
}


@dataclass(frozen=True, slots=True)
class Allocation:
    accepted: tuple[int, ...]  # indexes into the batch, in order
    refused: Mapping[int, Refusal]
    stock_left: int


def allocate(
    requests: Sequence[BuyRequest],
    *,
    stock: int,
    on_sale: bool,
    limit: int,
    bought: Mapping[tuple[str, str | None], int],
    documented: bool = True,
) -> Allocation:
    """Serve a batch of requests for one product in arrival order: each is accepted if the
    product is on sale, the stock covers it and the buyer stays within ``limit`` for the
    product in that session (``bought`` holds what each buyer already holds). Never more than
    ``stock`` is given out. A product without a valid quality document (``documented``
    False) is refused to everyone."""
    accepted: list[int] = []
    refused: dict[int, Refusal] = {}
    held = dict(bought)
    for index, request in enumerate(requests):
        scope = (request.buyer, request.session)
        if not documented:
            refused[index] = Refusal.NO_QUALITY_DOCUMENT
        elif not on_sale:
            refused[index] = Refusal.NOT_ON_SALE
        elif held.get(scope, 0) + request.qty > limit:
            refused[index] = Refusal.OVER_LIMIT
        elif request.qty > stock:
            refused[index] = Refusal.SOLD_OUT
        else:
            stock -= request.qty
            held[scope] = held.get(scope, 0) + request.qty
            accepted.append(index)
    return Allocation(tuple(accepted), refused, stock)


LABELS: dict[str, dict[str, str]] = {
    "order_state": {state.value: message for state, message in STATE_LABELS.items()},
    "payment_method": {
        PaymentMethod.WALLET: N_("Wallet"),
        PaymentMethod.BANK_CARD: N_("Bank card"),
        PaymentMethod.UNION_CARD: N_("Union card"),
        PaymentMethod.CORPORATE: N_("Corporate account"),
    },
}


class Order(Protocol):
    """An order as routes and other contexts read it (orders' row satisfies it); amounts in
    fen (``amount`` is what the buyer pays: ``qty * unit_price + shipping_fee``), the buyer's
    address detail and phone left out."""

    @property
    def id(self) -> str: ...
    @property
    def state(self) -> str: ...
    @property
    def buyer_id(self) -> str: ...
    @property
    def product_id(self) -> str: ...
    @property
    def producer_id(self) -> str: ...
    @property
    def session_id(self) -> str | None: ...
    @property
    def qty(self) -> int: ...
    @property
    def unit_price(self) -> int: ...
    @property
    def shipping_fee(self) -> int: ...
    @property
    def amount(self) -> int: ...
    @property
    def refunded(self) -> int: ...
    @property
    def payment_method(self) -> str: ...
    @property
    def address_region(self) -> str: ...
    @property
    def placed_at(self) -> datetime: ...
    @property
    def expires_at(self) -> datetime: ...
    @property
    def paid_at(self) -> datetime | None: ...
    @property
    def shipped_at(self) -> datetime | None: ...
    @property
    def carrier(self) -> str | None: ...
    @property
    def tracking_no(self) -> str | None: ...
    @property
    def delivered_at(self) -> datetime | None: ...
    @property
    def confirmed_at(self) -> datetime | None: ...
    @property
    def closed_at(self) -> datetime | None: ...
    @property
    def cancel_reason(self) -> str | None: ...
