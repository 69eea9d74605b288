"""What payments tells the contexts above when money moves: event values (never rows) that
:func:`sunlit.core.reactions.emit` hands to the handlers registered in
:mod:`sunlit.app.reactions`. Payments does not know what a reference stands for (an order, for
orders); amounts are in integer fen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


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
