"""Shared pieces: money in fen, ids, timestamps, the event envelope, regions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sunlit.core.clock import parse_rfc3339, to_rfc3339
from sunlit.core.eventlog import Event
from sunlit.core.ids import new_id
from sunlit.core.money import format_fen, parse_yuan
from sunlit.core.regions.model import RegionLevel, parse_regions
from sunlit.core.regions.services import region_book


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_fen_survive_formatting_and_parsing(fen: int) -> None:
    assert parse_yuan(format_fen(fen)) == fen


@pytest.mark.parametrize(
    "text,fen", [("12.5", 1250), ("¥3", 300), ("0.07", 7), ("1,234.50", 123450)]
)
def test_yuan_typed_by_people(text: str, fen: int) -> None:
    assert parse_yuan(text) == fen


@pytest.mark.parametrize("text", ["", "1.234", "abc", "1e3", "--1"])
def test_amounts_that_are_not_money_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_yuan(text)


def test_ids_are_unique_and_sort_by_creation_time() -> None:
    ids = [new_id("a", now_ms=1_600_000_000_000 + n) for n in range(200)]
    assert len(set(ids)) == 200
    assert ids == sorted(ids)
    assert all(i.startswith("a-") for i in ids)


@given(
    st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    )
)
def test_timestamps_round_trip_at_millisecond_precision(moment: datetime) -> None:
    text = to_rfc3339(moment, ZoneInfo("Asia/Shanghai"))
    assert text.endswith("+08:00") and len(text.split(".")[1]) == len("123+08:00")
    assert abs(parse_rfc3339(text) - moment) < timedelta(milliseconds=1)


def test_naive_timestamps_are_refused() -> None:
    with pytest.raises(ValueError):
        parse_rfc3339("2020-03-02T20:15:03")
    with pytest.raises(ValueError):
        Event(type="like", ts=datetime(2020, 3, 2), data={"count": 1})


def test_event_line_is_utf8_json_with_the_spec_envelope() -> None:
    item = Event(
        type="chat.message",
        ts=datetime(2020, 3, 2, 12, 15, 3, 120000, tzinfo=UTC),
        data={"text": "县长吃梨"},
        actor="a-17",
        session="s-0001",
        id="e-1",
    )
    line = item.to_json_line(ZoneInfo("Asia/Shanghai"))
    assert line.endswith(b"\n") and "县长吃梨".encode() in line
    assert orjson.loads(line) == {
        "id": "e-1",
        "type": "chat.message",
        "ts": "2020-03-02T20:15:03.120+08:00",
        "session": "s-0001",
        "actor": "a-17",
        "data": {"text": "县长吃梨"},
    }


def test_the_demo_counties_are_in_the_region_book_with_their_hierarchy() -> None:
    book = region_book()
    assert book.full_name("341321", "zh") == "安徽省宿州市砀山县"
    assert book.full_name("522635", "en") == (
        "Majiang County, Qiandongnan Miao and Dong Autonomous Prefecture, Guizhou"
    )
    assert [r.code for r in book.children("341300")] == [
        "341302",
        "341321",
        "341322",
        "341323",
        "341324",
    ]
    assert len(book.search(level=RegionLevel.PROVINCE, limit=100)) == 34
    assert [r.code for r in book.search("砀山")] == ["341321"]


def test_a_region_file_with_a_missing_parent_is_refused() -> None:
    with pytest.raises(ValueError, match="line 2"):
        parse_regions("code,name_zh,name_en\n341321,砀山县,Dangshan County\n")
