"""The evaluation harness: simulate a grid of labelled streams, analyse each, and score every
rule at the level of the accounts, orders and products it names (docs/integrity-evaluation.md),
beside two baselines on the same features (`baselines`) and, on a part of the grid, the time
each abuse takes to be found (`detection_time`)."""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sunlit.integrity.engine import run_detectors
from sunlit.integrity.reader import read_lines
from sunlit.lab.baselines import METHODS, run_baselines
from sunlit.lab.detection_time import Replay, Truth
from sunlit.simulate.model import RULE_OF, Camouflage, Scenario, ScenarioSpec, SimConfig
from sunlit.simulate.services import build
from sunlit.simulate.writer import write_events

LEVELS = ("accounts", "orders", "products", "sessions")
ENGINE = "engine"
#: Streams with a brushing ring span several sessions: rings buy across sessions.
RING_SESSIONS = 3

Named = dict[str, dict[str, set[str]]]  # rule -> level -> ids


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, named: set[str], truth: set[str]) -> None:
        self.tp += len(named & truth)
        self.fp += len(named - truth)
        self.fn += len(truth - named)

    def merge(self, other: Tally) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

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


Key = tuple[str, str, str, str, int]  # method, rule, camouflage, level, viewers


@dataclass
class Results:
    tallies: dict[Key, Tally] = field(default_factory=lambda: defaultdict(Tally))
    honest_accounts: int = 0
    honest_orders: int = 0
    # method -> [honest accounts flagged, honest orders flagged]
    honest_flagged: dict[str, list[int]] = field(
        default_factory=lambda: defaultdict(lambda: [0, 0])
    )
    honest_sessions: int = 0
    honest_findings: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    # (rule, camouflage) -> delay in ms per labelled abuse (None: never found)
    delays: dict[tuple[str, str], list[int | None]] = field(
        default_factory=lambda: defaultdict(list)
    )
    replays: int = 0
    runs: int = 0


def empty_levels() -> dict[str, set[str]]:
    return {k: set() for k in LEVELS}


def named_by_rule(found: dict[str, list[Any]]) -> Named:
    out: Named = defaultdict(empty_levels)
    for sid, findings in found.items():
        for f in findings:
            out[f.rule]["accounts"].update(f.accounts)
            out[f.rule]["orders"].update(f.orders)
            out[f.rule]["products"].update(f.products)
            out[f.rule]["sessions"].add(sid)
    return out


def union_of(named: Named, level: str) -> set[str]:
    return set().union(*(n.get(level, set()) for n in named.values()))


def run_one(config: SimConfig, results: Results, *, timing: bool = False) -> None:
    tape = build(config)
    buffer = io.BytesIO()
    write_events(tape, buffer)
    lines = buffer.getvalue().splitlines(keepends=True)
    stream, _ = read_lines(lines)
    by_method: dict[str, Named] = {ENGINE: named_by_rule(run_detectors(stream))}
    for method, named in run_baselines(stream).items():
        by_method[method] = defaultdict(
            empty_levels, {r: {**empty_levels(), **n} for r, n in named.items()}
        )
    truth: Named = defaultdict(empty_levels)
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
    for method, named in by_method.items():
        for rule in scored_rules:
            if method != ENGINE and rule not in named:
                continue
            for level in LEVELS:
                if truth[rule][level]:
                    key = (method, rule, camo.get(rule, "default"), level, config.viewers)
                    results.tallies[key].add(named[rule][level], truth[rule][level])
    bad_accounts, bad_orders = union_of(truth, "accounts"), union_of(truth, "orders")
    honest_accounts = {a for a in stream.accounts if a not in bad_accounts}
    honest_orders = {o for o in stream.orders if o not in bad_orders}
    results.honest_accounts += len(honest_accounts)
    results.honest_orders += len(honest_orders)
    for method, named in by_method.items():
        flagged = results.honest_flagged[method]
        flagged[0] += len(union_of(named, "accounts") & honest_accounts)
        flagged[1] += len(union_of(named, "orders") & honest_orders)
    if not config.scenarios:
        results.honest_sessions += len(stream.sessions)
        for rule, n in by_method[ENGINE].items():
            results.honest_findings[rule] += len(n["sessions"])
    if timing and config.scenarios:
        replay = Replay(lines)
        for rule in scored_rules:
            t = truth[rule]
            wanted = Truth(
                rule,
                frozenset(t["accounts"]),
                frozenset(t["orders"]),
                frozenset(t["products"]),
                frozenset(t["sessions"]),
            )
            results.delays[(rule, camo.get(rule, "default"))].append(replay.delay(wanted))
        results.replays += 1
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
    configs: list[SimConfig],
    progress: Callable[[int, int], None] | None = None,
    timing: Callable[[SimConfig], bool] | None = None,
) -> Results:
    """Score every configuration; ``timing`` picks those whose time to detection is measured."""
    results = Results()
    for i, config in enumerate(configs):
        run_one(config, results, timing=bool(timing and timing(config)))
        if progress is not None:
            progress(i + 1, len(configs))
    return results


