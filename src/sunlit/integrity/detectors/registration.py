"""Registration batches for fake_viewers: accounts registered together, in 10-minute bins
(the farm that signs its accounts up in one sitting) and, apart, in days (the farm that
registered them over a day or two months ago). A day's batch is not evidence by itself — a
village signs up together when the county asks it to — so it names only when its accounts
behave together unlike the room (`quiet_batches`): far shorter stays (a one-sided
Mann–Whitney test) and less liking, chatting, sharing or buying — or less buying alone, for a
farm told to like as often as the audience does. Pure."""

from __future__ import annotations

from collections import Counter
from typing import Protocol

import numpy as np
from scipy.stats import mannwhitneyu

from sunlit.integrity.model import excess_share, poisson_tails


class RegistrationSettings(Protocol):
    """The settings these read (fake_viewers' `Settings` has them)."""

    @property
    def registration_bin_ms(self) -> int: ...
    @property
    def registration_edge_ms(self) -> int: ...
    @property
    def registration_p(self) -> float: ...
    @property
    def batch_bins_ms(self) -> tuple[int, ...]: ...
    @property
    def batch_min(self) -> int: ...
    @property
    def batch_dwell_p(self) -> float: ...
    @property
    def batch_recent_ms(self) -> int: ...
    @property
    def batch_member_p(self) -> float: ...
    @property
    def batch_gap_ms(self) -> int: ...


def registration_share(created: np.ndarray, now: int, s: RegistrationSettings) -> np.ndarray:
    """Accounts registered in a batch: a 10-minute bin far fuller than the viewers'
    registrations in the fortnight before it or the one after it would make it (`batch_share`).
    """
    known = created >= 0
    out = np.zeros(len(created))
    if known.sum() < 10:
        return out
    c = created[known]
    best = np.zeros(len(c))
    for offset in (0, s.registration_bin_ms // 2):  # a batch split by a bin edge is seen whole
        best = np.maximum(best, batch_share(c, offset, now, s.registration_bin_ms, s)[0])
    out[known] = best
    return out


def batch_share(
    c: np.ndarray, offset: int, now: int, bin_ms: int, s: RegistrationSettings, gap_ms: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """The expected count of a bin is the larger of the viewers' registrations per bin in the
    15 days before it and in the 15 days after it (itself excluded), the side after it ending
    at ``now``: nobody watching has registered since, so the days not yet lived are not a
    fortnight of nobody registering. The side after counts only when it spans
    ``registration_edge_ms``. Registrations rising towards the session (people who signed up
    for it) are then measured against their own rise, not against the quieter weeks before.
    With ``gap_ms``, the registrations that near either side are left out of the expected
    count: a farm that registers its accounts over several days is not its own baseline.
    Returns each account's share of excess and its bin."""
    bins = (c - c.min() + offset) // bin_ms
    now_bin = (now - c.min() + offset) // bin_ms
    counts = Counter(bins.tolist())
    half = max(1, 15 * 86_400_000 // bin_ms)  # bins in 15 days
    gap = min(gap_ms // bin_ms, half - 1)
    edge = max(1, s.registration_edge_ms // bin_ms)
    sorted_bins = np.sort(bins)
    keys = np.asarray(list(counts), dtype=np.int64)
    obs = np.asarray([counts[k] for k in keys.tolist()], dtype=np.float64)
    before = np.searchsorted(sorted_bins, keys - gap) - np.searchsorted(sorted_bins, keys - half)
    after = np.searchsorted(sorted_bins, keys + half, side="right") - np.searchsorted(
        sorted_bins, keys + gap, side="right"
    )
    after_span = np.clip(now_bin - keys - gap, 0, half - gap)
    expected = np.maximum(
        before / (half - gap),
        np.where(after_span >= edge, after / np.maximum(after_span, 1), 0.0),
    )
    excess = excess_share(obs, expected, ratio=5.0, z=5.0, minimum=5)
    big = np.flatnonzero(excess > 0)
    excess[big[poisson_tails(obs[big], expected[big]) >= s.registration_p]] = 0.0
    share = dict(zip(keys.tolist(), excess.tolist(), strict=True))
    return np.asarray([share[b] for b in bins.tolist()]), bins


def quiet_batches(
    created: np.ndarray,
    dwell: np.ndarray,
    active: np.ndarray,
    bought: np.ndarray,
    now: int,
    s: RegistrationSettings,
) -> np.ndarray:
    """Per viewer, whether it belongs to a registration batch (bins of ``batch_bins_ms``, two
    grids half a bin apart, excess as `batch_share` measures it, neighbouring bins in excess
    joined) of at least ``batch_min`` viewers whose stays were shorter than the rest of the
    room's (one-sided Mann–Whitney,
    p ≤ ``batch_dwell_p``) and who engaged less often, or bought less often; or, when all
    such batches together pass that test, each whose own p-value is at most
    ``batch_member_p``. Batches of
    the last ``batch_recent_ms`` before ``now`` are left to the 10-minute batches: people sign
    up in the days before a session they were told about, and newcomers watch differently
    from regulars."""
    known = created >= 0
    out = np.zeros(len(created), dtype=bool)
    if known.sum() < 2 * s.batch_min:
        return out
    idx = np.flatnonzero(known)
    c = created[known]
    batches: list[tuple[np.ndarray, float]] = []
    for bin_ms in s.batch_bins_ms:
        for offset in (0, bin_ms // 2):
            share, bins = batch_share(c, offset, now, bin_ms, s, s.batch_gap_ms)
            hot = np.unique(bins[share > 0])
            # A farm registering over a day and a half straddles a bin's edge whichever grid
            # is laid: neighbouring bins that are each in excess are one batch.
            for run in np.split(hot, np.flatnonzero(np.diff(hot) > 1) + 1):
                members = idx[np.isin(bins, run)]
                if len(members) < s.batch_min or now - created[members].max() < s.batch_recent_ms:
                    continue
                batches.append((members, _quieter(members, dwell, active, bought)))
    if not batches:
        return out
    # Together: a farm that registered its accounts over weeks leaves many small batches,
    # each too small to tell alone; those that lean the same way are named with the rest.
    together = np.unique(np.concatenate([m for m, _ in batches]))
    joint = _quieter(together, dwell, active, bought)
    for members, p in batches:
        if p <= s.batch_dwell_p or (joint <= s.batch_dwell_p and p <= s.batch_member_p):
            out[members] = True
    return out


def _quieter(
    members: np.ndarray, dwell: np.ndarray, active: np.ndarray, bought: np.ndarray
) -> float:
    """The one-sided Mann–Whitney p-value of the members' stays being shorter than the rest
    of the room's; 1 when they engaged (liked, chatted, shared or bought) as often as the rest
    and bought as often. Liking is cheap to automate and a farm can match the room's rate of
    it (issue 19); buying costs it money."""
    rest = np.ones(len(dwell), dtype=bool)
    rest[members] = False
    if not rest.any() or not any(
        kind[members].mean() < kind[rest].mean() for kind in (active, bought)
    ):
        return 1.0
    return float(mannwhitneyu(dwell[members], dwell[rest], alternative="less").pvalue)
