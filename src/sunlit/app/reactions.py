"""Where contexts subscribe to each other, in one place, at start-up: the layer below emits,
the layer above reacts (docs/architecture.md). Safe to call more than once."""

from __future__ import annotations

from sunlit.orders import handlers as order_handlers
from sunlit.payments.hooks import HOOKS


def connect() -> None:
    HOOKS.clear()
    HOOKS.captured.append(order_handlers.on_captured)
    HOOKS.refunded.append(order_handlers.on_refunded)
    HOOKS.paid_out.append(order_handlers.on_paid_out)
