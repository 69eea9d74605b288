"""After-sales over real HTTP on both databases (issue 17, items 2 and 3): a buyer's quality
claim with a photo on fresh pears, the farmer's refusal with evidence, the escalation, a
supervisor's ruling and the refund settled by the sandbox gateway's notices; silence accepts;
a return without a reason of dry tea goes back and is refunded. And the refusals, each clear
and changing nothing: after the window, above what was paid, two claims at once, someone
else's order."""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select

from sunlit.core.db import Database
from sunlit.fulfilment.aftersales.tables import AftersalesRow
from sunlit.payments.tables import PaymentRow
from tests.support import LiveServer, csrf_of, run_async, sign_in, wait_until
from tests.test_catalog_api import api_as, product_named
from tests.test_orders import buy, pay_in_sandbox, trial_balance, wait_for
from tests.test_quality import png
from tests.test_web import PASSWORD, client, events_of

ROTTEN = "收到的梨一半烂了，果皮发黑，有照片为证。"


@contextmanager
def web_as(server: LiveServer, username: str, language: str = "zh") -> Iterator[httpx.Client]:
    with client(server, language) as c:
        assert sign_in(c, username, PASSWORD).status_code == 303
        yield c


def delivered(
    server: LiveServer, product: str, farmer: str, key: str, qty: int = 2, buyer: str = "buyer1"
) -> dict[str, Any]:
    """An order paid, shipped and received by the buyer (receipt confirmed)."""
    with api_as(server, buyer) as c:
        order = buy(c, product_named(c, product)["id"], key, qty=qty).json()
        pay_in_sandbox(server, buyer, order["id"])
        wait_for(c, order["id"], "paid")
        with api_as(server, farmer) as seller:
            shipped = seller.post(f"/api/v1/orders/{order['id']}/shipment")
            assert shipped.status_code == 201, shipped.text
        done = c.post(f"/api/v1/orders/{order['id']}/deliver")
        assert done.status_code == 200, done.text
        return dict(done.json())


def open_on_page(c: httpx.Client, order: str, photos: int = 1, **fields: str) -> httpx.Response:
    token = csrf_of(c.get(f"/orders/{order}").text)
    body = {"csrf_token": token, "reason": "quality", "kind": "refund_only", "text": ROTTEN}
    files = [("photos", (f"p{n}.png", png(3 + n, 2), "image/png")) for n in range(photos)]
    return c.post(f"/orders/{order}/aftersales", data={**body, **fields}, files=files or None)


def post_step(c: httpx.Client, order: str, path: str, **fields: Any) -> httpx.Response:
    token = csrf_of(c.get(f"/orders/{order}").text)
    files = fields.pop("files", None)
    return c.post(path, data={"csrf_token": token, **fields}, files=files)


def refuse_with_a_photo(farmer: httpx.Client, order: str, request: str) -> None:
    """The farmer refuses on the order page, with a photo of the packed box."""
    refused = post_step(
        farmer,
        order,
        f"/aftersales/{request}/answer",
        answer="refused",
        text="发货时果子完好，见装箱照片。",
        files=[("photos", ("box.png", png(5, 5), "image/png"))],
    )
    assert refused.status_code == 303, refused.text[:800]


def requests_of(server: LiveServer, order: str) -> list[AftersalesRow]:
    async def run() -> list[AftersalesRow]:
        database = Database(server.settings)
        async with database.sessions() as db:
            query = select(AftersalesRow).where(AftersalesRow.order_id == order)
            rows = list((await db.scalars(query)).all())
        await database.dispose()
        return rows

    return run_async(run())


def release_of(server: LiveServer, order: str) -> Any:
    """When the order's payment may be paid out: None while it is held or never released."""

    async def run() -> Any:
        database = Database(server.settings)
        async with database.sessions() as db:
            payment = await db.scalar(select(PaymentRow).where(PaymentRow.reference == order))
        await database.dispose()
        assert payment is not None
        return None if payment.held else payment.release_at

    return run_async(run())


def aftersales_events(server: LiveServer, order: str) -> list[Any]:
    return [
        e
        for e in events_of(server)
        if e.data.get("order") == order
        and (e.type.startswith("aftersales.") or e.type == "complaint.filed")
    ]


