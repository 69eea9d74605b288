"""Filing through the JSON API on both backends: draft, file (the rules run), four-eyes
approval, a stream key for the official alone, and any change sending the plan back."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from tests.support import START, LiveServer
from tests.test_catalog_api import api_as
from tests.test_web import events_of

WINDOW = (START + timedelta(days=5), START + timedelta(days=5, hours=2))


def plan_body(products: list[str], **extra: Any) -> dict[str, Any]:
    return {
        "title": "砀山酥梨助农直播",
        "starts_at": WINDOW[0].isoformat(),
        "ends_at": WINDOW[1].isoformat(),
        "products": products,
        "partners": [{"name": "砀山县电商协会", "kind": "cooperative"}],
        "declares_no_payment": True,
        **extra,
    }


def agreed(
    server: LiveServer, official: httpx.Client, plan: str, username: str = "farmer.dangshan"
) -> None:
    """The producer's account (``username``) agrees to every product the official's plan asks
    it about, committing 10 of each (issue 21: an official's plan is filed only then)."""
    consents = official.get(f"/api/v1/plans/{plan}").json()["consents"]
    with api_as(server, username) as farmer:
        for asked in [c["product"] for c in consents if c["state"] == "asked"]:
            answer = {"agree": True, "stock": 10}
            answered = farmer.post(f"/api/v1/plans/{plan}/consents/{asked}", json=answer)
            assert answered.status_code == 200, answered.text


def product(c: httpx.Client, text: str) -> str:
    return str(c.get("/api/v1/products", params={"q": text}).json()[0]["id"])


def test_a_plan_is_filed_checked_approved_and_sent_back_on_change(served: LiveServer) -> None:
    with (
        api_as(served, "official.dangshan") as official,
        api_as(served, "supervisor1") as supervisor,
    ):
        pears = product(official, "砀山")
        made = official.post("/api/v1/plans", json=plan_body([pears]))
        assert made.status_code == 201 and made.json()["status"] == "draft"
        plan = made.json()["id"]
        agreed(served, official, plan)
        filed = official.post(f"/api/v1/plans/{plan}/submit")
        assert filed.status_code == 200, filed.text
        assert (filed.json()["status"], filed.json()["findings"]) == ("checked", [])
        no_reason = supervisor.post(f"/api/v1/plans/{plan}/approve", json={"reason": " "})
        assert no_reason.status_code == 422
        approved = supervisor.post(
            f"/api/v1/plans/{plan}/approve", json={"reason": "本地特色农产品，报备齐全"}
        )
        assert approved.json()["status"] == "approved"
        assert approved.json()["stream_key"] is None  # the key is the official's alone
        key = official.get(f"/api/v1/plans/{plan}").json()["stream_key"]
        assert key.startswith(plan + "?key=") and len(key.split("?key=")[1]) == 40
        body = plan_body([pears], title="砀山酥梨助农直播（改）")
        unconfirmed = official.put(f"/api/v1/plans/{plan}", json=body)
        assert unconfirmed.status_code == 409  # an approved plan goes back only when confirmed
        assert "reopen" in unconfirmed.text
        changed = official.put(f"/api/v1/plans/{plan}", json={**body, "reopen": True})
        assert changed.json()["status"] == "draft" and changed.json()["stream_key"] is None
        history = [h["type"] for h in changed.json()["history"]]
        assert history == [  # the change keeps the producer's agreement: nothing new to ask
            "plan.drafted",
            "plan.consent_asked",
            "plan.consent_given",
            "session.filed",
            "plan.checked",
            "plan.approved",
            "plan.changed",
        ]
    [filed_event] = [e for e in events_of(served) if e.type == "session.filed"]
    assert filed_event.session == plan
    assert set(filed_event.data) == {
        "official",
        "official_region",
        "scheduled_start",
        "scheduled_end",
        "products",
        "partners",
        "invited_by",
        "purpose",
        "host_kind",
        "guest_official",
    }
    assert (filed_event.data["host_kind"], filed_event.data["guest_official"]) == ("official", None)
    assert filed_event.data["products"] == [pears]
    assert filed_event.data["partners"] == [
        {"name": "砀山县电商协会", "kind": "cooperative", "relationship": None}
    ]


def test_a_blocked_plan_says_why_and_passes_once_fixed(served: LiveServer) -> None:
    with api_as(served, "official.dangshan") as official:
        mandarins, pears = product(official, "城固"), product(official, "砀山")
        plan = official.post(
            "/api/v1/plans",
            json=plan_body(
                [mandarins],
                partners=[{"name": "某电商公司", "kind": "enterprise", "relationship": "堂兄持股"}],
            ),
        ).json()["id"]
        agreed(served, official, plan, "farmer.chenggu")
        rejected = official.post(f"/api/v1/plans/{plan}/submit").json()
        assert rejected["status"] == "rejected"
        assert {f["rule"] for f in rejected["findings"]} == {
            "local_origin",
            "no_declared_relationship",
            "enterprise_public_interest",
        }
        assert all(f["message"] for f in rejected["findings"])
        official.put(f"/api/v1/plans/{plan}", json=plan_body([pears]))
        agreed(served, official, plan)
        assert official.post(f"/api/v1/plans/{plan}/submit").json()["status"] == "checked"


def test_expired_documents_block_and_the_approver_must_not_be_on_the_plan(
    served: LiveServer,
) -> None:
    with (
        api_as(served, "official.majiang") as official,
        api_as(served, "supervisor2") as on_team,
        api_as(served, "supervisor1") as other,
    ):
        berries = product(official, "麻江")
        blocked = official.post("/api/v1/plans", json=plan_body([berries])).json()["id"]
        agreed(served, official, blocked, "farmer.majiang")
        result = official.post(f"/api/v1/plans/{blocked}/submit").json()
        assert [f["rule"] for f in result["findings"]] == ["inspection_valid"]
        team_id = on_team.get("/api/v1/me").json()["id"]
        # four eyes: a supervisor on the team cannot approve
        with api_as(served, "official.xuwen") as xuwen_official:
            pineapples = product(xuwen_official, "徐闻")
            own = xuwen_official.post(
                "/api/v1/plans",
                json=plan_body(
                    [pineapples], team=[{"account": team_id, "role": "product_specialist"}]
                ),
            ).json()["id"]
            agreed(served, xuwen_official, own, "farmer.xuwen")
            filed = xuwen_official.post(f"/api/v1/plans/{own}/submit").json()
            assert filed["status"] == "checked"
            assert filed["team"] == [{"account": team_id, "role": "product_specialist"}]
            refused = on_team.post(f"/api/v1/plans/{own}/approve", json={"reason": "ok"})
            assert refused.status_code == 403
            assert "not on it" in refused.json()["error"]["message"]
            assert (
                other.post(
                    f"/api/v1/plans/{own}/approve",
                    json={"reason": "四眼原则：由未参与的监督员审批"},
                ).status_code
                == 200
            )
            assert (
                xuwen_official.post(
                    f"/api/v1/plans/{own}/approve", json={"reason": "x"}
                ).status_code
                == 403
            )


def test_bad_plans_are_refused_with_the_reason(served: LiveServer) -> None:
    with api_as(served, "official.dangshan") as official, api_as(served, "buyer1") as buyer:
        pears = product(official, "砀山")
        past = official.post(
            "/api/v1/plans",
            json=plan_body(
                [pears],
                starts_at=(START - timedelta(days=1)).isoformat(),
                ends_at=(START - timedelta(hours=20)).isoformat(),
            ),
        )
        assert past.status_code == 422 and "starts_at" in past.json()["error"]["fields"]
        nothing = official.post("/api/v1/plans", json=plan_body([], declares_no_payment=False))
        assert set(nothing.json()["error"]["fields"]) == {"product_ids", "declares_no_payment"}
        assert official.post("/api/v1/plans", json=plan_body(["g-nothing"])).status_code == 404
        assert official.post("/api/v1/plans", json=plan_body([pears])).status_code == 201
        overlap = official.post("/api/v1/plans", json=plan_body([pears]))
        assert overlap.status_code == 422
        assert "overlaps" in overlap.json()["error"]["fields"]["starts_at"]
        assert buyer.post("/api/v1/plans", json=plan_body([pears])).status_code == 403
        assert buyer.get("/api/v1/plans").status_code == 403
        mine = official.get("/api/v1/plans").json()
        assert len(mine) == 1
        assert buyer.get(f"/api/v1/plans/{mine[0]['id']}").status_code == 403


def test_a_plan_answering_an_unknown_unsalable_report_is_refused(served: LiveServer) -> None:
    """Found by the schemathesis run: the id went to the database unchecked, and its foreign key
    turned the filing into a 500."""
    with api_as(served, "official.dangshan") as official:
        pears = product(official, "砀山")
        made = official.post("/api/v1/plans", json=plan_body([pears], answers_report="u-none"))
        assert made.status_code == 422, made.text
        assert set(made.json()["error"]["fields"]) == {"answers_report"}
        plan = official.post("/api/v1/plans", json=plan_body([pears])).json()["id"]
        changed = official.put(
            f"/api/v1/plans/{plan}", json=plan_body([pears], answers_report="a-0")
        )
        assert changed.status_code == 422, changed.text
        assert set(changed.json()["error"]["fields"]) == {"answers_report"}
