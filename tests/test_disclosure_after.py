"""A session's public page while it is on air and after it (issue 16): the live figures from
its events, then what each product sold and what reached the producers — orders, units, money
paid, refunded and cancelled, paid out, the fee and the fund, member households as a count —
with the per-product table as CSV and the post-live report as PDF."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
from pypdf import PdfReader

from tests.support import LiveServer, ingest_url
from tests.test_catalog_api import api_as
from tests.test_filing_api import WINDOW
from tests.test_live import kind, viewer
from tests.test_orders import buy, pay_in_sandbox, wait_for
from tests.test_stream_gate import approved_plan
from tests.test_web import client

HOUSEHOLDS = ("王家", "李家", "张家")


def member_households(served: LiveServer, cooperative: str) -> list[str]:
    """Three member households of the cooperative, sharing its payouts 30/30/20 (basis points
    of each payout; the rest stays with the cooperative)."""
    members = []
    with api_as(served, "operator") as operator:
        for name in HOUSEHOLDS:
            made = operator.post(
                "/api/v1/producers",
                json={
                    "kind": "household",
                    "name": f"{name}梨园",
                    "region": "341321",
                    "cooperative_id": cooperative,
                },
            )
            assert made.status_code == 201, made.text
            members.append(made.json()["id"])
    with api_as(served, "farmer.dangshan") as farmer:
        shares = [
            {"member_id": m, "share_bp": bp}
            for m, bp in zip(members, (3000, 3000, 2000), strict=True)
        ]
        answer = farmer.put(f"/api/v1/producers/{cooperative}/payout-shares", json=shares)
        assert answer.status_code == 200, answer.text
    return members


def disclosure(served: LiveServer, session: str) -> dict:
    with client(served, "en") as c:
        answer = c.get(f"/api/v1/sessions/{session}/disclosure")
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


@dataclass
class Story:
    """One session of official.dangshan, told step by step (the HTTP test below and the
    browser walk-through share it)."""

    served: LiveServer
    session: str = ""
    pears: str = ""
    key: str = ""
    cooperative: str = ""
    members: list[str] = field(default_factory=list)
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    payout: dict[str, Any] = field(default_factory=dict)

    def approve(self) -> Story:
        """Filed by the official with a partner and who invited them, approved by a
        supervisor; its cooperative has three member households."""
        partner = {"name": "砀山县电商协会", "kind": "cooperative", "public_interest": "统一分拣"}
        self.session, self.key = approved_plan(
            self.served, invited_by="砀山县商务局", partners=[partner]
        )
        with api_as(self.served, "official.dangshan") as official:
            [self.pears] = official.get(f"/api/v1/plans/{self.session}").json()["products"]
        with client(self.served, "en") as c:
            self.cooperative = c.get(f"/api/v1/products/{self.pears}").json()["producer_id"]
        self.members = member_households(self.served, self.cooperative)
        return self

    def go_live(self) -> Story:
        """The window opens, the stream is published through the gate, the pears pinned."""
        self.served.clock.advance(WINDOW[0] - self.served.clock.now() + timedelta(minutes=5))
        answer = httpx.post(
            ingest_url(self.served, "on_publish"),
            data={"name": self.session, "key": self.key.split("?key=")[1]},
            timeout=10,
        )
        assert answer.status_code == 200, answer.text
        with api_as(self.served, "official.dangshan") as official:
            pin = official.put(f"/api/v1/live/{self.session}/pin", json={"product_id": self.pears})
            assert pin.is_success, pin.text
        return self

    def sell(self) -> Story:
        """Two viewers join; three orders: one kept, one paid then cancelled (refunded in
        full), one placed and never paid."""
        with viewer(self.served, self.session, "buyer1") as one:
            with viewer(self.served, self.session, "buyer2") as two:
                one.wait_for(kind("hello"))
                two.wait_for(kind("hello"))
        s = self.session
        with api_as(self.served, "buyer1") as b1, api_as(self.served, "buyer2") as b2:
            kept = buy(b1, self.pears, "d-kept", qty=3, session_id=s).json()
            undone = buy(b2, self.pears, "d-undone", qty=1, session_id=s).json()
            unpaid = buy(b2, self.pears, "d-unpaid", qty=2, session_id=s).json()
            assert all(o["session_id"] == s for o in (kept, undone, unpaid))
            pay_in_sandbox(self.served, "buyer1", kept["id"])
            pay_in_sandbox(self.served, "buyer2", undone["id"])
            wait_for(b1, kept["id"], "paid")
            wait_for(b2, undone["id"], "paid")
        self.orders = {"kept": kept, "undone": undone, "unpaid": unpaid}
        return self

    def undo(self) -> Story:
        with api_as(self.served, "buyer2") as b2:
            undone, unpaid = self.orders["undone"]["id"], self.orders["unpaid"]["id"]
            cancelled = b2.post(f"/api/v1/orders/{undone}/cancel", json={"reason": "买多了"})
            assert cancelled.status_code == 200, cancelled.text
            wait_for(b2, undone, "refunded")  # paid, then cancelled: refunded in full
            dropped = b2.post(f"/api/v1/orders/{unpaid}/cancel", json={"reason": "不要了"})
            assert dropped.json()["state"] == "cancelled", dropped.text  # never paid
        return self

    def end_and_pay_out(self) -> Story:
        """The stream stops; the kept order is shipped, delivered, and paid out after the
        holding period."""
        self.served.clock.advance(timedelta(minutes=30))
        ended = httpx.post(
            ingest_url(self.served, "on_publish_done"),
            data={"name": self.session, "key": self.key.split("?key=")[1]},
            timeout=10,
        )
        assert ended.status_code == 200, ended.text
        kept = self.orders["kept"]["id"]
        with api_as(self.served, "farmer.dangshan") as farmer:
            shipped = farmer.post(f"/api/v1/orders/{kept}/shipment")
            assert shipped.status_code == 201, shipped.text
        with api_as(self.served, "buyer1") as b1:
            assert b1.post(f"/api/v1/orders/{kept}/deliver").json()["state"] == "delivered"
            hold = timedelta(days=self.served.settings.payout_hold_days, minutes=1)
            self.served.clock.advance(hold)
            with api_as(self.served, "operator") as operator:
                [self.payout] = operator.post("/api/v1/payouts/run").json()
            wait_for(b1, kept, "completed")
        return self


def test_the_public_follows_a_session_on_air_and_sees_what_reached_the_producers(
    served: LiveServer,
) -> None:
    story = Story(served).approve().go_live().sell()
    session, pears = story.session, story.pears
    kept, undone = story.orders["kept"], story.orders["undone"]
    on_air = disclosure(served, session)  # during: the live figures
    assert on_air["stage"] == "during" and on_air["outcome"] == []
    assert on_air["live"] == {
        "viewers": 2,
        "paid_orders": 2,
        "units": 4,
        "amount": kept["amount"] + undone["amount"],
    }
    with client(served, "zh") as c:
        block = c.get(f"/sessions/{session}/figures")
        assert block.status_code == 200 and 'hx-trigger="every 30s"' in block.text
        assert "已付款订单" in block.text
        early = c.get(f"/sessions/{session}/products.csv")
        assert early.status_code == 409 and "结束" in early.text  # not before it ends

    story.undo().end_and_pay_out()
    members, payout = story.members, story.payout
    after = disclosure(served, session)
    amount = kept["amount"]
    fee = amount * served.settings.platform_fee_bp // 10_000
    fund = amount * served.settings.guarantee_fund_bp // 10_000
    assert after["stage"] == "after"
    [row] = after["outcome"]
    assert row == {
        "product": pears,
        "orders": 3,
        "paid_orders": 1,
        "units": 3,
        "paid": amount + undone["amount"],
        "refunded": undone["amount"],
        "cancelled": 1,
        "complaints": 0,
        "paid_out": amount - fee - fund,
        "fee": fee,
        "fund": fund,
        "households": len(members),
    }
    assert payout["amount"] == row["paid_out"]
    assert after["total"]["paid_out"] == row["paid_out"] and after["total"]["households"] == 3
    assert after["live"]["viewers"] == 2 and after["live"]["paid_orders"] == 1

    with client(served, "zh") as c:
        page = c.get(f"/sessions/{session}").text
        assert "每件商品的销售情况" in page and "3 户成员农户" in page
        assert "王家梨园" not in page  # households are people: a count, never a name
        past = c.get("/").text.split('id="past"', 1)[1]
        assert f'href="/sessions/{session}">销售情况与农户所得（公示）' in past
        table = c.get(f"/sessions/{session}/products.csv")
        assert table.status_code == 200 and table.headers["content-type"].startswith("text/csv")
        lines = list(csv.DictReader(io.StringIO(table.content.decode("utf-8-sig"))))
        assert [line["product"] for line in lines] == [pears, ""]
        assert int(lines[0]["paid_out_fen"]) == row["paid_out"]
        assert int(lines[0]["households"]) == 3 and lines[1]["name_zh"] == "合计"
        pdf = c.get(f"/sessions/{session}/report.pdf")
        assert pdf.status_code == 200, pdf.text[:300]
        assert pdf.headers["content-type"] == "application/pdf"
        printed = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
        for shown in (
            "直播后报告",
            "砀山酥梨",
            "每件商品的销售情况与生产者所得",
            "惠及 3 户成员农户",
        ):
            assert shown in printed, (shown, printed[:800])
    with client(served, "en") as c:
        english = c.get(f"/sessions/{session}").text
        assert "What each product sold" in english and "member households sharing it: 3" in english