def test_refused_escalated_upheld_and_refunded_through_the_gateway(served: LiveServer) -> None:
    order = delivered(served, "砀山酥梨", "farmer.dangshan", "as-1")
    oid, amount = order["id"], order["amount"]
    assert release_of(served, oid) is not None  # receipt confirmed: the payout clock ran
    with web_as(served, "buyer1") as buyer:
        form = buyer.get(f"/orders/{oid}").text
        assert f"/orders/{oid}/aftersales" in form and 'value="no_reason"' not in form
        opened = open_on_page(buyer, oid, amount=f"{amount // 100}.{amount % 100:02d}")
        assert opened.status_code == 303, opened.text[:800]
    assert release_of(served, oid) is None  # held out of payouts while open
    [request] = requests_of(served, oid)
    assert request.rule == "fresh_quality_photo_refund" and request.amount == amount
    with web_as(served, "farmer.dangshan") as farmer:
        queue = farmer.get("/producer/aftersales").text
        assert f"/orders/{oid}#aftersales" in queue and ROTTEN in queue
        assert "/producer/aftersales" in farmer.get("/producer/orders").text
        refuse_with_a_photo(farmer, oid, request.id)
    with web_as(served, "buyer1") as buyer:
        short = post_step(buyer, oid, f"/aftersales/{request.id}/escalate", escalation_text="x")
        assert short.status_code == 422  # a reason is needed
        escalated = post_step(
            buyer,
            oid,
            f"/aftersales/{request.id}/escalate",
            escalation_text="照片清楚显示果子腐烂，请平台裁决。",
        )
        assert escalated.status_code == 303, escalated.text[:800]
    half = amount // 2
    with web_as(served, "supervisor1", "en") as supervisor:
        assert (
            f"/supervisor/aftersales/{request.id}" in supervisor.get("/supervisor/aftersales").text
        )
        page = supervisor.get(f"/supervisor/aftersales/{request.id}")
        assert ROTTEN in page.text and "发货时果子完好" in page.text
        assert "消费者权益保护法" in page.text  # the rule's source, for all to look up
        token = csrf_of(page.text)
        unexplained = supervisor.post(
            f"/aftersales/{request.id}/decide",
            data={"csrf_token": token, "ruling": "buyer", "ruling_text": ""},
        )
        assert unexplained.status_code == 422 and "Write between" in unexplained.text
        decided = supervisor.post(
            f"/aftersales/{request.id}/decide",
            data={
                "csrf_token": token,
                "ruling": "buyer",
                "amount": f"{half // 100}.{half % 100:02d}",
                "ruling_text": "照片显示部分果实腐烂，支持退还一半货款。",
            },
        )
        assert decided.status_code == 303, decided.text[:800]
    with api_as(served, "buyer1") as c:
        wait_until(
            lambda: c.get(f"/api/v1/orders/{oid}").json()["refunded"] == half,
            "the refund settled",
        )
        body = c.get(f"/api/v1/aftersales/{request.id}").json()
        assert body["status"] == "closed" and body["outcome"] == "refunded"
        assert body["refunded"] == half and body["ruling"] == "buyer"
    assert release_of(served, oid) is not None  # closed: the payout may go again
    kinds = [e.type for e in aftersales_events(served, oid)]
    assert kinds == [
        "aftersales.opened",
        "complaint.filed",
        "aftersales.answered",
        "aftersales.escalated",
        "aftersales.decided",
        "aftersales.closed",
    ]
    complaint = next(e for e in aftersales_events(served, oid) if e.type == "complaint.filed")
    assert complaint.data == {"order": oid, "category": "quality", "text": ROTTEN}
    trial_balance(served)


def test_silence_accepts_the_request_after_the_deadline(served: LiveServer) -> None:
    order = delivered(served, "砀山酥梨", "farmer.dangshan", "as-quiet", qty=1)
    with api_as(served, "buyer1") as c:
        opened = c.post(
            f"/api/v1/orders/{order['id']}/aftersales",
            json={"kind": "refund_only", "reason": "packaging", "text": "纸箱压坏了，梨摔伤。"},
        )
        assert opened.status_code == 201, opened.text
        request = opened.json()
        assert request["amount"] == order["amount"]  # the default: all that is left
        served.clock.advance(timedelta(hours=served.settings.aftersales_answer_hours - 1))
        assert c.get(f"/api/v1/aftersales/{request['id']}").json()["status"] == "open"
        served.clock.advance(timedelta(hours=2))
        wait_until(
            lambda: c.get(f"/api/v1/aftersales/{request['id']}").json()["status"] == "closed",
            "the jobs loop accepted the silent request",
            seconds=30,
        )
        wait_for(c, order["id"], "refunded")
    answered = [e for e in aftersales_events(served, order["id"]) if e.type.endswith("answered")]
    assert answered[0].actor is None and answered[0].data["by"] == "deadline"


