"""The independent generator (sunlit.independent): streams Sunlit reads, labels a supervisor
can check against the stream by hand.

Each rule's check is what the integrity specification says the abuse is, read off the stream (a
price above the band, a claim above the verified figure, a ring whose orders are undone), so a
label that names something innocent, or an abuse that is not there, fails here."""

from __future__ import annotations

import json
import statistics
import time
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from sunlit.independent import CAMOUFLAGES, RULES, generate
from sunlit.independent.__main__ import main
from sunlit.integrity.reader import read_lines

Event = dict[str, Any]
QUOTAS = (5000, 10000, 20000, 30000, 50000)
PRAISE = (
    "点赞",
    "帅",
    "好干部",
    "实事",
    "福气",
    "骄傲",
    "亲和力",
    "第一",
    "最棒",
    "用心",
    "谢谢",
    "会说",
    "打call",
    "买就对了",
    "讲得",
    "一流",
    "就是棒",
    "绝了",
    "最好的",
    "甜到心里",
    "好吃",
    "香了",
    "支持",
    "亲民",
    "接地气",
    "辛苦",
)


def events_of(data: bytes) -> list[Event]:
    return [json.loads(line) for line in data.splitlines()]


def by_type(events: list[Event], kind: str) -> list[Event]:
    return [e for e in events if e["type"] == kind]


def undone(events: list[Event]) -> set[str]:
    """Orders cancelled or refunded (in part or whole)."""
    return {
        e["data"]["order"] for e in events if e["type"] in ("order.cancelled", "order.refunded")
    }


def kept_orders(events: list[Event], session: str) -> list[Event]:
    """Paid orders of the session that were neither cancelled nor refunded."""
    paid = {e["data"]["order"] for e in by_type(events, "order.paid")}
    gone = undone(events)
    return [
        e
        for e in by_type(events, "order.placed")
        if e["session"] == session and e["data"]["order"] in paid and e["data"]["order"] not in gone
    ]


def prices(events: list[Event], product: str) -> list[tuple[int, str | None]]:
    """Every price the product was offered at, with the clearance reason given for it."""
    listed = [
        (e["data"]["price"], None)
        for e in by_type(events, "product.listed")
        if e["data"]["product"] == product
    ]
    changed = [
        (e["data"]["price"], e["data"].get("clearance"))
        for e in by_type(events, "product.price_changed")
        if e["data"]["product"] == product
    ]
    return listed + changed


def listing(events: list[Event], product: str) -> dict[str, Any]:
    return next(
        e["data"] for e in by_type(events, "product.listed") if e["data"]["product"] == product
    )


def dwell(events: list[Event], session: str) -> dict[str, float]:
    """Seconds each account stayed on its first visit."""
    joined: dict[str, str] = {}
    out: dict[str, float] = {}
    for e in events:
        if e["session"] != session:
            continue
        if e["type"] == "viewer.joined":
            joined.setdefault(e["actor"], e["ts"])
        elif e["type"] == "viewer.left" and e["actor"] not in out:
            start = datetime.fromisoformat(joined[e["actor"]])
            out[e["actor"]] = (datetime.fromisoformat(e["ts"]) - start).total_seconds()
    return out


def check_ids_exist(events: list[Event], label: dict[str, Any]) -> None:
    accounts = {e["actor"] for e in by_type(events, "account.registered")}
    orders = {e["data"]["order"] for e in by_type(events, "order.placed")}
    products = {e["data"]["product"] for e in by_type(events, "product.listed")}
    sessions = {e["session"] for e in by_type(events, "session.filed")}
    assert label["session"] in sessions
    assert set(label["accounts"]) <= accounts
    assert set(label["orders"]) <= orders
    assert set(label["products"]) <= products
    order_session = {e["data"]["order"]: e["session"] for e in by_type(events, "order.placed")}
    assert {order_session[o] for o in label["orders"]} <= {label["session"]}


@pytest.mark.parametrize("camouflage", CAMOUFLAGES)
@pytest.mark.parametrize("rule", sorted(RULES))
def test_every_rule_reads_without_a_bad_line(rule: str, camouflage: str) -> None:
    data, labels = generate(11, 120, [(rule, camouflage)], honest_sessions=1)
    _, report = read_lines(data.splitlines(keepends=True))
    assert report.bad_count == 0, report.bad[:3]
    assert report.events == len(data.splitlines())
    assert [(x["rule"], x["camouflage"]) for x in labels] == [(rule, camouflage)]
    check_ids_exist(events_of(data), labels[0])


