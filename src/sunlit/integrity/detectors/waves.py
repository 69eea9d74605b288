"""Wave lockstep for fake_viewers (issue 19, CopyCatch / SynchroTrap style): viewers who joined
in the same step and stayed as long, or left in the same step, far more of them than the room's
own stays make likely (a survival expectation, Kaplan-Meier), tested at a few step widths with
a family-wise threshold; the viewers who left when the whole room did are not tested. Pure."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import numpy as np

from sunlit.integrity.model import poisson_tails


class WaveSettings(Protocol):
    """The settings the wave test reads (fake_viewers' `Settings` has them)."""

    @property
    def wave_alpha(self) -> float: ...
    @property
    def wave_min(self) -> int: ...
    @property
    def wave_steps_ms(self) -> tuple[int, ...]: ...


def wave_lockstep(
    join_t: np.ndarray,
    leave_t: np.ndarray,
    tested: np.ndarray,
    start: int,
    exodus: int,
    s: WaveSettings,
) -> np.ndarray:
    """Per viewer, the share of excess in the fullest lockstep cell it falls in: viewers who
    joined in the same step and stayed as long, or left in the same step, far more of them than
    the room makes likely, 0 elsewhere (see the module's docstring).

    The expectation is a survival one, so that stays not yet ended (a live session read so far,
    the final exodus) are neither taken for short stays nor for long ones: the row's viewers
    still there at the start of the range times the share of the room's viewers still there
    then who left within it (the row itself left out), or, for a leave step, times the share of
    everyone present then who left in the step, when that is higher. Only ``tested`` viewers
    (who left before the exodus, not with the whole room) can make up a cell."""
    n = len(join_t)
    out = np.zeros(n)
    idx = np.flatnonzero(tested)
    m = len(idx)
    if m < s.wave_min:
        return out
    span = 1 << 27  # ms; longer than any session
    j_all = join_t - start
    seen = np.clip(np.minimum(leave_t, exodus) - join_t, 0, span - 1)  # time observed in the room
    j, d = j_all[idx], seen[idx]
    left = j + d
    survival = kaplan_meier(seen, tested)
    join_sorted = np.sort(j_all)
    left_sorted = np.sort(np.minimum(leave_t, exodus) - start)
    hits: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # members, share, tail
    tests = 0
    for step in s.wave_steps_ms:
        for j_off in (0, step // 2):
            rows = (j + j_off) // step
            row_keys = np.sort(((j_all + j_off) // step) * span + seen)
            for kind in ("stay", "leave"):
                for c_off in (0, step // 2):
                    cols = ((d if kind == "stay" else left) + c_off) // step
                    _, cell_ix, cell_n = np.unique(
                        rows * span + cols, return_inverse=True, return_counts=True
                    )
                    big = np.flatnonzero(cell_n >= s.wave_min)
                    tests += len(big)
                    if len(big) == 0:
                        continue
                    first = np.zeros(len(cell_n), dtype=np.int64)
                    first[cell_ix] = np.arange(m)  # a member of each cell
                    one = first[big]
                    obs = cell_n[big].astype(np.float64)
                    row, c_lo = rows[one], cols[one] * step - c_off
                    if kind == "stay":
                        lo, hi = c_lo, c_lo + step
                    else:  # the stays that end in the step, from anywhere in the join step
                        j_lo = row * step - j_off
                        lo, hi = np.maximum(c_lo - j_lo - step, 0), c_lo + step - j_lo
                    lo = np.clip(lo, 0, span - 1)
                    row_n = (
                        np.searchsorted(row_keys, row * span + span)
                        - np.searchsorted(row_keys, row * span)
                    ).astype(np.float64)
                    # The room's stays in the range, its row left out: the curve's share as a
                    # count, less the cell, over the viewers outside the row.
                    mass = (survival(lo) - survival(hi)) * n - obs + 1
                    expected = row_n * np.maximum(mass, 1) / np.maximum(n - row_n + 1, 1)
                    if kind == "leave":  # the share of those present who left in the step
                        went = np.searchsorted(left_sorted, c_lo + step) - np.searchsorted(
                            left_sorted, c_lo
                        )
                        there = np.searchsorted(join_sorted, c_lo, side="right") - np.searchsorted(
                            left_sorted, c_lo
                        )
                        room_share = (np.maximum(went - obs, 0) + 1) / np.maximum(there, 1)
                        at_risk = (
                            np.searchsorted(row_keys, row * span + span)
                            - np.searchsorted(row_keys, row * span + lo)
                        ).astype(np.float64)
                        expected = np.maximum(expected, at_risk * np.minimum(room_share, 1.0))
                    tails = poisson_tails(obs, expected)
                    flagged = np.flatnonzero(tails < s.wave_alpha / m)
                    if len(flagged) == 0:
                        continue
                    cell_share = np.zeros(len(cell_n))
                    cell_tail = np.ones(len(cell_n))
                    cells = big[flagged]
                    cell_share[cells] = np.clip(1.0 - expected[flagged] / obs[flagged], 0, 1)
                    cell_tail[cells] = tails[flagged]
                    members = np.flatnonzero(cell_share[cell_ix] > 0)
                    members = members[
                        core(cell_ix[members], (j[members], d[members], left[members]))
                    ]
                    hits.append(
                        (members, cell_share[cell_ix[members]], cell_tail[cell_ix[members]])
                    )
    bar = s.wave_alpha / max(tests, 1)
    best = np.zeros(m)
    for members, share, tail in hits:
        keep = tail < bar
        np.maximum.at(best, members[keep], share[keep])
    out[idx] = best
    return out


def kaplan_meier(seen: np.ndarray, ended: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """The room's survival curve of stays, S(x) = P(stay ≥ x), by Kaplan–Meier: a viewer still
    there when the reading stops (or at the exodus) counts as staying at least that long, not
    as leaving then."""
    order = np.argsort(seen, kind="stable")
    t = seen[order]
    at_risk = len(t) - np.arange(len(t))
    after = np.cumprod(1.0 - ended[order] / at_risk)

    def survival(x: np.ndarray) -> np.ndarray:
        i = np.searchsorted(t, x)
        return np.where(i > 0, after[np.maximum(i - 1, 0)], 1.0)

    return survival


def room_left(join_t: np.ndarray, leave_t: np.ndarray, s: WaveSettings) -> np.ndarray:
    """Viewers who left when the room did: in a 10-second step (on two grids half a step apart)
    in which at least half of those present left — the stream dropped or the official said
    goodbye. Leaving then is no lockstep of a controller's, and they are not tested for it."""
    out = np.zeros(len(join_t), dtype=bool)
    if len(join_t) == 0:
        return out
    step = s.wave_steps_ms[0]
    joins, leaves = np.sort(join_t), np.sort(leave_t)
    for offset in (0, step // 2):
        lo = (leave_t + offset) // step * step - offset
        there = np.searchsorted(joins, lo, side="right") - np.searchsorted(leaves, lo)
        went = np.searchsorted(leaves, lo + step) - np.searchsorted(leaves, lo)
        out |= (went >= s.wave_min) & (2 * went >= there)
    return out


def core(cell: np.ndarray, axes: tuple[np.ndarray, ...], k: float = 4.0) -> np.ndarray:
    """Which members of lockstep cells sit with their wave: within ``k`` median absolute
    deviations (at least a second) of the cell's median join, median stay and median leave. A
    coarse cell around a tight wave also holds a few honest viewers who merely passed through
    its range; they lie far out on one of the axes (a wave that left together has one leave
    and stays as spread as its joins; one that stayed as long has one stay) and are left out."""
    keep = np.zeros(len(cell), dtype=bool)
    order = np.argsort(cell, kind="stable")
    bounds = np.flatnonzero(np.diff(cell[order])) + 1
    for part in np.split(order, bounds):
        ok = np.ones(len(part), dtype=bool)
        for axis in axes:
            values = axis[part]
            med = np.median(values)
            mad = max(float(np.median(np.abs(values - med))), 1_000.0)
            ok &= np.abs(values - med) <= k * mad
        keep[part] = ok
    return keep


def count_waves(joins: np.ndarray, gap_ms: int = 60_000) -> int:
    """How many waves the given join times form: runs separated by more than ``gap_ms``."""
    if len(joins) == 0:
        return 0
    return int((np.diff(np.sort(joins)) > gap_ms).sum()) + 1
