"""Catalog and consent rules as pure functions: no database."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sunlit.catalog.model import (
    NATIONAL,
    Band,
    BandStatus,
    Category,
    ClearanceReason,
    ProducerDraft,
    ProducerKind,
    ProductDraft,
    Unit,
    band_position,
    check_band,
    check_price_against_cost,
    check_producer,
    check_product,
    pick_band,
)
from sunlit.core.regions.services import region_book
from sunlit.participation.model import PriceRoute, ProposalStatus, check_decision, route_for

PEARS = ProductDraft(
    name_zh="砀山酥梨",
    name_en="Dangshan crisp pears",
    kind="crisp_pear",
    category=Category.FRUIT,
    origin_region="341321",
    unit=Unit.JIN,
    price=398,
    stock=5000,
    declared_cost=260,
)
JIN_BAND = Band("crisp_pear", "341321", 300, 500, Unit.JIN, date(2026, 11, 1), "县价格监测")


def test_a_good_product_has_no_errors() -> None:
    assert check_product(PEARS, region_book()) == {}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"price": 0}, "price"),
        ({"price": -5}, "price"),
        ({"price": 10_000_001}, "price"),
        ({"stock": -1}, "stock"),
        ({"origin_region": "999999"}, "origin_region"),
        ({"name_zh": " "}, "name_zh"),
        ({"kind": "Crisp Pear"}, "kind"),
        ({"unit": Unit.BOX}, "box_grams"),
        ({"declared_cost": -1}, "declared_cost"),
    ],
)
def test_bad_products_name_the_field(change: dict[str, object], field: str) -> None:
    assert field in check_product(replace(PEARS, **change), region_book())  # type: ignore[arg-type]


def test_below_cost_needs_the_producers_clearance_reason() -> None:
    assert check_price_against_cost(200, 260, None) is not None
    assert check_price_against_cost(200, 260, ClearanceReason.PERISHABLE) is None
    assert check_price_against_cost(260, 260, None) is None
    assert check_price_against_cost(1, None, None) is None  # no declared cost, nothing to check


def test_producer_region_must_be_a_county_and_members_must_be_households() -> None:
    book = region_book()
    good = ProducerDraft(ProducerKind.COOPERATIVE, "砀山县酥梨合作社", "341321")
    assert check_producer(good, book) == {}
    assert "region" in check_producer(replace(good, region="341300"), book)
    assert "cooperative_id" in check_producer(replace(good, cooperative_id="p-1"), book)
    assert "contact_phone" in check_producer(replace(good, contact_phone="12345"), book)


def test_band_position_converts_units() -> None:
    within = band_position(398, 500, JIN_BAND)
    assert (within.status, within.low, within.high, within.percent) == (
        BandStatus.WITHIN,
        300,
        500,
        49,
    )
    # a 2.5 kg box at ¥26: the band is ¥15–25 for 2.5 kg, so above
    above = band_position(2600, 2500, JIN_BAND)
    assert (above.status, above.low, above.high, above.percent) == (
        BandStatus.ABOVE,
        1500,
        2500,
        100,
    )
    per_kg = replace(JIN_BAND, unit=Unit.KG, low=600, high=1000)
    assert band_position(250, 500, per_kg).status is BandStatus.BELOW


@given(
    price=st.integers(1, 100_000),
    grams=st.integers(1, 100_000),
    low=st.integers(1, 10_000),
    extra=st.integers(0, 10_000),
)
def test_band_position_is_consistent(price: int, grams: int, low: int, extra: int) -> None:
    band = replace(JIN_BAND, low=low, high=low + extra)
    position = band_position(price, grams, band)
    assert 0 <= position.percent <= 100
    assert position.low <= position.high
    expected = (
        BandStatus.BELOW
        if price < position.low
        else BandStatus.ABOVE
        if price > position.high
        else BandStatus.WITHIN
    )
    assert position.status is expected


def test_band_checks() -> None:
    assert check_band(300, 500) == {}
    assert "high" in check_band(500, 300)
    assert "low" in check_band(0, 300)


def test_the_most_specific_newest_band_applies() -> None:
    path = ["340000", "341300", "341321"]
    province = replace(JIN_BAND, region="340000", low=100)
    old_county = replace(JIN_BAND, observed_on=date(2026, 1, 1), low=200)
    future = replace(JIN_BAND, observed_on=date(2027, 1, 1), low=999)
    national = replace(JIN_BAND, region=NATIONAL, low=50)
    bands = [province, old_county, JIN_BAND, future, national]
    assert pick_band(bands, "crisp_pear", path, date(2026, 11, 23)) == JIN_BAND
    assert pick_band([province, national], "crisp_pear", path, date(2026, 11, 23)) == province
    assert pick_band([national], "crisp_pear", path, date(2026, 11, 23)) == national
    assert pick_band(bands, "tea", path, date(2026, 11, 23)) is None


def test_only_the_producer_changes_the_price_directly() -> None:
    assert route_for(manages_producer=True, is_operator=False) is PriceRoute.DIRECT
    assert route_for(manages_producer=True, is_operator=True) is PriceRoute.PROPOSAL
    assert route_for(manages_producer=False, is_operator=False) is PriceRoute.PROPOSAL
    assert check_decision(ProposalStatus.PENDING) is None
    assert check_decision(ProposalStatus.ACCEPTED) is not None
