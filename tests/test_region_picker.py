"""Picking a delivery county (issue 18): the pure picker on the whole official list, the region
lookups of the API, the picker's pages over real HTTP (with htmx and without script), and the
ways to pay: a consumer pays with the wallet or a bank card; union cards and corporate accounts
are an organisation's, and a consumer who sends one is refused with a reason."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sunlit.core.regions.picker import Place, choose, cities, counties, find_places
from sunlit.core.regions.sources import official_regions
from sunlit.orders.model import PaymentMethod, payment_methods_for
from sunlit.orders.shipping.model import ships_to
from tests.support import LiveServer, csrf_of, sign_in
from tests.test_addresses import HOME
from tests.test_catalog_api import api_as, product_named
from tests.test_orders import buy
from tests.test_web import PASSWORD, client

BOOK = official_regions()
CHAOYANG = "110105"  # 北京市朝阳区


def text_of(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def names(places: Sequence[Place]) -> list[str]:
    return [p.name for p in places]


def test_typing_chaoyang_offers_every_chaoyang_with_its_whole_name() -> None:
    found = find_places(BOOK, "朝阳", "zh", ships_to)
    assert [m.full_name for m in found] == [
        "北京市朝阳区",
        "辽宁省朝阳市朝阳县",
        "吉林省长春市朝阳区",
        "辽宁省朝阳市",
    ]
    assert found[0].code == CHAOYANG
    # The whole name finds it too; a name above alone ("北京") does not list every district.
    assert [m.code for m in find_places(BOOK, "北京市朝阳", "zh", ships_to)] == [CHAOYANG]
    assert [m.code for m in find_places(BOOK, "北京", "zh", ships_to)] == ["110000"]
    assert find_places(BOOK, "   ", "zh", ships_to) == []
    assert find_places(BOOK, "香港", "zh", ships_to) == []  # no parcels go there


def test_a_municipality_is_its_own_city_so_three_steps_always_work() -> None:
    beijing = cities(BOOK, "110000", "zh")
    assert [(c.code, c.name) for c in beijing] == [("110000", "北京市")]
    assert "朝阳区" in names(counties(BOOK, "110000", "zh"))
    for municipality in ("110000", "120000", "310000", "500000"):
        step = choose(BOOK, "zh", ships_to, province=municipality)
        assert step.city == municipality and step.counties  # the only city, chosen
    # Hainan governs some counties directly: one more "city" of them, after its prefectures.
    hainan = cities(BOOK, "460000", "zh")
    assert hainan[-1].code == "460000" and hainan[-1].direct
    assert "五指山市" in names(counties(BOOK, "460000", "zh"))
    # A prefecture-level city without counties is its own county.
    assert [(c.code, c.name) for c in counties(BOOK, "441900", "zh")] == [("441900", "东莞市")]


def test_a_picked_county_fills_in_its_province_and_city_and_a_new_province_clears_it() -> None:
    picked = choose(BOOK, "zh", ships_to, county=CHAOYANG)
    assert (picked.province, picked.city, picked.county) == ("110000", "110000", CHAOYANG)
    kashgar = choose(BOOK, "zh", ships_to, county="653101")
    assert (kashgar.province, kashgar.city, kashgar.county) == ("650000", "653100", "653101")
    moved = choose(BOOK, "zh", ships_to, province="650000", city="110000", county=CHAOYANG)
    assert (moved.province, moved.city, moved.county) == ("650000", "", "")
    assert "香港特别行政区" not in names(moved.provinces)


def test_the_api_finds_regions_by_a_part_of_the_name_and_lists_children(
    served: LiveServer,
) -> None:
    with client(served, "zh") as anyone:
        found = anyone.get("/api/v1/regions", params={"q": "朝阳", "level": "county"}).json()
        assert {r["code"] for r in found} >= {CHAOYANG, "220104", "211321"}
        assert all("朝阳" in r["name_zh"] for r in found)
        beijing = anyone.get("/api/v1/regions/110000").json()
        assert CHAOYANG in [r["code"] for r in beijing["children"]]
        district = anyone.get(f"/api/v1/regions/{CHAOYANG}").json()
        assert [r["name_zh"] for r in district["path"]] == ["北京市", "朝阳区"]
        assert anyone.get("/api/v1/regions/999999").status_code == 404


def test_the_picker_pages_step_with_htmx_and_without_script(served: LiveServer) -> None:
    with client(served, "zh") as web:
        sign_in(web, "buyer3", PASSWORD)
        matches = web.get("/account/addresses/places", params={"region_q": "朝阳"})
        assert matches.status_code == 200
        assert re.findall(r'value="(\d{6})"', matches.text)[:2] == [CHAOYANG, "211321"]
        shown = text_of(matches.text)
        assert "北京市朝阳区" in shown and "吉林省长春市朝阳区" in shown

        step = web.get("/account/addresses/picker", params={"province": "110000"})
        assert '<option value="110000" selected>北京市</option>' in step.text
        assert f'<option value="{CHAOYANG}">朝阳区</option>' in step.text
        picked = web.get("/account/addresses/picker", params={"region_pick": CHAOYANG})
        assert f'<option value="{CHAOYANG}" selected>朝阳区</option>' in picked.text

        # Without script the form is sent back to move the picker, and nothing is saved.
        form = web.get("/account/addresses/new")
        token = csrf_of(form.text)
        typed = {"csrf_token": token, **{k: v for k, v in HOME.items() if k != "region"}}
        searched = web.post("/account/addresses", data={**typed, "region_q": "朝阳", "pick": "1"})
        assert searched.status_code == 200 and "北京市朝阳区" in text_of(searched.text)
        chose = web.post("/account/addresses", data={**typed, "region_pick": CHAOYANG})
        assert f'<option value="{CHAOYANG}" selected>' in chose.text
        assert HOME["detail"] in chose.text  # what was typed stays
        saved = web.post("/account/addresses", data={**typed, "region": CHAOYANG})
        assert saved.status_code == 303
        # Its edit form shows the county where the picker has it.
        edit = web.get(saved.headers["location"].replace("?done=1", ""))
        address = re.findall(r'href="/account/addresses/(ad-[^"]+)"', edit.text)[0]
        shown = web.get(f"/account/addresses/{address}").text
        assert '<option value="110000" selected>北京市</option>' in shown
        assert f'<option value="{CHAOYANG}" selected>朝阳区</option>' in shown

        # Checkout without script: choosing a province shows its cities; nothing is ordered.
        with api_as(served, "buyer3") as buyer:
            pears = product_named(buyer, "砀山酥梨")
        page = web.get(f"/products/{pears['id']}/buy")
        stepped = web.post(
            f"/products/{pears['id']}/buy",
            data={
                "csrf_token": csrf_of(page.text),
                "key": "nojs",
                "qty": "1",
                "province": "650000",
                "pick": "province",
                "method": "wallet",
            },
        )
        assert stepped.status_code == 200
        assert '<option value="653100">喀什地区</option>' in stepped.text
    with api_as(served, "buyer3") as buyer:
        book = buyer.get("/api/v1/addresses").json()
        assert buyer.get("/api/v1/orders").json() == []
    assert [(a["region"], a["is_default"]) for a in book] == [(CHAOYANG, True)]


def test_only_organisations_staff_may_pay_with_a_union_card_or_corporate_account() -> None:
    assert payment_methods_for("consumer", None) == (PaymentMethod.WALLET, PaymentMethod.BANK_CARD)
    assert payment_methods_for("consumer", "某公司") == payment_methods_for("consumer", None)
    assert payment_methods_for("official", None) == payment_methods_for("consumer", None)
    assert PaymentMethod.CORPORATE in payment_methods_for("official", "恩施市人民政府")


def test_a_consumer_choosing_a_union_card_is_refused_with_a_reason(served: LiveServer) -> None:
    with api_as(served, "buyer1") as buyer:
        pears = product_named(buyer, "砀山酥梨")
        for method in ("union_card", "corporate"):
            refused = buy(buyer, pears["id"], f"k-{method}", payment_method=method)
            assert refused.status_code == 422, refused.text
            error = refused.json()["error"]
            assert "payment_method" in error["fields"]
            assert "wallet or a bank card" in error["message"]
        assert buy(buyer, pears["id"], "k-wallet", payment_method="bank_card").status_code == 201
    with client(served, "zh") as web:
        sign_in(web, "buyer1", PASSWORD)
        page = web.get(f"/products/{pears['id']}/buy")
        offered = re.findall(r'name="method" value="(\w+)"', page.text)
        assert offered == ["wallet", "bank_card"]
        form = {"csrf_token": csrf_of(page.text), "qty": "1", "saved": "new", **HOME}
        refused = web.post(
            f"/products/{pears['id']}/buy", data={**form, "key": "w-1", "method": "corporate"}
        )
        assert refused.status_code == 422
        assert 'id="e-method"' in refused.text
    with api_as(served, "buyer1") as buyer:
        methods = [o["payment_method"] for o in buyer.get("/api/v1/orders").json()]
    assert methods == ["bank_card"]
    # An organisation's staff still may: what the integrity detectors weigh.
    with api_as(served, "official.enshi") as official:
        bought = buy(official, pears["id"], "k-org", payment_method="corporate")
        assert bought.status_code == 201, bought.text
        assert bought.json()["payment_method"] == "corporate"
