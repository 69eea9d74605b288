"""One detector per rule of docs/integrity.md, registered in `REGISTRY` with its settings, the
rules whose findings it reads (``needs``) and its explanation (the module's docstring). The
engine runs each detector after the ones it needs (`sunlit.integrity.engine.in_order`); the
order of `REGISTRY` matters only between detectors that do not depend on each other. Some
modules are parts of a detector, not detectors: `waves` and `registration` (fake_viewers'
wave lockstep and registration batches), `quota_baskets` and `local_buyers` (forced_purchases'
quota totals and local group) and `order_outcomes` (what became of fake_orders' orders)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from types import ModuleType
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from sunlit.integrity.detectors import (
    companies,
    fake_orders,
    fake_viewers,
    forced_purchases,
    hype,
    paid_comments,
    prices,
    quality,
)
from sunlit.integrity.model import Finding
from sunlit.integrity.stream import Session, Stream


class SettingsClass(Protocol):
    """A detector's settings: a dataclass whose every field has a default."""

    __dataclass_fields__: ClassVar[dict[str, Any]]


S = TypeVar("S", bound=SettingsClass)


@dataclass(frozen=True)
class Context:
    """What a detector sees: the stream, the session (None for stream-wide detectors) and, by
    session, the findings of the rules it declared in ``needs`` (and of no other)."""

    stream: Stream
    session: Session | None
    earlier: Mapping[str, list[Finding]]


@dataclass(frozen=True)
class Detector(Generic[S]):
    """A rule's detector, with ``S`` its settings dataclass. ``run`` is given the settings
    (`settings()` unless tuned) and a `Context` per session, or one for the whole stream when
    ``per_session`` is False."""

    rule: str
    settings: type[S]
    run: Callable[[Context, S], list[Finding]]
    explanation: str
    per_session: bool = True
    needs: tuple[str, ...] = field(default=())

    def defaults(self) -> dict[str, Any]:
        instance = self.settings()
        return {f.name: getattr(instance, f.name) for f in fields(instance)}


def _session(
    fn: Callable[[Stream, Session, S], list[Finding]],
) -> Callable[[Context, S], list[Finding]]:
    def run(ctx: Context, settings: S) -> list[Finding]:
        assert ctx.session is not None
        return fn(ctx.stream, ctx.session, settings)

    return run


def _fake_orders(ctx: Context, settings: fake_orders.Settings) -> list[Finding]:
    return fake_orders.detect_stream(ctx.stream, settings)


def _hype(ctx: Context, settings: hype.Settings) -> list[Finding]:
    assert ctx.session is not None
    found = ctx.earlier.get(ctx.session.id, [])
    orders = {o for f in found if f.rule == fake_orders.RULE for o in f.orders}
    viewers = {a for f in found if f.rule == fake_viewers.RULE for a in f.accounts}
    return hype.detect(ctx.stream, ctx.session, settings, orders, viewers)


def _doc(module: ModuleType) -> str:
    return " ".join((module.__doc__ or "").split())


REGISTRY: tuple[Detector[Any], ...] = (
    Detector(
        fake_viewers.RULE,
        fake_viewers.Settings,
        _session(fake_viewers.detect),
        _doc(fake_viewers),
    ),
    Detector(
        fake_orders.RULE,
        fake_orders.Settings,
        _fake_orders,
        _doc(fake_orders),
        per_session=False,
    ),
    Detector(
        forced_purchases.RULE,
        forced_purchases.Settings,
        _session(forced_purchases.detect),
        _doc(forced_purchases),
    ),
    Detector(
        paid_comments.RULE,
        paid_comments.Settings,
        _session(paid_comments.detect),
        _doc(paid_comments),
    ),
    Detector("price_gouging", prices.Settings, _session(prices.detect_gouging), _doc(prices)),
    Detector("below_cost", prices.Settings, _session(prices.detect_below_cost), _doc(prices)),
    Detector(
        "conflict_of_interest",
        companies.Settings,
        _session(companies.detect_conflict),
        _doc(companies),
    ),
    Detector(
        "company_favouritism",
        companies.Settings,
        _session(companies.detect_favouritism),
        _doc(companies),
    ),
    Detector(quality.RULE, quality.Settings, _session(quality.detect), _doc(quality)),
    # The verified figures leave out the orders and viewers the first two name.
    Detector(
        hype.RULE,
        hype.Settings,
        _hype,
        _doc(hype),
        needs=(fake_orders.RULE, fake_viewers.RULE),
    ),
)
RULES = tuple(d.rule for d in REGISTRY)
