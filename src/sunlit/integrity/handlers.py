"""How each type of event of docs/events.md changes a `Stream`: its fields checked (a
`BadEvent` names the first thing wrong) and applied, and its timestamp parsed (`parse_ts`, fast
for the usual shape). `sunlit.integrity.reader` reads the lines and calls these."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sunlit.integrity.stream import Order, Session, Stream


class BadEvent(ValueError):
    pass


_EPOCH_CACHE: dict[str, int] = {}  # "YYYY-MM-DDTHH:MM:SS+hh:mm" -> epoch seconds
_DAY_CACHE: dict[str, int] = {}  # "YYYY-MM-DD+hh:mm" -> epoch seconds of that midnight
#: A plain date and time of day, ASCII digits, every field in range.
_PLAIN = re.compile(r"\d{4}-\d\d-\d\dT([01]\d|2[0-3]):([0-5]\d):([0-5]\d)", re.ASCII)


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
    """``key`` is ``text`` without its milliseconds. A plain date and time of day is its
    midnight (parsed once per day and offset: registrations spread over years miss the
    per-second cache) plus the time of day; anything else is left to ``fromisoformat``."""
    plain = _PLAIN.match(key)
    if plain is None:
        return _parsed_seconds(key, text)
    day_key = key[:10] + key[19:]
    day = _DAY_CACHE.get(day_key)
    if day is None:
        day = _parsed_seconds(f"{key[:10]}T00:00:00{key[19:]}", text)
        if len(_DAY_CACHE) > 100_000:
            _DAY_CACHE.clear()
        _DAY_CACHE[day_key] = day
    return day + int(plain[1]) * 3600 + int(plain[2]) * 60 + int(plain[3])


def _parsed_seconds(key: str, text: str) -> int:
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


def _text(value: Any, key: str, type_: str) -> str | None:
    """A free string field (a device, an IP, a client): a string or null."""
    if value is None or type(value) is str:
        return value
    raise BadEvent(f"{type_}: data.{key} must be a string or null")


def _optional(value: Any, key: str, type_: str) -> str | None:
    """``_s(..., required=False)`` for a value already taken out of ``data``."""
    if value is None or (type(value) is str and value):
        return value
    raise BadEvent(f"{type_}: data.{key} must be a non-empty string")


# The handlers of the frequent types (registrations, the audience) check and change the
# stream in the same order as the general helpers would, so that a bad line leaves behind
# exactly what it always did (the session it named, the fields set before the bad one).


def _registered(
    st: Stream, ts: int, sess: str | None, actor: str | None, d: dict[str, Any], t: str
) -> None:
    if actor is None:
        raise BadEvent(f"{t}: actor is required")
    a = st.accounts.get(actor) or st.account(actor)
    created = d.get("created_at")
    a.created = parse_ts(created) if created is not None else ts
    a.role = _optional(d.get("role"), "role", t)
    a.device = _optional(d.get("device"), "device", t)
    a.ip = _optional(d.get("ip"), "ip", t)
    a.org = _optional(d.get("org"), "org", t)


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
    product = st.product(str(_s(d, "product", t)))
    product.changes.append((ts, price))
    clearance = d.get("clearance")
    if isinstance(clearance, str) and clearance.strip():
        product.clearances.append((ts, price, clearance.strip()))


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


def _audience(st: Stream, sess: str | None, actor: str | None, t: str) -> tuple[Session, str]:
    """The session (made if new, as ``st.session`` would) once it is named; then the actor."""
    if sess is None:
        raise BadEvent(f"{t}: session is required")
    s = st.sessions.get(sess) or st.session(sess)
    if actor is None:
        raise BadEvent(f"{t}: actor is required")
    return s, actor


def _joined(
    st: Stream, ts: int, sess: str | None, actor: str | None, d: dict[str, Any], t: str
) -> None:
    s, who = _audience(st, sess, actor, t)
    device = _text(d.get("device"), "device", t)
    ip = _text(d.get("ip"), "ip", t)
    s.joins.append((ts, who, device, ip, _text(d.get("client"), "client", t)))


def _left(
    st: Stream, ts: int, sess: str | None, actor: str | None, d: dict[str, Any], t: str
) -> None:
    s, who = _audience(st, sess, actor, t)
    s.leaves.append((ts, who))


def _chat(
    st: Stream, ts: int, sess: str | None, actor: str | None, d: dict[str, Any], t: str
) -> None:
    text = d.get("text")
    if not isinstance(text, str):
        raise BadEvent(f"{t}: data.text must be a string")
    s, who = _audience(st, sess, actor, t)
    s.chats.append((ts, who, text))


def _like(
    st: Stream, ts: int, sess: str | None, actor: str | None, d: dict[str, Any], t: str
) -> None:
    s, who = _audience(st, sess, actor, t)
    count = d.get("count")
    if type(count) is not int or count < 1:
        raise BadEvent(f"{t}: data.count must be a whole number ≥ 1")
    s.likes.append((ts, who, count))


def _share(
    st: Stream, ts: int, sess: str | None, actor: str | None, d: dict[str, Any], t: str
) -> None:
    s, who = _audience(st, sess, actor, t)
    s.shares.append((ts, who))


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
        _text(address.get("region"), "address.region", t),
        _text(address.get("detail_hash"), "address.detail_hash", t),
        _text(d.get("device"), "device", t),
        _text(d.get("ip"), "ip", t),
        _text(d.get("payment_method"), "payment_method", t),
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
    for key in ("gmv", "orders", "units", "viewers"):  # units: Sunlit's own claims carry it
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


def apply_order_event(st: Stream, ts: int, type_: str, d: dict[str, Any]) -> str | None:
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
        # Sunlit's events say when the carrier delivered, which a late notice follows.
        order.delivered = parse_ts(d["delivered_at"]) if "delivered_at" in d else ts
    else:
        order.complaints.append(str(d.get("category") or "other"))
    return None


def check_order_event(type_: str, d: dict[str, Any]) -> None:
    """An order event's own fields, checked when it is read (it is applied later)."""
    _s(d, "order", type_)
    if type_ == "order.refunded":
        _fen(d, "amount", type_, required=False)
    elif type_ == "order.delivered" and "delivered_at" in d:
        parse_ts(d["delivered_at"])
