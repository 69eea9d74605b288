"""Where contexts subscribe to each other, in one place, at start-up: the layer below emits,
the layer above reacts (docs/architecture.md, :mod:`sunlit.core.reactions`). Safe to call more than
once: it forgets what was registered before."""

from __future__ import annotations

from sunlit.core import reactions
from sunlit.orders import handlers as order_handlers
from sunlit.payments.model import PaidOut, PaymentCaptured, PaymentRefunded


def connect() -> None:
    reactions.clear()
    reactions.on(PaymentCaptured, order_handlers.on_captured)
    reactions.on(PaymentRefunded, order_handlers.on_refunded)
    reactions.on(PaidOut, order_handlers.on_paid_out)
