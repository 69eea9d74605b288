"""The detector registry: each detector runs after the rules it ``needs`` (not after whatever
happens to precede it), sees only their findings, and a registry whose needs cannot be met is
refused."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import pytest

from sunlit.integrity import engine
from sunlit.integrity.detectors import REGISTRY, RULES, Context, Detector
from sunlit.integrity.engine import ORDER, RegistryError, in_order, run_detectors
from sunlit.integrity.model import Finding
from sunlit.integrity.reader import read_lines
from tests.integrity_streams import Events


@dataclass(frozen=True)
class Plain:
    level: int = 1


def _nothing(ctx: Context, settings: Plain) -> list[Finding]:
    return []


def _detector(rule: str, *needs: str) -> Detector[Plain]:
    return Detector(rule, Plain, _nothing, "", needs=needs)


def test_each_detector_runs_after_what_it_needs_whatever_the_registry_order() -> None:
    assert ORDER == REGISTRY  # the registry's own order already meets every need
    hype = next(d for d in REGISTRY if d.rule == "hype_gap")
    assert hype.needs == ("fake_orders", "fake_viewers")
    backwards = [d.rule for d in in_order(reversed(REGISTRY))]
    assert backwards.index("hype_gap") > max(backwards.index(n) for n in hype.needs)
    assert sorted(backwards) == sorted(RULES)
    chain = in_order([_detector("c", "b"), _detector("b", "a"), _detector("a")])
    assert [d.rule for d in chain] == ["a", "b", "c"]
    assert [d.rule for d in in_order([_detector("x"), _detector("y")])] == ["x", "y"]
    assert hype.defaults() == {"tolerance": 0.10}


def test_a_missing_need_a_circle_or_a_rule_twice_is_refused() -> None:
    with pytest.raises(RegistryError, match="b needs nowhere: no such detector"):
        in_order([_detector("a"), _detector("b", "nowhere")])
    with pytest.raises(RegistryError, match="in a circle: a, b"):
        in_order([_detector("a", "b"), _detector("b", "a"), _detector("c")])
    with pytest.raises(RegistryError, match="in a circle: a"):
        in_order([_detector("a", "a")])
    with pytest.raises(RegistryError, match="registered twice"):
        in_order([_detector("a"), _detector("a")])


def test_a_detector_sees_the_findings_of_its_needs_and_no_others(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: dict[str, set[str]] = {}

    def first(ctx: Context, settings: Plain) -> list[Finding]:
        assert ctx.session is not None
        return [Finding("first", "low", 0.1, "first", {"session": ctx.session.id})]

    def looking(rule: str) -> Any:
        def run(ctx: Context, settings: Plain) -> list[Finding]:
            assert ctx.session is not None
            seen[rule] = {f.rule for f in ctx.earlier.get(ctx.session.id, [])}
            return []

        return run

    detectors = in_order(
        [
            Detector("blind", Plain, looking("blind"), ""),
            Detector("reader", Plain, looking("reader"), "", needs=("first",)),
            Detector("first", Plain, first, ""),
        ]
    )
    monkeypatch.setattr(engine, "ORDER", detectors)
    stream, _ = read_lines(Events().session(products=[{"product": "p-1"}]).lines())
    found = run_detectors(stream)
    assert [f.rule for f in found["s-1"]] == ["first"]
    assert seen == {"blind": set(), "reader": {"first"}}
    assert [d.rule for d in detectors] == ["blind", "first", "reader"]
    seen.clear()
    run_detectors(stream, rules=["reader"])  # only it and what it needs
    assert seen == {"reader": {"first"}}
    with pytest.raises(RegistryError, match="no detector for nope"):
        run_detectors(stream, rules=["nope"])


def test_tuned_settings_reach_the_detector() -> None:
    e = Events().session(products=[{"product": "p-1"}]).order("o-1", "b-1", "p-1", 600)
    e.add("claim.published", 3700, {"source": "县融媒体中心", "gmv": 6000})  # twice the 3000
    stream, _ = read_lines(e.lines())
    hype = next(d for d in REGISTRY if d.rule == "hype_gap")
    strict = run_detectors(stream, rules=["hype_gap"])
    lenient = run_detectors(
        stream, {"hype_gap": replace(hype.settings(), tolerance=1e9)}, rules=["hype_gap"]
    )
    assert [f.rule for f in strict["s-1"]] == ["hype_gap"]
    assert lenient["s-1"] == []
