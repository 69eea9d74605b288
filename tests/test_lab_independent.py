"""The evaluation on the independent generator (issue 19): each cell's labels are scored at the
levels they name, honest-only streams count as honest sessions, and the report says whose
streams the figures are on."""

from __future__ import annotations

from sunlit.lab.evaluate import ENGINE, report
from sunlit.lab.independent_eval import (
    MIXED,
    RULES,
    Cell,
    abuses_of,
    evaluate_independent,
    independent_grid,
)


def test_the_grid_has_every_rule_at_every_level_mixed_cells_and_honest_streams() -> None:
    cells = independent_grid([300], [1, 2])
    assert len(cells) == 2 * (1 + len(RULES) * 3 + 3)
    assert sum(c.rule is None for c in cells) == 2
    assert abuses_of(Cell(MIXED, "strong", 300, 1)) == [(r, "strong") for r in RULES]
    assert abuses_of(Cell(None, "none", 300, 1)) == []


def test_a_quota_stream_is_scored_on_accounts_and_orders_and_an_honest_one_as_honest() -> None:
    cells = [Cell(None, "none", 300, 1), Cell("forced_purchases", "none", 300, 1)]
    results = evaluate_independent(cells)
    assert results.runs == 2 and results.honest_sessions >= 1
    levels = {
        level
        for (method, rule, _, level, _), t in results.tallies.items()
        if method == ENGINE and rule == "forced_purchases" and t.tp + t.fn > 0
    }
    assert {"accounts", "orders"} <= levels
    text = report(results, "sunlit integrity evaluate --generator=independent")
    assert "| forced_purchases | none | accounts |" in text
    assert "Honest-only sessions:" in text
    # The summary judges the quota on the accounts it names, and averages the rules.
    head = text.split("### The detectors")[0]
    assert "| forced_purchases | accounts |" in head and "**macro F1**" in head
