"""The sandbox gateway's pay page belongs to the order's buyer: anyone else who has the link is
told there is no such charge, and cannot pay or decline it; anonymous visitors sign in first."""

from __future__ import annotations

import httpx

from tests.support import LiveServer, csrf_of, sign_in
from tests.test_catalog_api import api_as, product_named
from tests.test_orders import buy
from tests.test_web import PASSWORD, client


def placed_and_charged(server: LiveServer) -> tuple[str, str]:
    """buyer1's order of pears and the pay page of its pending charge."""
    with api_as(server, "buyer1") as buyer:
        pears = product_named(buyer, "砀山酥梨")
        placed = buy(buyer, pears["id"], "k-charge")
        assert placed.status_code == 201, placed.text
        order = placed.json()["id"]
        started = buyer.post(f"/api/v1/orders/{order}/pay")
        assert started.status_code == 200, started.text
        pay_url = str(started.json()["pay_url"])
    assert pay_url.startswith("/sandbox/pay/ch_")
    return order, pay_url


def order_state(server: LiveServer, order: str) -> str:
    with api_as(server, "buyer1") as buyer:
        return str(buyer.get(f"/api/v1/orders/{order}").json()["state"])


def not_found(answer: httpx.Response) -> None:
    assert answer.status_code == 404, answer.text[:300]
    assert "Pay " not in answer.text and "Decline" not in answer.text


def test_another_buyer_can_neither_see_nor_decide_a_charge(served: LiveServer) -> None:
    order, pay_url = placed_and_charged(served)
    with client(served, "en") as other:
        sign_in(other, "buyer2", PASSWORD)
        token = csrf_of(other.get("/orders").text)
        not_found(other.get(pay_url))
        not_found(other.get(pay_url, params={"embed": "1"}))
        for decision in ("pay", "decline"):
            not_found(other.post(pay_url, data={"csrf_token": token, "decision": decision}))
    with api_as(served, "buyer2") as other_api:
        assert other_api.get(f"/api/v1/orders/{order}").status_code == 404
        assert other_api.post(f"/api/v1/orders/{order}/pay").status_code == 404
    assert order_state(served, order) == "placed"
    with client(served, "en") as buyer:
        sign_in(buyer, "buyer1", PASSWORD)
        sheet = buyer.get(pay_url)
        assert sheet.status_code == 200 and "Decline" in sheet.text  # still undecided
        paid = buyer.post(pay_url, data={"csrf_token": csrf_of(sheet.text), "decision": "pay"})
        assert paid.status_code == 303 and paid.headers["location"] == f"/orders/{order}"


def test_staff_cannot_open_a_buyers_charge_either(served: LiveServer) -> None:
    _, pay_url = placed_and_charged(served)
    for username in ("operator", "farmer.dangshan", "official.dangshan", "supervisor1"):
        with client(served, "en") as staff:
            sign_in(staff, username, PASSWORD)
            token = csrf_of(staff.get("/account").text)
            not_found(staff.get(pay_url))
            not_found(staff.post(pay_url, data={"csrf_token": token, "decision": "pay"}))


def test_anonymous_visitors_are_sent_to_sign_in_and_the_frame_works_for_the_buyer(
    served: LiveServer,
) -> None:
    _, pay_url = placed_and_charged(served)
    with client(served, "en") as anonymous:
        answer = anonymous.get(pay_url)
        assert answer.status_code == 303
        assert answer.headers["location"].startswith("/signin?next=")
    with client(served, "en") as buyer:
        sign_in(buyer, "buyer1", PASSWORD)
        framed = buyer.get(pay_url, params={"embed": "1"})  # the live room's buy sheet
        assert framed.status_code == 200
        action = f'action="{pay_url}?embed=1"'
        assert action in framed.text
        paid = buyer.post(
            f"{pay_url}?embed=1", data={"csrf_token": csrf_of(framed.text), "decision": "pay"}
        )
        assert paid.status_code == 303 and paid.headers["location"] == f"{pay_url}?embed=1"
        assert "already been decided" in buyer.get(paid.headers["location"]).text
