"""Reading event streams (bad input, duplicates, order) and the simulator's output."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from sunlit.integrity.engine import findings_document, run_detectors
from sunlit.integrity.reader import StreamBuilder, StreamRefused, read_lines
from sunlit.simulate.model import ScenarioSpec, SimConfig
from sunlit.simulate.services import simulate
from tests.integrity_streams import Events


def _stream() -> list[bytes]:
    e = Events().session(products=[{"product": "p-0"}])
    e.account("b-1").order("o-1", "b-1", "p-0", 100)
    return e.lines()


def test_bad_lines_are_reported_with_their_numbers_and_refuse_the_stream() -> None:
    lines = _stream()
    lines.insert(2, b"{not json\n")
    lines.insert(
        4, b'{"id":"x","type":"order.exploded","ts":"2020-04-20T20:00:00.000+08:00","data":{}}\n'
    )
    lines.insert(5, b'{"id":"y","type":"like","ts":"yesterday","session":"s-1","data":{}}\n')
    with pytest.raises(StreamRefused) as refused:
        read_lines(lines)
    messages = [str(b) for b in refused.value.report.bad]
    assert messages[0].startswith("line 3: not JSON")
    assert messages[1] == "line 5: unknown type 'order.exploded'"
    assert messages[2] == "line 6: ts 'yesterday' is not RFC 3339"


def test_skip_bad_reads_the_rest_and_lists_what_it_skipped() -> None:
    lines = [*_stream(), b'{"id":"cut","type":"like","ts":"2020']
    stream, report = read_lines(lines, skip_bad=True)
    assert report.bad_count == 1
    assert "the file may end mid-line" in str(report.bad[0])
    assert str(report.bad[0]).startswith(f"line {len(lines)}:")
    assert stream.orders["o-1"].paid is not None


def test_duplicates_are_counted_once_and_a_reused_id_is_refused() -> None:
    lines = _stream()
    _, report = read_lines([*lines, lines[-1], lines[-2]])
    assert report.duplicates == 2 and report.events == len(lines)
    changed = orjson.loads(lines[-1])
    changed["data"]["order"] = "o-2"
    with pytest.raises(StreamRefused, match="already used by a different event"):
        read_lines([*lines, orjson.dumps(changed)])


def test_events_out_of_order_are_sorted_by_time() -> None:
    lines = _stream()
    stream, report = read_lines(list(reversed(lines)))
    assert report.out_of_order > 0
    assert stream.orders["o-1"].paid is not None  # paid came before placed in the file
    session = stream.sessions["s-1"]
    assert session.started is not None and session.ended is not None


def test_an_empty_stream_is_refused() -> None:
    with pytest.raises(StreamRefused, match="line 1: the stream is empty"):
        read_lines([])


def test_a_timestamp_without_an_offset_is_refused() -> None:
    line = (
        b'{"id":"a","type":"like","ts":"2020-04-20T20:00:00.000","session":"s","actor":"x",'
        b'"data":{"count":1}}'
    )
    with pytest.raises(StreamRefused, match="has no offset"):
        read_lines([line])


def test_a_device_ip_or_address_that_is_not_a_string_is_a_bad_line() -> None:
    lines = _stream()
    joined = (
        b'{"id":"j","type":"viewer.joined","ts":"2020-04-20T20:00:00.000+08:00","session":"s-1",'
        b'"actor":"b-1","data":{"device":"d1","ip":true,"client":"app"}}'
    )
    placed = next(orjson.loads(line) for line in lines if b"order.placed" in line)
    placed["id"], placed["data"]["order"] = "o-2-placed", "o-2"
    placed["data"]["address"] = {"region": "341321", "detail_hash": ["not", "a", "hash"]}
    with pytest.raises(StreamRefused) as refused:
        read_lines([*lines, joined, orjson.dumps(placed)])
    messages = [b.message for b in refused.value.report.bad]
    assert messages == [
        "viewer.joined: data.ip must be a string or null",
        "order.placed: data.address.detail_hash must be a string or null",
    ]


def test_the_simulator_is_deterministic_and_its_streams_read_cleanly(tmp_path: Path) -> None:
    config = SimConfig(
        seed=5,
        viewers=500,
        minutes=30,
        scenarios=(ScenarioSpec.parse("view_bots:strong"), ScenarioSpec.parse("quota")),
    )
    first = simulate(config, tmp_path / "a.jsonl")
    second = simulate(config, tmp_path / "b.jsonl")
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()
    other = simulate(SimConfig(seed=6, viewers=500, minutes=30), tmp_path / "c.jsonl")
    assert (tmp_path / "c.jsonl").read_bytes() != (tmp_path / "a.jsonl").read_bytes()
    with (tmp_path / "a.jsonl").open("rb") as f:
        stream, report = read_lines(f)
    assert report.bad_count == 0 and report.events == first.events == second.events
    assert other.events > 0
    labels = orjson.loads(first.labels_path.read_bytes())["labels"]
    rules = {entry["rule"] for entry in labels}
    assert {"fake_viewers", "forced_purchases"} <= rules
    bots = next(e for e in labels if e["rule"] == "fake_viewers")["accounts"]
    assert len(bots) == 100 and all(b in stream.accounts for b in bots)


def test_simulate_and_analyze_from_the_command_line(tmp_path: Path) -> None:
    events = tmp_path / "evening.jsonl"
    sunlit = [sys.executable, "-m", "sunlit.cli"]
    run = subprocess.run(
        [
            *sunlit,
            "simulate",
            "--out",
            str(events),
            "--viewers",
            "800",
            "--scenario",
            "gouging:strong",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "evening.labels.json").is_file()
    out = tmp_path / "findings.json"
    run = subprocess.run(
        [*sunlit, "integrity", "analyze", str(events), "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    doc = orjson.loads(out.read_bytes())
    assert doc["spec"] == "sunlit-findings/1"
    rules = [f["rule"] for s in doc["sessions"] for f in s["findings"]]
    assert "price_gouging" in rules
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(events.read_bytes()[:5000] + b"\n{oops\n")
    run = subprocess.run(
        [*sunlit, "integrity", "analyze", str(bad)], capture_output=True, text=True, check=False
    )
    assert run.returncode == 1 and "not JSON" in run.stderr and "--skip-bad" in run.stderr
    run = subprocess.run(
        [*sunlit, "simulate", "--out", str(events), "--scenario", "nope"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 2 and "unknown scenario 'nope'" in run.stderr


def test_a_stream_read_in_pieces_finds_what_it_finds_read_whole(tmp_path: Path) -> None:
    """The live monitor parses each session as it arrives and runs the detectors after every
    piece: at the end it must see exactly what reading the whole file sees."""
    config = SimConfig(
        seed=4,
        viewers=1500,
        minutes=40,
        scenarios=(ScenarioSpec.parse("quota:default:40"), ScenarioSpec.parse("paid_praise")),
    )
    simulate(config, tmp_path / "s.jsonl")
    lines = (tmp_path / "s.jsonl").read_bytes().splitlines(keepends=True)
    whole, _ = read_lines(lines, skip_bad=True)
    expected = findings_document(run_detectors(whole))
    assert {f["rule"] for s in expected["sessions"] for f in s["findings"]} >= {
        "forced_purchases",
        "paid_comments",
    }
    builder = StreamBuilder()
    for start in range(0, len(lines), 997):  # pieces that cut orders from their payments
        builder.feed(lines[start : start + 997])
        run_detectors(builder.snapshot())
    assert findings_document(run_detectors(builder.snapshot())) == expected
    assert builder.snapshot().events == whole.events
