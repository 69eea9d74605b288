"""Issue 21, item 1: a producer (here the Xuwen pineapple cooperative's account) hosts its own
session. It files only its own produce, the rules that fit a producer judge it, a county
operator or a supervisor approves it, the host alone gets the stream key, and an official may
join as a guest, named on the plan, in the filed event and on the public page."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import httpx

from sunlit.catalog.model import Inspection, InspectionKind
from sunlit.filing.model import HostKind, PlanFacts, ProductFacts
from sunlit.filing.rules import REGISTRY, evaluate
from tests.support import START, LiveServer
from tests.test_catalog_api import api_as
from tests.test_filing_api import agreed, plan_body, product
from tests.test_web import PASSWORD, events_of

OFFICIAL_ONLY = {
    "local_origin",
    "not_below_cost",
    "no_declared_relationship",
    "official_not_payee",
}


def _product(producer: str, **kw: object) -> ProductFacts:
    fields: dict[str, object] = {
        "id": f"p-{producer}",
        "name": "蓝莓",
        "category": "fruit",
        "origin_region": "522635",
        "producer_id": producer,
        "producer_name": producer,
        "producer_kind": "enterprise",
        "producer_verified": True,
        "producer_account": "a-farmer",
        "price": 100,
        "declared_cost": 200,  # below cost, with no clearance
        "clearance": None,
        "band_low": 50,
        "band_high": 150,
        "inspections": (
            Inspection(
                InspectionKind.COMPLIANCE_CERTIFICATE,
                "检测站",
                date(2027, 1, 1),
                date(2027, 6, 1),
                "",
            ),
        ),
        **kw,
    }
    return ProductFacts(**fields)  # type: ignore[arg-type]


def _facts(host: HostKind, *products: ProductFacts) -> PlanFacts:
    start = datetime(2027, 3, 1, 12, tzinfo=UTC)
    return PlanFacts(
        plan_id="s-1",
        official_id="a-farmer",
        official_region="341321",  # elsewhere than the produce: an official's rule would block
        starts_at=start,
        ends_at=start.replace(hour=14),
        filed_at=start.replace(month=1),
        products=products,
        sessions_in_month=9,
        host_kind=host,
        own_producers=frozenset({"coop"}),
    )


def test_the_rules_about_an_officials_power_do_not_bind_a_producer() -> None:
    own = _product("coop")
    as_official = {f.rule for f in evaluate(_facts(HostKind.OFFICIAL, own))}
    as_producer = {f.rule for f in evaluate(_facts(HostKind.PRODUCER, own))}
    # The same facts: an official selling far from home, below cost, too often, for its own
    # account, would be stopped; the producer selling its own produce is not.
    assert OFFICIAL_ONLY - {"no_declared_relationship"} <= as_official
    assert as_producer == set()
    assert {r.id for r in REGISTRY if HostKind.PRODUCER not in r.hosts} == OFFICIAL_ONLY


def test_a_producer_may_not_sell_someone_elses_produce_by_the_rules() -> None:
    found = evaluate(_facts(HostKind.PRODUCER, _product("coop"), _product("neighbour")))
    assert [(f.rule, f.subject, f.severity.value) for f in found] == [
        ("own_produce", "p-neighbour", "block")
    ]


def test_a_guest_official_counts_towards_the_monthly_limit_by_the_rules() -> None:
    """A producer's plan is not held to the host's sessions (9 here), only to the guest's."""
    own = _product("coop", producer_kind="cooperative")
    alone = _facts(HostKind.PRODUCER, own)
    with_guest = replace(alone, guest_official="a-official", guest_sessions_in_month=3)
    assert evaluate(alone) == evaluate(with_guest) == []
    [found] = evaluate(replace(with_guest, guest_sessions_in_month=4))
    assert (found.rule, found.severity.value, found.params) == (
        "monthly_limit",
        "block",
        {"most": 4},
    )
    assert "guest official" in found.message


