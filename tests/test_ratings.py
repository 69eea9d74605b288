"""Farmer voice: after a session ends, each producer whose produce was on it rates it."""

from __future__ import annotations

from datetime import timedelta

from tests.support import LiveServer, ingest_url, sign_in, submit
from tests.test_catalog_api import api_as
from tests.test_filing_api import WINDOW
from tests.test_stream_gate import approved_plan
from tests.test_web import PASSWORD, client


def end_session(served: LiveServer, plan: str, key: str) -> None:
    """The approved plan goes live through the stream gate, then ends."""
    served.clock.advance(WINDOW[0] - served.clock.now() + timedelta(minutes=1))
    with client(served) as ingest:  # nginx-rtmp's calls, from this machine
        name, secret = key.split("?key=")
        assert (
            ingest.post(
                ingest_url(served, "on_publish"), data={"name": name, "key": secret}
            ).status_code
            == 200
        )
        served.clock.advance(timedelta(hours=2))
        assert (
            ingest.post(ingest_url(served, "on_publish_done"), data={"name": name}).status_code
            == 200
        )


def test_a_producer_rates_a_session_once_it_has_ended(served: LiveServer) -> None:
    with api_as(served, "farmer.dangshan") as farmer:
        coop = farmer.get("/api/v1/producers", params={"region": "341321"}).json()[0]["id"]
        plan, key = approved_plan(served)
        early = farmer.post(
            f"/api/v1/plans/{plan}/ratings", json={"producer": coop, "stars": 5, "text": "还没开始"}
        )
        assert early.status_code == 422  # not ended yet
    end_session(served, plan, key)
    with api_as(served, "farmer.dangshan") as farmer, api_as(served, "farmer.xuwen") as other:
        url = f"/api/v1/plans/{plan}/ratings"
        assert farmer.post(url, json={"producer": coop, "stars": 6}).status_code == 422
        assert other.post(url, json={"producer": coop, "stars": 1}).status_code == 403
        rated = farmer.post(
            url,
            json={"producer": coop, "stars": 4, "text": "销量不错，货款按时到账，但直播节奏太赶。"},
        )
        assert rated.status_code == 200 and rated.json()["stars"] == 4
        again = farmer.post(url, json={"producer": coop, "stars": 3, "text": "改为三星"})
        assert again.json()["stars"] == 3  # one rating per producer, changeable
    with client(served, "en") as c:
        sign_in(c, "farmer.dangshan", PASSWORD)
        dashboard = c.get("/producer").text
        assert "Rate the sessions your produce was on" in dashboard and "Rated 3 of 5" in dashboard
        saved = submit(
            c,
            "/producer",
            "/producer/ratings",
            {"plan": plan, "producer": coop, "stars": "5", "text": "很好"},
        )
        assert saved.status_code == 303
    with client(served, "en") as supervisor:
        sign_in(supervisor, "supervisor1", PASSWORD)
        page = supervisor.get(f"/plans/{plan}").text
        assert "Producers' ratings" in page and "★★★★★" in page and "很好" in page
