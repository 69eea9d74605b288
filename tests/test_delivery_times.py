"""Delivery times are counted to the moment the parcel reached the buyer (issue 17, item 6).
The sandbox carrier sends its notices late, doubled and out of order, as real carriers do; a
notice that arrives a day after the delivery must not make the delivery a day longer in the
verified figures, and must agree with the producer's page, which reads the carrier's time."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sunlit.integrity.detectors.hype import verified_figures
from sunlit.integrity.reader import StreamRefused, read_lines
from tests.integrity_streams import T0, Events

PRODUCTS = [{"product": "g-pears"}]


PAID = 90  # seconds after T0: placed at 60, paid 30 s later


def delivered(notice_seconds: float, delivered_at: str | None) -> Events:
    """One paid order whose delivery notice is written ``notice_seconds`` after T0, saying the
    parcel was delivered at ``delivered_at`` (or not saying when)."""
    events = Events().account("a-buyer").session(products=PRODUCTS)
    events.order("o-1", "a-buyer", "g-pears", 60, shipped=True)
    data: dict[str, str] = {"order": "o-1"}
    if delivered_at is not None:
        data["delivered_at"] = delivered_at
    return events.add("order.delivered", notice_seconds, data)


def hours_of(events: Events) -> float | None:
    stream, _ = read_lines(events.lines())
    return verified_figures(stream.sessions["s-1"], set(), set()).median_delivery_hours


def at(seconds: float) -> str:
    return (T0 + timedelta(seconds=seconds)).isoformat(timespec="milliseconds")


def test_a_late_notice_does_not_lengthen_the_delivery() -> None:
    two_days = 2 * 86400
    late = delivered(PAID + two_days + 86400, at(PAID + two_days))
    assert hours_of(late) == 48.0  # the carrier's delivery, not the notice a day later


def test_a_stream_without_the_carrier_s_time_counts_to_the_event() -> None:
    """Streams from elsewhere (the spec's ``order.delivered`` carries only the order)."""
    plain = delivered(PAID + 36 * 3600, None)
    assert hours_of(plain) == 36.0


def test_a_delivery_time_that_is_no_time_is_refused_by_name() -> None:
    bad = delivered(PAID + 3600, "yesterday")
    with pytest.raises(StreamRefused, match="yesterday"):
        read_lines(bad.lines())
