"""Notifications (issue 18): which event makes which notification for whom (the pure rules,
then through a live server and its follower of the event log), rendered in the reader's
language; the list, the unread count, marking read, and nobody else's notifications (404)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from sunlit.core.i18n import current_language
from sunlit.core.money import format_fen
from sunlit.notifications.model import MESSAGES, Draft, Kind, To, drafts_for
from sunlit.notifications.views import text_of
from tests.support import LiveServer, csrf_of, live_server, settings_for, sign_in, switch
from tests.test_catalog_api import api_as, product_named
from tests.test_filing_api import agreed, plan_body
from tests.test_orders import buy, pay_in_sandbox, wait_for
from tests.test_web import PASSWORD, client, load_demo_into

PEARS = "砀山酥梨"


# --- which event makes which notification for whom (pure) --------------------------------


ORD = {"order": "o-1"}
PRICE = {"product": "pr-1", "price": 199}
DECIDED = {"proposal": "pp-1", **PRICE}
K = Kind
CASES: list[tuple[str, dict[str, Any], str | None, Draft]] = [
    ("order.paid", ORD, "p-1", Draft(K.ORDER_TO_SHIP, To.ORDER_SELLER, "o-1", "/orders/o-1", ORD)),
    (
        "aftersales.opened",
        {**ORD, "request": "a-1"},
        None,
        Draft(K.AFTERSALES_OPENED, To.ORDER_SELLER, "o-1", "/orders/o-1", ORD),
    ),
    ("order.shipped", ORD, None, Draft(K.ORDER_SHIPPED, To.ORDER_BUYER, "o-1", "/orders/o-1", ORD)),
    (
        "order.delivered",
        ORD,
        None,
        Draft(K.ORDER_DELIVERED, To.ORDER_BUYER, "o-1", "/orders/o-1", ORD),
    ),
    (
        "price.proposed",
        {"proposal": "pp-1", **PRICE},
        None,
        Draft(K.PRICE_PROPOSED, To.PRODUCT_SELLER, "pr-1", "/producer", PRICE),
    ),
    (
        "price.proposal_decided",
        {**DECIDED, "decision": "accepted"},
        None,
        Draft(K.PROPOSAL_ACCEPTED, To.PROPOSER, "pp-1", "/products/pr-1", PRICE),
    ),
    (
        "price.proposal_decided",
        {**DECIDED, "decision": "refused"},
        None,
        Draft(K.PROPOSAL_REFUSED, To.PROPOSER, "pp-1", "/products/pr-1", PRICE),
    ),
    (
        "payout.made",
        {"payout": "po-1", "producer": "pd-1", "amount": 12000},
        None,
        Draft(K.PAYOUT_MADE, To.PRODUCER, "pd-1", "/producer/orders", {"amount": 12000}),
    ),
    (
        "plan.rejected",
        {"from": "checked", "to": "rejected"},
        "p-1",
        Draft(K.PLAN_REJECTED, To.PLAN_OFFICIAL, "p-1", "/plans/p-1", {"plan": "p-1"}),
    ),
    (
        "concern.raised",
        {"concern": "k-1", "party": "office", "producer": None},
        "p-1",
        Draft(K.CONCERN_TO_ANSWER, To.PLAN_OFFICIAL, "p-1", "/concerns/k-1"),
    ),
    (
        "concern.raised",
        {"concern": "k-1", "party": "producer", "producer": "pd-1"},
        None,
        Draft(K.CONCERN_TO_ANSWER, To.PRODUCER, "pd-1", "/concerns/k-1"),
    ),
]


@pytest.mark.parametrize(("event_type", "data", "session", "expected"), CASES)
def test_each_event_makes_its_notification_for_its_reader(
    event_type: str, data: dict[str, Any], session: str | None, expected: Draft
) -> None:
    assert drafts_for(event_type, data, session) == [expected]


def test_an_approval_tells_the_official_and_the_followers_and_a_start_the_followers() -> None:
    plan = {"plan": "p-1"}
    assert drafts_for("plan.approved", {"from": "checked", "to": "approved"}, "p-1") == [
        Draft(K.PLAN_APPROVED, To.PLAN_OFFICIAL, "p-1", "/plans/p-1", plan),
        Draft(K.FOLLOWED_SESSION_APPROVED, To.SESSION_FOLLOWERS, "p-1", "/live/p-1", plan),
    ]
    assert drafts_for("session.started", {}, "p-1") == [
        Draft(K.FOLLOWED_SESSION_STARTED, To.SESSION_FOLLOWERS, "p-1", "/live/p-1", plan),
    ]


@pytest.mark.parametrize(
    "event_type", ["order.placed", "order.cancelled", "chat.message", "plan.checked"]
)
def test_other_events_notify_nobody(event_type: str) -> None:
    assert drafts_for(event_type, {"order": "o-1"}, "p-1") == []


def test_every_kind_has_a_sentence_rendered_at_display_time() -> None:
    assert set(MESSAGES) == set(Kind)
    params = {
        "product": {"zh": "砀山酥梨", "en": "Dangshan pears"},
        "order": "o-1",
        "qty": 3,
        "amount": 1194,
        "price": 199,
    }
    token = current_language.set("en")
    try:
        english = text_of(Kind.ORDER_TO_SHIP, params)
        proposal = text_of(Kind.PRICE_PROPOSED, params)
    finally:
        current_language.reset(token)
    assert "Dangshan pears × 3" in english and "¥11.94" in english and "o-1" not in english
    assert "¥1.99" in proposal
    token = current_language.set("zh")
    try:
        chinese = text_of(Kind.ORDER_TO_SHIP, params)
    finally:
        current_language.reset(token)
    assert "砀山酥梨" in chinese and "Dangshan pears" not in chinese


# --- through a live server: the follower, the API, the pages -------------------------------


def listing(c: httpx.Client) -> dict[str, Any]:
    answer = c.get("/api/v1/notifications")
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def notice_of(c: httpx.Client, kind: str, link: str, seconds: float = 15) -> dict[str, Any]:
    """The reader's notification of this kind and link, once the follower has written it."""
    deadline = time.monotonic() + seconds
    while True:
        found = [n for n in listing(c)["notifications"] if (n["kind"], n["link"]) == (kind, link)]
        if found or time.monotonic() > deadline:
            assert len(found) == 1, listing(c)
            return found[0]
        time.sleep(0.2)