def test_every_abuse_in_one_session_names_only_what_the_stream_holds() -> None:
    abuses = [(rule, "strong") for rule in sorted(RULES)]
    data, labels = generate(4, 300, abuses, honest_sessions=2)
    _, report = read_lines(data.splitlines(keepends=True))
    assert report.bad_count == 0, report.bad[:3]
    events = events_of(data)
    assert len({x["session"] for x in labels}) == 1
    assert len(by_type(events, "session.filed")) == 3
    for label in labels:
        check_ids_exist(events, label)
    ids = [e["id"] for e in events]
    assert len(ids) == len(set(ids))
    assert all(e["ts"].endswith("+08:00") and len(e["ts"]) == 29 for e in events)


def test_the_same_seed_gives_the_same_stream() -> None:
    args = (7, 200, [("fake_orders", "default"), ("hype_gap", "none")])
    assert generate(*args, honest_sessions=1) == generate(*args, honest_sessions=1)


def test_another_seed_gives_another_stream() -> None:
    one = generate(1, 200, [("paid_comments", "default")])
    two = generate(2, 200, [("paid_comments", "default")])
    assert one[0] != two[0]
    assert one[1][0]["accounts"] != two[1][0]["accounts"]


def test_an_honest_stream_has_no_labels_and_breaks_no_catalogue_rule() -> None:
    for seed in range(4):
        data, labels = generate(seed, 300, [], honest_sessions=2)
        assert labels == []
        events = events_of(data)
        sessions = by_type(events, "session.filed")
        assert len(sessions) == 2
        assert not by_type(events, "report.filed")
        for filed in sessions:
            assert all(p["relationship"] is None for p in filed["data"]["partners"])
            for product in filed["data"]["products"]:
                band = listing(events, product)
                for price, clearance in prices(events, product):
                    if band["reference_price_high"] is not None:
                        assert price <= band["reference_price_high"]
                    if band["declared_cost"] is not None and price < band["declared_cost"]:
                        assert clearance is not None
            assert max(enterprise_shares(events, filed["session"]).values(), default=0) < 0.5
            for claim in by_type(events, "claim.published"):
                if claim["session"] == filed["session"]:
                    assert all(
                        c is None or c <= v * 1.1
                        for c, v in zip(
                            claim_figures(claim), verified(events, filed["session"]), strict=True
                        )
                    )


def test_an_empty_list_still_makes_one_session() -> None:
    data, labels = generate(3, 50, [])
    assert labels == []
    assert len(by_type(events_of(data), "session.filed")) == 1


def test_honest_viewers_share_networks_without_being_labelled() -> None:
    data, _ = generate(5, 1500, [])
    ips = Counter(e["data"]["ip"] for e in by_type(events_of(data), "account.registered"))
    assert max(ips.values()) >= 3


def enterprise_shares(events: list[Event], session: str) -> dict[str, float]:
    kinds = {e["data"]["product"]: e["data"] for e in by_type(events, "product.listed")}
    sales: defaultdict[str, int] = defaultdict(int)
    for order in kept_orders(events, session):
        sales[kinds[order["data"]["product"]]["producer"]] += order["data"]["amount"]
    total = sum(sales.values()) or 1
    enterprises = {d["producer"] for d in kinds.values() if d["producer_kind"] == "enterprise"}
    return {p: sales[p] / total for p in enterprises}


def verified(events: list[Event], session: str) -> tuple[int, int, int]:
    kept = kept_orders(events, session)
    viewers = {e["actor"] for e in by_type(events, "viewer.joined") if e["session"] == session}
    return sum(o["data"]["amount"] for o in kept), len(kept), len(viewers)


def claim_figures(claim: Event) -> tuple[int | None, int | None, int | None]:
    return claim["data"]["gmv"], claim["data"]["orders"], claim["data"]["viewers"]


def orders_of(events: list[Event], accounts: set[str]) -> list[Event]:
    return [e for e in by_type(events, "order.placed") if e["actor"] in accounts]


