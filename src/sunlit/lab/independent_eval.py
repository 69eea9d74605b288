"""The evaluation on the independent generator (`sunlit.independent`, issue 19): the same scoring
as `evaluate`, on streams written from the public event format (docs/events.md) and the rules
(docs/integrity.md) alone by someone who never read the detectors. Its figures are the
headline ones; the simulator's sit beside them.

The grid: every rule × camouflage (none, default, strong) × size × seed, each abuse alone in its
abusive session beside an honest one, and honest-only streams. The harness reads only the
generator's public function ``generate(seed, viewers, abuses, honest_sessions=…)``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sunlit.integrity.engine import run_detectors
from sunlit.integrity.reader import read_lines
from sunlit.lab.evaluate import (
    ENGINE,
    LEVELS,
    Named,
    Results,
    empty_levels,
    named_by_rule,
    union_of,
)

RULES = (
    "fake_viewers",
    "fake_orders",
    "forced_purchases",
    "paid_comments",
    "price_gouging",
    "below_cost",
    "conflict_of_interest",
    "company_favouritism",
    "quality_complaints",
    "hype_gap",
)
LEVELS_OF_CAMOUFLAGE = ("none", "default", "strong")
MIXED = "*"


@dataclass(frozen=True)
class Cell:
    """One stream of the grid: a rule at a camouflage (None: honest only; ``MIXED``: every
    rule at once in one session), a size, a seed."""

    rule: str | None
    camouflage: str
    viewers: int
    seed: int


def independent_grid(
    sizes: Iterable[int], seeds: Iterable[int], levels: Iterable[str] = LEVELS_OF_CAMOUFLAGE
) -> list[Cell]:
    cells = []
    levels = tuple(levels)
    for size in sizes:
        for seed in seeds:
            cells.append(Cell(None, "none", size, seed))
            cells += [Cell(rule, level, size, seed) for rule in RULES for level in levels]
            cells += [Cell(MIXED, level, size, seed) for level in levels]
    return cells


def camouflage_of(cell: Cell) -> str:
    """The column a cell's tallies go in: its camouflage, marked when every rule was mixed."""
    return f"mixed, {cell.camouflage}" if cell.rule == MIXED else cell.camouflage


def abuses_of(cell: Cell) -> list[tuple[str, str]]:
    if cell.rule is None:
        return []
    rules = RULES if cell.rule == MIXED else (cell.rule,)
    return [(rule, cell.camouflage) for rule in rules]


def score(
    data: bytes, labels: list[dict[str, Any]], cell: Cell, results: Results
) -> dict[str, Named]:
    """Analyse one stream and add its tallies to ``results``; returns what the engine named."""
    stream, _ = read_lines(data.splitlines(keepends=True), skip_bad=True)
    named = named_by_rule(run_detectors(stream))
    truth: Named = defaultdict(empty_levels)
    for entry in labels:
        t = truth[entry["rule"]]
        for level in ("accounts", "orders", "products"):
            t[level].update(entry.get(level) or [])
        if not any(entry.get(level) for level in ("accounts", "orders", "products")):
            t["sessions"].add(entry["session"])
    for rule, levels in truth.items():
        for level in LEVELS:
            if levels[level]:
                key = (ENGINE, rule, camouflage_of(cell), level, cell.viewers)
                results.tallies[key].add(named[rule][level], levels[level])
    bad_accounts, bad_orders = union_of(truth, "accounts"), union_of(truth, "orders")
    honest_accounts = {a for a in stream.accounts if a not in bad_accounts}
    honest_orders = {o for o in stream.orders if o not in bad_orders}
    results.honest_accounts += len(honest_accounts)
    results.honest_orders += len(honest_orders)
    flagged = results.honest_flagged[ENGINE]
    flagged[0] += len(union_of(named, "accounts") & honest_accounts)
    flagged[1] += len(union_of(named, "orders") & honest_orders)
    if cell.rule is None:
        results.honest_sessions += len(stream.sessions)
        for rule, n in named.items():
            results.honest_findings[rule] += len(n["sessions"])
    results.runs += 1
    return {ENGINE: named}


def evaluate_independent(
    cells: list[Cell], progress: Callable[[int, int], None] | None = None
) -> Results:
    from sunlit.independent import generate

    results = Results()
    for i, cell in enumerate(cells):
        data, labels = generate(cell.seed, cell.viewers, abuses_of(cell), honest_sessions=1)
        score(data, labels, cell, results)
        if progress is not None:
            progress(i + 1, len(cells))
    return results