def test_a_paid_order_tells_the_farmer_and_shipping_tells_the_buyer(served: LiveServer) -> None:
    with (
        api_as(served, "buyer1") as buyer,
        api_as(served, "farmer.dangshan") as farmer,
        api_as(served, "buyer2") as stranger,
    ):
        placed = buy(buyer, product_named(buyer, PEARS)["id"], "notify-1", qty=2).json()
        order = placed["id"]
        pay_in_sandbox(served, "buyer1", order)
        wait_for(buyer, order, "paid")
        link = f"/orders/{order}"
        to_ship = notice_of(farmer, "order_to_ship", link)
        # What was bought and paid, not the order's id (the link leads to the order).
        assert to_ship["read_at"] is None and order not in to_ship["text"]
        assert "× 2" in to_ship["text"] and format_fen(placed["amount"]) in to_ship["text"]
        assert PEARS not in to_ship["text"]  # the API answers in the client's language (en)
        unread = listing(farmer)["unread"]
        assert unread >= 1

        # Nobody else sees it or may mark it; the buyer was not told of their own payment.
        assert to_ship["id"] not in [n["id"] for n in listing(stranger)["notifications"]]
        gone = stranger.post(f"/api/v1/notifications/{to_ship['id']}/read")
        assert gone.status_code == 404
        assert [n for n in listing(buyer)["notifications"] if n["link"] == link] == []

        marked = farmer.post(f"/api/v1/notifications/{to_ship['id']}/read")
        assert marked.status_code == 200 and marked.json()["read_at"] is not None
        assert listing(farmer)["unread"] == unread - 1

        assert farmer.post(f"/api/v1/orders/{order}/shipment").status_code == 201
        shipped = notice_of(buyer, "order_shipped", link)
        assert shipped["read_at"] is None
        assert buyer.post("/api/v1/notifications/read").json()["marked"] >= 1
        assert listing(buyer)["unread"] == 0

        paths = buyer.get("/openapi.json").json()["paths"]
        assert {"/api/v1/notifications", "/api/v1/notifications/read"} <= set(paths)
        assert "post" in paths["/api/v1/notifications/{notification_id}/read"]


