"""fake_viewers — traffic inflation (流量注水).

FLOCK-style: bots are driven by a controller, so they arrive, leave and were registered
together, on shared devices and address blocks, and do nothing while there. Each viewer gets a
share of suspicion from every group signal it takes part in (a join burst, a leave burst, a
registration batch, a shared device, a crowded /24), measured against the session's own rhythm;
viewers whose combined evidence passes the threshold and who did next to nothing are named.
Bots that join on the audience's own curve still betray their controller in lockstep: accounts
registered in the same hour that join or leave in the same 10 seconds, far more of them than the
two margins make likely if registration and behaviour were independent (the expected count of a
cell of the registration × leave table is its row total × column total / viewers).

The counterfactuals stop where what has been observed stops, so that the first minutes of a
session, the last ones of a live session read so far, and the days just before it are not
judged against rhythm that is not there:

- A 5-second bin of joins or leaves (on two grids half a bin apart) is measured against the
  median of the bins observed around it (``neighbourhood`` either side), not one that pads the
  edges with copies of the last bin, or against the median of the bins after it if that is
  higher: a room filling when the official comes in is at its new level afterwards, a burst
  stands out from that too. The bins after it count from ``edge_bins``; a bin with fewer after
  it is judged only once the session has ended (live, it waits a minute for its future). The
  leaves of the final minute, left out as the exodus, are left out of the rhythm too rather
  than counted as a minute nobody left.
- A 10-minute registration bin is measured against the larger of the registrations per bin in
  the 15 days before it and in those after it up to the session, the latter once they span
  ``registration_edge_ms``: the weeks just before a session, when people sign up for it, are
  not diluted by days not yet lived. Its excess must also have a Poisson tail below
  ``registration_p``: a 600,000-viewer evening's accounts fill some 300,000 bins of their
  history, and where a bin expects one registration, six in one of them is only chance.

Wave lockstep (CopyCatch / SynchroTrap style) does not depend on any one arrival shape, on
shared devices or on young accounts: a controller sends its accounts in waves, and the accounts
of a wave that came together also go together, after the same stay or at the same moment. For
tolerances of 10 s, 30 s and 1 min (each on grids shifted by half a step; at 2 min the honest
viewers who share a loose wave's range outnumber what the median filter below removes), each
cell of (joined in the same step) × (stayed as long, or left in the same step) is measured
against what the room makes likely: the row's viewers times the room's share of stays in that
range (a Kaplan–Meier curve, so that viewers still there when the reading stops or at the exodus
count as staying at least that long; the row itself left out), or, for a leave step, the row's
viewers still there times the share of everyone present who left in that step, when that is
higher. Honest viewers who arrive together after an announcement leave on the room's long-tailed
rhythm, so their cells stay ordinary; a cell is lockstep when its Poisson tail is below
``wave_alpha`` divided by the cells tested (the family-wise chance of one such cell in an honest
room). Viewers who left in a 10-second step in which half the room left (the stream dropped) are
not tested. Of a lockstep cell, only the viewers near its median join, its median stay and its
median leave (4 median absolute deviations) count: a coarse cell around a tight wave holds honest
viewers who merely passed through its range. A quiet viewer (no purchase, at most
``max_interactions`` interactions) whose cell's share of excess reaches ``pair_share`` is named
by this alone — joining together and leaving together are two coincidences, not one — provided
the viewers in lockstep cells liked, chatted, shared or bought less often than the rest of the
room (a wave's bots may like a little; honest viewers do more).

Registration batches over hours and days (`registration.quiet_batches`, issue 19) name alone
too, when the batch behaves together unlike the room: a farm that registered its accounts
over a few days months ago and sends them on the audience's own curve, on their own phones and
networks, still leaves them registered together, staying briefly and doing little. A batch
that watches like everyone (a village the county signed up) is left alone, and so are the
batches of the week before the session, when newcomers sign up for it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from sunlit.core.errors import N_
from sunlit.integrity.detectors.registration import quiet_batches, registration_share
from sunlit.integrity.detectors.waves import count_waves, room_left, wave_lockstep
from sunlit.integrity.model import (
    Finding,
    excess_share,
    poisson_tails,
    tukey_fence,
)
from sunlit.integrity.stream import Session, Stream

RULE = "fake_viewers"


@dataclass(frozen=True)
class Settings:
    bin_ms: int = 5_000  # join and leave bursts are counted in bins this wide
    neighbourhood: int = 36  # bins either side for the smoothed rhythm (±3 minutes)
    burst_ratio: float = 2.0  # a burst is this many times the rhythm …
    burst_z: float = 5.0  # … and this many standard deviations above it
    edge_bins: int = 12  # bins observed after a bin before the rhythm after it counts (1 min)
    registration_bin_ms: int = 600_000  # registration batches in 10-minute bins
    registration_edge_ms: int = 86_400_000  # the days after a bin count once they span one
    registration_p: float = 1e-6  # a batch's Poisson tail must be below this
    #: registration batches over hours and days, named when they behave unlike the room
    batch_bins_ms: tuple[int, ...] = (21_600_000, 86_400_000)
    batch_min: int = 20  # viewers in such a batch before it is tested
    batch_dwell_p: float = 1e-6  # their stays shorter than the room's (Mann–Whitney)
    batch_recent_ms: int = 7 * 86_400_000  # batches this close to the session are not tested
    batch_member_p: float = 1e-2  # a batch's own test when all batches together pass
    batch_gap_ms: int = 3 * 86_400_000  # the days either side left out of a batch's baseline
    lockstep_created_ms: int = 3_600_000  # registered in the same hour …
    lockstep_bin_ms: int = 10_000  # … and joined or left in the same 10 seconds
    lockstep_min: int = 5  # accounts in such a cell before it can count
    lockstep_p: float = 1e-6  # Poisson tail of the cell against the margins' expectation
    shared_device: int = 3  # accounts on one device that make it a farm
    threshold: float = 0.8  # combined evidence that names a viewer …
    min_signals: int = 2  # … from at least this many independent group signals …
    min_share: float = 0.5  # … each of which puts at least this share of its group in excess
    max_interactions: int = 3  # chats + likes + shares; buyers are never named
    min_accounts: int = 10  # fewer suspicious viewers than this is not a finding …
    #: … nor fewer than this share of the viewers: a few households registered together on
    #: one phone are in every big room, and so few would inflate nothing that matters
    min_viewer_share: float = 0.002
    wave_steps_ms: tuple[int, ...] = (10_000, 30_000, 60_000)  # lockstep tolerances
    wave_min: int = 5  # viewers in a (joined together × left together) cell before it counts
    wave_alpha: float = 1e-2  # family-wise chance of one lockstep cell in an honest room
    pair_share: float = 0.7  # a lockstep cell's excess that names its quiet viewers alone


def _burst_share(times: np.ndarray, start: int, stop: int, closed: bool, s: Settings) -> np.ndarray:
    """Per time, the share of excess in its bin against the room's rhythm on either side of it
    (`_rhythm`), the larger on two grids shifted by half a bin (a burst split by a bin edge is
    seen whole); times outside [start, stop] are not observed and count for nothing."""
    best = np.zeros(len(times))
    if len(times) == 0 or stop <= start:
        return best
    for offset in (0, s.bin_ms // 2):
        nbins = int((stop - start + offset) // s.bin_ms + 1)
        bins = ((times - start + offset) // s.bin_ms).astype(np.int64)
        inside = (times >= start) & (times <= stop)
        counts = np.bincount(bins[inside], minlength=nbins)
        expected, judged = _rhythm(counts, s.neighbourhood, s.edge_bins, closed)
        share = np.where(
            judged,
            excess_share(counts, expected, ratio=s.burst_ratio, z=s.burst_z, minimum=5),
            0.0,
        )
        best = np.maximum(best, np.where(inside, share[np.clip(bins, 0, nbins - 1)], 0.0))
    return best


def _rhythm(
    counts: np.ndarray, half: int, edge: int, closed: bool
) -> tuple[np.ndarray, np.ndarray]:
    """The counterfactual for each bin: the median of the observed bins around it (up to
    ``half`` either side, itself excluded), or of those after it if that is higher, which needs
    at least ``edge`` bins after it. A rise to a new level (the room filling when the official
    comes in) is then ordinary against what follows, and a burst has to stand out from that too.
    A bin with fewer than ``edge`` observed bins after it is judged only when the window is
    ``closed`` (the session is over: its end is real, not the edge of what has been read so
    far), and then against the bins before it; otherwise it waits for its future."""
    n = len(counts)
    padded = np.pad(counts.astype(np.float64), half, constant_values=np.nan)
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1)[:n]
    around, seen_around = _medians(np.delete(windows, half, axis=1))
    after, seen_after = _medians(windows[:, half + 1 :])
    has_after = seen_after >= edge
    expected = np.where(has_after, np.maximum(around, after), around)
    judged = has_after | (closed & (seen_around >= edge))
    return np.where(judged, expected, 0.0), judged


def _medians(windows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The median of each row's numbers (NaN is not observed) and how many there are."""
    seen = (~np.isnan(windows)).sum(axis=1)
    ordered = np.sort(windows, axis=1)  # NaN last
    last = windows.shape[1] - 1
    lo = np.clip((seen - 1) // 2, 0, last)[:, None]
    hi = np.clip(seen // 2, 0, last)[:, None]
    pair = np.take_along_axis(ordered, lo, axis=1) + np.take_along_axis(ordered, hi, axis=1)
    return np.nan_to_num(pair[:, 0] / 2), seen


def _lockstep_share(created: np.ndarray, times: np.ndarray, s: Settings) -> np.ndarray:
    """Per viewer, the share of excess in the fullest (registration hour × 10-second) cell it
    falls in, on four grids shifted by half a bin; 0 unless the cell's count is improbable
    (Poisson tail < ``lockstep_p``) given its row and column totals."""
    known = created >= 0
    out = np.zeros(len(created))
    n = int(known.sum())
    if n < s.lockstep_min:
        return out
    c, t = created[known], times[known]
    best = np.zeros(n)
    for c_off in (0, s.lockstep_created_ms // 2):
        for t_off in (0, s.lockstep_bin_ms // 2):
            rows = (c - c.min() + c_off) // s.lockstep_created_ms
            cols = (t - t.min() + t_off) // s.lockstep_bin_ms
            _, row_ix, row_n = np.unique(rows, return_inverse=True, return_counts=True)
            _, col_ix, col_n = np.unique(cols, return_inverse=True, return_counts=True)
            cell = row_ix.astype(np.int64) * len(col_n) + col_ix
            _, cell_ix, cell_n = np.unique(cell, return_inverse=True, return_counts=True)
            observed = cell_n[cell_ix]
            expected = row_n[row_ix] * col_n[col_ix] / n
            big = np.flatnonzero(observed >= s.lockstep_min)
            if len(big) == 0:
                continue
            tails = poisson_tails(observed[big], expected[big])
            hit = big[tails < s.lockstep_p]
            share = np.zeros(n)
            share[hit] = 1.0 - expected[hit] / observed[hit]
            best = np.maximum(best, share)
    out[known] = best
    return out


def detect(stream: Stream, session: Session, s: Settings) -> list[Finding]:
    if not session.joins:
        return []
    first: dict[str, tuple[int, str | None, str | None]] = {}
    for ts, who, device, ip, _ in session.joins:
        if who not in first:
            first[who] = (ts, device, ip)
    start = session.started if session.started is not None else session.joins[0][0]
    end = session.ended if session.ended is not None else max(t for t, *_ in session.joins)
    leave: dict[str, int] = {}
    for ts, who in session.leaves:
        leave[who] = ts
    accounts = list(first)
    n = len(accounts)
    join_t = np.asarray([first[a][0] for a in accounts], dtype=np.int64)
    leave_t = np.asarray([leave.get(a, end) for a in accounts], dtype=np.int64)
    signals: dict[str, np.ndarray] = {}
    closed = session.ended is not None
    signals["join_burst"] = _burst_share(join_t, start, end, closed, s)
    exodus = end - 60_000  # the final exodus is not a burst, nor is it the rhythm
    before_end = leave_t < exodus
    leave_share = np.zeros(n)
    leave_share[before_end] = _burst_share(leave_t[before_end], start, exodus, closed, s)
    signals["leave_burst"] = leave_share
    created = np.asarray(
        [c if (c := stream.created(a)) is not None else -1 for a in accounts], dtype=np.int64
    )
    signals["registration_batch"] = registration_share(created, end, s)
    signals["lockstep"] = np.maximum(
        _lockstep_share(created, join_t, s), _lockstep_share(created, leave_t, s)
    )
    devices = Counter(first[a][1] for a in accounts if first[a][1])
    signals["shared_device"] = np.asarray(
        [1.0 if (d := first[a][1]) and devices[d] >= s.shared_device else 0.0 for a in accounts]
    )
    prefixes = [_prefix(first[a][2]) for a in accounts]
    per_prefix = Counter(p for p in prefixes if p)
    fence = max(tukey_fence(np.log1p(list(per_prefix.values())), k=3.0), np.log1p(20))
    signals["crowded_prefix"] = np.asarray(
        [max(0.0, 1.0 - np.expm1(fence) / per_prefix[p]) if p else 0.0 for p in prefixes]
    )
    left_t = np.asarray([leave.get(a, -1) for a in accounts], dtype=np.int64)
    tested = (left_t >= 0) & (leave_t < exodus) & ~room_left(join_t, leave_t, s)
    combined = 1.0 - np.prod([1.0 - v for v in signals.values()], axis=0)
    agreeing = np.sum([v >= s.min_share for v in signals.values()], axis=0)
    # Wave lockstep names on its own, with its own bar; it is not one more vote above.
    signals["wave_lockstep"] = wave_lockstep(join_t, leave_t, tested, start, exodus, s)
    busy = Counter(who for _, who, _ in session.chats)
    busy.update(who for _, who, _ in session.likes)
    busy.update(who for _, who in session.shares)
    buyers = {o.account for o in session.orders}
    quiet = np.asarray([busy[a] <= s.max_interactions and a not in buyers for a in accounts])
    active = np.asarray([busy[a] > 0 or a in buyers for a in accounts])
    bought = np.asarray([a in buyers for a in accounts])
    in_waves = signals["wave_lockstep"] > 0
    others_active = float(active[~in_waves].mean()) if (~in_waves).any() else 0.0
    waves_quieter = bool(in_waves.any()) and float(active[in_waves].mean()) < others_active
    by_waves = (signals["wave_lockstep"] >= s.pair_share) & waves_quieter
    # A batch registered over hours or days that stays briefly and does little: named alone.
    signals["quiet_batch"] = quiet_batches(
        created, leave_t - join_t, active, bought, end, s
    ).astype(np.float64)
    by_batch = signals["quiet_batch"] > 0
    named = np.flatnonzero(
        (((combined >= s.threshold) & (agreeing >= s.min_signals)) | by_waves | by_batch) & quiet
    )
    if len(named) < max(s.min_accounts, s.min_viewer_share * n):
        return []
    stayed = int(((leave_t - join_t) >= 30_000).sum())
    share = len(named) / n
    score = float(min(1.0, 0.5 + share + float(combined[named].mean()) / 4))
    evidence = {
        "viewers": n,
        "suspected": len(named),
        "share_of_viewers": round(share, 3),
        "stayed_30s": stayed,
        "signals": {k: int((v[named] > 0).sum()) for k, v in signals.items()},
        "median_dwell_s_suspected": round(float(np.median(leave_t[named] - join_t[named])) / 1000),
        "median_dwell_s_others": round(
            float(np.median(np.delete(leave_t - join_t, named))) / 1000 if n > len(named) else 0
        ),
        "interacting_suspected": int(sum(busy[accounts[i]] > 0 for i in named.tolist())),
        "lockstep_waves": count_waves(join_t[named[by_waves[named]]]),
        "active_share_waves": round(float(active[in_waves].mean()), 3) if in_waves.any() else 0,
        "active_share_others": round(others_active, 3),
    }
    summary = SUMMARY % summary_params(evidence)
    return [
        Finding.scored(
            RULE, score, summary, evidence, accounts=[accounts[i] for i in named.tolist()]
        )
    ]


#: The finding's summary (pages translate it, filled from the evidence).
SUMMARY = N_(
    "%(suspected)s of %(viewers)s viewers (%(share)s) look like bots: they joined, left or were "
    "registered together in bursts, share devices or address blocks, and did next to nothing."
)


def summary_params(evidence: Mapping[str, Any]) -> dict[str, object]:
    return {
        "suspected": evidence["suspected"],
        "viewers": evidence["viewers"],
        "share": f"{evidence['share_of_viewers']:.0%}",
    }


def _prefix(ip: str | None) -> str | None:
    if not ip or ip.count(".") != 3:
        return None
    return ip.rsplit(".", 1)[0]
