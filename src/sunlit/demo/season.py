"""The plan of the demo's Majiang season (:mod:`sunlit.demo.history` plays it): when the two
sessions were, how many orders a day each stretch had, who bought. Pure: made-up orders from a
seed, with times in the past."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

OFFICIAL_TITLE = "麻江蓝莓 · 县长进直播间"
FARMER_TITLE = "麻江蓝莓 · 合作社自己播"
#: Days before today: the official's session, the cooperative's own, and the season's span.
OFFICIAL_DAY, FARMER_DAY, FIRST_DAY, LAST_DAY = 66, 34, 96, 4
#: Orders a day outside sessions: before the official's session, in the weeks after it, and
#: after the cooperative's own; and the orders in each session.
BEFORE_RATE, DROP_RATE, RECOVERY_RATE = 3.0, 0.8, 2.6
OFFICIAL_ORDERS, FARMER_ORDERS = 40, 22
SHOPPERS = 240


def shopper_names() -> list[str]:
    """The season's demo shoppers' usernames, ``shopper001`` to ``shopper240``."""
    return [f"shopper{n:03d}" for n in range(1, SHOPPERS + 1)]


#: The chance that an order comes from someone who bought before.
RETURNING = 0.3
#: Boxes one shopper buys at most outside sessions, and in each (the default per-buyer limit).
PER_BUYER = 10
#: Where the shoppers live (county-level districts a parcel can be sent to).
HOMES = ("110105", "310104", "440106", "330106", "510107", "420106", "320102", "610113")
#: One order in this many is paid and then cancelled (so refunded) before it ships.
REFUNDED_ONE_IN = 25


@dataclass(frozen=True, slots=True)
class Wanted:
    at: datetime
    shopper: int  # index into the shoppers
    qty: int
    session: str | None  # "official", "farmer" or None: outside any session
    refunded: bool


@dataclass(frozen=True, slots=True)
class Season:
    day: date  # today, in the demo's time zone
    zone: ZoneInfo

    def at(self, days_ago: int, hour: int, minute: int = 0) -> datetime:
        local = datetime.combine(self.day - timedelta(days=days_ago), time(hour, minute))
        return local.replace(tzinfo=self.zone).astimezone(ZoneInfo("UTC"))


def season_orders(season: Season, seed: int = 522635) -> list[Wanted]:
    """The season's orders, oldest first: a few a day outside sessions at the rate of the
    stretch they fall in, and a crowd in each session's two hours. About a third of the orders
    come from shoppers who bought before."""
    rng = random.Random(seed)  # noqa: S311 - a demo's made-up orders, not a secret
    wanted: list[Wanted] = []
    seen: list[int] = []
    bought: dict[tuple[int, str | None], int] = {}  # boxes per shopper, in or out of a session

    def shopper(qty: int, session: str | None) -> int:
        """Someone who bought before, now and then, or someone new; never past the per-buyer
        limit."""
        while True:
            again = len(seen) == SHOPPERS or (seen and rng.random() < RETURNING)
            pick = rng.choice(seen) if again else len(seen)
            if bought.get((pick, session), 0) + qty <= PER_BUYER:
                bought[(pick, session)] = bought.get((pick, session), 0) + qty
                if pick not in seen:
                    seen.append(pick)
                return pick

    def add(at: datetime, session: str | None) -> None:
        refunded = (len(wanted) + 1) % REFUNDED_ONE_IN == 0
        qty = rng.choice((1, 1, 2, 2, 3))
        wanted.append(Wanted(at, shopper(qty, session), qty, session, refunded))

    for days_ago in range(FIRST_DAY, LAST_DAY - 1, -1):
        if days_ago in (OFFICIAL_DAY, FARMER_DAY):
            kind, count = (
                ("official", OFFICIAL_ORDERS) if days_ago == OFFICIAL_DAY else
                ("farmer", FARMER_ORDERS)
            )  # fmt: skip
            for minute in sorted(rng.sample(range(5, 115), count)):
                add(season.at(days_ago, 19, 30) + timedelta(minutes=minute), kind)
            continue
        rate = (
            BEFORE_RATE if days_ago > OFFICIAL_DAY else
            DROP_RATE if days_ago > FARMER_DAY else
            RECOVERY_RATE
        )  # fmt: skip
        whole, part = int(rate), rate - int(rate)
        for _ in range(whole + (1 if rng.random() < part else 0)):
            add(season.at(days_ago, rng.randrange(8, 22), rng.randrange(60)), None)
    wanted.sort(key=lambda w: w.at)
    return wanted
