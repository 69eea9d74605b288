"""Follows (issue 21, item 4) over real HTTP on both databases: a buyer follows a producer, a
county and a kind of produce, and is told when a session with one of them is approved and when
it goes live; following twice is one follow; a follow of nothing, or someone else's unfollow,
is refused clearly and changes nothing; the producer's page shows the button and the count."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import httpx

from sunlit.participation.follows import reasons_for
from sunlit.participation.tables import FollowRow
from tests.support import LiveServer, csrf_of, run_async, wait_until
from tests.test_aftersales import web_as
from tests.test_catalog_api import api_as, product_named
from tests.test_disclosure import filed_plan
from tests.test_integrity_live import sign_up
from tests.test_live import go_live
from tests.test_order_rules import count
from tests.test_orders import buy, pay_in_sandbox, wait_for
from tests.test_web import client

DANGSHAN = "341321"
PEARS = "砀山酥梨"


def follows_stored(server: LiveServer) -> int:
    return count(server, FollowRow)


def follow(c: httpx.Client, kind: str, target: str) -> httpx.Response:
    return c.post("/api/v1/follows", json={"kind": kind, "target": target})


def told(c: httpx.Client, kind: str) -> list[dict[str, Any]]:
    listed = c.get("/api/v1/notifications").json()["notifications"]
    return [n for n in listed if n["kind"] == kind]


def test_follow_each_kind_once_and_refuse_following_nothing(served: LiveServer) -> None:
    with api_as(served, "buyer1") as buyer:
        pears = product_named(buyer, PEARS)
        producer = pears["producer_id"]
        first = follow(buyer, "producer", producer)
        assert first.status_code == 201, first.text
        again = follow(buyer, "producer", producer)
        assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
        county = follow(buyer, "county", DANGSHAN)
        assert county.status_code == 201 and county.json()["name_zh"] == "砀山县"
        kind = follow(buyer, "kind", pears["kind"])
        assert kind.status_code == 201 and kind.json()["name_zh"] == PEARS
        assert {f["kind"] for f in buyer.get("/api/v1/follows").json()} == {
            "producer", "county", "kind"
        }  # fmt: skip
        assert follows_stored(served) == 3
        with web_as(served, "farmer.dangshan", "en") as farmer:  # the producer sees its count
            assert "Followers: 1" in farmer.get("/producer").text

        for target_kind, target, says in (
            ("producer", "p-none", "no producer"),
            ("county", "340000", "no county"),  # a province, not a county
            ("county", "999999", "no county"),
            ("kind", "spaceship", "No produce of the kind"),
        ):
            refused = follow(buyer, target_kind, target)
            assert refused.status_code == 422, (target_kind, target, refused.text)
            error = refused.json()["error"]
            assert says in error["message"] and "target" in error["fields"]
        nothing = follow(buyer, "nothing", "x")
        assert nothing.status_code == 422
        assert follows_stored(served) == 3  # refusals stored nothing

    with api_as(served, "buyer2") as other:
        theirs = other.delete(f"/api/v1/follows/{first.json()['id']}")
        assert theirs.status_code == 404  # someone else's follow is not theirs to end
    assert follows_stored(served) == 3
    with api_as(served, "buyer1") as buyer:
        assert buyer.delete(f"/api/v1/follows/{first.json()['id']}").status_code == 204
        assert {f["kind"] for f in buyer.get("/api/v1/follows").json()} == {"county", "kind"}


def test_followers_are_told_when_a_session_is_approved_and_when_it_goes_live(
    served: LiveServer,
) -> None:
    with api_as(served, "buyer1") as county_fan, api_as(served, "buyer2") as elsewhere:
        assert follow(county_fan, "county", DANGSHAN).status_code == 201
        assert follow(elsewhere, "county", "522635").status_code == 201  # Majiang: not on it
        session, _ = go_live(served)
        approved = wait_until(
            lambda: told(county_fan, "followed_session_approved"), "the approval told"
        )
        started = wait_until(lambda: told(county_fan, "followed_session_started"), "the start")
        assert approved[0]["link"] == started[0]["link"] == f"/live/{session}"
        assert "is live now" in started[0]["text"] or "正在直播" in started[0]["text"]
        assert told(elsewhere, "followed_session_approved") == []
        assert told(elsewhere, "followed_session_started") == []


def test_the_producer_page_follows_and_unfollows_and_counts(served: LiveServer) -> None:
    with api_as(served, "buyer1") as api:
        producer = product_named(api, PEARS)["producer_id"]
    page = f"/producers/{producer}"
    with client(served, "en") as visitor:
        seen = visitor.get(page).text
        assert "Sign in to follow" in seen and 'action="/follows"' not in seen
        assert "Followers: 0" in seen
    with web_as(served, "buyer1") as buyer:
        form = buyer.get(page).text
        assert 'action="/follows"' in form and 'value="producer"' in form
        followed = buyer.post(
            "/follows",
            data={"csrf_token": csrf_of(form), "kind": "producer", "target": producer,
                  "back": page},
        )  # fmt: skip
        assert followed.status_code == 303 and followed.headers["location"] == page
        after = buyer.get(page).text
        assert "已关注" in after and "关注者：1" in after
        assert 'href="/follows"' in buyer.get("/account").text  # reached from the account
        mine = buyer.get("/follows").text
        assert page in mine and "取消关注" in mine
        bogus = buyer.post(
            "/follows",
            data={"csrf_token": csrf_of(mine), "kind": "producer", "target": "p-none"},
        )
        assert bogus.status_code == 422 and "p-none" in bogus.text
        [follow_id] = [f["id"] for f in buyer.get("/api/v1/follows").json()]
        ended = buyer.post(f"/follows/{follow_id}/delete", data={"csrf_token": csrf_of(mine)})
        assert ended.status_code == 303 and ended.headers["location"] == "/follows?done=unfollowed"
        assert "已取消关注" in buyer.get("/follows?done=unfollowed").text
    assert follows_stored(served) == 0


def test_the_home_page_suggests_sessions_with_what_one_follows_and_says_why(
    served: LiveServer,
) -> None:
    sign_up(served, "fresh.buyer")
    with web_as(served, "fresh.buyer", "en") as fresh:
        before = filed_plan(served, approve=True)
        assert "For you" not in fresh.get("/").text  # follows nothing, bought nothing
        with api_as(served, "fresh.buyer") as api:
            assert follow(api, "county", DANGSHAN).status_code == 201
        home = fresh.get("/").text
        suggested = home[home.index('id="for-you"') : home.index('id="upcoming"')]
        assert f"/live/{before}" in suggested and "You follow Dangshan County" in suggested
    with api_as(served, "buyer2") as api:  # buys Dangshan's pears and pays
        placed = buy(api, product_named(api, PEARS)["id"], "follows-bought", qty=1).json()
        pay_in_sandbox(served, "buyer2", placed["id"])
        wait_for(api, placed["id"], "paid")
    with web_as(served, "buyer2") as bought:
        home = bought.get("/").text
        suggested = home[home.index('id="for-you"') : home.index('id="upcoming"')]
        assert f"/live/{before}" in suggested and "您买过" in suggested
    with client(served, "en") as visitor:
        assert 'id="for-you"' not in visitor.get("/").text


def test_reasons_are_the_follows_first_then_the_producers_bought_from() -> None:
    @dataclass
    class P:
        producer_id: str
        origin_region: str
        kind: str

    pears, tea = P("pd-1", DANGSHAN, "pear"), P("pd-2", "422801", "tea")
    followed = {("county", DANGSHAN), ("kind", "tea")}
    assert reasons_for([pears, tea], followed, {"pd-2", "pd-9"}) == [
        ("county", DANGSHAN), ("kind", "tea"), ("bought", "pd-2"),
    ]  # fmt: skip
    assert reasons_for([pears], {("producer", "pd-1")}, {"pd-1"}) == [("producer", "pd-1")]
    assert reasons_for([pears], set(), set()) == []  # no reason, no suggestion


def test_the_hosts_guide_is_there_in_both_languages_and_linked(served: LiveServer) -> None:
    """Issue 21 item 2's guide: how to present produce, answer the chat, what the rules forbid."""
    with client(served, "zh") as zh, client(served, "en") as en:
        chinese, english = zh.get("/guide"), en.get("/guide")
        assert chinese.status_code == english.status_code == 200
        assert "介绍农产品" in chinese.text and "规则禁止的行为" in chinese.text
        assert "Answer the chat" in english.text and "Purchase quotas" in english.text
        assert 'href="/rules"' in english.text
    with web_as(served, "farmer.dangshan") as farmer:
        assert 'href="/guide"' in farmer.get("/producer").text
    with web_as(served, "official.dangshan") as official:
        assert 'href="/guide"' in official.get("/plans").text


def test_two_follows_at_the_same_instant_are_one(served: LiveServer) -> None:
    """A double tap: both answers are a follow, and one is stored."""
    with api_as(served, "buyer1") as api:
        token = api.headers["Authorization"]

    async def twice() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=served.url, headers={"Authorization": token}) as c:
            body = {"kind": "county", "target": DANGSHAN}
            return list(await asyncio.gather(*(c.post("/api/v1/follows", json=body) for _ in "ab")))

    for _ in range(3):
        answers = run_async(twice())
        assert sorted(a.status_code for a in answers) in ([200, 201], [200, 200]), answers
        assert len({a.json()["id"] for a in answers}) == 1
        assert follows_stored(served) == 1
