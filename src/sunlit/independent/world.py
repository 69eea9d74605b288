"""The small world every generated session lives in: clock, ids, accounts and networks.

Written from the public event contract only (docs/events.md), so that the streams it makes
share nothing with Sunlit's own simulator but the format. Every draw goes through one numpy
``Generator`` so that a seed fixes the whole stream.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import numpy as np

CST = timezone(timedelta(hours=8))
MINUTE = 60_000
HOUR = 60 * MINUTE
DAY = 24 * HOUR

#: County codes (GB/T 2260) where buyers live: big cities weigh more, as they do in orders.
BUYER_REGIONS: tuple[tuple[str, float], ...] = (
    ("110105", 5.0),
    ("110108", 4.0),
    ("110102", 2.0),
    ("310115", 5.0),
    ("310104", 2.5),
    ("310112", 2.5),
    ("440106", 3.0),
    ("440305", 3.0),
    ("440304", 2.0),
    ("330106", 2.5),
    ("330110", 2.0),
    ("510107", 2.5),
    ("510116", 1.5),
    ("420106", 2.0),
    ("420111", 1.5),
    ("320106", 2.0),
    ("320505", 1.5),
    ("610113", 1.5),
    ("340104", 1.5),
    ("410105", 1.5),
    ("430104", 1.5),
    ("120101", 1.0),
    ("500103", 1.5),
    ("370202", 1.0),
    ("350203", 1.0),
    ("210102", 1.0),
    ("230103", 0.8),
    ("530102", 0.8),
    ("450103", 0.8),
    ("360102", 0.8),
    ("341321", 0.6),
    ("610722", 0.5),
    ("422801", 0.5),
    ("440825", 0.4),
    ("522635", 0.4),
)

#: First octets of residential broadband and mobile ranges; mobile users sit behind carrier
#: NAT, so strangers share addresses here without doing anything wrong.
HOME_OCTETS = (
    36,
    39,
    42,
    49,
    58,
    59,
    60,
    61,
    101,
    110,
    111,
    112,
    113,
    114,
    115,
    116,
    117,
    119,
    120,
    121,
    122,
    123,
    124,
    125,
    171,
    175,
    180,
    182,
    183,
    218,
    219,
    220,
    221,
    222,
    223,
)
#: Hosting ranges (cloud servers): what a cheap bot farm rents.
HOSTING_PREFIXES = (
    "47.94",
    "47.100",
    "47.106",
    "39.96",
    "39.105",
    "118.89",
    "119.29",
    "129.204",
    "134.175",
    "150.158",
    "106.52",
    "121.36",
    "82.156",
    "43.138",
)
#: Mobile number prefixes (first 3 digits) of the three carriers; virtual-carrier prefixes
#: (170, 171, 165, 167, 162) are the ones bulk-bought SIM cards come from.
CARRIER_PREFIXES = (
    "134",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "157",
    "158",
    "159",
    "182",
    "183",
    "187",
    "188",
    "130",
    "131",
    "132",
    "155",
    "156",
    "185",
    "186",
    "133",
    "153",
    "177",
    "180",
    "181",
    "189",
    "191",
    "199",
    "198",
    "166",
    "173",
    "176",
    "178",
)
VIRTUAL_PREFIXES = ("170", "171", "165", "167", "162")


def fmt_ts(ms: int) -> str:
    """RFC 3339 with the +08:00 offset and milliseconds, as the contract writes times."""
    moment = datetime.fromtimestamp(ms / 1000, tz=UTC).astimezone(CST)
    return moment.isoformat(timespec="milliseconds")


def local_ms(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> int:
    """Milliseconds since the epoch of a Beijing wall-clock time."""
    return int(datetime(year, month, day, hour, minute, tzinfo=CST).timestamp() * 1000)


@dataclass
class Event:
    """One event before it gets its id; ``ts`` is milliseconds since the epoch."""

    ts: int
    type: str
    session: str | None
    actor: str | None
    data: dict[str, Any]


@dataclass
class Account:
    """An account as ``account.registered`` describes it."""

    id: str
    created: int
    role: str
    device: str
    ip: str
    phone_prefix: str | None
    org: str | None = None
    home: str = ""  # delivery county
    address: str = ""  # salted hash of the street address (32 hex digits)
    client: str = "app"
    registered: bool = False


@dataclass
class World:
    """Everything a stream draws from: the generator, the event list and the id books."""

    rng: np.random.Generator
    events: list[Event] = field(default_factory=list)
    accounts: dict[str, Account] = field(default_factory=dict)
    used_ids: set[str] = field(default_factory=set)
    epoch: int = 0  # when the stream's first export starts (account snapshots are stamped here)

    def emit(
        self, ts: int, kind: str, session: str | None, actor: str | None, data: dict[str, Any]
    ) -> None:
        self.events.append(Event(int(ts), kind, session, actor, data))

    def new_id(self, prefix: str, digits: int = 9) -> str:
        """A fresh id: a prefix and random digits, never one already handed out."""
        while True:
            body = "".join(str(d) for d in self.rng.integers(0, 10, size=digits))
            candidate = f"{prefix}{body}"
            if candidate not in self.used_ids:
                self.used_ids.add(candidate)
                return candidate

    def hexes(self, n: int) -> str:
        return "".join(f"{int(b):x}" for b in self.rng.integers(0, 16, size=n))

    def device(self) -> str:
        return self.hexes(16)

    def address(self) -> str:
        return self.hexes(32)

    def home_ip(self) -> str:
        octet = HOME_OCTETS[int(self.rng.integers(len(HOME_OCTETS)))]
        a, b, c = (int(x) for x in self.rng.integers(1, 255, size=3))
        return f"{octet}.{a}.{b}.{c}"

    def hosting_ip(self, prefix: str | None = None) -> str:
        base = prefix or HOSTING_PREFIXES[int(self.rng.integers(len(HOSTING_PREFIXES)))]
        a, b = (int(x) for x in self.rng.integers(1, 255, size=2))
        return f"{base}.{a}.{b}"

    def phone(self, virtual: bool = False) -> str:
        pool = VIRTUAL_PREFIXES if virtual else CARRIER_PREFIXES
        head = pool[int(self.rng.integers(len(pool)))]
        return head + "".join(str(d) for d in self.rng.integers(0, 10, size=4))

    def region(self) -> str:
        weights = np.array([w for _, w in BUYER_REGIONS])
        pick = int(self.rng.choice(len(BUYER_REGIONS), p=weights / weights.sum()))
        return BUYER_REGIONS[pick][0]

    def pick(self, options: tuple[str, ...] | list[str]) -> str:
        return options[int(self.rng.integers(len(options)))]

    def chance(self, p: float) -> bool:
        return bool(self.rng.random() < p)

    def uniform(self, low: float, high: float) -> float:
        return float(self.rng.uniform(low, high))

    def between(self, low: int, high: int) -> int:
        """An integer in [low, high], both ends included."""
        return int(self.rng.integers(low, high + 1))

    def consumer(
        self,
        at: int,
        *,
        age_days: float | None = None,
        role: str = "consumer",
        org: str | None = None,
    ) -> Account:
        """A new ordinary account; its age is drawn from a long tail unless given."""
        if age_days is None:
            age_days = (
                float(self.rng.lognormal(np.log(240), 1.3))
                if self.chance(0.9)
                else self.uniform(0.0, 2.0)
            )
        created = at - int(age_days * DAY) - self.between(0, HOUR)
        account = Account(
            id=self.new_id("u"),
            created=created,
            role=role,
            device=self.device(),
            ip=self.home_ip(),
            phone_prefix=self.phone() if self.chance(0.93) else None,
            org=org,
            home=self.region(),
            address=self.address(),
            client=self.pick(("app", "app", "app", "miniprogram", "miniprogram", "web")),
        )
        self.accounts[account.id] = account
        return account

    def register(self, account: Account, before: int) -> None:
        """Write ``account.registered`` once, before the account first acts.

        Accounts older than the stream are stamped at the stream's start, as an export of
        the accounts that appear in it would be; ``created_at`` keeps their real age."""
        if account.registered:
            return
        account.registered = True
        ts = account.created if account.created >= self.epoch else self.epoch
        ts = min(ts, before - 1000)
        self.emit(
            ts,
            "account.registered",
            None,
            account.id,
            {
                "created_at": fmt_ts(account.created),
                "role": account.role,
                "device": account.device,
                "ip": account.ip,
                "phone_prefix": account.phone_prefix,
                "org": account.org,
            },
        )


def salted_hash(text: str) -> str:
    """A stable 32-hex-digit hash, for addresses named by text (a compound, a canteen)."""
    return hashlib.sha256(("indep:" + text).encode()).hexdigest()[:32]
