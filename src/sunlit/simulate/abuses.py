"""The abuses of docs/integrity.md as scenarios, each with three levels of camouflage.

`prepare_*` changes a session's plan before the honest crowd arrives (prices, partners, the
shelf); `act_*` adds the abusers to a session the honest crowd is already in. Every scenario
records its ground truth in the tape's labels."""

from __future__ import annotations

from math import ceil
from typing import Any

import numpy as np

from sunlit.simulate import chat
from sunlit.simulate.crowd import (
    DAY,
    HOUR,
    MINUTE,
    OFFICIAL_ENTERS,
    SECOND,
    Audience,
    Product,
    SessionPlan,
    ip_of,
    lifecycle,
    place,
    register,
    sample_times,
    talk,
    watch,
)
from sunlit.simulate.model import RULE_OF, Camouflage, Scenario, ScenarioSpec
from sunlit.simulate.tape import I64, Tape, account_id, order_id

LEVEL = {Camouflage.NONE: 0, Camouflage.DEFAULT: 1, Camouflage.STRONG: 2}


def _label(tape: Tape, spec: ScenarioSpec, plan: SessionPlan | None, **kw: Any) -> None:
    session = None if plan is None else f"s-{plan.index + 1:04d}"
    tape.labels.add(spec.scenario.value, RULE_OF[spec.scenario], session, spec.camouflage, **kw)


def _accounts(values: I64) -> list[str]:
    return [account_id(v) for v in values.tolist()]


def _orders(values: I64) -> list[str]:
    return [order_id(v) for v in values.tolist()]


def _batched_created(
    rng: np.random.Generator,
    n: int,
    batch: int,
    window: int,
    age_days: tuple[float, float],
    now: int,
) -> I64:
    """Accounts bought from a farm: registered in batches, each batch within ``window`` ms."""
    batches = ceil(n / batch)
    ages = (rng.uniform(*age_days, batches) * DAY).astype(np.int64)
    which = np.arange(n) // batch
    return now - ages[which] + rng.integers(0, window, n)


# --- prepare: the plan ---------------------------------------------------------------------


def prepare_gouging(
    tape: Tape, rng: np.random.Generator, plan: SessionPlan, spec: ScenarioSpec
) -> None:
    p = plan.products[0]
    level = LEVEL[spec.camouflage]
    if level == 2:  # listed inside the band, raised once the official has the room
        p.price = int(p.produce.high * 0.98)
        p.change_ts = plan.start + OFFICIAL_ENTERS + 10 * MINUTE
        p.new_price = int(p.produce.high * 1.15)
    else:
        p.price = int(p.produce.high * (1.6 if level == 0 else 1.25))
    _label(tape, spec, plan, products=[p.id])


def prepare_below_cost(
    tape: Tape, rng: np.random.Generator, plan: SessionPlan, spec: ScenarioSpec
) -> None:
    p = plan.products[-1]
    p.price = int(p.produce.cost * (0.6, 0.8, 0.95)[LEVEL[spec.camouflage]])
    _label(tape, spec, plan, products=[p.id])


def _enterprise_product(plan: SessionPlan, index: int, producer: str) -> Product:
    produce = plan.county.produce[0]
    product = Product(
        index, plan.index, produce, produce.price, producer, "enterprise", produce.cost
    )
    plan.products.append(product)
    return product


def prepare_relative_company(
    tape: Tape, rng: np.random.Generator, plan: SessionPlan, spec: ScenarioSpec, next_product: int
) -> None:
    level = LEVEL[spec.camouflage]
    company = plan.county.enterprise
    declared = ("县长配偶持股的企业", "亲属参股", "亲属")[level]
    # Strongest: the partner is declared under a short name, the producer under its full one.
    partner_name = company if level < 2 else company.removeprefix(plan.county.name)[:4]
    plan.partners.append({"name": partner_name, "kind": "enterprise", "relationship": declared})
    product = _enterprise_product(plan, next_product, company)
    _label(tape, spec, plan, products=[product.id])


