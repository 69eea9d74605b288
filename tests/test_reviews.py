"""Reviews over real HTTP (issue 17, item 5): the buyer reviews a delivered order with stars,
three marks, text and a photo; the producer replies once in public; a supervisor hides an
abusive review, which leaves the public pages and the averages but stays on record; product
pages show the reviews with their averages, producer pages the last 90 days. And the refusals:
each clear, each changing nothing."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import httpx

from sunlit.core.db import Database
from sunlit.core.eventlog import Event, EventType, append
from tests.support import LiveServer, csrf_of, run_async, sign_in
from tests.test_catalog_api import api_as, product_named
from tests.test_orders import buy, pay_in_sandbox, wait_for
from tests.test_quality import png
from tests.test_web import PASSWORD, client, events_of

PEARS = "砀山酥梨"
PRAISE = "梨很新鲜，个头大，汁多。包装用了泡沫网，一个没坏。"
ABUSE = "卖家是骗子，加我微信 fake123 私下交易更便宜"


@contextmanager
def web_as(server: LiveServer, username: str, language: str = "en") -> Iterator[httpx.Client]:
    with client(server, language) as c:
        assert sign_in(c, username, PASSWORD).status_code == 303
        yield c


def paid_order(server: LiveServer, key: str, buyer: str = "buyer1") -> dict[str, Any]:
    with api_as(server, buyer) as api:
        pears = product_named(api, PEARS)
        placed = buy(api, pears["id"], key)
        assert placed.status_code == 201, placed.text
        order = placed.json()
    pay_in_sandbox(server, buyer, order["id"])
    with api_as(server, buyer) as api:
        return wait_for(api, order["id"], "paid")


def ship(server: LiveServer, order_id: str) -> None:
    with api_as(server, "farmer.dangshan") as farmer:
        shipped = farmer.post(f"/api/v1/orders/{order_id}/shipment")
        assert shipped.status_code == 201, shipped.text


def deliver(server: LiveServer, order_id: str, buyer: str = "buyer1") -> None:
    with api_as(server, buyer) as api:
        done = api.post(f"/api/v1/orders/{order_id}/deliver")
        assert done.json()["state"] == "delivered", done.text


def delivered_order(server: LiveServer, key: str, buyer: str = "buyer1") -> dict[str, Any]:
    order = paid_order(server, key, buyer)
    ship(server, order["id"])
    deliver(server, order["id"], buyer)
    return order


def review_form(
    c: httpx.Client, order_id: str, photos: list[bytes] | None = None, **fields: str
) -> httpx.Response:
    token = csrf_of(c.get(f"/orders/{order_id}").text)
    body = {
        "csrf_token": token,
        "review_stars": "5",
        "review_freshness": "5",
        "review_packaging": "4",
        "review_speed": "4",
        "review_text": PRAISE,
        **fields,
    }
    files = [
        ("review_photos", (f"p{i}.png", data, "image/png")) for i, data in enumerate(photos or [])
    ]
    return c.post(f"/orders/{order_id}/review", data=body, files=files or None)


def review_api(api: httpx.Client, order_id: str, **fields: Any) -> httpx.Response:
    body = {"stars": 5, "freshness": 5, "packaging": 4, "speed": 4, "text": PRAISE, **fields}
    return api.post(f"/api/v1/orders/{order_id}/review", json=body)


def review_events(server: LiveServer) -> list[Any]:
    return [e for e in events_of(server) if e.type.startswith("review.")]


def product_reviews(server: LiveServer, product_id: str) -> dict[str, Any]:
    with client(server) as public:
        answer = public.get(f"/api/v1/products/{product_id}/reviews")
        assert answer.status_code == 200, answer.text
        return dict(answer.json())


def test_a_review_before_delivery_is_refused_and_nothing_is_stored(served: LiveServer) -> None:
    order = paid_order(served, "rv-undelivered")
    with api_as(served, "buyer1") as api:
        refused = review_api(api, order["id"])
        assert refused.status_code == 409, refused.text
        assert refused.json()["error"]["code"] == "not_reviewable"
    with web_as(served, "buyer1") as web:
        page = web.get(f"/orders/{order['id']}").text
        assert "You can review an order once it has been delivered." in page
        assert 'name="review_stars"' not in page  # no form to fill in
        refused = review_form(web, order["id"])
        assert refused.status_code == 409
        assert "You can review an order once it has been delivered." in refused.text
    assert review_events(served) == []
    assert product_reviews(served, order["product_id"])["averages"]["count"] == 0
    # cancelled and refunded in full: never reviewable either
    with api_as(served, "buyer1") as api:
        cancelled = api.post(f"/api/v1/orders/{order['id']}/cancel", json={"reason": "不要了"})
        assert cancelled.status_code == 200, cancelled.text
        wait_for(api, order["id"], "refunded")
        refused = review_api(api, order["id"])
        assert refused.status_code == 409
        assert "refunded in full" in refused.json()["error"]["message"]
    assert review_events(served) == []


def test_marks_out_of_range_and_long_text_are_field_errors(served: LiveServer) -> None:
    order = delivered_order(served, "rv-fields")
    with api_as(served, "buyer1") as api:
        bad = review_api(api, order["id"], stars=6, speed=0, text="好" * 501)
        assert bad.status_code == 422, bad.text
        fields = bad.json()["error"]["fields"]
        assert set(fields) == {"stars", "speed", "text"}, fields
        assert "500" in fields["text"]
    with web_as(served, "buyer1") as web:
        page = review_form(web, order["id"], review_stars="9", review_text="好" * 501)
        assert page.status_code == 422
        assert "Choose from 1 to 5 stars." in page.text and "At most 500 characters." in page.text
        assert 'aria-invalid="true"' in page.text
        too_many = review_form(
            web, order["id"], photos=[png(2, 2), png(3, 3), png(4, 4), png(5, 5)]
        )
        assert too_many.status_code == 422 and "At most 3 photos." in too_many.text
    assert review_events(served) == []
    assert product_reviews(served, order["product_id"])["reviews"] == []


def test_review_reply_and_no_way_to_delete(served: LiveServer) -> None:
    order = delivered_order(served, "rv-whole")
    with web_as(served, "buyer1", "zh") as web:
        page = web.get(f"/orders/{order['id']}").text
        assert 'name="review_stars"' in page and 'name="review_freshness"' in page
        posted = review_form(web, order["id"], photos=[png(4, 3)])
        assert posted.status_code == 303, posted.text[:800]
        again = review_form(web, order["id"])
        assert again.status_code == 409
    with api_as(served, "buyer1") as api:
        second = review_api(api, order["id"])
        assert second.status_code == 409 and second.json()["error"]["code"] == "already_done"
    listed = product_reviews(served, order["product_id"])
    [review] = listed["reviews"]
    assert review["text"] == PRAISE and review["stars"] == 5 and len(review["photos"]) == 1
    assert listed["averages"] == {
        "count": 1,
        "stars": 5.0,
        "freshness": 5.0,
        "packaging": 4.0,
        "speed": 4.0,
    }
    with client(served, "en") as public:
        detail = public.get(f"/api/v1/products/{order['product_id']}").json()
        assert detail["reviews"]["count"] == 1 and detail["reviews"]["stars"] == 5.0
        page = public.get(f"/products/{order['product_id']}").text
        assert PRAISE in page and review["photos"][0] in page and "reviews: 1" in page
        assert public.get(review["photos"][0]).headers["content-type"] == "image/png"
    [event] = review_events(served)
    assert event.type == "review.posted" and event.actor == order["buyer_id"]
    assert event.data["order"] == order["id"] and event.data["stars"] == 5
    assert event.data["text"] == PRAISE and event.data["photos"] == 1

    # someone who is not the producer's: 403 by the API, refused on the page
    with api_as(served, "farmer.chenggu") as other:
        refused = other.post(f"/api/v1/reviews/{review['id']}/reply", json={"text": "谢谢"})
        assert refused.status_code == 403, refused.text
    with api_as(served, "buyer1") as buyer:
        refused = buyer.post(f"/api/v1/reviews/{review['id']}/reply", json={"text": "谢谢"})
        assert refused.status_code == 403
    # the producer replies from its phone-first list, once
    with web_as(served, "farmer.dangshan") as farmer:
        assert "/producer/reviews" in farmer.get("/producer/orders").text
        mine = farmer.get("/producer/reviews")
        assert mine.status_code == 200 and PRAISE in mine.text
        token = csrf_of(mine.text)
        empty = farmer.post(
            f"/reviews/{review['id']}/reply",
            data={"csrf_token": token, "reply": " ", "from": "list"},
        )
        assert empty.status_code == 422
        replied = farmer.post(
            f"/reviews/{review['id']}/reply",
            data={"csrf_token": token, "reply": "谢谢您的认可，欢迎再来！", "from": "list"},
        )
        assert replied.status_code == 303, replied.text[:500]
        twice = farmer.post(
            f"/reviews/{review['id']}/reply",
            data={"csrf_token": token, "reply": "再谢一次", "from": "list"},
        )
        assert twice.status_code == 409
        # a seller has no way to delete or change a review
        for method, path in [
            ("DELETE", f"/api/v1/reviews/{review['id']}"),
            ("DELETE", f"/orders/{order['id']}/review"),
            ("PUT", f"/api/v1/reviews/{review['id']}"),
            ("POST", f"/reviews/{review['id']}/delete"),
        ]:
            answer = farmer.request(method, path, headers={"X-CSRF-Token": token})
            assert answer.status_code in (403, 404, 405), (method, path, answer.status_code)
    with client(served, "en") as public:
        page = public.get(f"/products/{order['product_id']}").text
        assert PRAISE in page and "谢谢您的认可" in page and "The producer replies" in page
    replied_event = review_events(served)[-1]
    assert replied_event.type == "review.replied"
    assert replied_event.data == {
        "order": order["id"],
        "review": review["id"],
        "text": "谢谢您的认可，欢迎再来！",
    }


def test_a_supervisor_hides_abuse_which_leaves_the_pages_and_the_averages(
    served: LiveServer,
) -> None:
    kind = delivered_order(served, "rv-kind")
    abusive = delivered_order(served, "rv-abuse")
    with api_as(served, "buyer1") as api:
        assert review_api(api, kind["id"]).status_code == 201
        posted = review_api(
            api, abusive["id"], stars=1, freshness=1, packaging=1, speed=1, text=ABUSE
        )
        assert posted.status_code == 201
        review = posted.json()
    product = kind["product_id"]
    assert product_reviews(served, product)["averages"]["stars"] == 3.0
    with api_as(served, "farmer.dangshan") as farmer:  # a seller cannot hide a bad review
        refused = farmer.post(
            f"/api/v1/reviews/{review['id']}/hide", json={"reason": "insult", "note": "差评"}
        )
        assert refused.status_code == 403
    with web_as(served, "supervisor1") as supervisor:
        page = supervisor.get(f"/products/{product}").text
        assert f"/reviews/{review['id']}/moderation" in page
        form = supervisor.get(f"/reviews/{review['id']}/moderation")
        assert form.status_code == 200 and ABUSE in form.text
        token = csrf_of(form.text)
        no_note = supervisor.post(
            f"/reviews/{review['id']}/hide", data={"csrf_token": token, "reason": "fraud"}
        )
        assert no_note.status_code == 422
        negative = supervisor.post(
            f"/reviews/{review['id']}/hide",
            data={"csrf_token": token, "reason": "negative", "note": "差评"},
        )
        assert negative.status_code == 422  # no such reason: unfavourable is not abuse
        hidden = supervisor.post(
            f"/reviews/{review['id']}/hide",
            data={"csrf_token": token, "reason": "fraud", "note": "站外交易引流"},
        )
        assert hidden.status_code == 303, hidden.text[:500]
        again = supervisor.post(
            f"/reviews/{review['id']}/hide",
            data={"csrf_token": token, "reason": "fraud", "note": "again"},
        )
        assert again.status_code == 409
        assert ABUSE in supervisor.get(f"/reviews/{review['id']}/moderation").text  # on record
    with web_as(served, "supervisor1", "en") as supervisor:  # logged like the chat's hides
        log = supervisor.get("/supervisor/moderation").text
        assert "Review hidden" in log and f"/reviews/{review['id']}/moderation" in log
        assert "站外交易引流" in log and ABUSE in log and "Fraud or a lure" in log
    with api_as(served, "buyer1") as api:
        author = api.get("/api/v1/me").json()["display_name"]
    assert author in log  # whose review it was
    with client(served, "en") as public:
        page = public.get(f"/products/{product}").text
        assert ABUSE not in page and "fake123" not in page
        assert "Hidden by moderation (Fraud or a lure off the platform)." in page
        assert PRAISE in page
    listed = product_reviews(served, product)
    assert listed["averages"]["count"] == 1 and listed["averages"]["stars"] == 5.0
    shown = {r["id"]: r for r in listed["reviews"]}[review["id"]]
    assert shown["hidden"] is True and shown["hidden_reason"] == "fraud"
    assert shown["text"] == "" and shown["stars"] == 0
    event = review_events(served)[-1]
    assert event.type == "review.hidden"
    assert event.data["text"] == ABUSE and event.data["reason"] == "fraud"
    assert event.data["note"] == "站外交易引流" and event.data["order"] == abusive["id"]


def complaint_on(server: LiveServer, order: dict[str, Any], at: datetime) -> None:
    """What after-sales will write when a buyer complains (docs/events.md)."""

    async def run() -> None:
        database = Database(server.settings)
        async with database.transaction() as db:
            append(
                db,
                Event(
                    type=EventType.COMPLAINT_FILED,
                    ts=at,
                    actor=order["buyer_id"],
                    session=order["session_id"],
                    data={"order": order["id"], "category": "quality", "text": "烂了两个"},
                ),
            )
        await database.dispose()

    run_async(run())


def test_a_producer_page_shows_the_last_90_days(served: LiveServer) -> None:
    served.clock.advance(timedelta(days=200))  # the demo's sales are long past
    old = delivered_order(served, "rv-old")
    with api_as(served, "buyer1") as api:
        assert review_api(api, old["id"], stars=1).status_code == 201
    complaint_on(served, old, served.clock.now())
    served.clock.advance(timedelta(days=100))  # the old order and its review are now outside
    recent = []
    for key, days in (("rv-a", 1), ("rv-b", 2), ("rv-c", 4)):
        order = paid_order(served, key)
        served.clock.advance(timedelta(days=days))
        ship(served, order["id"])
        deliver(served, order["id"])
        recent.append(order)
    with api_as(served, "buyer1") as api:
        assert review_api(api, recent[0]["id"], stars=4).status_code == 201
        assert review_api(api, recent[1]["id"], stars=5).status_code == 201
    complaint_on(served, recent[2], served.clock.now())
    with client(served, "en") as public:
        producer = public.get(f"/api/v1/products/{old['product_id']}").json()["producer"]
        page = public.get(f"/producers/{producer['id']}")
        assert page.status_code == 200, page.text[:500]
        text = page.text
        assert "2.0 days" in text  # the median of 1, 2 and 4 days from payment to delivery
        assert "33.3 per 100 orders" in text  # one complaint on three orders paid
        assert "complaints: 1 · orders paid: 3" in text
        assert "4.5 / 5" in text and "reviews: 2" in text  # the 1-star review is 107 days old
        product_page = public.get(f"/products/{old['product_id']}").text
        assert f"/producers/{producer['id']}" in product_page


def test_after_a_partial_refund_the_buyer_still_reviews_and_adds_to_it_once(
    served: LiveServer,
) -> None:
    order = delivered_order(served, "rv-partial")
    with api_as(served, "farmer.dangshan") as farmer:
        refund = farmer.post(
            f"/api/v1/orders/{order['id']}/refunds",
            json={"amount": order["amount"] // 2, "reason": "一个碰伤，退一半"},
        )
        assert refund.status_code == 202, refund.text
    with api_as(served, "buyer1") as api:
        deadline = time.monotonic() + 10
        settled = wait_for(api, order["id"], "delivered")
        while settled["refunded"] == 0 and time.monotonic() < deadline:
            time.sleep(0.1)
            settled = wait_for(api, order["id"], "delivered")
        assert 0 < settled["refunded"] < settled["amount"]
        posted = review_api(api, order["id"], stars=3, text="")
        assert posted.status_code == 201, posted.text
        review = posted.json()
    later = "吃完了整箱，甜度稳定，下次还买。"
    with api_as(served, "farmer.dangshan") as farmer:  # only the buyer adds to a review
        refused = farmer.post(f"/api/v1/reviews/{review['id']}/follow-up", json={"text": later})
        assert refused.status_code == 403
    with web_as(served, "buyer1") as web:
        page = web.get(f"/orders/{order['id']}").text
        assert 'name="follow_up"' in page
        token = csrf_of(page)
        empty = web.post(
            f"/reviews/{review['id']}/follow-up", data={"csrf_token": token, "follow_up": ""}
        )
        assert empty.status_code == 422
        added = web.post(
            f"/reviews/{review['id']}/follow-up", data={"csrf_token": token, "follow_up": later}
        )
        assert added.status_code == 303, added.text[:500]
        assert 'name="follow_up"' not in web.get(f"/orders/{order['id']}").text
    with api_as(served, "buyer1") as api:
        again = api.post(f"/api/v1/reviews/{review['id']}/follow-up", json={"text": "再加一句"})
        assert again.status_code == 409
    [shown] = product_reviews(served, order["product_id"])["reviews"]
    assert shown["text"] == "" and shown["follow_up"] == later and shown["stars"] == 3
    with client(served, "en") as public:
        assert later in public.get(f"/products/{order['product_id']}").text
    event = review_events(served)[-1]
    assert event.type == "review.followed_up" and event.actor == order["buyer_id"]
    assert event.data == {"order": order["id"], "review": review["id"], "text": later}


def test_a_mistaken_hide_is_undone_with_a_note_and_both_stay_in_the_log(
    served: LiveServer,
) -> None:
    order = delivered_order(served, "rv-unhide")
    with api_as(served, "buyer1") as api:
        review = review_api(api, order["id"], stars=2, text="有点酸，不太甜。").json()
    with api_as(served, "supervisor1") as supervisor:
        hide = supervisor.post(
            f"/api/v1/reviews/{review['id']}/hide", json={"reason": "spam", "note": "看错了"}
        )
        assert hide.status_code == 200 and hide.json()["hidden"] is True
        assert product_reviews(served, order["product_id"])["averages"]["count"] == 0
        no_note = supervisor.post(f"/api/v1/reviews/{review['id']}/unhide", json={"note": " "})
        assert no_note.status_code == 422
    with api_as(served, "farmer.dangshan") as farmer:
        refused = farmer.post(f"/api/v1/reviews/{review['id']}/unhide", json={"note": "差评"})
        assert refused.status_code == 403
    with web_as(served, "operator") as operator:
        page = operator.get(f"/reviews/{review['id']}/moderation")
        shown = operator.post(
            f"/reviews/{review['id']}/unhide",
            data={"csrf_token": csrf_of(page.text), "note": "不是广告，是正常差评"},
        )
        assert shown.status_code == 303, shown.text[:500]
        twice = operator.post(
            f"/reviews/{review['id']}/unhide",
            data={"csrf_token": csrf_of(page.text), "note": "again"},
        )
        assert twice.status_code == 409
        # Both are on the supervisors' moderation log, newest first, beside the chat's.
        log = operator.get("/supervisor/moderation").text
        shown_again, hidden = log.index("Review shown again"), log.index("Review hidden")
        assert shown_again < hidden and log.count(f"/reviews/{review['id']}/moderation") == 2
        assert "不是广告，是正常差评" in log and "看错了" in log
    listed = product_reviews(served, order["product_id"])
    assert listed["averages"] == {
        "count": 1,
        "stars": 2.0,
        "freshness": 5.0,
        "packaging": 4.0,
        "speed": 4.0,
    }
    assert listed["reviews"][0]["text"] == "有点酸，不太甜。"
    kinds = [(e.type, e.data.get("note")) for e in review_events(served)]
    assert kinds == [
        ("review.posted", None),
        ("review.hidden", "看错了"),
        ("review.unhidden", "不是广告，是正常差评"),
    ]
