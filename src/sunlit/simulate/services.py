"""Run a simulation: plan the sessions, let the honest crowd in, add the abuses, publish the
claims, and write the events and the labels."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import orjson

from sunlit.simulate import abusers, abuses, crowd, purchases
from sunlit.simulate.catalogue import COUNTIES
from sunlit.simulate.crowd import DAY, HOUR, MINUTE, Product, SessionPlan
from sunlit.simulate.model import Scenario, SimConfig
from sunlit.simulate.tape import Tape, account_id, session_id
from sunlit.simulate.writer import Progress, write_file

BEIJING = ZoneInfo("Asia/Shanghai")
HOUSEHOLDS = ("王家果园", "李家种植户", "张家茶园", "刘家果园")


@dataclass(frozen=True, slots=True)
class SimResult:
    events: int
    seconds: float
    events_path: Path
    labels_path: Path

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


def labels_path_for(events: Path) -> Path:
    """Labels sit beside the events: ``evening.jsonl`` -> ``evening.labels.json``."""
    name = events.name.removesuffix(".jsonl").removesuffix(".json")
    return events.with_name(name + ".labels.json")


def _plan(
    index: int, config: SimConfig, rng: np.random.Generator, next_product: int, official: int
) -> SessionPlan:
    county = COUNTIES[index % len(COUNTIES)]
    start = int(config.start.timestamp() * 1000) + index * 7 * DAY
    products = []
    for k, produce in enumerate(county.produce):
        price = int(round(produce.price * rng.uniform(0.95, 1.05), -1))
        price = min(max(price, produce.low), produce.high)
        producer = county.cooperative if k == 0 else HOUSEHOLDS[k % len(HOUSEHOLDS)]
        kind = "cooperative" if k == 0 else "household"
        products.append(
            Product(next_product + k, index, produce, price, producer, kind, produce.cost)
        )
    purpose = f"{county.name}{county.produce[0].name.split(' ')[0]}助农直播"
    if config.clearance and index == 0:
        fresh = products[0]
        fresh.price = int(fresh.produce.cost * 0.85)
        fresh.clearance = "perishable"  # the producer's own reason (docs/events.md)
        purpose += "：暴雨后滞销鲜果清仓，低于成本价销售"
    return SessionPlan(
        index, county, official, start, start + config.minutes * MINUTE, products, purpose
    )


def rfc3339(ms: int) -> str:
    moment = datetime.fromtimestamp(ms / 1000, UTC).astimezone(BEIJING)
    return moment.isoformat(timespec="milliseconds")


def _publish_plan(tape: Tape, plan: SessionPlan) -> None:
    sid = session_id(plan.index)
    official = account_id(plan.official)
    tape.event(
        plan.start - 3 * DAY,
        "session.filed",
        sid,
        official,
        {
            "official": official,
            "official_region": plan.county.code,
            "scheduled_start": rfc3339(plan.start),
            "scheduled_end": rfc3339(plan.end),
            "products": [p.id for p in plan.products],
            "partners": [
                {"name": plan.county.cooperative, "kind": "cooperative", "relationship": None},
                *plan.partners,
            ],
            "purpose": plan.purpose,
        },
    )
    for p in plan.products:
        tape.event(
            plan.start - 2 * DAY,
            "product.listed",
            sid,
            None,
            {
                "product": p.id,
                "name": p.produce.name,
                "category": p.produce.category,
                "origin_region": plan.county.code,
                "producer": p.producer,
                "producer_kind": p.producer_kind,
                "price": p.price,
                "reference_price_low": p.produce.low,
                "reference_price_high": p.produce.high,
                "declared_cost": p.cost,
                "stock": 1_000_000,
            },
        )
        if p.clearance is not None:
            tape.event(
                plan.start - 2 * DAY,
                "product.price_changed",
                sid,
                None,
                {"product": p.id, "price": p.price, "clearance": p.clearance},
            )
        if p.change_ts is not None:
            tape.event(
                p.change_ts,
                "product.price_changed",
                sid,
                official,
                {"product": p.id, "price": p.new_price},
            )
    tape.event(plan.start, "session.started", sid, official, {})
    for ts, product in zip(plan.pin_ts.tolist(), plan.pin_product.tolist(), strict=True):
        tape.event(ts, "product.pinned", sid, official, {"product": f"p-{product}"})
    tape.event(plan.end, "session.ended", sid, official, {})


def _claims(tape: Tape, config: SimConfig, plans: list[SessionPlan]) -> None:
    """Each session's announced figures: honestly the gross paid GMV and paid orders; with the
    hype scenario, inflated. Labels hype wherever a claim tops the true verified figure by
    more than 10% (bots and fake orders excluded)."""
    o_session = tape.column("order", "session")
    amount = tape.column("order", "unit_price") * tape.column("order", "qty")
    paid = np.zeros(len(amount), dtype=bool)
    paid[tape.column("paid", "order")] = True
    gone = np.zeros(len(amount), dtype=bool)
    gone[tape.column("cancelled", "order")] = True
    gone[tape.column("refunded", "order")] = True
    fake = np.zeros(len(amount), dtype=bool)
    for entry in tape.labels.entries:
        if entry["rule"] == "fake_orders":
            fake[[int(o[2:]) for o in entry["orders"]]] = True
    hype = {s.camouflage: s for s in config.scenarios if s.scenario is Scenario.HYPE}
    factor = {"none": 1.6, "default": 1.3, "strong": 1.15}
    for plan in plans:
        mine = o_session == plan.index
        gross = int(amount[mine & paid].sum())
        verified = int(amount[mine & paid & ~gone & ~fake].sum())
        claimed_gmv, claimed_orders = gross, int((mine & paid).sum())
        verified_orders = int((mine & paid & ~gone & ~fake).sum())
        spec = next(iter(hype.values()), None) if plan.index == 0 else None
        if spec is not None:
            claimed_gmv = int(verified * factor[spec.camouflage])
            claimed_orders = int(verified_orders * factor[spec.camouflage])
        sid = session_id(plan.index)
        tape.event(
            plan.end + 2 * HOUR,
            "claim.published",
            sid,
            None,
            {
                "source": "县融媒体中心",
                "gmv": claimed_gmv,
                "orders": claimed_orders,
                "viewers": None,
            },
        )
        over = claimed_gmv > 1.1 * verified or claimed_orders > 1.1 * verified_orders
        if over:
            camo = spec.camouflage if spec is not None else "none"
            tape.labels.add(
                "hype" if spec else "inflated_by_abuse",
                "hype_gap",
                sid,
                camo,
                claimed_gmv=claimed_gmv,
                verified_gmv=verified,
            )


def build(config: SimConfig) -> Tape:
    rng = np.random.default_rng(config.seed)
    tape = Tape()
    start = int(config.start.timestamp() * 1000)
    officials = tape.new_accounts(len(COUNTIES))
    crowd.register(
        tape,
        rng,
        officials,
        start - 900 * DAY + np.arange(len(COUNTIES)) * DAY,
        rng.integers(1 << 40, 1 << 48, len(COUNTIES)),
        crowd.ip_of(
            59,
            np.arange(len(COUNTIES)),
            np.ones(len(COUNTIES), dtype=np.int64),
            np.full(len(COUNTIES), 10),
        ),
        np.full(len(COUNTIES), -1),
        role=2,
    )
    pool_size = int(config.viewers * (1 + 0.6 * (config.sessions - 1))) + 10
    pool = crowd.honest_pool(tape, rng, pool_size, start)
    plans: list[SessionPlan] = []
    next_product = 0
    for index in range(config.sessions):
        official = int(officials[index % len(COUNTIES)])
        plan = _plan(index, config, rng, next_product, official)
        next_product += len(plan.products) + 1
        plans.append(plan)
        here = config.scenarios if index == 0 else ()
        plan.schedule_pins()
        for spec in here:
            if spec.scenario in abuses.PREPARE:
                abuses.PREPARE[spec.scenario](tape, rng, plan, spec)
            elif spec.scenario is Scenario.RELATIVE_COMPANY:
                abuses.prepare_relative_company(tape, rng, plan, spec, next_product)
                next_product += 1
            elif spec.scenario is Scenario.FAVOURITISM:
                abuses.prepare_favouritism(tape, rng, plan, spec, next_product)
                next_product += 1
        if len(plan.pin_product) != 2 * len(plan.products) and not any(
            s.scenario is Scenario.FAVOURITISM for s in here
        ):
            plan.schedule_pins()
        _publish_plan(tape, plan)
        audience = crowd.honest_audience(tape, rng, plan, pool, config.viewers)
        purchases.honest_orders(tape, rng, plan, audience, config.honest_orders)
        for spec in here:
            if spec.scenario is Scenario.VIEW_BOTS:
                abusers.act_view_bots(tape, rng, plan, audience, spec)
            elif spec.scenario is Scenario.QUOTA:
                abusers.act_quota(tape, rng, plan, spec, start)
            elif spec.scenario is Scenario.PAID_PRAISE:
                abusers.act_paid_praise(tape, rng, plan, spec)
    for spec in config.scenarios:
        if spec.scenario is Scenario.BRUSHING_RING:
            abusers.act_brushing_ring(tape, rng, plans, spec)
    _claims(tape, config, plans)
    return tape


def config_document(config: SimConfig) -> dict[str, Any]:
    doc = asdict(config)
    doc["start"] = config.start.isoformat()
    doc["scenarios"] = [
        {"scenario": s.scenario.value, "camouflage": s.camouflage.value, "size": s.amount}
        for s in config.scenarios
    ]
    return doc


def simulate(config: SimConfig, events: Path, progress: Progress | None = None) -> SimResult:
    began = time.perf_counter()
    tape = build(config)
    count = write_file(tape, events, progress)
    labels = labels_path_for(events)
    labels.write_bytes(
        orjson.dumps(
            {
                "spec": "sunlit-labels/1",
                "config": config_document(config),
                "labels": tape.labels.entries,
            },
            option=orjson.OPT_INDENT_2,
        )
    )
    return SimResult(count, time.perf_counter() - began, events, labels)
