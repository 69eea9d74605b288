"""Public disclosure (公示, issue 16): from its approval, everyone sees what was filed for a
session — host, window, purpose, products with their producers, quality documents and bands,
partners, the boundary rules' results and who approved it — and nothing personal."""

from __future__ import annotations

import re
from typing import Any

from tests.support import LiveServer
from tests.test_catalog_api import api_as
from tests.test_filing_api import agreed, plan_body, product
from tests.test_web import client, events_of

#: Every field the disclosure JSON may carry (dotted paths; lists by their items' fields).
PUBLIC_FIELDS = {
    "host", "products", "products.documents", "partners", "rules", "approval",
    "id", "title", "stage", "status", "starts_at", "ends_at", "purpose", "answers_report",
    "invited_by",
    "host.name", "host.office", "host.region", "host.kind", "host.guest",
    "products.id", "products.name_zh", "products.name_en", "products.price", "products.unit",
    "products.box_grams", "products.producer", "products.producer_kind",
    "products.producer_verified", "products.band_low", "products.band_high",
    "products.band_status", "products.documents.kind", "products.documents.issuer",
    "products.documents.expires_on", "products.documents.valid",
    "partners.name", "partners.kind", "partners.relationship", "partners.public_interest",
    "rules.rule", "rules.severity", "rules.message", "rules.params",
    "approval.role", "approval.office", "approval.on",
    # during and after: figures computed from the session's events and the ledger
    "live", "outcome", "total", "left_out", "verified", "findings",
    "live.viewers", "live.paid_orders", "live.units", "live.amount",
    *(f"{part}.{name}" for part in ("outcome", "total") for name in (
        "product", "orders", "paid_orders", "units", "paid", "refunded", "cancelled",
        "complaints", "paid_out", "fee", "fund", "households",
    )),
    "verified.gmv", "verified.orders", "verified.viewers", "verified.cancelled_or_refunded",
    "verified.confirmed_flagged_orders", "verified.confirmed_flagged_viewers",
    "verified.delivered_per_mille", "verified.complaints_per_1000_orders",
    "verified.refunds_per_1000_orders", "verified.median_delivery_hours",
    # the estimates when no one can be named (issue 19): counts and shares, no one's data
    "verified.viewers_joined", "verified.viewers_not_real", "verified.orders_not_organic",
    "findings.case", "findings.rule", "findings.severity", "findings.reason",
    "findings.published_at",
    "claims", "claims.id", "claims.source", "claims.link", "claims.published_at", "claims.by",
    "claims.figures", "claims.verified", "claims.over", "claims.figures.name",
    "claims.figures.announced", "claims.figures.verified", "claims.figures.gap",
    "claims.figures.over",
}  # fmt: skip
PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def without_tokens(page: str) -> str:
    """The page without its CSRF tokens: 64 hex digits may hold 11 decimal ones in a row, which
    would read as a phone number."""
    return re.sub(r'name="csrf_token" value="[0-9a-f]+"', "", page)


def fields_of(value: Any, prefix: str = "") -> set[str]:
    if isinstance(value, dict) and not prefix.endswith("params"):
        found: set[str] = set()
        for key, item in value.items():
            path = f"{prefix}.{key}" if prefix else key
            found |= {path} | fields_of(item, path)
        return found
    if isinstance(value, list):
        return set().union(*(fields_of(item, prefix) for item in value)) if value else set()
    return set()


def filed_plan(served: LiveServer, *, approve: bool, **extra: Any) -> str:
    with (
        api_as(served, "official.dangshan") as official,
        api_as(served, "supervisor1") as supervisor,
    ):
        pears = product(official, "砀山")
        partner = {
            "name": "砀山县电商协会",
            "kind": "cooperative",
            "public_interest": "组织梨农统一分拣包装",
        }
        made = official.post("/api/v1/plans", json=plan_body([pears], partners=[partner], **extra))
        assert made.status_code == 201, made.text
        plan = str(made.json()["id"])
        agreed(served, official, plan)
        assert official.post(f"/api/v1/plans/{plan}/submit").json()["status"] == "checked"
        if approve:
            approved = supervisor.post(f"/api/v1/plans/{plan}/approve", json={"reason": "齐全"})
            assert approved.status_code == 200, approved.text
    return plan


