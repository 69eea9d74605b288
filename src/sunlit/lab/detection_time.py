"""Time to detection: replay a labelled stream by its own clock and find, for each abuse, the
first moment (on a 5-second grid of stream time) at which its rule's findings on the events so
far name one of its labelled accounts, orders, products or sessions.

The delay runs from the abuse's first labelled event: the first join of a bot, the first
message of a paid commenter, the first labelled order, the first sale of a labelled product at
the price it ended with, or the published claim for ``hype_gap``. A rule that has already named
the abuse by then (a listing priced above its band, say) is at 0.

Running the detectors every 5 seconds over a three-week stream would take thousands of runs, so
the first detection is found by doubling the step from the first labelled event until the rule
names the abuse and then halving back to 5 seconds: about 2·log2(delay / 5 s) runs, which
assumes that once the rule names the abuse it keeps naming it as events arrive."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from sunlit.integrity.engine import run_detectors
from sunlit.integrity.model import Finding
from sunlit.integrity.reader import read_lines
from sunlit.integrity.stream import Stream

STEP_MS = 5_000


@dataclass(frozen=True)
class Truth:
    rule: str
    accounts: frozenset[str]
    orders: frozenset[str]
    products: frozenset[str]
    sessions: frozenset[str]


def _ms(stamp: str) -> int:
    return int(datetime.fromisoformat(stamp).timestamp() * 1000)


#: The event that starts each abuse when the rule's labels name accounts.
STARTS = {
    "fake_viewers": "viewer.joined",
    "paid_comments": "chat.message",
    "fake_orders": "order.placed",
    "forced_purchases": "order.placed",
}


def _first_event(events: list[dict[str, Any]], stamps: list[int], truth: Truth) -> int | None:
    """When the abuse began: the first join, message or order of its accounts and orders, the
    first sale of its product at the price it ended with (after a price change, if any), or the
    claim for a session."""
    start_type = STARTS.get(truth.rule, "order.placed")
    repriced = {
        (e.get("data") or {}).get("product"): ts
        for e, ts in zip(events, stamps, strict=True)
        if e.get("type") == "product.price_changed"
    }
    for event, ts in zip(events, stamps, strict=True):
        kind = event.get("type")
        data = event.get("data") or {}
        product = data.get("product")
        if (
            (kind == start_type and event.get("actor") in truth.accounts)
            or (kind == "order.placed" and data.get("order") in truth.orders)
            or (
                kind == "order.placed"
                and product in truth.products
                and ts >= repriced.get(product, ts)
            )
            or (kind == "claim.published" and event.get("session") in truth.sessions)
        ):
            return ts
    return None


def _names(findings: list[Finding], truth: Truth) -> bool:
    return any(
        truth.accounts.intersection(f.accounts)
        or truth.orders.intersection(f.orders)
        or truth.products.intersection(f.products)
        for f in findings
    )


def _findings(stream: Stream, rule: str) -> dict[str, list[Finding]]:
    """The findings of ``rule`` by session (the engine runs the rules it needs first)."""
    found = run_detectors(stream, rules=(rule,))
    return {sid: [f for f in fs if f.rule == rule] for sid, fs in found.items()}


class Replay:
    """A stream's lines with their times, replayed up to any moment."""

    def __init__(self, lines: list[bytes]) -> None:
        events = [orjson.loads(line) for line in lines]
        stamps = [_ms(e["ts"]) for e in events]
        order = sorted(range(len(lines)), key=stamps.__getitem__)  # stable: ties in file order
        self.lines = [lines[i] for i in order]
        self.events = [events[i] for i in order]
        self.stamps = [stamps[i] for i in order]
        self.runs = 0

    def detected(self, truth: Truth, until: int) -> bool:
        stop = bisect_right(self.stamps, until)
        stream, _ = read_lines(self.lines[:stop])
        self.runs += 1
        found = _findings(stream, truth.rule)
        if truth.sessions and any(found.get(s) for s in truth.sessions):
            return True
        return any(_names(fs, truth) for fs in found.values())

    def delay(self, truth: Truth) -> int | None:
        """Milliseconds from the abuse's first labelled event to the first 5-second step whose
        findings name it; None if the whole stream does not."""
        begin = _first_event(self.events, self.stamps, truth)
        if begin is None:
            return None
        last = self.stamps[-1]
        if self.detected(truth, begin):
            return 0
        low, step = 0, 1  # in steps of STEP_MS: not detected at `low`
        while True:
            at = begin + step * STEP_MS
            if self.detected(truth, min(at, last)):
                high = step
                break
            if at >= last:
                return None
            low, step = step, step * 2
        while high - low > 1:
            mid = (low + high) // 2
            if self.detected(truth, begin + mid * STEP_MS):
                high = mid
            else:
                low = mid
        return high * STEP_MS
