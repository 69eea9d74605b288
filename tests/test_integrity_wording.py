"""Every evidence key every detector emits has a label and a way to be written out, and every
detector's summary can be rebuilt from its evidence: in English it is the findings document's
summary word for word, so a translation of the message says the same thing (issue 18)."""

from __future__ import annotations

import ast
import inspect
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sunlit.core.i18n import current_language
from sunlit.integrity import evidence_view, wording
from sunlit.integrity.detectors import REGISTRY
from sunlit.integrity.engine import run_detectors
from sunlit.integrity.model import Finding
from sunlit.integrity.reader import read_lines
from sunlit.integrity.stream import Stream
from sunlit.simulate.model import Scenario, ScenarioSpec, SimConfig
from sunlit.simulate.services import simulate

DETECTORS = Path(inspect.getfile(wording)).parent / "detectors"
#: Evidence values that are mappings of named parts, and the labels of their parts.
NESTED = {
    "signals": wording.SIGNALS_LABELS,
    "claim": wording.FIGURE_LABELS,
    "verified": wording.FIGURE_LABELS,
    "gaps": wording.FIGURE_LABELS,
}


@pytest.fixture(scope="module")
def evening(tmp_path_factory: pytest.TempPathFactory) -> tuple[Stream, list[Finding]]:
    """A simulated evening with every abuse the simulator knows."""
    path = tmp_path_factory.mktemp("streams") / "everything.jsonl"
    scenarios = tuple(ScenarioSpec.parse(s.value) for s in Scenario)
    simulate(SimConfig(seed=5, viewers=300, minutes=60, scenarios=scenarios), path)
    stream, _ = read_lines(path.read_bytes().splitlines(keepends=True))
    found = run_detectors(stream)
    return stream, [f for findings in found.values() for f in findings]


def evidence_keys_in_source() -> Iterator[tuple[str, str]]:
    """(module, key) for every key of an ``evidence = {...}`` literal in the detectors, and
    every ``….evidence["key"] = …`` added afterwards."""
    for path in sorted(DETECTORS.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign):
                target = node.targets[0]
                if isinstance(target, ast.Name) and target.id == "evidence":
                    assert isinstance(node.value, ast.Dict), path
                    for key in node.value.keys:
                        assert isinstance(key, ast.Constant), path
                        yield path.stem, str(key.value)
                if (
                    isinstance(target, ast.Subscript)
                    and isinstance(target.value, ast.Attribute)
                    and target.value.attr == "evidence"
                    and isinstance(target.slice, ast.Constant)
                ):
                    yield path.stem, str(target.slice.value)


def test_every_evidence_key_written_in_a_detector_has_a_label() -> None:
    keys = list(evidence_keys_in_source())
    # Every detector module writes evidence, and local_buyers for forced_purchases.
    assert len({m for m, _ in keys}) == 9
    labelled = set(wording.EVIDENCE) | {k for rule in wording.BY_RULE.values() for k in rule}
    assert [(m, k) for m, k in keys if k not in labelled] == []


def test_every_rule_of_the_registry_has_a_summary_message() -> None:
    assert {d.rule for d in REGISTRY} <= set(wording.SUMMARIES)


def test_every_key_of_every_finding_of_a_simulated_evening_has_a_label(
    evening: tuple[Stream, list[Finding]],
) -> None:
    _, findings = evening
    assert len({f.rule for f in findings}) >= 8
    missing = []
    for f in findings:
        for key, value in f.evidence.items():
            if wording.label_of(f.rule, "import", key) is None:
                missing.append((f.rule, key))
            if key in NESTED:
                missing += [(f.rule, f"{key}.{k}") for k in value if k not in NESTED[key]]
    assert missing == []


def test_each_summary_rebuilt_from_its_evidence_is_the_detectors_own(
    evening: tuple[Stream, list[Finding]],
) -> None:
    stream, findings = evening
    token = current_language.set("en")
    try:
        for f in findings:
            names = [stream.products[p].name or p for p in f.products]
            shown = evidence_view.summary(f.rule, "import", f.evidence, names, lambda g, v: v)
            assert shown == f.summary, f.rule
    finally:
        current_language.reset(token)


def test_evidence_that_does_not_fit_the_message_gives_no_summary() -> None:
    assert evidence_view.summary("fake_viewers", "live", {"viewers": 3}, [], str) is None


@pytest.mark.parametrize(
    ("p", "words"),
    [
        (3.05e-38, "Less than one in a billion that this is chance (p = 3.05×10⁻³⁸)"),
        (2e-4, "Less than one in a thousand that this is chance (p = 2×10⁻⁴)"),
        (0.03, "Less than one in twenty that this is chance (p = 0.03)"),
        (0.4, "About 40%: this could be chance (p = 0.4)"),
    ],
)
def test_a_p_value_reads_as_a_likelihood_with_its_number(p: float, words: str) -> None:
    token = current_language.set("en")
    try:
        assert evidence_view.likelihood(p) == words
    finally:
        current_language.reset(token)


def test_money_shares_and_lists_are_written_out() -> None:
    token = current_language.set("en")
    try:
        lines = evidence_view.evidence_lines(
            "paid_comments",
            "import",
            {
                "comments": 1190,
                "busiest_window": {"comments": 49, "expected": 3.5, "p_value": 3.05e-38},
                "non_buyers": 0.041,
                "examples": ["县长太好了"],
            },
            lambda group, value: value,
            own=False,
        )
        shown: dict[str, Any] = {line.key: line.text or line.items for line in lines}
        assert shown["comments"] == "1,190"
        assert shown["busiest_window"][0] == "49 comments in one burst, where 3.5 were expected"
        assert shown["non_buyers"] == "4.1%"
        assert shown["examples"] == ("县长太好了",)
        gouging = evidence_view.evidence_lines(
            "price_gouging", "import", {"price": 4990}, lambda g, v: v, own=False
        )
        assert (gouging[0].label, gouging[0].text) == ("Highest price sold at", "¥49.90")
    finally:
        current_language.reset(token)