def test_everyone_sees_an_approved_session_before_it_starts(served: LiveServer) -> None:
    plan = filed_plan(served, approve=True, invited_by="砀山县商务局")
    with client(served, "zh") as c:  # nobody signed in
        page = c.get(f"/sessions/{plan}")
        assert page.status_code == 200
        text = page.text
        for shown in (
            "砀山酥梨助农直播",
            "公示",
            "砀山县电商协会",
            "组织梨农统一分拣包装",
            "未申报",
        ):
            assert shown in text, shown
        assert "审批" in text and "质检文件" in text and "参考价" in text
        assert "邀请方" in text and "砀山县商务局" in text
        answer = c.get(f"/api/v1/sessions/{plan}/disclosure")
        assert answer.status_code == 200
        body = answer.json()
    assert body["stage"] == "before" and body["status"] == "approved"
    assert body["invited_by"] == "砀山县商务局"
    assert body["host"]["name"] and body["approval"]["role"] == "supervisor"
    [pears] = body["products"]
    assert pears["name_zh"].startswith("砀山") and pears["producer_verified"] is True
    assert pears["documents"] and all(d["valid"] for d in pears["documents"])
    assert pears["band_low"] <= pears["band_high"]
    assert body["partners"] == [
        {
            "name": "砀山县电商协会",
            "kind": "cooperative",
            "relationship": None,
            "public_interest": "组织梨农统一分拣包装",
        }
    ]
    with client(served, "en") as c:
        english = c.get(f"/sessions/{plan}").text
        assert "Public disclosure" in english and "Quality documents" in english


def test_nothing_personal_and_no_field_beyond_the_allowlist(served: LiveServer) -> None:
    plan = filed_plan(served, approve=True)
    with client(served, "zh") as c:
        body = c.get(f"/api/v1/sessions/{plan}/disclosure").json()
        page = c.get(f"/sessions/{plan}").text
    assert fields_of(body) <= PUBLIC_FIELDS, sorted(fields_of(body) - PUBLIC_FIELDS)
    assert body["invited_by"] is None and "邀请方</dt><dd>未申报" in page  # none declared
    assert not PHONE.search(str(body)) and not PHONE.search(without_tokens(page))
    assert "official.dangshan" not in str(body) and "official.dangshan" not in page  # no login


def test_a_plan_is_not_public_before_a_supervisor_approves_it(served: LiveServer) -> None:
    plan = filed_plan(served, approve=False)  # filed and checked, not yet approved
    with client(served, "en") as c:
        assert c.get(f"/sessions/{plan}").status_code == 404
        missing = c.get(f"/api/v1/sessions/{plan}/disclosure")
        assert missing.status_code == 404
        assert c.get("/api/v1/sessions/s-nosuchplan000/disclosure").status_code == 404
        for part in ("figures", "products.csv", "report.pdf"):
            assert c.get(f"/sessions/{plan}/{part}").status_code == 404, part


def test_who_invited_the_official_is_filed_recorded_and_checked(served: LiveServer) -> None:
    with api_as(served, "official.dangshan") as official:
        pears = product(official, "砀山")
        too_long = official.post("/api/v1/plans", json=plan_body([pears], invited_by="邀" * 201))
        assert too_long.status_code == 422 and "invited_by" in too_long.text
        made = official.post("/api/v1/plans", json=plan_body([pears], invited_by=" 砀山县商务局 "))
        assert made.json()["invited_by"] == "砀山县商务局"
        plan = made.json()["id"]
        agreed(served, official, plan)
        official.post(f"/api/v1/plans/{plan}/submit")
    filed = [e.data for e in events_of(served) if e.type == "session.filed" and e.session == plan]
    assert [data["invited_by"] for data in filed] == ["砀山县商务局"]


def test_the_home_page_card_lists_the_products_and_links_the_disclosure(
    served: LiveServer,
) -> None:
    plan = filed_plan(served, approve=True)
    with api_as(served, "official.dangshan") as official:
        pears = product(official, "砀山")
    with client(served, "zh") as c:
        home = c.get("/").text
    card = home.split(f'href="/sessions/{plan}"', 1)[1].split("</li>", 1)[0]
    assert f'href="/products/{pears}"' in card and "砀山" in card