def test_dry_tea_goes_back_without_a_reason_and_is_refunded(served: LiveServer) -> None:
    pears = delivered(served, "砀山酥梨", "farmer.dangshan", "as-fresh", qty=1)
    tea = delivered(served, "恩施玉露", "farmer.enshi", "as-tea", qty=1)
    with api_as(served, "buyer1") as c:
        fresh = c.post(
            f"/api/v1/orders/{pears['id']}/aftersales",
            json={"kind": "return_refund", "reason": "no_reason", "text": "不想要了，退货。"},
        )
        assert fresh.status_code == 409 and "Fresh produce" in fresh.json()["error"]["message"]
        wrong_kind = c.post(
            f"/api/v1/orders/{tea['id']}/aftersales",
            json={"kind": "refund_only", "reason": "no_reason", "text": "不想要了，退货。"},
        )
        assert wrong_kind.status_code == 422
        opened = c.post(
            f"/api/v1/orders/{tea['id']}/aftersales",
            json={"kind": "return_refund", "reason": "no_reason", "text": "不想要了，退货。"},
        )
        assert opened.status_code == 201, opened.text
        rid = opened.json()["id"]
    with api_as(served, "farmer.enshi") as farmer:
        accepted = farmer.post(f"/api/v1/aftersales/{rid}/answer", json={"answer": "accepted"})
        assert accepted.json()["status"] == "returning"
        early = farmer.post(f"/api/v1/aftersales/{rid}/receive")
        assert early.status_code == 409
    with api_as(served, "buyer1") as c:
        sent = c.post(
            f"/api/v1/aftersales/{rid}/send-back", json={"carrier": "顺丰", "tracking_no": "SF1"}
        )
        assert sent.json()["status"] == "returned"
    with api_as(served, "farmer.enshi") as farmer:
        assert farmer.post(f"/api/v1/aftersales/{rid}/receive").json()["outcome"] == "refunded"
    with api_as(served, "buyer1") as c:
        wait_for(c, tea["id"], "refunded")
    kinds = [e.type for e in aftersales_events(served, tea["id"])]
    assert "complaint.filed" not in kinds  # a return without a reason is no complaint
    assert kinds[-2:] == ["aftersales.return_sent", "aftersales.closed"]


