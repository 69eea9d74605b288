"""The abuses of docs/integrity.md as scenarios, each with three levels of camouflage.

`prepare_*` changes a session's plan before the honest crowd arrives (prices, partners, the
shelf); `abusers.act_*` adds the abusers to a session the honest crowd is already in. Every
scenario records its ground truth in the tape's labels (`label`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from sunlit.simulate.crowd import MINUTE, OFFICIAL_ENTERS, Product, SessionPlan
from sunlit.simulate.model import RULE_OF, Camouflage, Scenario, ScenarioSpec
from sunlit.simulate.tape import Tape, account_id

LEVEL = {Camouflage.NONE: 0, Camouflage.DEFAULT: 1, Camouflage.STRONG: 2}


def label(tape: Tape, spec: ScenarioSpec, plan: SessionPlan | None, **kw: Any) -> None:
    session = None if plan is None else f"s-{plan.index + 1:04d}"
    tape.labels.add(spec.scenario.value, RULE_OF[spec.scenario], session, spec.camouflage, **kw)


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
    label(tape, spec, plan, products=[p.id])


def prepare_below_cost(
    tape: Tape, rng: np.random.Generator, plan: SessionPlan, spec: ScenarioSpec
) -> None:
    p = plan.products[-1]
    p.price = int(p.produce.cost * (0.6, 0.8, 0.95)[LEVEL[spec.camouflage]])
    label(tape, spec, plan, products=[p.id])


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
    # The tie is the official's: the finding names them (issue 19).
    label(tape, spec, plan, accounts=[account_id(plan.official)], products=[product.id])


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
    label(tape, spec, plan, products=[product.id])


def prepare_poor_quality(
    tape: Tape, rng: np.random.Generator, plan: SessionPlan, spec: ScenarioSpec
) -> None:
    p = plan.products[0]
    plan.quality_rate[p.index] = (0.08, 0.05, 0.03)[LEVEL[spec.camouflage]]
    label(tape, spec, plan, products=[p.id])


PREPARE = {
    Scenario.GOUGING: prepare_gouging,
    Scenario.BELOW_COST: prepare_below_cost,
    Scenario.POOR_QUALITY: prepare_poor_quality,
}
