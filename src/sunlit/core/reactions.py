"""Typed reactions between contexts, in process: a context below emits an event value (a frozen
dataclass it defines), the contexts above react to it. Handlers are registered in one place,
:mod:`sunlit.app.reactions`, at start-up; they run in registration order in the caller's
transaction (same session), so what they write commits or rolls back with the change itself.

A handler is ``async (db, event) -> None`` for one event type; mypy checks that the type given
to :func:`on` and the handler's parameter agree."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

E = TypeVar("E")

Handler = Callable[[AsyncSession, E], Awaitable[None]]

_handlers: dict[type[Any], list[Handler[Any]]] = {}


def on(event_type: type[E], handler: Handler[E]) -> None:
    """Run ``handler`` for every event of exactly ``event_type``, after those registered
    before it."""
    _handlers.setdefault(event_type, []).append(handler)


def clear() -> None:
    """Forget every handler (the composition root calls this before it registers them)."""
    _handlers.clear()


async def emit(db: AsyncSession, event: E) -> None:
    """Run the handlers of ``event``'s type, in order, in ``db``'s transaction. An exception
    from a handler stops the rest and reaches the caller."""
    for handler in _handlers.get(type(event), ()):
        await handler(db, event)