def _fold(results: Results, method: str) -> dict[tuple[str, str, str], Tally]:
    """Tallies of one method summed over sizes: (rule, camouflage, level) -> tally."""
    out: dict[tuple[str, str, str], Tally] = defaultdict(Tally)
    for (m, rule, camo, level, _), t in results.tallies.items():
        if m == method:
            out[(rule, camo, level)].merge(t)
    return out


def _sort_key(item: tuple[tuple[str, str, str], Any]) -> tuple[str, int, str]:
    (rule, camo, level), _ = item
    return rule, _camo_order(camo), level


def _row(t: Tally) -> str:
    return f"{t.precision:.3f} | {t.recall:.3f} | {t.f1:.3f} | {t.tp} | {t.fp} | {t.fn} |"


def _seconds(ms: int) -> str:
    s = ms / 1000
    if s < 120:
        return f"{s:.0f} s"
    if s < 2 * 3600:
        return f"{s / 60:.0f} min"
    if s < 2 * 86400:
        return f"{s / 3600:.1f} h"
    return f"{s / 86400:.1f} d"


#: The level each rule is judged on in the summary: what a supervisor acts on.
PRIMARY = {
    "fake_viewers": "accounts",
    "fake_orders": "orders",
    "forced_purchases": "accounts",
    "paid_comments": "accounts",
    "price_gouging": "products",
    "below_cost": "products",
    "conflict_of_interest": "products",
    "company_favouritism": "products",
    "quality_complaints": "products",
    "hype_gap": "sessions",
}


def summary(results: Results) -> list[str]:
    """Per rule and camouflage, F1 at the rule's own level (`PRIMARY`), and the macro F1 over
    the rules of each camouflage column: the figures the targets are stated in."""
    folded = _fold(results, ENGINE)
    camos = sorted({camo for (_, camo, _) in folded}, key=_camo_order)
    rules = sorted({rule for (rule, _, _) in folded})
    lines = [
        "### Summary: F1 at each rule's own level",
        "",
        "| rule | level | " + " | ".join(camos) + " |",
        "|---|---|" + "---|" * len(camos),
    ]
    per_camo: dict[str, list[float]] = defaultdict(list)
    for rule in rules:
        level = PRIMARY.get(rule, "accounts")
        cells = []
        for camo in camos:
            t = folded.get((rule, camo, level))
            if t is None:
                cells.append("–")
                continue
            per_camo[camo].append(t.f1)
            cells.append(f"{t.f1:.3f}")
        lines.append(f"| {rule} | {level} | " + " | ".join(cells) + " |")
    macro = [f"{sum(per_camo[c]) / len(per_camo[c]):.3f}" if per_camo[c] else "–" for c in camos]
    lines.append("| **macro F1** | | " + " | ".join(macro) + " |")
    return lines