def check_rule(
    rule: str, events: list[Event], label: dict[str, Any], labels: list[dict[str, Any]]
) -> None:
    """What a careful supervisor with the whole stream would see for each rule.

    The crowd a labelled group is compared with leaves out every labelled account."""
    session = label["session"]
    labelled = {a for x in labels for a in x["accounts"]}
    filed = next(e["data"] for e in by_type(events, "session.filed") if e["session"] == session)
    accounts = set(label["accounts"])
    if rule == "price_gouging":
        (product,) = label["products"]
        high = listing(events, product)["reference_price_high"]
        assert max(p for p, _ in prices(events, product)) > high
    elif rule == "below_cost":
        (product,) = label["products"]
        cost = listing(events, product)["declared_cost"]
        assert any(p < cost and c is None for p, c in prices(events, product))
    elif rule == "conflict_of_interest":
        assert label["accounts"] == [filed["official"]]
        brands = {listing(events, p)["name"].split(" ")[0] for p in label["products"]}
        tied = [p for p in filed["partners"] if p["relationship"]]
        assert any(brand in p["name"] for p in tied for brand in brands)
    elif rule == "company_favouritism":
        producer = listing(events, label["products"][0])["producer"]
        assert enterprise_shares(events, session)[producer] > 0.5
    elif rule == "hype_gap":
        truth = verified(events, session)
        claims = [
            claim_figures(c) for c in by_type(events, "claim.published") if c["session"] == session
        ]
        assert any(
            c is not None and c > v * 1.1 for fig in claims for c, v in zip(fig, truth, strict=True)
        )
    elif rule == "quality_complaints":
        poor = {p for x in labels if x["rule"] == rule for p in x["products"]}
        check_quality(events, label["products"][0], poor)
    elif rule == "forced_purchases":
        orders = orders_of(events, accounts)
        assert {o["data"]["address"]["region"] for o in orders} == {filed["official_region"]}
        bunched = [
            o
            for o in orders
            if any(q <= o["data"]["amount"] < q + o["data"]["unit_price"] for q in QUOTAS)
        ]
        assert len(bunched) >= 0.7 * len(orders)
    elif rule == "fake_orders":
        check_ring(events, label)
    elif rule == "fake_viewers":
        assert not orders_of(events, accounts)
        stays = dwell(events, session)
        honest = [s for a, s in stays.items() if a not in labelled]
        assert statistics.median(stays[a] for a in accounts) < statistics.median(honest)
    elif rule == "paid_comments":
        assert not orders_of(events, accounts)
        chats = [e for e in by_type(events, "chat.message") if e["session"] == session]
        assert accounts <= {e["actor"] for e in chats}
        paid = [e["data"]["text"] for e in chats if e["actor"] in accounts]
        other = [e["data"]["text"] for e in chats if e["actor"] not in labelled]
        praising = sum(any(w in t for w in PRAISE) for t in paid) / len(paid)
        assert praising >= 0.4
        assert praising > 3 * sum(any(w in t for w in PRAISE) for t in other) / max(len(other), 1)


def check_quality(events: list[Event], product: str, poor: set[str]) -> None:
    placed = {e["data"]["order"]: e["data"]["product"] for e in by_type(events, "order.placed")}
    delivered = Counter(placed[e["data"]["order"]] for e in by_type(events, "order.delivered"))
    quality = Counter(
        placed[e["data"]["order"]]
        for e in by_type(events, "complaint.filed")
        if e["data"]["category"] == "quality"
    )
    rate = quality[product] / delivered[product]
    rest = sum(n for p, n in quality.items() if p not in poor) / max(
        sum(n for p, n in delivered.items() if p not in poor), 1
    )
    assert rate >= 0.02
    assert rate > 3 * rest


def check_ring(events: list[Event], label: dict[str, Any]) -> None:
    """Each ring order is undone or never shipped, or an empty parcel to a shared drop."""
    shipped = {e["data"]["order"] for e in by_type(events, "order.shipped")}
    gone = undone(events)
    mine = [e for e in by_type(events, "order.placed") if e["data"]["order"] in label["orders"]]
    users: defaultdict[str, set[str]] = defaultdict(set)
    for order in mine:
        users[order["data"]["address"]["detail_hash"]].add(order["actor"])
    for order in mine:
        oid = order["data"]["order"]
        if oid in gone or oid not in shipped:
            continue
        assert len(users[order["data"]["address"]["detail_hash"]]) >= 2


