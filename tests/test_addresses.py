"""The buyers' address books over real HTTP, on both backends: add, edit, delete and choose
the default, always exactly one default; nobody but the owner reaches an address; checkout
fills in the default and takes another saved one; the events name addresses by id alone."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from sunlit.orders.addresses.model import MAX_ADDRESSES
from tests.support import LiveServer, csrf_of, sign_in
from tests.test_catalog_api import api_as, product_named
from tests.test_orders import ADDRESS
from tests.test_web import PASSWORD, client, events_of

HOME = {**ADDRESS, "label": "家"}
SHOP = {
    "label": "店里",
    "region": "341321",
    "detail": "砀山县城关镇人民路 12 号",
    "recipient": "王强",
    "phone": "13900139000",
}


def add(c: httpx.Client, address: dict[str, Any], **extra: Any) -> dict[str, Any]:
    answer = c.post("/api/v1/addresses", json={**address, **extra})
    assert answer.status_code == 201, answer.text
    found: dict[str, Any] = answer.json()
    return found


def defaults(c: httpx.Client) -> list[str]:
    return [a["id"] for a in c.get("/api/v1/addresses").json() if a["is_default"]]


def test_an_address_book_keeps_exactly_one_default(served: LiveServer) -> None:
    with api_as(served, "buyer1") as buyer:
        assert buyer.get("/api/v1/addresses").json() == []
        home = add(buyer, HOME)
        assert home["is_default"]  # the first address is the default
        shop = add(buyer, SHOP)
        assert not shop["is_default"] and defaults(buyer) == [home["id"]]
        made = buyer.post(f"/api/v1/addresses/{shop['id']}/default")
        assert made.status_code == 200 and made.json()["is_default"]
        assert defaults(buyer) == [shop["id"]]
        listed = buyer.get("/api/v1/addresses").json()
        assert [a["id"] for a in listed] == [shop["id"], home["id"]]  # the default first
        third = add(
            buyer, {**HOME, "label": "父母家", "detail": "柯城区府山街道 5 号"}, default=True
        )
        assert defaults(buyer) == [third["id"]]

        edited = buyer.put(f"/api/v1/addresses/{home['id']}", json={**HOME, "recipient": "李梅梅"})
        assert edited.status_code == 200, edited.text
        assert edited.json()["recipient"] == "李梅梅" and not edited.json()["is_default"]

        # Deleting the default makes the newest left the default.
        assert buyer.delete(f"/api/v1/addresses/{third['id']}").status_code == 204
        assert defaults(buyer) == [shop["id"]]
        assert buyer.get(f"/api/v1/addresses/{third['id']}").status_code == 404
        assert buyer.delete(f"/api/v1/addresses/{shop['id']}").status_code == 204
        assert defaults(buyer) == [home["id"]]


def test_changes_at_the_same_moment_leave_one_default(served: LiveServer) -> None:
    with api_as(served, "buyer1") as buyer:
        ids = [add(buyer, {**HOME, "label": f"地址{n}"})["id"] for n in range(6)]

        def make_default(address: str) -> int:
            return buyer.post(f"/api/v1/addresses/{address}/default").status_code

        with ThreadPoolExecutor(max_workers=6) as pool:
            answers = list(pool.map(make_default, ids * 3))
        assert set(answers) <= {200, 409}, answers
        assert len(defaults(buyer)) == 1


def test_another_buyer_gets_404_and_changes_nothing(served: LiveServer) -> None:
    with api_as(served, "buyer1") as owner, api_as(served, "buyer2") as other:
        home = add(owner, HOME)
        path = f"/api/v1/addresses/{home['id']}"
        assert other.get(path).status_code == 404
        assert other.put(path, json=SHOP).status_code == 404
        assert other.post(f"{path}/default").status_code == 404
        assert other.delete(path).status_code == 404
        assert other.get("/api/v1/addresses").json() == []
        assert owner.get(path).json() == home
    with client(served, "en") as web:
        sign_in(web, "buyer2", PASSWORD)
        assert web.get(f"/account/addresses/{home['id']}").status_code == 404
        page = web.get("/account/addresses")
        assert home["id"] not in page.text
        token = csrf_of(page.text)
        for action in ("delete", "default", "save"):
            answer = web.post(
                f"/account/addresses/{home['id']}",
                data={"csrf_token": token, "action": action, **SHOP},
            )
            assert answer.status_code == 404
    with api_as(served, "buyer1") as owner:
        assert owner.get(f"/api/v1/addresses/{home['id']}").json() == home


def test_bad_addresses_are_refused_by_field_and_the_book_has_a_limit(served: LiveServer) -> None:
    with api_as(served, "buyer1") as buyer:
        bad = buyer.post(
            "/api/v1/addresses",
            json={**HOME, "region": "810000", "phone": "12ab", "detail": "x", "label": "长" * 21},
        )
        assert bad.status_code == 422, bad.text
        fields = bad.json()["error"]["fields"]
        assert {"region", "phone", "detail", "label"} <= set(fields)
        assert buyer.get("/api/v1/addresses").json() == []
        for n in range(MAX_ADDRESSES):
            add(buyer, {**HOME, "label": f"地址{n}"})
        full = buyer.post("/api/v1/addresses", json=SHOP)
        assert full.status_code == 409 and "20" in full.json()["error"]["message"]
        assert len(buyer.get("/api/v1/addresses").json()) == MAX_ADDRESSES


def test_address_events_carry_ids_only(served: LiveServer) -> None:
    with api_as(served, "buyer1") as buyer:
        home = add(buyer, HOME)
        shop = add(buyer, SHOP)
        buyer.post(f"/api/v1/addresses/{shop['id']}/default")
        buyer.delete(f"/api/v1/addresses/{home['id']}")
    found = [e for e in events_of(served) if e.type.startswith("address.")]
    assert [(e.type, e.data) for e in found] == [
        ("address.saved", {"address": home["id"], "created": True, "default": True}),
        ("address.saved", {"address": shop["id"], "created": True, "default": False}),
        ("address.saved", {"address": shop["id"], "created": False, "default": True}),
        ("address.removed", {"address": home["id"]}),
    ]
    everything = str([(e.data, e.actor, e.session) for e in found])
    for private in (*HOME.values(), *SHOP.values()):
        assert private not in everything


def test_the_address_book_pages(served: LiveServer) -> None:
    with client(served, "en") as web:
        sign_in(web, "buyer1", PASSWORD)
        assert 'href="/account/addresses"' in web.get("/account").text
        form = web.get("/account/addresses/new")
        token = csrf_of(form.text)
        bad = web.post("/account/addresses", data={"csrf_token": token, **HOME, "phone": "1"})
        assert bad.status_code == 422 and 'id="e-phone"' in bad.text
        assert web.post("/account/addresses", data={"csrf_token": token, **HOME}).status_code == 303
        added = web.post("/account/addresses", data={"csrf_token": token, **SHOP, "default": "1"})
        assert added.status_code == 303
        page = web.get("/account/addresses")
        assert "店里" in page.text and "家" in page.text and "Make default" in page.text
    with api_as(served, "buyer1") as buyer:
        book = buyer.get("/api/v1/addresses").json()
    assert [a["label"] for a in book] == ["店里", "家"] and book[0]["is_default"]
    home = book[1]["id"]
    with client(served, "en") as web:
        sign_in(web, "buyer1", PASSWORD)
        edit = web.get(f"/account/addresses/{home}")
        assert "朝阳区建国路" in edit.text
        token = csrf_of(edit.text)
        saved = web.post(
            f"/account/addresses/{home}",
            data={"csrf_token": token, "action": "save", **HOME, "recipient": "李雪"},
        )
        assert saved.status_code == 303
        web.post(f"/account/addresses/{home}", data={"csrf_token": token, "action": "default"})
    with api_as(served, "buyer1") as buyer:
        book = buyer.get("/api/v1/addresses").json()
    assert book[0]["id"] == home and book[0]["recipient"] == "李雪" and book[0]["is_default"]
    with client(served, "en") as web:
        sign_in(web, "buyer1", PASSWORD)
        token = csrf_of(web.get("/account/addresses").text)
        gone = web.post(
            f"/account/addresses/{home}", data={"csrf_token": token, "action": "delete"}
        )
        assert gone.status_code == 303
    with api_as(served, "buyer1") as buyer:
        assert [a["label"] for a in buyer.get("/api/v1/addresses").json()] == ["店里"]


def test_checkout_fills_in_the_default_and_takes_another_saved_address(
    served: LiveServer,
) -> None:
    with api_as(served, "buyer1") as buyer, api_as(served, "farmer.dangshan") as farmer:
        pears = product_named(buyer, "砀山酥梨")
        fees = {"same_province": 0, "mainland": 800, "remote": 2500}
        farmer.put(f"/api/v1/producers/{pears['producer_id']}/shipping-fees", json={"fees": fees})
        home = add(buyer, HOME)  # Zhejiang: another province, ¥8
        shop = add(buyer, SHOP)  # Anhui, the producer's own province: free
    with client(served, "en") as web:
        sign_in(web, "buyer1", PASSWORD)
        page = web.get(f"/products/{pears['id']}/buy")
        assert f'value="{home["id"]}" checked' in page.text
        assert "¥8.00" in page.text and "Other provinces" in page.text  # the default's fee
        token = csrf_of(page.text)
        form = {"csrf_token": token, "qty": "1", "method": "wallet"}
        placed = web.post(
            f"/products/{pears['id']}/buy", data={**form, "key": "saved-1", "saved": shop["id"]}
        )
        assert placed.status_code == 303, placed.text
        # A new typed address, saved for next time.
        new = {**HOME, "detail": "柯城区荷花街道 9 号", "recipient": "赵敏"}
        typed = web.post(
            f"/products/{pears['id']}/buy",
            data={**form, "key": "typed-1", "saved": "new", "save_address": "1", **new},
        )
        assert typed.status_code == 303, typed.text
    # Another buyer's saved address is 404, and no order is placed with it.
    with api_as(served, "buyer2") as other:
        theirs = add(other, {**SHOP, "label": "别人"})
    with client(served, "en") as web:
        sign_in(web, "buyer1", PASSWORD)
        page = web.get(f"/products/{pears['id']}/buy")
        stolen = web.post(
            f"/products/{pears['id']}/buy",
            data={**form, "csrf_token": csrf_of(page.text), "key": "x", "saved": theirs["id"]},
        )
        assert stolen.status_code == 404
    with api_as(served, "buyer1") as buyer:
        mine = buyer.get("/api/v1/orders").json()
        book = buyer.get("/api/v1/addresses").json()
    assert len(mine) == 2
    by_region = {o["address_region"]: o for o in mine}
    assert by_region[SHOP["region"]]["shipping_fee"] == 0
    assert by_region[HOME["region"]]["shipping_fee"] == 800
    assert by_region[HOME["region"]]["amount"] == pears["price"] + 800
    assert {a["recipient"] for a in book} == {"李梅", "王强", "赵敏"}
    assert [a["id"] for a in book if a["is_default"]] == [home["id"]]