def prepare_favouritism(
    tape: Tape, rng: np.random.Generator, plan: SessionPlan, spec: ScenarioSpec, next_product: int
) -> None:
    """One company's product holds most of the shelf time and draws the buyers."""
    product = _enterprise_product(plan, next_product, plan.county.enterprise)
    product.weight = (6.0, 3.5, 2.5)[LEVEL[spec.camouflage]]
    plan.partners.append(
        {"name": plan.county.enterprise, "kind": "enterprise", "relationship": None}
    )
    plan.schedule_pins()
    share = (0.75, 0.65, 0.55)[LEVEL[spec.camouflage]]
    slots = rng.random(len(plan.pin_product)) < share
    plan.pin_product[slots] = product.index
    _label(tape, spec, plan, products=[product.id])


def prepare_poor_quality(
    tape: Tape, rng: np.random.Generator, plan: SessionPlan, spec: ScenarioSpec
) -> None:
    p = plan.products[0]
    plan.quality_rate[p.index] = (0.08, 0.05, 0.03)[LEVEL[spec.camouflage]]
    _label(tape, spec, plan, products=[p.id])


# --- act: the abusers in the room -----------------------------------------------------------


def act_view_bots(
    tape: Tape, rng: np.random.Generator, plan: SessionPlan, honest: Audience, spec: ScenarioSpec
) -> None:
    level = LEVEL[spec.camouflage]
    n = max(5, round(spec.amount * len(honest.account)))
    bots = tape.new_accounts(n)
    created = _batched_created(
        rng,
        n,
        (50, 30, 20)[level],
        (1, 5, 20)[level] * MINUTE,
        ((0.5, 3), (10, 90), (60, 700))[level],
        plan.start,
    )
    device_pool = (max(1, n // 25), max(1, n // 4), n)[level]
    device = rng.integers(1 << 40, 1 << 48, device_pool)[rng.integers(0, device_pool, n)]
    if level == 0:
        ip = ip_of(45, np.full(n, 77), 10 + rng.integers(0, 3, n), rng.integers(1, 255, n))
    elif level == 1:
        ip = ip_of(45, 77 + rng.integers(0, 2, n), rng.integers(0, 10, n), rng.integers(1, 255, n))
    else:
        ip = ip_of(
            101, rng.integers(0, 8, n) * 16, rng.integers(0, 256, n), rng.integers(1, 255, n)
        )
    register(tape, rng, bots, created, device, ip, np.full(n, -1))
    first_pin = int(plan.pin_ts[0])
    batch = np.arange(n) // (50, 30, 20)[level]
    if level == 0:
        join = first_pin + rng.integers(0, 60 * SECOND, n)
        leave = join + 300 * SECOND + rng.integers(-2 * SECOND, 2 * SECOND, n)
    elif level == 1:
        wave = rng.integers(0, 10 * MINUTE, batch.max() + 1)
        join = first_pin + wave[batch] + rng.integers(0, 30 * SECOND, n)
        leave = join + rng.integers(240 * SECOND, 420 * SECOND, n)
    else:
        join = sample_times(rng, plan, n)
        stop = np.zeros(batch.max() + 1, dtype=np.int64)
        for b in range(len(stop)):
            stop[b] = join[batch == b].max() + int(rng.integers(5, 40)) * MINUTE
        leave = np.maximum(stop[batch] + rng.integers(-3 * SECOND, 3 * SECOND, n), join + SECOND)
    leave = np.minimum(leave, plan.end + 20 * SECOND)
    client = (np.full(n, 1), rng.integers(0, 2, n), rng.choice(3, size=n, p=[0.6, 0.25, 0.15]))
    watch(tape, rng, plan, bots, join, leave, device, ip, client[level])
    if level >= 1:
        likers = np.flatnonzero(rng.random(n) < (0.1 if level == 1 else 0.3))
        ts = join[likers] + ((leave[likers] - join[likers]) * rng.random(len(likers))).astype(
            np.int64
        )
        tape.add(
            "like",
            ts=ts,
            account=bots[likers],
            session=plan.index,
            count=rng.integers(1, 10, len(likers)),
        )
    if level == 2:
        talkers = np.flatnonzero(rng.random(n) < 0.05)
        ts = join[talkers] + ((leave[talkers] - join[talkers]) * 0.5).astype(np.int64)
        texts = [("来了", "支持", "好", "赞")[i % 4] for i in range(len(talkers))]
        tape.add(
            "chat", ts=ts, account=bots[talkers], session=plan.index, text=tape.text_ids(texts)
        )
    _label(tape, spec, plan, accounts=_accounts(bots), bots=n)


def act_brushing_ring(
    tape: Tape, rng: np.random.Generator, plans: list[SessionPlan], spec: ScenarioSpec
) -> None:
    """A ring of accounts buying in every session of the stream, then mostly refunding."""
    level = LEVEL[spec.camouflage]
    k = max(3, int(spec.amount))
    ring = tape.new_accounts(k)
    start = plans[0].start
    created = start - (rng.uniform(*((1, 10), (30, 200), (200, 1500))[level], k) * DAY).astype(
        np.int64
    )
    devices = rng.integers(1 << 40, 1 << 48, (3, max(1, k // 3), k)[level])
    device = devices[rng.integers(0, len(devices), k)] if level < 2 else devices
    ips = ip_of(121, rng.integers(0, 256, k), rng.integers(0, 256, k), rng.integers(1, 255, k))
    ip = ips[rng.integers(0, (2, max(1, k // 2), k)[level], k)]
    drops = rng.integers(1 << 50, 1 << 52, (2, max(1, k // 4), max(1, k // 2))[level])
    address = drops[rng.integers(0, len(drops), k)]
    register(tape, rng, ring, created, device, ip, np.full(k, -1))
    all_orders: list[I64] = []
    for plan in plans:
        per = rng.integers(*((5, 11), (3, 7), (2, 5))[level], k)
        density = (1.0, 0.6, 0.3)[level]
        choices = np.asarray([p.index for p in plan.products])
        who = np.repeat(np.arange(k), per)
        width = max(1, ceil(density * len(choices)))
        # Each member brushes its own subset of the session's products.
        subsets = np.asarray([rng.permutation(choices)[:width] for _ in range(k)])
        product = subsets[who, rng.integers(0, width, len(who))]
        if level == 0:  # in the first minute, before anything is presented
            ts = plan.start + rng.integers(0, 60 * SECOND, len(who))
        else:  # while the product is on the shelf
            ts = np.empty(len(who), dtype=np.int64)
            for i, prod in enumerate(product.tolist()):
                slots = np.flatnonzero(plan.pin_product == prod)
                slot = int(slots[rng.integers(0, len(slots))]) if len(slots) else 0
                begin = int(plan.pin_ts[slot])
                stop = int(plan.pin_ts[slot + 1]) if slot + 1 < len(plan.pin_ts) else plan.end
                ts[i] = begin + int(rng.integers(0, max(1, stop - begin)))
        order_ts = np.sort(ts)
        product = product[np.argsort(ts, kind="stable")]
        if level >= 1:  # they are in the room when they buy
            first = np.full(k, plan.end, dtype=np.int64)
            last = np.full(k, plan.start, dtype=np.int64)
            np.minimum.at(first, who, order_ts)
            np.maximum.at(last, who, order_ts)
            join = np.maximum(first - rng.integers(30, 300, k) * SECOND, plan.start)
            leave = np.minimum(last + rng.integers(30, 600, k) * SECOND, plan.end)
            audience = watch(tape, rng, plan, ring, join, leave, device, ip, rng.integers(0, 3, k))
            if level == 2:
                talk(tape, rng, plan, audience)
        qty = (
            np.ones(len(who), dtype=np.int64),
            rng.integers(1, 3, len(who)),
            rng.choice([1, 2, 3], size=len(who), p=[0.7, 0.2, 0.1]),
        )[level]
        orders, amount = place(
            tape,
            rng,
            plan,
            ring[who],
            order_ts,
            product,
            qty,
            device[who],
            ip[who],
            address[who],
            np.zeros(len(who), dtype=np.int64),
        )
        back = rng.random(len(who)) < (0.8, 0.5, 0.2)[level]
        s = plan.index
        tape.add("paid", ts=order_ts + 20 * SECOND, order=orders, session=s)
        refund_ts = plan.end + rng.integers(2, 20, int(back.sum())) * HOUR
        tape.add("cancelled", ts=refund_ts, order=orders[back], session=s, reason=1)
        tape.add(
            "refunded",
            ts=refund_ts + MINUTE,
            order=orders[back],
            session=s,
            amount=amount[back],
            reason=1,
        )
        keep = ~back
        if level == 0:
            keep &= False  # never shipped
        ship_ts = order_ts[keep] + rng.integers(12, 48, int(keep.sum())) * HOUR
        tape.add("shipped", ts=ship_ts, order=orders[keep], session=s, carrier=0)
        tape.add("delivered", ts=ship_ts + 2 * DAY, order=orders[keep], session=s)
        all_orders.append(orders)
    orders = np.concatenate(all_orders)
    _label(tape, spec, None, accounts=_accounts(ring), orders=_orders(orders))


def act_quota(
    tape: Tape, rng: np.random.Generator, plan: SessionPlan, spec: ScenarioSpec, now: int
) -> None:
    """摊派: cadres of county offices told to buy at least a round amount each."""
    level = LEVEL[spec.camouflage]
    n = max(5, int(spec.amount))
    cadres = tape.new_accounts(n)
    units = ("财政局", "教育局", "税务局")[: (1, 1, 3)[level]]
    org = np.asarray([tape.org(plan.county.name + units[i % len(units)]) for i in range(n)])
    created = plan.start - (rng.uniform(100, 2000, n) * DAY).astype(np.int64)
    device = rng.integers(1 << 40, 1 << 48, n)
    home = ip_of(112, rng.integers(0, 256, n), rng.integers(0, 256, n), rng.integers(1, 255, n))
    compound = ip_of(61, np.full(n, 190), np.full(n, 12), rng.integers(1, 4, n))
    at_work = rng.random(n) < (1.0, 0.5, 0.0)[level]
    ip = np.where(at_work, compound, home)
    register(tape, rng, cadres, created, device, home, org)
    thresholds = ((5000,), (5000, 10000), (5000, 8800, 10000))[level]
    threshold = np.asarray(thresholds)[rng.integers(0, len(thresholds), n)]
    products = plan.products if level else [min(plan.products, key=lambda p: p.price)]
    pick = rng.integers(0, len(products), n)
    product = np.asarray([products[i].index for i in pick.tolist()])
    price = np.asarray([products[i].price for i in pick.tolist()])
    target = threshold * (rng.uniform(1.0, 1.6, n) if level == 2 else 1.0)
    qty = np.ceil(target / price).astype(np.int64)
    if level == 0:
        ts = plan.start + OFFICIAL_ENTERS + rng.integers(0, 20 * MINUTE, n)
    else:
        ts = plan.start + OFFICIAL_ENTERS + rng.integers(0, plan.duration - OFFICIAL_ENTERS, n)
    unit_card = rng.random(n) < (0.7, 0.3, 0.03)[level]
    payment = np.where(unit_card, rng.integers(2, 4, n), rng.integers(0, 2, n))
    compounds = rng.integers(1 << 50, 1 << 52, 5)
    address = (np.full(n, compounds[0]), compounds[rng.integers(0, 5, n)], cadres)[level]
    viewing = rng.random(n) < (1.0, 1.0, 0.5)[level]
    v = np.flatnonzero(viewing)
    watch(
        tape,
        rng,
        plan,
        cadres[v],
        ts[v] - rng.integers(5, 60, len(v)) * SECOND,
        np.minimum(ts[v] + rng.integers(60, 300, len(v)) * SECOND, plan.end),
        device[v],
        ip[v],
        rng.integers(0, 3, len(v)),
    )
    orders, amount = place(
        tape,
        rng,
        plan,
        cadres,
        ts,
        product,
        qty,
        device,
        ip,
        address,
        payment,
        region=np.full(n, 0),
    )
    lifecycle(tape, rng, plan, orders, cadres, ts, amount, unpaid=0.0, refund=0.0)
    if level < 2:
        tape.event(
            plan.end + 6 * HOUR,
            "report.filed",
            f"s-{plan.index + 1:04d}",
            None,
            {
                "category": "forced_purchase",
                "text": "单位通知每名干部至少购买50元助农产品，要截图上报",
            },
        )
    _label(
        tape,
        spec,
        plan,
        accounts=_accounts(cadres),
        orders=_orders(orders),
        thresholds=list(thresholds),
    )


def act_paid_praise(
    tape: Tape, rng: np.random.Generator, plan: SessionPlan, spec: ScenarioSpec
) -> None:
    """水军: accounts paid to praise the official in lockstep, with paraphrase."""
    level = LEVEL[spec.camouflage]
    n = max(3, int(spec.amount))
    crew = tape.new_accounts(n)
    created = plan.start - (rng.uniform(*((1, 5), (20, 200), (100, 1500))[level], n) * DAY).astype(
        np.int64
    )
    device = rng.integers(1 << 40, 1 << 48, n)
    ip = ip_of(27, rng.integers(0, 256, n), rng.integers(0, 256, n), rng.integers(1, 255, n))
    if level == 0:
        ip = ip_of(27, np.full(n, 8), rng.integers(0, 2, n), rng.integers(1, 255, n))
    register(tape, rng, crew, created, device, ip, np.full(n, -1))
    join = plan.start + rng.integers(0, OFFICIAL_ENTERS, n)
    if level == 2:
        join = np.minimum(sample_times(rng, plan, n), plan.start + plan.duration // 3)
    leave = np.full(n, plan.end) + rng.integers(0, 20 * SECOND, n)
    audience = watch(tape, rng, plan, crew, join, leave, device, ip, rng.integers(0, 3, n))
    scripts = [chat.praise_script(rng) for _ in range((1, 1, 2)[level])]
    window = (5, 60, 300)[level] * SECOND
    bursts = (
        plan.start
        + OFFICIAL_ENTERS
        + np.sort(
            rng.integers(0, plan.duration - OFFICIAL_ENTERS - window, int(rng.integers(4, 7)))
        )
    )
    who_all: list[int] = []
    ts_all: list[int] = []
    texts: list[str] = []
    for b, moment in enumerate(bursts.tolist()):
        script = scripts[b % len(scripts)]
        posting = np.flatnonzero(rng.random(n) < (1.0, 0.8, 0.6)[level])
        for i in posting.tolist():
            who_all.append(i)
            ts_all.append(max(moment + int(rng.integers(0, window)), int(join[i]) + SECOND))
            texts.append(chat.paraphrase(rng, script, level))
    who = np.asarray(who_all, dtype=np.int64)
    tape.add(
        "chat",
        ts=np.asarray(ts_all, dtype=np.int64),
        account=crew[who],
        session=plan.index,
        text=tape.text_ids(texts),
    )
    if level == 2:
        talk(tape, rng, plan, audience)
        buy = np.flatnonzero(rng.random(n) < 0.2)
        cheap = min(plan.products, key=lambda p: p.price)
        ts = np.minimum(join[buy] + MINUTE, plan.end - SECOND)
        orders, amount = place(
            tape,
            rng,
            plan,
            crew[buy],
            ts,
            np.full(len(buy), cheap.index),
            np.ones(len(buy), dtype=np.int64),
            device[buy],
            ip[buy],
            crew[buy],
            np.zeros(len(buy), dtype=np.int64),
        )
        lifecycle(tape, rng, plan, orders, crew[buy], ts, amount)
    _label(tape, spec, plan, accounts=_accounts(crew), messages=len(texts))


PREPARE = {
    Scenario.GOUGING: prepare_gouging,
    Scenario.BELOW_COST: prepare_below_cost,
    Scenario.POOR_QUALITY: prepare_poor_quality,
}
