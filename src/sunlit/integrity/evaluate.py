"""The evaluation harness: simulate a grid of labelled streams, analyse each, and score every
rule at the level of the accounts, orders and products it names (spec/integrity.md, "How
detection is judged")."""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sunlit.integrity.engine import run_detectors
from sunlit.integrity.reader import read_lines
from sunlit.simulate.model import RULE_OF, Camouflage, Scenario, ScenarioSpec, SimConfig
from sunlit.simulate.services import build
from sunlit.simulate.writer import write_events

LEVELS = ("accounts", "orders", "products", "sessions")
#: Streams with a brushing ring span several sessions: rings buy across sessions.
RING_SESSIONS = 3


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, named: set[str], truth: set[str]) -> None:
        self.tp += len(named & truth)
        self.fp += len(named - truth)
        self.fn += len(truth - named)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Results:
    # (rule, camouflage, level) -> tally
    tallies: dict[tuple[str, str, str], Tally] = field(default_factory=lambda: defaultdict(Tally))
    honest_accounts: int = 0
    honest_accounts_flagged: int = 0
    honest_orders: int = 0
    honest_orders_flagged: int = 0
    honest_sessions: int = 0
    honest_findings: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    runs: int = 0


def _named(found: dict[str, list[Any]]) -> dict[str, dict[str, set[str]]]:
    out: dict[str, dict[str, set[str]]] = defaultdict(lambda: {k: set() for k in LEVELS})
    for sid, findings in found.items():
        for f in findings:
            out[f.rule]["accounts"].update(f.accounts)
            out[f.rule]["orders"].update(f.orders)
            out[f.rule]["products"].update(f.products)
            out[f.rule]["sessions"].add(sid)
    return out


def run_one(config: SimConfig, results: Results) -> None:
    tape = build(config)
    buffer = io.BytesIO()
    write_events(tape, buffer)
    buffer.seek(0)
    stream, _ = read_lines(buffer)
    found = run_detectors(stream)
    named = _named(found)
    truth: dict[str, dict[str, set[str]]] = defaultdict(lambda: {k: set() for k in LEVELS})
    camo: dict[str, str] = {}
    for entry in tape.labels.entries:
        t = truth[entry["rule"]]
        t["accounts"].update(entry["accounts"])
        t["orders"].update(entry["orders"])
        t["products"].update(entry["products"])
        if entry["rule"] == "hype_gap" and entry["session"]:
            t["sessions"].add(entry["session"])
        camo[entry["rule"]] = entry["camouflage"]
    scored_rules = {RULE_OF[s.scenario] for s in config.scenarios}
    for rule in scored_rules:
        for level in LEVELS:
            if truth[rule][level]:
                results.tallies[(rule, camo.get(rule, "default"), level)].add(
                    named[rule][level], truth[rule][level]
                )
    bad_accounts = set().union(*(t["accounts"] for t in truth.values())) if truth else set()
    bad_orders = set().union(*(t["orders"] for t in truth.values())) if truth else set()
    flagged_accounts = set().union(*(n["accounts"] for n in named.values())) if named else set()
    flagged_orders = set().union(*(n["orders"] for n in named.values())) if named else set()
    honest_accounts = {a for a in stream.accounts if a not in bad_accounts}
    honest_orders = {o for o in stream.orders if o not in bad_orders}
    results.honest_accounts += len(honest_accounts)
    results.honest_accounts_flagged += len(flagged_accounts & honest_accounts)
    results.honest_orders += len(honest_orders)
    results.honest_orders_flagged += len(flagged_orders & honest_orders)
    if not config.scenarios:
        results.honest_sessions += len(stream.sessions)
        for rule, n in named.items():
            results.honest_findings[rule] += len(n["sessions"])
    results.runs += 1


def grid(
    sizes: Iterable[int], seeds: Iterable[int], levels: Iterable[Camouflage] = tuple(Camouflage)
) -> list[SimConfig]:
    configs = []
    for size in sizes:
        for seed in seeds:
            configs.append(SimConfig(seed=seed, viewers=size, sessions=2))
            for scenario in Scenario:
                for level in levels:
                    sessions = RING_SESSIONS if scenario is Scenario.BRUSHING_RING else 1
                    configs.append(
                        SimConfig(
                            seed=seed,
                            viewers=size,
                            sessions=sessions,
                            scenarios=(ScenarioSpec(scenario, level),),
                        )
                    )
    return configs


def evaluate(
    configs: list[SimConfig], progress: Callable[[int, int], None] | None = None
) -> Results:
    results = Results()
    for i, config in enumerate(configs):
        run_one(config, results)
        if progress is not None:
            progress(i + 1, len(configs))
    return results


def report(results: Results, command: str) -> str:
    """The evaluation as Markdown: per rule and camouflage, precision, recall and F1 at each
    level the labels name, then the false positives on honest accounts and orders."""
    lines = [
        "| rule | camouflage | level | precision | recall | F1 | TP | FP | FN |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for (rule, camo, level), t in sorted(
        results.tallies.items(), key=lambda kv: (kv[0][0], _camo_order(kv[0][1]), kv[0][2])
    ):
        lines.append(
            f"| {rule} | {camo} | {level} | {t.precision:.3f} | {t.recall:.3f} | {t.f1:.3f} "
            f"| {t.tp} | {t.fp} | {t.fn} |"
        )
    acc = results.honest_accounts_flagged / max(results.honest_accounts, 1)
    orders = results.honest_orders_flagged / max(results.honest_orders, 1)
    lines += [
        "",
        f"Honest accounts flagged: {results.honest_accounts_flagged} of "
        f"{results.honest_accounts} ({acc:.3%}); honest orders flagged: "
        f"{results.honest_orders_flagged} of {results.honest_orders} ({orders:.3%}).",
        "",
        f"Honest-only sessions: {results.honest_sessions}; findings on them: "
        + (", ".join(f"{r} {n}" for r, n in sorted(results.honest_findings.items())) or "none")
        + ".",
        "",
        f"{results.runs} simulated streams. Command: `{command}`",
    ]
    return "\n".join(lines)


def _camo_order(level: str) -> int:
    return {"none": 0, "default": 1, "strong": 2}.get(level, 3)
