"""The conflict and gouging rules on streams shaped unlike the simulator's (issue 19): a tied
partner known only by name while products carry producer ids, whose trade name appears in the
product names behind a place prefix of the official's county; a price far above its band in a
room of three products, where no spread can make it an outlier."""

from __future__ import annotations

from tests.integrity_streams import Events

TIED = {
    "name": "砀山绿源供应链管理有限公司",
    "kind": "enterprise",
    "relationship": "县长之子任法人",
}


def test_a_tied_partner_is_found_in_the_products_that_carry_its_trade_name() -> None:
    products = [
        {"product": "p-1", "name": "绿源 酥梨 5斤", "producer": "pd-7"},
        {"product": "p-2", "name": "梨膏 2瓶", "producer": "pd-7"},  # the same producer
        {"product": "p-3", "name": "砀山酥梨 10斤", "producer": "pd-9"},
    ]
    events = Events().session(products=products, partners=[TIED, {"name": "河口合作社"}])
    events.order("o-1", "a-1", "p-1", 600).order("o-2", "a-2", "p-3", 700)
    [found] = events.findings("conflict_of_interest")
    assert sorted(found.products) == ["p-1", "p-2"]
    assert found.accounts == ["a-official"]  # the tie is the official's
    assert found.evidence["sales_fen"] == 3000


def test_a_short_or_common_trade_name_links_no_product() -> None:
    tied = {**TIED, "name": "砀山县果业有限公司"}  # nothing distinctive once the trade is gone
    products = [{"product": "p-1", "name": "砀山酥梨 果业精选", "producer": "pd-7"}]
    [found] = Events().session(products=products, partners=[tied]).findings("conflict_of_interest")
    assert found.products == [] and found.accounts == ["a-official"]


def test_a_price_far_above_its_band_is_found_in_a_small_room() -> None:
    products = [
        {
            "product": "p-1",
            "price": 13990,
            "reference_price_low": 5800,
            "reference_price_high": 6900,
        },
        {"product": "p-2", "price": 3200},
        {"product": "p-3", "price": 3400},
    ]
    [found] = Events().session(products=products).findings("price_gouging")
    assert found.products == ["p-1"]
    # Within the band, or a little above it with nothing to compare: not a finding.
    products[0] = {"product": "p-1", "price": 3600}
    assert Events().session(products=products).findings("price_gouging") == []