def test_a_company_with_an_official_as_guest_must_say_why_by_the_rules() -> None:
    """A company selling its own produce needs no reason; with an official on camera as its
    guest, the official lends a company their face, and the supervisor is warned, as when an
    official puts a company's produce on their own plan."""
    company = _product("coop")  # an enterprise
    assert evaluate(_facts(HostKind.PRODUCER, company)) == []
    guested = replace(_facts(HostKind.PRODUCER, company), guest_official="a-official")
    [found] = evaluate(guested)
    assert (found.rule, found.severity.value, found.subject) == (
        "enterprise_public_interest",
        "warn",
        "p-coop",
    )


def _plans(c: httpx.Client) -> list[str]:
    return [p["id"] for p in c.get("/api/v1/plans").json()]


def test_a_cooperative_files_its_own_session_and_an_operator_approves_it(
    served: LiveServer,
) -> None:
    with (
        api_as(served, "farmer.xuwen") as farmer,
        api_as(served, "official.xuwen") as official,
        api_as(served, "operator") as operator,
    ):
        guest = official.get("/api/v1/me").json()["id"]
        pineapples = product(farmer, "菠萝")
        body = plan_body(
            [pineapples], title="徐闻菠萝合作社自播", partners=[], guest_official=guest
        )
        body.pop("declares_no_payment")  # a producer is paid for its produce
        made = farmer.post("/api/v1/plans", json=body)
        assert made.status_code == 201, made.text
        plan = made.json()
        assert (plan["host_kind"], plan["guest_official_id"]) == ("producer", guest)
        filed = farmer.post(f"/api/v1/plans/{plan['id']}/submit")
        assert filed.status_code == 200, filed.text
        assert (filed.json()["status"], filed.json()["findings"]) == ("checked", []), filed.text
        # The guest official reads the plan but holds no key and cannot decide it.
        assert official.get(f"/api/v1/plans/{plan['id']}").json()["stream_key"] is None
        assert plan["id"] in _plans(official)
        approved = operator.post(
            f"/api/v1/plans/{plan['id']}/approve", json={"reason": "合作社自有产品，手续齐全"}
        )
        assert approved.status_code == 200, approved.text
        assert approved.json()["status"] == "approved"
        key = farmer.get(f"/api/v1/plans/{plan['id']}").json()["stream_key"]
        assert key and key.startswith(plan["id"] + "?key=")
    [filed_event] = [
        e for e in events_of(served) if e.type == "session.filed" and e.session == plan["id"]
    ]
    assert filed_event.data["host_kind"] == "producer"
    assert filed_event.data["guest_official"] == guest
    assert filed_event.data["official"] == plan["official_id"]  # the host's account
    page = httpx.get(f"{served.url}/sessions/{plan['id']}", cookies={"sunlit_lang": "en"})
    assert page.status_code == 200
    assert "Hosted by the producer" in page.text and "Guest official" in page.text


def test_a_producers_expired_certificate_blocks_its_own_session(served: LiveServer) -> None:
    """The rules that protect buyers bind a producer as they bind an official: the Majiang
    blueberries' certificate ran out in the demo, so the cooperative's plan is rejected."""
    with api_as(served, "farmer.majiang") as farmer:
        made = farmer.post("/api/v1/plans", json=plan_body([product(farmer, "蓝莓")], partners=[]))
        assert made.status_code == 201, made.text
        filed = farmer.post(f"/api/v1/plans/{made.json()['id']}/submit").json()
        assert filed["status"] == "rejected"
        assert [f["rule"] for f in filed["findings"]] == ["inspection_valid"]


def test_a_producer_cannot_file_another_producers_produce(served: LiveServer) -> None:
    with api_as(served, "farmer.majiang") as farmer:
        before = _plans(farmer)
        pears = product(farmer, "砀山")
        body = plan_body([pears], partners=[])
        refused = farmer.post("/api/v1/plans", json=body)
        assert refused.status_code == 422
        assert "own produce" in refused.json()["error"]["fields"]["product_ids"]
        assert _plans(farmer) == before  # nothing was written