def test_a_partial_offer_is_taken_and_an_operator_rules_for_the_farmer_seeing_both_photos(
    served: LiveServer,
) -> None:
    """The farmer's third answer (a part of the amount) taken by the buyer; and the other
    arbiter, an operator, who sees both sides' photos and rules for the farmer in writing."""
    offered = delivered(served, "砀山酥梨", "farmer.dangshan", "as-offer", qty=2)
    disputed = delivered(served, "砀山酥梨", "farmer.dangshan", "as-dispute", qty=1)
    with web_as(served, "buyer1") as buyer:
        for order in (offered, disputed):
            assert open_on_page(buyer, order["id"]).status_code == 303
    [offer_request] = requests_of(served, offered["id"])
    [dispute] = requests_of(served, disputed["id"])
    part = offered["amount"] // 4
    with web_as(served, "farmer.dangshan") as farmer:
        too_much = post_step(
            farmer,
            offered["id"],
            f"/aftersales/{offer_request.id}/answer",
            answer="partial",
            offer=f"{offered['amount'] // 100 + 1}.00",
            text="只有几个坏果，补偿部分货款。",
        )
        assert too_much.status_code == 422  # an offer is a part, never more than asked
        partial = post_step(
            farmer,
            offered["id"],
            f"/aftersales/{offer_request.id}/answer",
            answer="partial",
            offer=f"{part // 100}.{part % 100:02d}",
            text="只有几个坏果，补偿部分货款。",
        )
        assert partial.status_code == 303, partial.text[:800]
        refuse_with_a_photo(farmer, disputed["id"], dispute.id)
    with web_as(served, "buyer1") as buyer:
        page = buyer.get(f"/orders/{offered['id']}").text
        assert f"/aftersales/{offer_request.id}/take" in page
        taken = post_step(buyer, offered["id"], f"/aftersales/{offer_request.id}/take")
        assert taken.status_code == 303, taken.text[:800]
        escalated = post_step(
            buyer,
            disputed["id"],
            f"/aftersales/{dispute.id}/escalate",
            escalation_text="照片清楚显示果子腐烂，请平台裁决。",
        )
        assert escalated.status_code == 303, escalated.text[:800]
    with api_as(served, "buyer1") as c:
        wait_until(
            lambda: c.get(f"/api/v1/orders/{offered['id']}").json()["refunded"] == part,
            "the offered part refunded",
        )
    with web_as(served, "operator", "en") as operator:
        page = operator.get(f"/supervisor/aftersales/{dispute.id}")
        assert page.status_code == 200
        photos = re.findall(
            r'<img src="(/files/[0-9a-f]{64})" alt="(Buyer|Producer) photo 1"', page.text
        )
        assert {who for _, who in photos} == {"Buyer", "Producer"}
        for path, _ in photos:
            shown = operator.get(path)
            assert shown.status_code == 200 and shown.content.startswith(b"\x89PNG")
        decided = operator.post(
            f"/aftersales/{dispute.id}/decide",
            data={
                "csrf_token": csrf_of(page.text),
                "ruling": "producer",
                "ruling_text": "装箱照片显示发货时果实完好，买家照片无法确认是本单商品。",
            },
        )
        assert decided.status_code == 303, decided.text[:800]
    with api_as(served, "buyer1") as c:
        body = c.get(f"/api/v1/aftersales/{dispute.id}").json()
        assert body["status"] == "closed" and body["outcome"] == "refused_final"
        assert body["ruling"] == "producer" and body["refunded"] == 0
        assert c.get(f"/api/v1/orders/{disputed['id']}").json()["refunded"] == 0
    with web_as(served, "buyer1") as buyer:  # the buyer reads the written reason
        assert "装箱照片显示发货时果实完好" in buyer.get(f"/orders/{disputed['id']}").text
    decided_by = [
        e for e in aftersales_events(served, disputed["id"]) if e.type == "aftersales.decided"
    ]
    assert [e.actor for e in decided_by] == [operator_id(served)]
    trial_balance(served)


def operator_id(served: LiveServer) -> str:
    with api_as(served, "operator") as c:
        return str(c.get("/api/v1/me").json()["id"])


def test_a_claim_after_the_window_is_refused_and_changes_nothing(served: LiveServer) -> None:
    order = delivered(served, "砀山酥梨", "farmer.dangshan", "as-late", qty=1)
    served.clock.advance(timedelta(days=served.settings.aftersales_days, minutes=1))
    with api_as(served, "buyer1") as c:
        late = c.post(
            f"/api/v1/orders/{order['id']}/aftersales",
            json={"kind": "refund_only", "reason": "quality", "text": ROTTEN},
        )
        assert late.status_code == 409
        assert "closes 15 days after delivery" in late.json()["error"]["message"]
    with web_as(served, "buyer1", "en") as buyer:
        page = open_on_page(buyer, order["id"])
        assert page.status_code == 409 and "closes 15 days after delivery" in page.text
    assert requests_of(served, order["id"]) == []
    assert aftersales_events(served, order["id"]) == []
    assert release_of(served, order["id"]) is not None


def test_an_amount_above_what_was_paid_is_refused(served: LiveServer) -> None:
    order = delivered(served, "砀山酥梨", "farmer.dangshan", "as-much", qty=1)
    with api_as(served, "buyer1") as c:
        much = c.post(
            f"/api/v1/orders/{order['id']}/aftersales",
            json={
                "kind": "refund_only",
                "reason": "quality",
                "amount": order["amount"] + 1,
                "text": ROTTEN,
            },
        )
        assert much.status_code == 422, much.text
        assert "amount" in much.json()["error"]["fields"]
    with web_as(served, "buyer1", "en") as buyer:
        page = open_on_page(buyer, order["id"], amount="99999")
        assert page.status_code == 422 and "what is left of the payment" in page.text
    assert requests_of(served, order["id"]) == []


