"""What the fulfilment context needs of the running services, beyond the order desk's kit."""

from __future__ import annotations

from typing import Protocol, cast

from fastapi import Request

from sunlit.orders.deps import OrdersKit


class FulfilmentKit(OrdersKit, Protocol):
    pass


def fulfilment_kit(request: Request) -> FulfilmentKit:
    return cast(FulfilmentKit, request.app.state.services)
