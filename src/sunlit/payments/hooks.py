"""What payments tells the layer above. Payments does not know orders: it calls the handlers
registered here (in one place, :mod:`sunlit.wiring`) when money moves."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.payments.tables import PaymentRow

#: A payment was captured. Returns False if what it paid for can no longer be paid (an order
#: cancelled or already paid): the payment is then refunded in full at once.
OnCaptured = Callable[[AsyncSession, PaymentRow, datetime], Awaitable[bool]]
OnFailed = Callable[[AsyncSession, PaymentRow, datetime], Awaitable[None]]
#: A refund settled: the payment, the amount of this refund and its reason.
OnRefunded = Callable[[AsyncSession, PaymentRow, int, str, datetime], Awaitable[None]]
#: Payments were paid out to their producer.
OnPaidOut = Callable[[AsyncSession, list[PaymentRow], datetime], Awaitable[None]]


@dataclass
class PaymentHooks:
    captured: list[OnCaptured] = field(default_factory=list)
    failed: list[OnFailed] = field(default_factory=list)
    refunded: list[OnRefunded] = field(default_factory=list)
    paid_out: list[OnPaidOut] = field(default_factory=list)

    def clear(self) -> None:
        self.captured.clear()
        self.failed.clear()
        self.refunded.clear()
        self.paid_out.clear()


HOOKS = PaymentHooks()