def test_a_price_proposal_and_its_decision_and_a_plan_approved(served: LiveServer) -> None:
    with (
        api_as(served, "official.dangshan") as official,
        api_as(served, "farmer.dangshan") as farmer,
        api_as(served, "supervisor1") as supervisor,
    ):
        pears = product_named(official, PEARS)
        proposal = official.post(
            f"/api/v1/products/{pears['id']}/price", json={"price": 450, "reason": "节日价"}
        ).json()
        proposed = notice_of(farmer, "price_proposed", "/producer")
        assert "¥4.50" in proposed["text"]
        decided = farmer.post(
            f"/api/v1/price-proposals/{proposal['id']}/decision", json={"accept": False}
        )
        assert decided.status_code == 200
        refused = notice_of(official, "proposal_refused", f"/products/{pears['id']}")
        assert "¥4.50" in refused["text"]

        plan = official.post("/api/v1/plans", json=plan_body([pears["id"]])).json()["id"]
        agreed(served, official, plan)
        assert official.post(f"/api/v1/plans/{plan}/submit").json()["status"] == "checked"
        approved = supervisor.post(f"/api/v1/plans/{plan}/approve", json={"reason": "报备齐全"})
        assert approved.status_code == 200
        told = notice_of(official, "plan_approved", f"/plans/{plan}")
        assert "砀山酥梨助农直播" in told["text"]


def test_the_page_counts_unread_and_opening_one_goes_to_its_page(served: LiveServer) -> None:
    with api_as(served, "buyer1") as buyer, api_as(served, "farmer.dangshan") as farmer:
        placed = buy(buyer, product_named(buyer, PEARS)["id"], "notify-2", qty=1).json()
        order = placed["id"]
        pay_in_sandbox(served, "buyer1", order)
        to_ship = notice_of(farmer, "order_to_ship", f"/orders/{order}")
        unread = listing(farmer)["unread"]
    with client(served, "zh") as web, client(served, "zh") as other:
        sign_in(web, "farmer.dangshan", PASSWORD)
        badge = web.get("/notifications/unread")
        assert badge.status_code == 200 and f">{unread}</span>" in badge.text
        page = web.get("/notifications")
        assert page.status_code == 200 and f"{PEARS} × 1" in page.text
        assert format_fen(placed["amount"]) in page.text
        opened = web.post(
            f"/notifications/{to_ship['id']}/read", data={"csrf_token": csrf_of(page.text)}
        )
        assert opened.status_code == 303 and opened.headers["location"] == f"/orders/{order}"
        assert f">{unread - 1}</span>" in web.get("/notifications/unread").text or unread == 1

        sign_in(other, "buyer2", PASSWORD)
        theirs = other.post(
            f"/notifications/{to_ship['id']}/read",
            data={"csrf_token": csrf_of(other.get("/notifications").text)},
        )
        assert theirs.status_code == 404
        assert web.get("/notifications").text.count('class="card note unread"') == unread - 1


def test_elder_mode_is_kept_in_a_cookie_like_the_language(served: LiveServer) -> None:
    with client(served, "zh") as web:
        home = web.get("/")
        assert 'class="elder"' not in home.text
        switched = switch(web, "/display", {"elder": "on", "next": "/products"})
        assert switched.status_code == 303 and switched.headers["location"] == "/products"
        assert web.cookies.get("sunlit_elder") == "on"
        assert 'class="elder"' in web.get("/products").text
        assert 'class="elder"' in web.get("/").text
        off = switch(web, "/display", {"elder": "off"})
        assert off.status_code == 303
        assert 'class="elder"' not in web.get("/").text


def test_with_notifications_outside_the_notifier_gets_each_in_the_readers_language(
    sqlite_template: Path, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """SUNLIT_NOTIFICATIONS_OUTSIDE: the development notifier writes each new notification to
    the log (an SMS adapter sends it later), in the reader's language (the farmer's is
    Chinese: the product's Chinese name)."""
    with live_server(settings_for(sqlite_url, notifications_outside=True)) as server:
        load_demo_into(server)
        with api_as(server, "buyer1") as buyer:
            placed = buy(buyer, product_named(buyer, PEARS)["id"], "outside-1", qty=3).json()
            order = placed["id"]
        pay_in_sandbox(server, "buyer1", order)
        with api_as(server, "farmer.dangshan") as farmer:
            farmer_id = farmer.get("/api/v1/me").json()["id"]
            notice_of(farmer, "order_to_ship", f"/orders/{order}")
        sent: list[dict[str, Any]] = []
        deadline = time.monotonic() + 15
        said = f"{PEARS} × 3"  # the message names what was bought, in the reader's language
        while not [s for s in sent if said in s["message"]] and time.monotonic() < deadline:
            time.sleep(0.2)
            sent += [
                json.loads(line)
                for line in capsys.readouterr().err.splitlines()
                if "notification written to the log" in line
            ]
    mine = [s for s in sent if said in s["message"]]
    assert len(mine) == 1 and mine[0]["account"] == farmer_id
    assert format_fen(placed["amount"]) in mine[0]["message"]
