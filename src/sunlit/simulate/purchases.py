"""Orders in the simulated rooms: the honest buyers' orders, placed at the price of the moment
(`place`, which the abuses use too), and what happens to orders afterwards (`lifecycle`).

Viewers who stayed longer buy more often, and about one buyer in ten buys twice; most orders
are paid, shipped and delivered; a few are cancelled, refunded, complained about or reviewed."""

from __future__ import annotations

import numpy as np

from sunlit.simulate import chat
from sunlit.simulate.catalogue import DELIVERY_REGIONS
from sunlit.simulate.crowd import HOUR, MINUTE, SECOND, Audience, SessionPlan, within
from sunlit.simulate.tape import I64, Tape


def buyers_from(rng: np.random.Generator, audience: Audience, n_orders: int) -> I64:
    """Viewers who buy, favouring those who stayed; about one buyer in ten buys twice."""
    n = len(audience.account)
    if n_orders == 0:
        return np.zeros(0, dtype=np.int64)
    stay = np.minimum(audience.leave - audience.join, 30 * MINUTE).astype(np.float64)
    weight = np.power(stay, 0.7)
    n_buyers = min(n, max(1, round(n_orders / 1.1)))
    chosen = rng.choice(n, size=n_buyers, replace=False, p=weight / weight.sum())
    again = rng.choice(chosen, size=max(0, n_orders - n_buyers), replace=True)
    return np.concatenate([chosen, again])


def honest_orders(
    tape: Tape, rng: np.random.Generator, plan: SessionPlan, audience: Audience, n_orders: int
) -> I64:
    """Ordinary orders, with their payments, shipping, refunds, complaints and reviews."""
    who = buyers_from(rng, audience, n_orders)
    n = len(who)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    ts = within(rng, audience.join[who] + 10 * SECOND, audience.leave[who])
    ts = np.minimum(ts, plan.end - SECOND)
    product = plan.pinned_at(ts)
    # One buyer in ten picks another product than the one on the shelf, as weighted.
    other = rng.random(n) < 0.1
    weights = np.asarray([p.weight for p in plan.products])
    choices = np.asarray([p.index for p in plan.products])
    product[other] = rng.choice(choices, size=int(other.sum()), p=weights / weights.sum())
    # Favoured products (an enterprise's, say) draw buyers from the shelf as well.
    if weights.max() > 1.0:
        favoured = choices[np.argmax(weights)]
        extra = rng.random(n) < (weights.max() - 1.0) / (weights.max() + len(weights))
        product[extra] = favoured
    qty = rng.choice([1, 2, 3, 5], size=n, p=[0.7, 0.2, 0.07, 0.03])
    payment = rng.choice(4, size=n, p=[0.7, 0.25, 0.03, 0.02])
    account = audience.account[who]
    orders, amount = place(
        tape,
        rng,
        plan,
        account,
        ts,
        product,
        qty,
        audience.device[who],
        audience.ip[who],
        account,
        payment,
    )
    rate = np.full(n, 0.006)
    for index, value in plan.quality_rate.items():
        rate[product == index] = value
    lifecycle(tape, rng, plan, orders, account, ts, amount, complaint_rate=rate)
    return orders


def place(
    tape: Tape,
    rng: np.random.Generator,
    plan: SessionPlan,
    account: I64,
    ts: I64,
    product: I64,
    qty: I64,
    device: I64,
    ip: I64,
    address: I64,
    payment: I64,
    region: I64 | None = None,
) -> tuple[I64, I64]:
    """Orders at the product's price at that moment; returns their ids and amounts."""
    n = len(account)
    orders = tape.new_orders(n)
    price = np.zeros(n, dtype=np.int64)
    for p in plan.products:
        mine = product == p.index
        price[mine] = p.price_at(ts[mine])
    if region is None:
        region = rng.integers(0, len(DELIVERY_REGIONS), n)
    tape.add(
        "order",
        ts=ts,
        account=account,
        session=plan.index,
        product=product,
        qty=qty,
        unit_price=price,
        region=region,
        address=address,
        device=device,
        ip=ip,
        payment=payment,
    )
    return orders, price * qty


def lifecycle(
    tape: Tape,
    rng: np.random.Generator,
    plan: SessionPlan,
    orders: I64,
    account: I64,
    ts: I64,
    amount: I64,
    *,
    unpaid: float = 0.04,
    refund: float = 0.015,
    complaint_rate: I64 | None = None,
) -> None:
    """What happens to ordinary orders after they are placed."""
    n = len(orders)
    s = plan.index
    paid = rng.random(n) >= unpaid
    tape.add(
        "paid",
        ts=ts[paid] + rng.integers(5, 90, int(paid.sum())) * SECOND,
        order=orders[paid],
        session=s,
    )
    unpaid_ix = ~paid
    tape.add(
        "cancelled", ts=ts[unpaid_ix] + 15 * MINUTE, order=orders[unpaid_ix], session=s, reason=0
    )
    changed = paid & (rng.random(n) < 0.01)
    tape.add(
        "cancelled",
        ts=ts[changed] + rng.integers(1, 6, int(changed.sum())) * HOUR,
        order=orders[changed],
        session=s,
        reason=1,
    )
    tape.add(
        "refunded",
        ts=ts[changed] + rng.integers(6, 12, int(changed.sum())) * HOUR,
        order=orders[changed],
        session=s,
        amount=amount[changed],
        reason=1,
    )
    ship = paid & ~changed
    ship_ts = ts + rng.integers(12, 60, n) * HOUR
    tape.add(
        "shipped",
        ts=ship_ts[ship],
        order=orders[ship],
        session=s,
        carrier=rng.integers(0, 4, int(ship.sum())),
    )
    deliver_ts = ship_ts + rng.integers(24, 96, n) * HOUR
    tape.add("delivered", ts=deliver_ts[ship], order=orders[ship], session=s)
    # Complaints: quality at the product's rate, logistics at 0.4%.
    if complaint_rate is None:
        complaint_rate = np.full(n, 0.006)
    quality = ship & (rng.random(n) < complaint_rate)
    logistics = ship & ~quality & (rng.random(n) < 0.004)
    for mask, category, words in (
        (quality, 0, ("有几个烂的", "不新鲜，有异味", "和描述不符，个头很小", "坏果太多了")),
        (logistics, 1, ("快递太慢了", "包装压坏了", "物流一直不更新")),
    ):
        k = int(mask.sum())
        texts = [words[i] for i in rng.integers(0, len(words), k).tolist()]
        tape.add(
            "complaint",
            ts=deliver_ts[mask] + rng.integers(2, 48, k) * HOUR,
            order=orders[mask],
            session=s,
            account=account[mask],
            category=category,
            text=tape.text_ids(texts),
        )
    refunded = ship & (quality | (rng.random(n) < refund))
    k = int(refunded.sum())
    tape.add(
        "refunded",
        ts=deliver_ts[refunded] + rng.integers(49, 96, k) * HOUR,
        order=orders[refunded],
        session=s,
        amount=amount[refunded],
        reason=0,
    )
    review = ship & ~quality & (rng.random(n) < 0.08)
    k = int(review.sum())
    stars = rng.choice([3, 4, 5], size=k, p=[0.1, 0.25, 0.65])
    texts = chat.honest_lines(
        rng, k, plan.products[0].produce.name.split(" ")[0], plan.county.short, reviews_share=0.0
    )
    tape.add(
        "review",
        ts=deliver_ts[review] + rng.integers(3, 72, k) * HOUR,
        order=orders[review],
        session=s,
        account=account[review],
        stars=stars,
        text=tape.text_ids(texts),
    )
