"""The honest crowd: who comes, when, how long they stay, what they say and buy.

Arrivals are a mixture drawn per session (an opening rush, a steady trickle, bumps when the
link goes round a WeChat group, a late surge), so no session has the same curve. Households
and offices share a network, and some share an address or a device: sharing alone is normal.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sunlit.independent import texts
from sunlit.independent.session import SessionPlan, new_order
from sunlit.independent.world import MINUTE, Account, World

QTY = np.array([1, 2, 3, 4, 5, 6, 10])
QTY_P = np.array([0.5, 0.24, 0.1, 0.05, 0.06, 0.03, 0.02])
CHANNELS = ("wechat", "moments", "weibo", "qq", "douyin")


@dataclass
class Crowd:
    """Honest accounts, kept across sessions so that some viewers and buyers come back."""

    known: list[Account] = field(default_factory=list)

    def draw(self, world: World, n: int, at: int) -> list[Account]:
        """``n`` distinct honest viewers for a session starting at ``at``."""
        chosen: dict[str, Account] = {}
        if self.known:
            back = int(n * world.uniform(0.1, 0.3))
            for i in world.rng.choice(
                len(self.known), size=min(back, len(self.known)), replace=False
            ):
                chosen[self.known[int(i)].id] = self.known[int(i)]
        while len(chosen) < n:
            for account in self._newcomers(world, at):
                chosen[account.id] = account
        return list(chosen.values())[:n]

    def _newcomers(self, world: World, at: int) -> list[Account]:
        roll = world.rng.random()
        if roll < 0.05:  # a household: one network, one address, often one tablet
            group = [world.consumer(at) for _ in range(world.between(2, 4))]
            for member in group[1:]:
                member.ip, member.address, member.home = (
                    group[0].ip,
                    group[0].address,
                    group[0].home,
                )
                if world.chance(0.35):
                    member.device = group[0].device
        elif roll < 0.07:  # an office watching at their desks: one public address
            group = [world.consumer(at) for _ in range(world.between(4, 14))]
            for member in group[1:]:
                member.ip = group[0].ip
                if world.chance(0.2):
                    member.home, member.address = group[0].home, group[0].address
        elif roll < 0.09:  # phone users behind the same carrier NAT
            group = [world.consumer(at) for _ in range(world.between(2, 5))]
            prefix = ".".join(group[0].ip.split(".")[:3])
            for member in group[1:]:
                member.ip = f"{prefix}.{world.between(1, 254)}"
        else:
            fresh = world.chance(0.07)  # signed up tonight to watch
            group = [world.consumer(at, age_days=world.uniform(0, 0.2) if fresh else None)]
        self.known.extend(group)
        return group


def arrivals(world: World, n: int, start: int, end: int) -> np.ndarray:
    """``n`` join times from a mixture of curve shapes drawn for this session."""
    span = end - start
    shapes = ["rush", "steady", "bump", "late", "ramp", "bump"]
    keep = [s for s in shapes if world.chance(0.6)] or ["steady"]
    weights = world.rng.dirichlet(np.ones(len(keep)) * 1.5)
    counts = world.rng.multinomial(n, weights)
    out: list[np.ndarray] = []
    rng = world.rng
    for shape, k in zip(keep, counts, strict=True):
        if shape == "rush":
            t = rng.exponential(world.uniform(3, 15) * MINUTE, size=k)
        elif shape == "steady":
            t = rng.uniform(0, span, size=k)
        elif shape == "bump":
            t = rng.normal(world.uniform(0.1, 0.9) * span, world.uniform(2, 12) * MINUTE, size=k)
        elif shape == "late":
            t = span - rng.exponential(world.uniform(5, 20) * MINUTE, size=k)
        else:
            t = span * np.sqrt(rng.uniform(0, 1, size=k))
        out.append(t)
    joined = np.concatenate(out) if out else np.zeros(0)
    joined = np.clip(joined, -3 * MINUTE, span - 10_000)
    return (start + joined).astype(np.int64)


def watch(
    world: World,
    plan: SessionPlan,
    account: Account,
    joined: int,
    *,
    device: str | None = None,
    ip: str | None = None,
    client: str | None = None,
    dwell: int | None = None,
) -> int:
    """Join and leave; returns when the viewer left."""
    world.register(account, joined)
    plan.watchers.add(account.id)
    if dwell is None:
        dwell = int(world.rng.lognormal(np.log(world.uniform(2, 10) * MINUTE), 1.1))
    left = min(joined + max(dwell, 4000), plan.end + world.between(0, 30_000))
    world.emit(
        joined,
        "viewer.joined",
        plan.id,
        account.id,
        {
            "device": device or account.device,
            "ip": ip or account.ip,
            "client": client or account.client,
        },
    )
    world.emit(left, "viewer.left", plan.id, account.id, {})
    return left


def honest_audience(world: World, plan: SessionPlan, crowd: Crowd, viewers: int) -> None:
    """Viewers who watch, chat, like, share and buy as people do."""
    people = crowd.draw(world, viewers, plan.start)
    joins = arrivals(world, len(people), plan.start, plan.end)
    chat_p = world.uniform(0.08, 0.25)
    like_p = world.uniform(0.12, 0.4)
    buy_p = world.uniform(0.03, 0.12)
    for account, joined in zip(people, joins, strict=True):
        plan.honest_viewers.add(account.id)
        left = watch(world, plan, account, int(joined))
        if world.chance(0.06):  # dropped and came back
            back = left + world.between(10, 600) * 1000
            if back < plan.end:
                left = watch(world, plan, account, back)
        stay = max(left - int(joined), 2000)
        if world.chance(chat_p):
            for _ in range(int(world.rng.geometric(0.55))):
                at = int(joined) + int(world.rng.uniform(0, stay))
                world.emit(
                    at,
                    "chat.message",
                    plan.id,
                    account.id,
                    {"text": texts.chat_line(world, plan.produce_word(at), plan.title)},
                )
        if world.chance(like_p):
            for _ in range(int(world.rng.geometric(0.5))):
                at = int(joined) + int(world.rng.uniform(0, stay))
                world.emit(
                    at, "like", plan.id, account.id, {"count": int(world.rng.geometric(0.25))}
                )
        if world.chance(0.03):
            world.emit(
                int(joined) + int(world.rng.uniform(0, stay)),
                "share",
                plan.id,
                account.id,
                {"channel": world.pick(CHANNELS)},
            )
        if world.chance(buy_p):
            for _ in range(1 if world.chance(0.85) else 2):
                honest_buy(world, plan, account, int(joined) + int(world.rng.uniform(0, stay)))


def honest_buy(world: World, plan: SessionPlan, account: Account, at: int) -> None:
    """One honest order: mostly the product on screen, in the quantities people buy."""
    if world.chance(0.65):
        product = plan.pinned_at(at)
    else:
        w = np.array([p.weight for p in plan.products])
        product = plan.products[int(world.rng.choice(len(w), p=w / w.sum()))]
    qty = int(world.rng.choice(QTY, p=QTY_P))
    order = new_order(world, plan, account, product, qty, at)
    roll = world.rng.random()
    if roll < 0.04:
        order.outcome = "expired"
    elif roll < 0.06:
        order.outcome, order.outcome_delay = "cancelled", -world.between(0, 30) * MINUTE
    elif roll < 0.075:
        order.outcome, order.outcome_delay = "refunded", world.between(1, 30) * MINUTE
    if order.outcome == "delivered":
        c = world.rng.random()
        if c < 0.005:
            order.complaint = "quality"
        elif c < 0.013:
            order.complaint = "logistics"
        elif c < 0.017:
            order.complaint = "packaging"
        if order.complaint and world.chance(0.4):
            order.outcome = "refunded_after"
        if world.chance(0.25):
            order.stars = int(world.rng.choice([5, 4, 3, 2], p=[0.62, 0.26, 0.09, 0.03]))
    if order.outcome in ("cancelled",) and order.outcome_delay < 0:
        order.outcome_delay = max(order.outcome_delay, -(plan.end - at) + 60_000)
