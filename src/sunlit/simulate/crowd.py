"""Honest live rooms: the accounts, the audience and its talk; their orders are in `purchases`.

Arrivals rise when the official appears and each time a product is pinned; dwell is long-tailed
(log-normal, median 2.5 minutes); a minority chat, like or share. Accounts are mostly years old,
on their own devices, behind home broadband or a mobile carrier's shared addresses."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sunlit.simulate import chat
from sunlit.simulate.catalogue import ORGANISATIONS, County, Produce
from sunlit.simulate.tape import I64, Tape

SECOND = 1000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
DAY = 24 * HOUR
OFFICIAL_ENTERS = 5 * MINUTE  # after the session starts
MOBILE_POOLS = 400  # carrier NAT /24 blocks shared by many honest viewers


@dataclass
class Product:
    index: int
    session: int
    produce: Produce
    price: int
    producer: str
    producer_kind: str
    cost: int | None
    change_ts: int | None = None  # a price change during the session
    new_price: int | None = None
    weight: float = 1.0  # how much buyers favour it
    clearance: str | None = None  # the producer's reason for a listing price below cost

    @property
    def id(self) -> str:
        return f"p-{self.index}"

    def price_at(self, ts: I64) -> I64:
        prices = np.full(len(ts), self.price, dtype=np.int64)
        if self.change_ts is not None and self.new_price is not None:
            prices[ts >= self.change_ts] = self.new_price
        return prices


@dataclass
class SessionPlan:
    index: int
    county: County
    official: int
    start: int
    end: int
    products: list[Product]
    purpose: str
    partners: list[dict[str, str | None]] = field(default_factory=list)
    pin_ts: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    pin_product: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    quality_rate: dict[int, float] = field(default_factory=dict)  # by product index

    @property
    def duration(self) -> int:
        return self.end - self.start

    def schedule_pins(self) -> None:
        """Each product is presented twice, in turn, after the official comes in."""
        n = 2 * len(self.products)
        step = (self.duration - OFFICIAL_ENTERS) // n
        self.pin_ts = self.start + OFFICIAL_ENTERS + step * np.arange(n, dtype=np.int64)
        order = [p.index for p in self.products] * 2
        self.pin_product = np.asarray(order, dtype=np.int64)

    def pinned_at(self, ts: I64) -> I64:
        """The product on the shelf at each moment (the first one before any pin)."""
        slot = np.searchsorted(self.pin_ts, ts, side="right") - 1
        return self.pin_product[np.clip(slot, 0, len(self.pin_product) - 1)]


@dataclass
class Pool:
    """The honest accounts: ids, devices, home addresses, households, employers."""

    account: I64
    device: I64
    ip: I64
    household: I64
    org: I64  # -1 for none


def ip_of(a: int, b: I64, c: I64, d: I64) -> I64:
    return (a << 24) | (b << 16) | (c << 8) | d


def register(
    tape: Tape,
    rng: np.random.Generator,
    accounts: I64,
    created: I64,
    device: I64,
    ip: I64,
    org: I64,
    role: int = 0,
) -> None:
    n = len(accounts)
    phone = 1_300_000 + rng.integers(0, 700_000, n)
    tape.add(
        "account",
        ts=created,
        account=accounts,
        role=role,
        device=device,
        ip=ip,
        phone=phone,
        org=org,
    )


def honest_pool(tape: Tape, rng: np.random.Generator, n: int, now: int) -> Pool:
    accounts = tape.new_accounts(n)
    # Ages: mostly years; a few registered for the occasion (2% in the last week).
    age = (np.mod(rng.exponential(600, n), 3000) * DAY).astype(np.int64) + DAY
    recent = rng.random(n) < 0.02
    age[recent] = (rng.random(int(recent.sum())) * 7 * DAY).astype(np.int64) + MINUTE
    created = now - age
    device = rng.integers(1 << 40, 1 << 48, n)
    household = accounts.copy()
    # A family member on the same phone: pairs, never more than two accounts to a device.
    partner = np.flatnonzero(rng.random(n // 2) < 0.16) * 2
    shared = partner + 1
    device[shared] = device[partner]
    household[shared] = household[partner]
    ip = ip_of(
        int(rng.choice([36, 58, 110, 112, 117, 183, 220, 223])),
        rng.integers(0, 256, n),
        rng.integers(0, 256, n),
        rng.integers(1, 255, n),
    )
    org = np.full(n, -1, dtype=np.int64)
    employed = np.flatnonzero(rng.random(n) < 0.04)
    names = rng.integers(0, len(ORGANISATIONS), len(employed))
    org[employed] = [tape.org(ORGANISATIONS[i]) for i in names.tolist()]
    register(tape, rng, accounts, created, device, ip, org)
    return Pool(accounts, device, ip, household, org)


def arrival_weights(plan: SessionPlan) -> np.ndarray:
    """Relative arrival intensity per second of the session."""
    secs = np.arange(plan.duration // SECOND, dtype=np.float64)
    enter = OFFICIAL_ENTERS / SECOND
    w = np.where(secs < enter, 0.25, 1.0 + 1.5 * np.exp(-(secs - enter) / 900.0))
    for pin in ((plan.pin_ts - plan.start) / SECOND).tolist():
        after = secs >= pin
        w[after] += 0.8 * np.exp(-(secs[after] - pin) / 120.0)
    w *= np.linspace(1.0, 0.6, len(secs))  # the audience thins toward the end
    return w


def sample_times(rng: np.random.Generator, plan: SessionPlan, n: int) -> I64:
    """``n`` moments drawn from the session's arrival curve, in ms."""
    w = arrival_weights(plan)
    cdf = np.cumsum(w)
    secs = np.searchsorted(cdf, rng.random(n) * cdf[-1])
    times: I64 = plan.start + secs.astype(np.int64) * SECOND + rng.integers(0, SECOND, n)
    return times