@pytest.mark.parametrize("camouflage", ["none", "strong"])
@pytest.mark.parametrize("rule", sorted(RULES))
def test_the_labelled_abuse_is_in_the_stream(rule: str, camouflage: str) -> None:
    for seed in (0, 1, 2):
        data, labels = generate(seed, 250, [(rule, camouflage)], honest_sessions=1)
        check_rule(rule, events_of(data), labels[0], labels)


def test_mixed_abuses_each_still_hold() -> None:
    abuses = [(rule, "default") for rule in sorted(RULES)]
    data, labels = generate(9, 300, abuses)
    events = events_of(data)
    for label in labels:
        check_rule(label["rule"], events, label, labels)


def test_a_five_thousand_viewer_session(capsys: pytest.CaptureFixture[str]) -> None:
    started = time.perf_counter()
    data, labels = generate(1, 5000, [("fake_viewers", "default"), ("fake_orders", "strong")])
    took = time.perf_counter() - started
    with capsys.disabled():
        print(f"\n5,000 viewers: {len(data.splitlines())} events in {took:.1f} s")
    _, report = read_lines(data.splitlines(keepends=True))
    assert report.bad_count == 0
    assert [x["rule"] for x in labels] == ["fake_viewers", "fake_orders"]


def test_the_command_writes_the_stream_and_its_labels(tmp_path: Path) -> None:
    out = tmp_path / "s.jsonl"
    code = main(
        [
            str(out),
            "--seed",
            "3",
            "--viewers",
            "80",
            "--abuse",
            "below_cost:strong",
            "--abuse",
            "paid_comments:none",
            "--honest-sessions",
            "1",
        ]
    )
    assert code == 0
    labels = json.loads((tmp_path / "s.labels.json").read_text("utf-8"))
    assert [x["rule"] for x in labels] == ["below_cost", "paid_comments"]
    assert (
        out.read_bytes()
        == generate(
            3, 80, [("below_cost", "strong"), ("paid_comments", "none")], honest_sessions=1
        )[0]
    )


def test_a_rule_named_twice_gives_two_abuses_each_in_the_stream() -> None:
    abuses = [
        ("fake_orders", "none"),
        ("fake_orders", "strong"),
        ("quality_complaints", "none"),
        ("quality_complaints", "strong"),
        ("hype_gap", "strong"),
        ("fake_viewers", "none"),
    ]
    data, labels = generate(12, 400, abuses)
    events = events_of(data)
    assert not set(labels[0]["orders"]) & set(labels[1]["orders"])
    assert labels[2]["products"] != labels[3]["products"]
    for label in labels:
        check_rule(label["rule"], events, label, labels)


@pytest.mark.parametrize(
    "abuses",
    [
        [("fake_likes", "none")],
        [("fake_orders", "extreme")],
        [("company_favouritism", "none"), ("company_favouritism", "strong")],
    ],
)
def test_what_cannot_be_generated_is_refused(abuses: list[tuple[str, str]]) -> None:
    with pytest.raises(ValueError):
        generate(1, 50, abuses)


@pytest.mark.parametrize(
    "rule", ["fake_orders", "fake_viewers", "paid_comments", "forced_purchases"]
)
def test_an_abuse_takes_another_shape_on_another_seed(rule: str) -> None:
    """Timing, size and device reuse are drawn per seed: one burst here, an hour there."""
    spans, devices, sizes = [], [], []
    kind = {"fake_viewers": "viewer.joined", "paid_comments": "chat.message"}.get(
        rule, "order.placed"
    )
    for seed in range(10):
        data, labels = generate(seed, 300, [(rule, "default")])
        events = events_of(data)
        accounts = set(labels[0]["accounts"])
        times = sorted(
            datetime.fromisoformat(e["ts"]).timestamp()
            for e in by_type(events, kind)
            if e["actor"] in accounts
        )
        spans.append((times[-1] - times[0]) / 60)
        used = {
            e["data"]["device"]
            for e in by_type(events, "account.registered")
            if e["actor"] in accounts
        }
        devices.append(len(used) / len(accounts))
        sizes.append(len(accounts))
    assert min(spans) < 5 < 20 < max(spans), spans
    assert len({round(share, 2) for share in devices}) >= 3, devices
    assert len(set(sizes)) >= 5, sizes
