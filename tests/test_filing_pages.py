"""Filing pages over real HTTP: the editor with live rule feedback, filing, the supervisor's
decision, the history, the briefing and the public rules page."""

from __future__ import annotations

import re

from tests.support import LiveServer, csrf_of, sign_in, submit
from tests.test_filing_api import WINDOW
from tests.test_web import PASSWORD, client

LOCAL = "%Y-%m-%dT%H:%M"


def form(products: list[str], **extra: str) -> dict[str, object]:
    return {
        "title": "砀山酥梨助农直播",
        "starts_at": WINDOW[0].strftime(LOCAL),
        "ends_at": WINDOW[1].strftime(LOCAL),
        "products": products,
        "purpose": "regional_brand",
        "declares_no_payment": "yes",
        "partner_name_0": "",
        **extra,
    }


def test_an_official_files_a_plan_and_a_supervisor_approves_it(served: LiveServer) -> None:
    with client(served, "en") as official, client(served, "en") as supervisor:
        sign_in(official, "official.dangshan", PASSWORD)
        editor = official.get("/plans/new").text
        pears = re.search(r'name="products" value="(g-[a-z0-9]+)"', editor)
        assert pears is not None and "Dangshan crisp pears" in editor
        assert "Chenggu" not in editor  # only products from the official's jurisdiction
        token = csrf_of(editor)
        bad = official.post(
            "/plans/preview",
            data={
                "csrf_token": token,
                **form(
                    [pears.group(1)],
                    partner_name_0="某公司",
                    partner_kind_0="enterprise",
                    partner_relationship_0="配偶持股",
                ),
            },
        )
        assert bad.status_code == 200
        assert "has a declared relationship to you" in bad.text and "Blocks" in bad.text
        good = official.post("/plans/preview", data={"csrf_token": token, **form([pears.group(1)])})
        assert "Every boundary rule passes so far." in good.text
        empty = official.post(
            "/plans", data={"csrf_token": token, **form([], declares_no_payment="")}
        )
        assert empty.status_code == 422 and "Choose at least one product." in empty.text
        saved = official.post("/plans", data={"csrf_token": token, **form([pears.group(1)])})
        assert saved.status_code == 303
        plan_url = saved.headers["location"].split("?")[0]
        plan_id = plan_url.rsplit("/", 1)[-1]
        # Not filed while the pears' producer has not agreed (issue 21), and nothing changes.
        early = submit(official, plan_url, f"{plan_url}/submit", {})
        assert early.status_code == 409
        assert "wait for their producer" in early.text
        assert "Waiting for 1 producer(s) to agree" in official.get(plan_url).text
        with client(served, "en") as farmer:
            sign_in(farmer, "farmer.dangshan", PASSWORD)
            asked = farmer.get("/producer").text
            assert "Sessions that ask to sell your produce" in asked and "砀山酥梨助农直播" in asked
            action = f"/producer/consents/{plan_id}/{pears.group(1)}"
            nothing = submit(farmer, "/producer", action, {"answer": "agree", "stock": "0"})
            assert nothing.status_code == 422 and "Commit a stock between 1" in nothing.text
            agreed = submit(farmer, "/producer", action, {"answer": "agree", "stock": "500"})
            assert agreed.status_code == 303
            assert "Sessions that ask to sell your produce" not in farmer.get("/producer").text
        assert "500 committed" in official.get(plan_url).text
        filed = submit(official, plan_url, f"{plan_url}/submit", {})
        assert filed.status_code == 303
        assert "Waiting for a supervisor" in official.get(plan_url).text

        sign_in(supervisor, "supervisor1", PASSWORD)
        queue = supervisor.get("/plans").text
        assert "砀山酥梨助农直播" in queue and "Waiting for your decision" in queue
        no_reason = submit(
            supervisor, plan_url, f"{plan_url}/decision", {"decision": "approve", "reason": ""}
        )
        assert no_reason.status_code == 422 and "Give a reason" in no_reason.text
        approved = submit(
            supervisor,
            plan_url,
            f"{plan_url}/decision",
            {"decision": "approve", "reason": "本地特色农产品"},
        )
        assert approved.status_code == 303
        page = official.get(plan_url).text
        assert "Approved" in page and "Show the stream key" in page and "?key=" not in page
        assert "?key=" in official.get(f"{plan_url}?show=key").text
        assert "approved the plan. Reason: 本地特色农产品" in page  # the history
        assert "?key=" not in supervisor.get(plan_url).text
        briefing = official.get(f"{plan_url}/briefing").text
        assert "old Yellow River course" in briefing and "¥2.60" in briefing  # the cost


def test_the_rules_are_public_in_both_languages(server: LiveServer) -> None:
    with client(server, "zh") as c:
        page = c.get("/rules").text
        assert "只销售农产品，不带非农商品。" in page
        # A rule's setting reads as what it means, with the value in force.
        assert "报备到开播之间至少相隔的小时数：72" in page
    with client(server, "en") as c:
        page = c.get("/rules").text
        assert "No payment goes to an account of the official." in page
        assert "hours between filing and the start of the session: 72" in page


def test_approved_sessions_appear_on_the_home_page(served: LiveServer) -> None:
    from tests.test_stream_gate import approved_plan

    approved_plan(served)
    with client(served, "en") as c:
        home = c.get("/").text
        assert "砀山酥梨助农直播" in home and "No sessions are scheduled yet." not in home
        assert "Approved" in home