def mobile_ip(rng: np.random.Generator, n: int) -> I64:
    """An address from a carrier's NAT pool: many honest viewers share each /24."""
    pool = rng.integers(0, MOBILE_POOLS, n)
    return ip_of(39, 100 + pool // 200, pool % 200, rng.integers(1, 255, n))


def within(rng: np.random.Generator, start: I64, stop: I64) -> I64:
    moments: I64 = start + (rng.random(len(start)) * np.maximum(stop - start, 1)).astype(np.int64)
    return moments


@dataclass
class Audience:
    account: I64
    join: I64
    leave: I64
    device: I64
    ip: I64


def watch(
    tape: Tape,
    rng: np.random.Generator,
    plan: SessionPlan,
    account: I64,
    join: I64,
    leave: I64,
    device: I64,
    ip: I64,
    client: I64,
) -> Audience:
    s = plan.index
    tape.add("join", ts=join, account=account, session=s, device=device, ip=ip, client=client)
    tape.add("leave", ts=leave, account=account, session=s)
    return Audience(account, join, leave, device, ip)


def honest_audience(
    tape: Tape, rng: np.random.Generator, plan: SessionPlan, pool: Pool, n: int
) -> Audience:
    pick = rng.choice(len(pool.account), size=n, replace=False)
    join = sample_times(rng, plan, n)
    dwell = (rng.lognormal(np.log(150.0), 1.2, n) * SECOND).astype(np.int64) + 3 * SECOND
    leave = join + dwell
    late = leave > plan.end
    leave[late] = plan.end + rng.integers(0, 30 * SECOND, int(late.sum()))
    on_mobile = rng.random(n) < 0.4
    ip = np.where(on_mobile, mobile_ip(rng, n), pool.ip[pick])
    client = rng.choice(3, size=n, p=[0.6, 0.25, 0.15])
    audience = watch(
        tape, rng, plan, pool.account[pick], join, leave, pool.device[pick], ip, client
    )
    talk(tape, rng, plan, audience)
    return audience


def talk(tape: Tape, rng: np.random.Generator, plan: SessionPlan, audience: Audience) -> None:
    """Chat (6% of viewers), likes (20%) and shares (2%), each inside the viewer's stay."""
    n = len(audience.account)
    s = plan.index
    for kind, share, mean_extra in (("chat", 0.06, 0.6), ("like", 0.2, 1.5), ("share", 0.02, 0.1)):
        who = np.flatnonzero(rng.random(n) < share)
        times = 1 + rng.poisson(mean_extra, len(who))
        who = np.repeat(who, times)
        ts = within(rng, audience.join[who], audience.leave[who])
        if kind == "chat":
            produce = plan.products[0].produce.name.split(" ")[0]
            texts = chat.honest_lines(rng, len(who), produce, plan.county.short)
            tape.add(
                "chat",
                ts=ts,
                account=audience.account[who],
                session=s,
                text=tape.text_ids(texts),
            )
        elif kind == "like":
            count = np.minimum(1 + rng.geometric(0.15, len(who)), 99)
            tape.add("like", ts=ts, account=audience.account[who], session=s, count=count)
        else:
            channel = rng.integers(0, 4, len(who))
            tape.add("share", ts=ts, account=audience.account[who], session=s, channel=channel)
