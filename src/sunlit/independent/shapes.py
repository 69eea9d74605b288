"""Draws every abuse shares: how blatant, when it happens, what is reused.

Each dimension is drawn per seed from a range that depends on the camouflage: "none" is
blatant, "default" moderate, "strong" an abuser who tries to look like the crowd.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from sunlit.independent.session import SessionPlan
from sunlit.independent.world import DAY, MINUTE, Account, World

LEVEL = {"none": 0, "default": 1, "strong": 2}
Label = dict[str, Any]


def new_label(rule: str, session: str, camouflage: str) -> Label:
    return {
        "rule": rule,
        "session": session,
        "camouflage": camouflage,
        "accounts": [],
        "orders": [],
        "products": [],
    }


def draw(world: World, camo: str, ranges: tuple[tuple[float, float], ...]) -> float:
    """A value from the range given for this camouflage level (none, default, strong)."""
    low, high = ranges[LEVEL[camo]]
    return world.uniform(low, high)


def draw_int(world: World, camo: str, ranges: tuple[tuple[int, int], ...]) -> int:
    low, high = ranges[LEVEL[camo]]
    return world.between(low, high)


def timing(
    world: World, plan: SessionPlan, n: int, camo: str, *, early: bool = False
) -> np.ndarray:
    """When ``n`` coordinated acts happen: one burst, several waves, or spread out.

    ``early`` lets the burst fall in the session's first minute."""
    probs = ((0.6, 0.3, 0.1), (0.3, 0.4, 0.3), (0.1, 0.4, 0.5))[LEVEL[camo]]
    mode = int(world.rng.choice(3, p=probs))
    span = plan.end - plan.start
    rng = world.rng
    if mode == 0:
        width = world.uniform(10, 150) * 1000
        at = world.uniform(0, 60_000) if early else world.uniform(0.05, 0.85) * span
        t = at + rng.uniform(0, width, size=n)
    elif mode == 1:
        waves = world.between(2, 5)
        centres = rng.uniform(0.03, 0.92, size=waves) * span
        width = world.uniform(1, 4) * MINUTE
        t = centres[rng.integers(0, waves, size=n)] + rng.uniform(0, width, size=n)
    else:
        length = min(world.uniform(20, 60) * MINUTE, span * 0.95)
        begin = world.uniform(0, span - length)
        t = begin + rng.uniform(0, length, size=n)
    t = np.clip(t, 1000, span - 5000)
    return np.sort((plan.start + t).astype(np.int64))


def shared_pool(
    world: World, n: int, share: float, pool_size: int, make: Callable[[], str]
) -> list[str]:
    """``n`` values where a share comes from a small shared pool and the rest are fresh."""
    pool = [make() for _ in range(max(1, pool_size))]
    return [world.pick(pool) if world.chance(share) else make() for _ in range(n)]


def ring_accounts(
    world: World,
    plan: SessionPlan,
    n: int,
    *,
    fresh_share: float,
    virtual_phone: float,
    batch_days: float | None,
) -> list[Account]:
    """``n`` accounts an abuser controls or mobilises.

    Fresh ones were registered hours or days before the session; old ones months before,
    and when ``batch_days`` is set, in one to three registration windows that wide (how bulk
    accounts age: bought or made together, kept until needed)."""
    batches = [plan.start - int(world.uniform(30, 400) * DAY) for _ in range(world.between(1, 3))]
    out: list[Account] = []
    for _ in range(n):
        if world.chance(fresh_share):
            age = world.uniform(0.02, 3.0)
        elif batch_days is not None:
            born = batches[world.between(0, len(batches) - 1)]
            age = (plan.start - born) / DAY + world.uniform(0, batch_days)
        else:
            age = float(world.rng.lognormal(np.log(200), 0.8))
        account = world.consumer(plan.start, age_days=age)
        if world.chance(virtual_phone):
            account.phone_prefix = world.phone(virtual=True)
        out.append(account)
    return out
