"""Read an event stream (JSON Lines, docs/events.md) into a `Stream`.

Every bad line is reported with its line number and why. Without ``skip_bad`` a stream with a
bad line is refused whole; with it, the rest is read and the skipped lines are listed. An event
whose id was already seen is counted once (a different event under a used id is a bad line).
Events may come in any order: each session's lists are sorted by time, ties in file order."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson

from sunlit.core.eventlog.model import EventType
from sunlit.integrity.handlers import (
    HANDLERS,
    ORDER_EVENTS,
    BadEvent,
    apply_order_event,
    check_order_event,
    parse_ts,
)
from sunlit.integrity.stream import Stream

#: The event contract's version 1 types (docs/events.md); Sunlit's own are accepted and ignored.
SPEC_TYPES = frozenset(
    {
        "account.registered",
        "session.filed",
        "product.listed",
        "product.price_changed",
        "session.started",
        "session.ended",
        "product.pinned",
        "viewer.joined",
        "viewer.left",
        "chat.message",
        "like",
        "share",
        "order.placed",
        "order.paid",
        "order.cancelled",
        "order.refunded",
        "order.shipped",
        "order.delivered",
        "complaint.filed",
        "review.posted",
        "report.filed",
        "claim.published",
    }
)
KNOWN_TYPES = SPEC_TYPES | {t.value for t in EventType}
MAX_REPORTED = 1000  # bad lines listed in full; the rest are counted


@dataclass(frozen=True, slots=True)
class BadLine:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class ReadReport:
    lines: int = 0
    events: int = 0
    duplicates: int = 0
    out_of_order: int = 0
    ignored_types: dict[str, int] = field(default_factory=dict)
    bad: list[BadLine] = field(default_factory=list)
    bad_count: int = 0

    def add_bad(self, line: int, message: str) -> None:
        self.bad_count += 1
        if len(self.bad) < MAX_REPORTED:
            self.bad.append(BadLine(line, message))


class StreamRefused(ValueError):
    """The stream has bad lines and the caller did not ask to skip them."""

    def __init__(self, report: ReadReport) -> None:
        self.report = report
        first = report.bad[0] if report.bad else BadLine(0, "empty")
        more = f" (and {report.bad_count - 1} more)" if report.bad_count > 1 else ""
        super().__init__(f"{first}{more}")


def read_lines(lines: Iterable[bytes], *, skip_bad: bool = False) -> tuple[Stream, ReadReport]:
    """Read JSON Lines; raises `StreamRefused` on any bad line unless ``skip_bad``.

    The cyclic garbage collector is paused while reading: the stream is millions of small
    objects and no cycles, and each full collection would walk all of them again (a quarter of
    the reading time on the 600,000-viewer evening)."""
    # Only on the main thread (the CLI): the switch is process-wide, and two reads in a
    # server's worker threads could interleave and leave it off for good.
    paused = gc.isenabled() and threading.current_thread() is threading.main_thread()
    if paused:
        gc.disable()
    try:
        return _read(lines, skip_bad)
    finally:
        if paused:
            gc.enable()


def _read(lines: Iterable[bytes], skip_bad: bool) -> tuple[Stream, ReadReport]:
    builder = StreamBuilder()
    builder.feed(lines)
    return builder.finish(skip_bad=skip_bad)


class StreamBuilder:
    """Reads a stream in pieces: ``feed`` any number of times, then ``finish`` once (what
    `read_lines` does), or ``snapshot`` after each piece (the live monitor, which keeps one per
    session and feeds it what the event log gained). Order events wait until a snapshot or the
    finish, where they are applied in time order; in a snapshot, one whose order has not been
    placed yet waits for the next."""

    def __init__(self) -> None:
        self.stream = Stream()
        self.report = ReadReport()
        self._seen: dict[str, int] = {}
        self._later: list[tuple[int, int, str, dict[str, Any]]] = []
        self._last_ts = -(1 << 62)
        self._number = 0

    def feed(self, lines: Iterable[bytes]) -> None:
        st, report, seen, later = self.stream, self.report, self._seen, self._later
        last_ts = self._last_ts
        number = self._number
        count = events = duplicates = out_of_order = 0
        loads, not_json = orjson.loads, orjson.JSONDecodeError
        known, handlers, order_events = KNOWN_TYPES, HANDLERS, ORDER_EVENTS
        ignored = report.ignored_types
        for number, raw in enumerate(lines, start=self._number + 1):
            line = raw.strip()
            if not line:
                continue
            count += 1
            try:
                event = loads(line)
            except not_json as exc:
                ended = "" if raw.endswith(b"\n") else " (the file may end mid-line)"
                report.add_bad(number, f"not JSON: {exc.msg} at column {exc.colno}{ended}")
                continue
            try:
                # A well-formed envelope is checked here in one expression; any other goes to
                # _envelope, which names the first thing wrong with it.
                if type(event) is not dict:
                    raise BadEvent("an event must be a JSON object")
                eid: Any = event.get("id")
                type_ = event.get("type")
                data: Any = event.get("data")
                session = event.get("session")
                actor = event.get("actor")
                if (
                    type(eid) is str
                    and eid
                    and type(type_) is str
                    and type_ in known
                    and type(data) is dict
                    and "ts" in event
                    and (session is None or type(session) is str)
                    and (actor is None or type(actor) is str)
                ):
                    ts = parse_ts(event["ts"])
                else:
                    type_, ts = _envelope(event)
                fingerprint = hash(line)
                previous = seen.get(eid)
                if previous is not None:
                    if previous == fingerprint:
                        duplicates += 1
                        continue
                    raise BadEvent(f"id {eid!r} was already used by a different event")
                if ts < last_ts:
                    out_of_order += 1
                else:
                    last_ts = ts
                if type_ in order_events:
                    check_order_event(type_, data)
                    later.append((ts, number, type_, data))
                else:
                    handler = handlers.get(type_)
                    if handler is None:
                        ignored[type_] = ignored.get(type_, 0) + 1
                    else:
                        handler(st, ts, session, actor, data, type_)
                seen[eid] = fingerprint
                events += 1
            except BadEvent as exc:
                report.add_bad(number, str(exc))
        self._number = max(number, self._number)
        self._last_ts = last_ts
        report.lines += count
        report.events += events
        report.duplicates += duplicates
        report.out_of_order += out_of_order

    def _apply_later(self, *, keep_orphans: bool) -> None:
        later, self._later = self._later, []
        later.sort(key=lambda item: (item[0], item[1]))
        for item in later:
            ts, number, type_, data = item
            if keep_orphans and data["order"] not in self.stream.orders:
                self._later.append(item)
                continue
            problem = apply_order_event(self.stream, ts, type_, data)
            if problem is not None:
                self.report.add_bad(number, problem)
                self.report.events -= 1

    def snapshot(self) -> Stream:
        """The stream so far, sorted, for the detectors; feeding may go on afterwards."""
        self._apply_later(keep_orphans=True)
        self.stream.events = self.report.events - len(self._later)
        self.stream.finish()
        return self.stream

    def finish(self, *, skip_bad: bool) -> tuple[Stream, ReadReport]:
        report = self.report
        self._seen = {}
        self._apply_later(keep_orphans=False)
        if report.events == 0 and report.bad_count == 0:
            report.add_bad(max(self._number, 1), "the stream is empty: no events")
        if report.bad_count and not skip_bad:
            raise StreamRefused(report)
        self.stream.events = report.events
        self.stream.finish()
        return self.stream, report


def _envelope(event: Any) -> tuple[str, int]:
    if not isinstance(event, dict):
        raise BadEvent("an event must be a JSON object")
    for key in ("id", "type", "ts", "data"):
        if key not in event:
            raise BadEvent(f"missing field {key!r}")
    if not isinstance(event["id"], str) or not event["id"]:
        raise BadEvent("id must be a non-empty string")
    type_ = event["type"]
    if not isinstance(type_, str) or type_ not in KNOWN_TYPES:
        raise BadEvent(f"unknown type {type_!r}")
    if not isinstance(event["data"], dict):
        raise BadEvent("data must be an object")
    for key in ("session", "actor"):
        value = event.get(key)
        if value is not None and not isinstance(value, str):
            raise BadEvent(f"{key} must be a string or null")
    return type_, parse_ts(event["ts"])