def test_a_guest_must_be_an_official_and_an_official_has_none(served: LiveServer) -> None:
    with (
        api_as(served, "farmer.majiang") as farmer,
        api_as(served, "official.dangshan") as official,
        api_as(served, "buyer1") as buyer,
    ):
        berries = product(farmer, "蓝莓")
        not_official = buyer.get("/api/v1/me").json()["id"]
        refused = farmer.post(
            "/api/v1/plans", json=plan_body([berries], partners=[], guest_official=not_official)
        )
        assert refused.status_code == 422
        assert "guest_official" in refused.json()["error"]["fields"]
        pears = product(official, "砀山")
        own_guest = official.get("/api/v1/me").json()["id"]
        refused = official.post("/api/v1/plans", json=plan_body([pears], guest_official=own_guest))
        assert refused.status_code == 422
        assert "guest_official" in refused.json()["error"]["fields"]


def test_an_operator_cannot_decide_an_officials_plan(served: LiveServer) -> None:
    with (
        api_as(served, "official.dangshan") as official,
        api_as(served, "operator") as operator,
    ):
        made = official.post("/api/v1/plans", json=plan_body([product(official, "砀山")]))
        plan = made.json()["id"]
        agreed(served, official, plan)
        assert official.post(f"/api/v1/plans/{plan}/submit").json()["status"] == "checked"
        refused = operator.post(f"/api/v1/plans/{plan}/approve", json={"reason": "看过了"})
        assert refused.status_code == 403
        assert official.get(f"/api/v1/plans/{plan}").json()["status"] == "checked"


