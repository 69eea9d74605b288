"""Read an event stream (JSON Lines, spec/events.md) into a `Stream`.

Every bad line is reported with its line number and why. Without ``skip_bad`` a stream with a
bad line is refused whole; with it, the rest is read and the skipped lines are listed. An event
whose id was already seen is counted once (a different event under a used id is a bad line).
Events may come in any order: each session's lists are sorted by time, ties in file order."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from sunlit.core.eventlog.model import EventType
from sunlit.integrity.stream import Order, Stream

#: The types of spec/events.md; Sunlit's own additions are accepted and ignored.
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


class BadEvent(ValueError):
    pass


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


_EPOCH_CACHE: dict[str, int] = {}


def parse_ts(text: Any) -> int:
    """RFC 3339 with an offset, to epoch milliseconds."""
    if not isinstance(text, str):
        raise BadEvent("ts must be an RFC 3339 string")
    if len(text) == 29 and text[19] == "." and text[23] in "+-":  # the usual shape, fast
        key = text[:19] + text[23:]
        seconds = _EPOCH_CACHE.get(key)
        if seconds is None:
            seconds = _epoch_seconds(key, text)
            if len(_EPOCH_CACHE) > 200_000:
                _EPOCH_CACHE.clear()
            _EPOCH_CACHE[key] = seconds
        millis = text[20:23]
        if not millis.isdigit():
            raise BadEvent(f"ts {text!r} is not RFC 3339")
        return seconds * 1000 + int(millis)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise BadEvent(f"ts {text!r} is not RFC 3339") from None
    if moment.tzinfo is None or "T" not in text.upper():
        raise BadEvent(f"ts {text!r} has no offset (write +08:00 or Z)")
    return round(moment.timestamp() * 1000)


def _epoch_seconds(key: str, text: str) -> int:
    try:
        moment = datetime.fromisoformat(key)
    except ValueError:
        raise BadEvent(f"ts {text!r} is not RFC 3339") from None
    if moment.tzinfo is None or key[10] not in "Tt":
        raise BadEvent(f"ts {text!r} is not RFC 3339")
    return int(moment.timestamp())


def _s(data: dict[str, Any], key: str, type_: str, *, required: bool = True) -> str | None:
    value = data.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value:
        raise BadEvent(f"{type_}: data.{key} must be a non-empty string")
    return value


def _fen(data: dict[str, Any], key: str, type_: str, *, required: bool = True) -> int | None:
    value = data.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise BadEvent(f"{type_}: data.{key} must be a whole number of fen (≥ 0)")
    return value


def _n(data: dict[str, Any], key: str, type_: str) -> int:
    value = data.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise BadEvent(f"{type_}: data.{key} must be a whole number ≥ 1")
    return value


Handler = Callable[[Stream, int, str | None, str | None, dict[str, Any], str], None]


def _need_session(session: str | None, type_: str) -> str:
    if session is None:
        raise BadEvent(f"{type_}: session is required")
    return session


def _need_actor(actor: str | None, type_: str) -> str:
    if actor is None:
        raise BadEvent(f"{type_}: actor is required")
    return actor


def _registered(
    st: Stream, ts: int, sess: str | None, actor: str | None, d: dict[str, Any], t: str
) -> None:
    a = st.account(_need_actor(actor, t))
    created = d.get("created_at")
    a.created = parse_ts(created) if created is not None else ts
    a.role = _s(d, "role", t, required=False)
    a.device = _s(d, "device", t, required=False)
    a.ip = _s(d, "ip", t, required=False)
    a.org = _s(d, "org", t, required=False)


def _filed(
    st: Stream, ts: int, sess: str | None, actor: str | None, d: dict[str, Any], t: str
) -> None:
    s = st.session(_need_session(sess, t))
    for key in ("products", "partners"):
        if key in d and not isinstance(d[key], list):
            raise BadEvent(f"{t}: data.{key} must be a list")
    s.filed, s.filed_by = d, actor


def _listed(
    st: Stream, ts: int, sess: str | None, actor: str | None, d: dict[str, Any], t: str
) -> None:
    p = st.product(str(_s(d, "product", t)))
    p.name = str(d.get("name") or "")
    p.category = str(d.get("category") or "")
    p.producer = str(d.get("producer") or "")
    p.producer_kind = str(d.get("producer_kind") or "")
    p.price = _fen(d, "price", t)
    p.low = _fen(d, "reference_price_low", t, required=False)
    p.high = _fen(d, "reference_price_high", t, required=False)
    p.cost = _fen(d, "declared_cost", t, required=False)
    p.listed = ts


def _price(
    st: Stream, ts: int, sess: str | None, actor: str | None, d: dict[str, Any], t: str
) -> None:
    price = _fen(d, "price", t)
    assert price is not None
    st.product(str(_s(d, "product", t))).changes.append((ts, price))


def _started(
    st: Stream, ts: int, sess: str | None, actor: str | None, d: dict[str, Any], t: str
) -> None:
    st.session(_need_session(sess, t)).started = ts


def _ended(
    st: Stream, ts: int, sess: str | None, actor: str | None, d: dict[str, Any], t: str
) -> None:
    st.session(_need_session(sess, t)).ended = ts


def _pinned(
    st: Stream, ts: int, sess: str | None, actor: str | None, d: dict[str, Any], t: str
) -> None:
    st.session(_need_session(sess, t)).pins.append((ts, str(_s(d, "product", t))))


def _joined(
    st: Stream, ts: int, sess: str | None, actor: str | None, d: dict[str, Any], t: str
) -> None:
    st.session(_need_session(sess, t)).joins.append(
        (ts, _need_actor(actor, t), d.get("device"), d.get("ip"), d.get("client"))
    )


def _left(
    st: Stream, ts: int, sess: str | None, actor: str | None, d: dict[str, Any], t: str
) -> None:
    st.session(_need_session(sess, t)).leaves.append((ts, _need_actor(actor, t)))


def _chat(
    st: Stream, ts: int, sess: str | None, actor: str | None, d: dict[str, Any], t: str
) -> None:
    text = d.get("text")
    if not isinstance(text, str):
        raise BadEvent(f"{t}: data.text must be a string")
    st.session(_need_session(sess, t)).chats.append((ts, _need_actor(actor, t), text))


def _like(
    st: Stream, ts: int, sess: str | None, actor: str | None, d: dict[str, Any], t: str
) -> None:
    st.session(_need_session(sess, t)).likes.append((ts, _need_actor(actor, t), _n(d, "count", t)))


def _share(
    st: Stream, ts: int, sess: str | None, actor: str | None, d: dict[str, Any], t: str
) -> None:
    st.session(_need_session(sess, t)).shares.append((ts, _need_actor(actor, t)))


def _placed(
    st: Stream, ts: int, sess: str | None, actor: str | None, d: dict[str, Any], t: str
) -> None:
    oid = str(_s(d, "order", t))
    if oid in st.orders:
        raise BadEvent(f"{t}: order {oid} was already placed")
    qty, unit = _n(d, "qty", t), _fen(d, "unit_price", t)
    amount = _fen(d, "amount", t)
    given = d.get("address")
    address: dict[str, Any] = given if isinstance(given, dict) else {}
    assert unit is not None and amount is not None
    order = Order(
        oid,
        sess,
        actor,
        str(_s(d, "product", t)),
        ts,
        qty,
        unit,
        amount,
        address.get("region"),
        address.get("detail_hash"),
        d.get("device"),
        d.get("ip"),
        d.get("payment_method"),
    )
    st.orders[oid] = order
    if sess is not None:
        st.session(sess).orders.append(order)


def _report(
    st: Stream, ts: int, sess: str | None, actor: str | None, d: dict[str, Any], t: str
) -> None:
    category = str(_s(d, "category", t))
    text = str(d.get("text") or "")
    st.reports.append((ts, sess, category, text))
    if sess is not None:
        st.session(sess).reports.append((ts, category, text))


def _claim(
    st: Stream, ts: int, sess: str | None, actor: str | None, d: dict[str, Any], t: str
) -> None:
    for key in ("gmv", "orders", "viewers"):
        _fen(d, key, t, required=False)
    st.session(_need_session(sess, t)).claims.append((ts, d))


HANDLERS: dict[str, Handler] = {
    "account.registered": _registered,
    "session.filed": _filed,
    "product.listed": _listed,
    "product.price_changed": _price,
    "session.started": _started,
    "session.ended": _ended,
    "product.pinned": _pinned,
    "viewer.joined": _joined,
    "viewer.left": _left,
    "chat.message": _chat,
    "like": _like,
    "share": _share,
    "order.placed": _placed,
    "report.filed": _report,
    "claim.published": _claim,
}
#: Events about an order, applied once every order has been read (they may come first).
ORDER_EVENTS = frozenset(
    {
        "order.paid",
        "order.cancelled",
        "order.refunded",
        "order.shipped",
        "order.delivered",
        "complaint.filed",
    }
)


def _apply_order_event(st: Stream, ts: int, type_: str, d: dict[str, Any]) -> str | None:
    order = st.orders.get(d["order"])
    if order is None:
        return f"{type_}: order {d['order']} was never placed"
    if type_ == "order.paid":
        order.paid = ts
    elif type_ == "order.cancelled":
        order.cancelled = ts
    elif type_ == "order.refunded":
        order.refunded = ts
        order.refund_amount += d.get("amount") or order.amount
    elif type_ == "order.shipped":
        order.shipped = ts
    elif type_ == "order.delivered":
        order.delivered = ts
    else:
        order.complaints.append(str(d.get("category") or "other"))
    return None


def read_lines(lines: Iterable[bytes], *, skip_bad: bool = False) -> tuple[Stream, ReadReport]:
    """Read JSON Lines; raises `StreamRefused` on any bad line unless ``skip_bad``."""
    st = Stream()
    report = ReadReport()
    seen: dict[str, int] = {}
    later: list[tuple[int, int, str, dict[str, Any]]] = []
    last_ts = -(1 << 62)
    number = 0
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        report.lines += 1
        try:
            event = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            ended = "" if raw.endswith(b"\n") else " (the file may end mid-line)"
            report.add_bad(number, f"not JSON: {exc.msg} at column {exc.colno}{ended}")
            continue
        try:
            type_, ts = _envelope(event)
            eid = event["id"]
            fingerprint = hash(line)
            previous = seen.get(eid)
            if previous is not None:
                if previous == fingerprint:
                    report.duplicates += 1
                    continue
                raise BadEvent(f"id {eid!r} was already used by a different event")
            if ts < last_ts:
                report.out_of_order += 1
            last_ts = max(last_ts, ts)
            data = event["data"]
            if type_ in ORDER_EVENTS:
                _s(data, "order", type_)
                if type_ == "order.refunded":
                    _fen(data, "amount", type_, required=False)
                later.append((ts, number, type_, data))
            else:
                handler = HANDLERS.get(type_)
                if handler is None:
                    report.ignored_types[type_] = report.ignored_types.get(type_, 0) + 1
                else:
                    handler(st, ts, event.get("session"), event.get("actor"), data, type_)
            seen[eid] = fingerprint
            report.events += 1
        except BadEvent as exc:
            report.add_bad(number, str(exc))
    later.sort(key=lambda item: (item[0], item[1]))
    for ts, number, type_, data in later:
        problem = _apply_order_event(st, ts, type_, data)
        if problem is not None:
            report.add_bad(number, problem)
            report.events -= 1
    if report.events == 0 and report.bad_count == 0:
        report.add_bad(max(number, 1), "the stream is empty: no events")
    if report.bad_count and not skip_bad:
        raise StreamRefused(report)
    st.events = report.events
    st.finish()
    return st, report


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