def report(results: Results, command: str, seconds: float | None = None) -> str:
    """The evaluation as Markdown: per rule and camouflage, precision, recall and F1 at each
    level the labels name; F1 by session size; the baselines on the same streams; false
    positives on honest accounts and orders; time to detection."""
    lines = [
        *summary(results),
        "",
        "### The detectors",
        "",
        "| rule | camouflage | level | precision | recall | F1 | TP | FP | FN |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for (rule, camo, level), t in sorted(_fold(results, ENGINE).items(), key=_sort_key):
        lines.append(f"| {rule} | {camo} | {level} | {_row(t)}")
    sizes = sorted({k[4] for k in results.tallies})
    lines += [
        "",
        "### F1 by honest viewers per session",
        "",
        "| rule | camouflage | level | " + " | ".join(f"{n:,}" for n in sizes) + " |",
        "|---|---|---|" + "---|" * len(sizes),
    ]
    by_size: dict[tuple[str, str, str], dict[int, Tally]] = defaultdict(dict)
    for (m, rule, camo, level, size), t in results.tallies.items():
        if m == ENGINE:
            by_size[(rule, camo, level)][size] = t
    for (rule, camo, level), cells in sorted(by_size.items(), key=_sort_key):
        row = " | ".join(f"{cells[n].f1:.3f}" if n in cells else "–" for n in sizes)
        lines.append(f"| {rule} | {camo} | {level} | {row} |")
    lines += [
        "",
        "### Baselines on the same features",
        "",
        "| rule | camouflage | level | method | precision | recall | F1 | TP | FP | FN |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    folded = {m: _fold(results, m) for m in (ENGINE, *METHODS)}
    for (rule, camo, level), _ in sorted(folded[METHODS[0]].items(), key=_sort_key):
        for method in (ENGINE, *METHODS):
            cell = folded[method].get((rule, camo, level))
            if cell is not None:
                lines.append(f"| {rule} | {camo} | {level} | {method} | {_row(cell)}")
    lines += ["", "### Honest accounts and orders named", ""]
    for method in (ENGINE, *METHODS):
        acc, orders = results.honest_flagged.get(method, [0, 0])
        lines.append(
            f"- {method}: {acc} of {results.honest_accounts} honest accounts "
            f"({acc / max(results.honest_accounts, 1):.3%}), {orders} of "
            f"{results.honest_orders} honest orders ({orders / max(results.honest_orders, 1):.3%})."
        )
    lines += [
        "",
        f"Honest-only sessions: {results.honest_sessions}; findings on them: "
        + (", ".join(f"{r} {n}" for r, n in sorted(results.honest_findings.items())) or "none")
        + ".",
    ]
    if results.delays:
        lines += [
            "",
            f"### Time to detection ({results.replays} streams replayed)",
            "",
            "| rule | camouflage | abuses | found | median delay | max delay |",
            "|---|---|---|---|---|---|",
        ]
        for (rule, camo), delays in sorted(
            results.delays.items(), key=lambda kv: (kv[0][0], _camo_order(kv[0][1]))
        ):
            found = sorted(d for d in delays if d is not None)
            median = _seconds(found[(len(found) - 1) // 2]) if found else "–"
            worst = _seconds(found[-1]) if found else "–"
            lines.append(f"| {rule} | {camo} | {len(delays)} | {len(found)} | {median} | {worst} |")
    took = f", {seconds / 60:.1f} minutes" if seconds is not None else ""
    lines += ["", f"{results.runs} generated streams{took}. Command: `{command}`"]
    return "\n".join(lines)


def _camo_order(level: str) -> int:
    """none, default, strong; then every rule mixed in one session at each (independent)."""
    mixed = level.startswith("mixed, ")
    base = {"none": 0, "default": 1, "strong": 2}.get(level.removeprefix("mixed, "), 3)
    return base + 4 * mixed