def test_only_the_buyer_opens_others_get_404(served: LiveServer) -> None:
    order = delivered(served, "砀山酥梨", "farmer.dangshan", "as-who", qty=1)
    body = {"kind": "refund_only", "reason": "quality", "text": ROTTEN}
    for who in ("buyer2", "farmer.dangshan"):
        with api_as(served, who) as other:
            refused = other.post(f"/api/v1/orders/{order['id']}/aftersales", json=body)
            assert refused.status_code == 404, (who, refused.text)
    assert requests_of(served, order["id"]) == []


async def _twice(url: str, token: str, order: str) -> list[httpx.Response]:
    body = {"kind": "refund_only", "reason": "quality", "text": ROTTEN}
    headers = {"Authorization": f"Bearer {token}"}
    async with (
        httpx.AsyncClient(base_url=url, timeout=30) as first,
        httpx.AsyncClient(base_url=url, timeout=30) as second,
    ):
        return list(
            await asyncio.gather(
                first.post(f"/api/v1/orders/{order}/aftersales", json=body, headers=headers),
                second.post(f"/api/v1/orders/{order}/aftersales", json=body, headers=headers),
            )
        )


def test_two_claims_on_one_order_at_once_one_is_refused(served: LiveServer) -> None:
    for n in range(3):  # a few rounds: the two requests meet at different points
        order = delivered(served, "砀山酥梨", "farmer.dangshan", f"as-race-{n}", qty=1)
        with api_as(served, "buyer1") as c:
            token = c.headers["Authorization"].removeprefix("Bearer ")
        answers = run_async(_twice(served.url, token, order["id"]))
        assert Counter(a.status_code for a in answers) == {201: 1, 409: 1}, [
            a.text for a in answers
        ]
        refused = next(a for a in answers if a.status_code == 409)
        message = refused.json()["error"]["message"]  # in the buyer's language
        assert message == "这个订单已经有一个正在处理的售后申请。", message
        assert len(requests_of(served, order["id"])) == 1
        opened = [e for e in aftersales_events(served, order["id"]) if e.type.endswith("opened")]
        assert len(opened) == 1


def test_confirming_receipt_with_a_request_open_keeps_the_payout_waiting(
    served: LiveServer,
) -> None:
    """Receipt confirmed on the page, and another through the API, while a request is open:
    neither is paid out until its request closes, however long the operator waits."""
    hold = timedelta(days=served.settings.payout_hold_days, minutes=1)
    orders, requests = [], []
    with api_as(served, "buyer1") as c:
        for key in ("as-hold-page", "as-hold-api"):
            order = buy(c, product_named(c, "砀山酥梨")["id"], key, qty=1).json()
            pay_in_sandbox(served, "buyer1", order["id"])
            wait_for(c, order["id"], "paid")
            with api_as(served, "farmer.dangshan") as seller:
                assert seller.post(f"/api/v1/orders/{order['id']}/shipment").status_code == 201
            opened = c.post(
                f"/api/v1/orders/{order['id']}/aftersales",
                json={
                    "kind": "refund_only",
                    "reason": "late",
                    "text": "十天了还没到，催了也没用。",
                },
            )
            assert opened.status_code == 201, opened.text
            orders.append(order["id"])
            requests.append(opened.json()["id"])
        confirmed = c.post(f"/api/v1/orders/{orders[1]}/deliver")
        assert confirmed.status_code == 200, confirmed.text
    with web_as(served, "buyer1") as buyer:
        confirmed = post_step(buyer, orders[0], f"/orders/{orders[0]}", action="deliver")
        assert confirmed.status_code == 303, confirmed.text[:500]
    served.clock.advance(hold)
    with api_as(served, "operator") as operator:
        assert operator.post("/api/v1/payouts/run").json() == []  # both still held
    with api_as(served, "buyer1") as c:
        for request in requests:
            withdrawn = c.post(f"/api/v1/aftersales/{request}/withdraw")
            assert withdrawn.json()["outcome"] == "withdrawn"
    assert all(release_of(served, order) is not None for order in orders)
    with api_as(served, "operator") as operator:
        assert operator.post("/api/v1/payouts/run").json() == []  # the clock starts at the close
    served.clock.advance(hold)
    with api_as(served, "operator") as operator:
        [payout] = operator.post("/api/v1/payouts/run").json()
    assert payout["payments"] == 2
