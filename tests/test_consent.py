"""Issue 21, item 3: a producer's consent to be on an official's plan. The producer is asked
and told; the plan is not filed until every producer on it agrees; only the producer's own
account answers; a decline needs a reason, takes the product off and tells the official why;
putting it back asks again; an answer after filing is refused; a producer's own session asks
no one."""

from __future__ import annotations

import httpx

from tests.support import LiveServer
from tests.test_catalog_api import api_as
from tests.test_filing_api import plan_body, product
from tests.test_notifications import notice_of
from tests.test_web import events_of


def _types(served: LiveServer, plan: str) -> list[str]:
    return [e.type for e in events_of(served) if e.session == plan]


def _consents(official: httpx.Client, plan: str) -> list[tuple[str, str, int | None]]:
    found = official.get(f"/api/v1/plans/{plan}").json()["consents"]
    return [(c["product"], c["state"], c["stock"]) for c in found]


def test_a_plan_waits_for_its_producer_who_may_decline_with_a_reason(served: LiveServer) -> None:
    with (
        api_as(served, "official.dangshan") as official,
        api_as(served, "farmer.dangshan") as farmer,
        api_as(served, "farmer.xuwen") as stranger,
    ):
        pears = product(official, "砀山")
        plan = official.post("/api/v1/plans", json=plan_body([pears])).json()["id"]
        assert _consents(official, plan) == [(pears, "asked", None)]
        asked = notice_of(farmer, "consent_asked", "/producer#consents")
        assert "砀山酥梨助农直播" in asked["text"]

        # Not filed while waiting: a 409 that changes nothing.
        early = official.post(f"/api/v1/plans/{plan}/submit")
        assert early.status_code == 409 and "consent" in early.json()["error"]["message"]
        assert official.get(f"/api/v1/plans/{plan}").json()["status"] == "draft"
        assert "session.filed" not in _types(served, plan)

        # Someone else's answer, and bad answers: refused, nothing changes.
        url = f"/api/v1/plans/{plan}/consents/{pears}"
        assert stranger.post(url, json={"agree": True, "stock": 5}).status_code == 403
        assert official.post(url, json={"agree": True, "stock": 5}).status_code == 403
        no_reason = farmer.post(url, json={"agree": False, "reason": "  "})
        assert no_reason.status_code == 422 and "reason" in no_reason.json()["error"]["fields"]
        for bad in (0, 10**8):
            refused = farmer.post(url, json={"agree": True, "stock": bad})
            assert refused.status_code == 422 and "stock" in refused.json()["error"]["fields"]
        assert _consents(official, plan) == [(pears, "asked", None)]

        # A decline takes the product off and tells the official why.
        declined = farmer.post(url, json={"agree": False, "reason": "这批梨已被订完"})
        assert declined.status_code == 200 and declined.json()["state"] == "declined"
        assert official.get(f"/api/v1/plans/{plan}").json()["products"] == []
        told = notice_of(official, "consent_declined", f"/plans/{plan}")
        assert "这批梨已被订完" in told["text"]
        assert farmer.post(url, json={"agree": True, "stock": 5}).status_code == 409
        empty = official.post(f"/api/v1/plans/{plan}/submit")
        assert empty.status_code == 409 and "no product" in empty.json()["error"]["message"]

        # Put back, it is asked again; agreed, the plan is filed.
        assert official.put(f"/api/v1/plans/{plan}", json=plan_body([pears])).status_code == 200
        assert _consents(official, plan) == [(pears, "asked", None)]
        assert farmer.post(url, json={"agree": True, "stock": 300}).status_code == 200
        assert _consents(official, plan) == [(pears, "given", 300)]
        assert official.post(f"/api/v1/plans/{plan}/submit").json()["status"] == "checked"
        assert farmer.post(url, json={"agree": False, "reason": "反悔"}).status_code == 409
    assert _types(served, plan).count("plan.consent_asked") == 2
    [given] = [e for e in events_of(served) if e.type == "plan.consent_given"]
    assert given.data == {"product": pears, "producer": given.data["producer"], "stock": 300}


def test_a_producers_own_session_asks_no_one(served: LiveServer) -> None:
    with api_as(served, "farmer.xuwen") as farmer:
        body = plan_body([product(farmer, "菠萝")], partners=[])
        plan = farmer.post("/api/v1/plans", json=body).json()
        assert plan["consents"] == []
        assert farmer.post(f"/api/v1/plans/{plan['id']}/submit").json()["status"] == "checked"
