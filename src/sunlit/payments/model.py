"""What payments tells the contexts above when money moves: event values (never rows) that
:func:`sunlit.core.reactions.emit` hands to the handlers registered in
:mod:`sunlit.app.reactions`. Payments does not know what a reference stands for (an order, for
orders); amounts are in integer fen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol


class PaymentState(StrEnum):
    """Where a charge at the gateway stands."""

    PENDING = "pending"
    CAPTURED = "captured"
    FAILED = "failed"
    VOIDED = "voided"


class RefundState(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"


class SandboxChargeState(StrEnum):
    """The sandbox gateway's own view of a charge (its side of the boundary)."""

    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class PaymentCaptured:
    """The gateway captured a payment for ``reference``. A handler that finds the thing paid
    for can no longer be paid raises :class:`NotPayable` before it writes anything."""

    payment_id: str
    reference: str
    payer_id: str
    producer_id: str
    amount: int
    at: datetime


@dataclass(frozen=True, slots=True)
class PaymentFailed:
    payment_id: str
    reference: str
    at: datetime


@dataclass(frozen=True, slots=True)
class PaymentRefunded:
    """One refund of ``amount`` fen settled for the payment of ``reference``."""

    payment_id: str
    reference: str
    amount: int
    reason: str
    at: datetime


@dataclass(frozen=True, slots=True)
class PaidOut:
    """A payout paid the producer what the payments for ``references`` owed it."""

    payout_id: str
    producer_id: str
    references: tuple[str, ...]
    at: datetime


class NotPayable(Exception):
    """What was paid for can no longer be paid (an order cancelled or already paid): raised by
    a :class:`PaymentCaptured` handler, it makes payments refund the payment in full at once."""


class Payment(Protocol):
    """A payment as the contexts above see it, read-only (payments' row satisfies it)."""

    @property
    def id(self) -> str: ...
    @property
    def reference(self) -> str: ...
    @property
    def producer_id(self) -> str: ...
    @property
    def amount(self) -> int: ...
    @property
    def refunded(self) -> int: ...
    @property
    def state(self) -> str: ...
    @property
    def gateway(self) -> str: ...
    @property
    def gateway_ref(self) -> str: ...
    @property
    def pay_url(self) -> str: ...


class Refund(Protocol):
    """A refund asked of the gateway, read-only."""

    @property
    def id(self) -> str: ...
    @property
    def payment_id(self) -> str: ...
    @property
    def amount(self) -> int: ...
    @property
    def reason(self) -> str: ...
    @property
    def state(self) -> str: ...


class Payout(Protocol):
    """A payout to a producer, read-only."""

    @property
    def id(self) -> str: ...
    @property
    def producer_id(self) -> str: ...
    @property
    def amount(self) -> int: ...
    @property
    def recovered(self) -> int: ...
    @property
    def payments(self) -> int: ...
    @property
    def created_at(self) -> datetime: ...