def test_guest_appearances_count_towards_an_officials_monthly_limit(served: LiveServer) -> None:
    """The limit on an official's sessions a month guards against live rooms becoming shows; a
    guest seat in producers' sessions must not be a way round it. Drafts naming the Xuwen
    official as guest do not count (a farmer cannot use up an official's month with plans it
    never files); filed, they do: the official's own plan and three guest seats fill the month
    of four, so a fourth seat, a second plan of its own and a fifth seat are refused, while the
    cooperative's session without a guest is not limited."""
    month = datetime(2026, 5, 1, 4, tzinfo=UTC)  # a month no other test files in

    def day(n: int) -> dict[str, str]:
        start = month + timedelta(days=n)
        return {"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=2)).isoformat()}

    with (
        api_as(served, "farmer.xuwen") as farmer,
        api_as(served, "official.xuwen") as official,
    ):
        guest = official.get("/api/v1/me").json()["id"]
        pineapples = product(farmer, "菠萝")

        def farmer_plan(n: int, **extra: object) -> str:
            body = plan_body([pineapples], title=f"合作社自播 {n}", partners=[], **day(n), **extra)
            body.pop("declares_no_payment")
            made = farmer.post("/api/v1/plans", json=body)
            assert made.status_code == 201, made.text
            return str(made.json()["id"])

        drafts = [farmer_plan(n, guest_official=guest) for n in range(4)]
        official_plan = official.post("/api/v1/plans", json=plan_body([pineapples], **day(12)))
        assert official_plan.status_code == 201, official_plan.text
        agreed(served, official, official_plan.json()["id"], "farmer.xuwen")
        # Four unfiled drafts naming the official: its own plan is not limited by them.
        checked = official.post(f"/api/v1/plans/{official_plan.json()['id']}/submit").json()
        assert (checked["status"], checked["findings"]) == ("checked", []), checked
        # Filed, the same four (with the official's own, five) use up its month.
        for plan in drafts[:3]:
            filed = farmer.post(f"/api/v1/plans/{plan}/submit").json()
            assert filed["status"] == "checked", filed
        full = farmer.post(f"/api/v1/plans/{drafts[3]}/submit").json()
        assert [f["rule"] for f in full["findings"]] == ["monthly_limit"], full
        own = official.post("/api/v1/plans", json=plan_body([pineapples], **day(10)))
        assert own.status_code == 201, own.text
        agreed(served, official, own.json()["id"], "farmer.xuwen")
        refused = official.post(f"/api/v1/plans/{own.json()['id']}/submit").json()
        assert refused["status"] == "rejected"
        assert [f["rule"] for f in refused["findings"]] == ["monthly_limit"]

        fifth = farmer.post(f"/api/v1/plans/{farmer_plan(5, guest_official=guest)}/submit")
        assert fifth.json()["status"] == "rejected", fifth.text
        assert [f["rule"] for f in fifth.json()["findings"]] == ["monthly_limit"]
        alone = farmer.post(f"/api/v1/plans/{farmer_plan(6)}/submit").json()
        assert (alone["status"], alone["findings"]) == ("checked", [])


def test_a_county_operator_decides_only_its_own_countys_producers(served: LiveServer) -> None:
    """Issue 21: a producer's plan is approved by a county operator or a supervisor. An operator
    account given a county decides producers' plans in that county only; the deployment's own
    operator (no region) still decides any producer's plan."""
    with api_as(served, "operator") as operator:
        for username, county in (("operator.majiang", "522635"), ("operator.xuwen", "440825")):
            staff = {"display_name": username, "password": PASSWORD, "role": "operator"}
            made = operator.post(
                "/api/v1/operator/accounts", json={"username": username, "region": county, **staff}
            )
            assert made.status_code == 201, made.text
    start = START + timedelta(days=8)
    window = {"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=2)).isoformat()}
    with (
        api_as(served, "farmer.xuwen") as farmer,
        api_as(served, "operator.majiang") as elsewhere,
        api_as(served, "operator.xuwen") as county,
    ):
        body = plan_body([product(farmer, "菠萝")], title="徐闻菠萝县内审批", partners=[], **window)
        body.pop("declares_no_payment")
        plan = farmer.post("/api/v1/plans", json=body).json()["id"]
        assert farmer.post(f"/api/v1/plans/{plan}/submit").json()["status"] == "checked"
        decision = {"reason": "合作社自有产品，手续齐全"}
        refused = elsewhere.post(f"/api/v1/plans/{plan}/approve", json=decision)
        assert refused.status_code == 403
        assert "producers in its region" in refused.json()["error"]["message"]
        assert farmer.get(f"/api/v1/plans/{plan}").json()["status"] == "checked"
        approved = county.post(f"/api/v1/plans/{plan}/approve", json=decision)
        assert approved.status_code == 200, approved.text
        assert approved.json()["status"] == "approved"
        # Nor can a county operator make its way round the limit through accounts: no operator
        # of the whole deployment, no supervisor, nothing done to accounts outside its county.
        staff = {"display_name": "x", "password": PASSWORD}
        for body in (
            {"username": "op.everywhere", "role": "operator", **staff},
            {"username": "op.dangshan", "role": "operator", "region": "341321", **staff},
            {"username": "sup.majiang", "role": "supervisor", "region": "522635", **staff},
        ):
            refused = elsewhere.post("/api/v1/operator/accounts", json=body)
            assert refused.status_code == 403, (body, refused.text)
        others = {a["username"]: a["id"] for a in county.get("/api/v1/accounts").json()}
        for path, body in (
            (f"/api/v1/accounts/{others['operator']}/disabled", {"disabled": True}),
            (f"/api/v1/accounts/{others['official.xuwen']}/role", {"role": "supervisor"}),
            (f"/api/v1/accounts/{others['operator']}/reset-link", None),
        ):
            refused = elsewhere.post(path, json=body)
            assert refused.status_code == 403, (path, refused.text)
        inside = {"username": "farmer.majiang2", "role": "farmer", "region": "522635", **staff}
        made = elsewhere.post("/api/v1/operator/accounts", json=inside)
        assert made.status_code == 201, made.text
    with api_as(served, "operator") as operator:  # still signs in: nothing was done to it
        assert operator.get("/api/v1/me").status_code == 200
