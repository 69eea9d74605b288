"""What a simulation is asked for: the crowd, the sessions and the abuses, as values.

A run is deterministic for its configuration (seed included): the same configuration writes the
same bytes. Camouflage has three levels; each scenario says what each level changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum


class Camouflage(StrEnum):
    NONE = "none"  # the abuse as the press described it
    DEFAULT = "default"  # what an organiser who has read about detection does
    STRONG = "strong"  # an organiser who has read our code


class Scenario(StrEnum):
    """One abuse each; the rule in docs/integrity.md that must find it is `RULE_OF[scenario]`."""

    VIEW_BOTS = "view_bots"
    BRUSHING_RING = "brushing_ring"
    QUOTA = "quota"
    PAID_PRAISE = "paid_praise"
    GOUGING = "gouging"
    BELOW_COST = "below_cost"
    RELATIVE_COMPANY = "relative_company"
    FAVOURITISM = "favouritism"
    POOR_QUALITY = "poor_quality"
    HYPE = "hype"


RULE_OF: dict[Scenario, str] = {
    Scenario.VIEW_BOTS: "fake_viewers",
    Scenario.BRUSHING_RING: "fake_orders",
    Scenario.QUOTA: "forced_purchases",
    Scenario.PAID_PRAISE: "paid_comments",
    Scenario.GOUGING: "price_gouging",
    Scenario.BELOW_COST: "below_cost",
    Scenario.RELATIVE_COMPANY: "conflict_of_interest",
    Scenario.FAVOURITISM: "company_favouritism",
    Scenario.POOR_QUALITY: "quality_complaints",
    Scenario.HYPE: "hype_gap",
}

#: The default size of each scenario: a share of the viewers for bots, a count of accounts for
#: rings, cadres and commenters; products and claims come one at a time.
DEFAULT_SIZE: dict[Scenario, float] = {
    Scenario.VIEW_BOTS: 0.2,
    Scenario.BRUSHING_RING: 40,
    Scenario.QUOTA: 300,
    Scenario.PAID_PRAISE: 30,
    Scenario.GOUGING: 1,
    Scenario.BELOW_COST: 1,
    Scenario.RELATIVE_COMPANY: 1,
    Scenario.FAVOURITISM: 1,
    Scenario.POOR_QUALITY: 1,
    Scenario.HYPE: 1,
}


@dataclass(frozen=True, slots=True)
class ScenarioSpec:
    scenario: Scenario
    camouflage: Camouflage = Camouflage.DEFAULT
    size: float | None = None  # None: DEFAULT_SIZE

    @property
    def amount(self) -> float:
        return DEFAULT_SIZE[self.scenario] if self.size is None else self.size

    @classmethod
    def parse(cls, text: str) -> ScenarioSpec:
        """``name[:camouflage[:size]]``, e.g. ``view_bots:strong:0.3`` or ``quota``."""
        parts = text.strip().split(":")
        if not parts[0] or len(parts) > 3:
            raise ValueError(f"{text!r}: expected name[:camouflage[:size]]")
        try:
            scenario = Scenario(parts[0])
        except ValueError:
            names = ", ".join(s.value for s in Scenario)
            raise ValueError(f"unknown scenario {parts[0]!r}; one of: {names}") from None
        camo = Camouflage.DEFAULT
        if len(parts) > 1 and parts[1]:
            try:
                camo = Camouflage(parts[1])
            except ValueError:
                raise ValueError(
                    f"unknown camouflage {parts[1]!r}; one of: none, default, strong"
                ) from None
        size: float | None = None
        if len(parts) > 2:
            try:
                size = float(parts[2])
            except ValueError:
                raise ValueError(f"size {parts[2]!r} is not a number") from None
            if size <= 0:
                raise ValueError("size must be positive")
        return cls(scenario, camo, size)


@dataclass(frozen=True, slots=True)
class SimConfig:
    seed: int = 1
    viewers: int = 10_000  # distinct honest viewers per session
    orders: int | None = None  # honest orders per session; None: 4.5% of viewers
    sessions: int = 1
    minutes: int = 120
    start: datetime = datetime(2020, 4, 20, 12, 0, tzinfo=UTC)  # 20:00 in Beijing
    scenarios: tuple[ScenarioSpec, ...] = field(default_factory=tuple)
    clearance: bool = False  # an honest below-cost clearance of unsalable fresh produce

    def __post_init__(self) -> None:
        if self.viewers < 10:
            raise ValueError("at least 10 viewers per session")
        if not 1 <= self.sessions <= 50:
            raise ValueError("between 1 and 50 sessions")
        if not 10 <= self.minutes <= 24 * 60:
            raise ValueError("a session lasts between 10 minutes and a day")
        if self.orders is not None and not 0 <= self.orders <= self.viewers:
            raise ValueError("orders must be between 0 and the number of viewers")

    @property
    def honest_orders(self) -> int:
        return round(self.viewers * 0.045) if self.orders is None else self.orders


#: The Legal Daily, 《官员直播带货要防“作秀”》 (2020): "more than 27,000 orders that day ...
#: nearly 140,000 pounds of Dangshan pears",
#: 600,000 viewers in one evening.
PRESETS: dict[str, SimConfig] = {
    "dangshan-evening": SimConfig(viewers=600_000, orders=27_000, minutes=180),
    "small": SimConfig(viewers=2_000, minutes=60),
}
