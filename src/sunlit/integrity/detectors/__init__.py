"""One detector per rule of docs/integrity.md, registered in `REGISTRY` with its settings and
its explanation (the module's docstring)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

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


@dataclass(frozen=True)
class Context:
    """What a detector sees: the stream, the session (None for stream-wide detectors) and the
    findings of the detectors before it, by session."""

    stream: Stream
    session: Session | None
    earlier: dict[str, list[Finding]]


Run = Callable[[Context, Any], list[Finding]]


@dataclass(frozen=True)
class Detector:
    rule: str
    per_session: bool  # False: runs once over the whole stream
    settings: type
    run: Run
    explanation: str

    def defaults(self) -> dict[str, Any]:
        instance = self.settings()
        return {f.name: getattr(instance, f.name) for f in fields(instance)}


def _session(fn: Callable[[Stream, Session, Any], list[Finding]]) -> Run:
    def run(ctx: Context, settings: Any) -> list[Finding]:
        assert ctx.session is not None
        return fn(ctx.stream, ctx.session, settings)

    return run


def _hype(ctx: Context, settings: Any) -> list[Finding]:
    assert ctx.session is not None
    found = ctx.earlier.get(ctx.session.id, [])
    orders = {o for f in found if f.rule == "fake_orders" for o in f.orders}
    viewers = {a for f in found if f.rule == "fake_viewers" for a in f.accounts}
    return hype.detect(ctx.stream, ctx.session, settings, orders, viewers)


def _doc(module: Any) -> str:
    return " ".join((module.__doc__ or "").split())


REGISTRY: tuple[Detector, ...] = (
    Detector(
        "fake_viewers",
        True,
        fake_viewers.Settings,
        _session(fake_viewers.detect),
        _doc(fake_viewers),
    ),
    Detector(
        "fake_orders",
        False,
        fake_orders.Settings,
        lambda ctx, s: fake_orders.detect_stream(ctx.stream, s),
        _doc(fake_orders),
    ),
    Detector(
        "forced_purchases",
        True,
        forced_purchases.Settings,
        _session(forced_purchases.detect),
        _doc(forced_purchases),
    ),
    Detector(
        "paid_comments",
        True,
        paid_comments.Settings,
        _session(paid_comments.detect),
        _doc(paid_comments),
    ),
    Detector("price_gouging", True, prices.Settings, _session(prices.detect_gouging), _doc(prices)),
    Detector("below_cost", True, prices.Settings, _session(prices.detect_below_cost), _doc(prices)),
    Detector(
        "conflict_of_interest",
        True,
        companies.Settings,
        _session(companies.detect_conflict),
        _doc(companies),
    ),
    Detector(
        "company_favouritism",
        True,
        companies.Settings,
        _session(companies.detect_favouritism),
        _doc(companies),
    ),
    Detector("quality_complaints", True, quality.Settings, _session(quality.detect), _doc(quality)),
    Detector("hype_gap", True, hype.Settings, _hype, _doc(hype)),  # last: uses the others
)
RULES = tuple(d.rule for d in REGISTRY)
