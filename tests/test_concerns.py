"""Concerns (关切) over real HTTP (issue 16, items 2 and 3): a consumer raises a quota concern
on an approved session; the public sees it in summary, never its author or text; the host
official's office answers with a correction; a supervisor accepts; the consumer rates; the
region's counters move. And the refusals: each clear, each changing nothing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from sunlit.core.calendar.model import DayKind
from sunlit.core.calendar.services import do_load_calendar
from sunlit.core.db import Database
from tests.support import LiveServer, csrf_of, run_async, sign_in
from tests.test_catalog_api import api_as
from tests.test_disclosure import PHONE, fields_of, filed_plan
from tests.test_quality import png
from tests.test_web import PASSWORD, client, events_of

QUOTA = "单位要求每名职工至少购买50元砀山酥梨，并在群里晒单截图。"
DANGSHAN = "341321"


@contextmanager
def web_as(server: LiveServer, username: str, language: str = "zh") -> Iterator[httpx.Client]:
    with client(server, language) as c:
        assert sign_in(c, username, PASSWORD).status_code == 303
        yield c


def raise_on(c: httpx.Client, plan: str, **fields: Any) -> httpx.Response:
    token = csrf_of(c.get(f"/sessions/{plan}/concerns/new").text)
    body = {"csrf_token": token, "category": "forced_purchase", "text": QUOTA, **fields}
    return c.post(f"/sessions/{plan}/concerns", data=body)


def act(c: httpx.Client, concern: str, action: str, **fields: str) -> httpx.Response:
    token = csrf_of(c.get(f"/concerns/{concern}").text)
    return c.post(f"/concerns/{concern}/{action}", data={"csrf_token": token, **fields})


def concern_of(answer: httpx.Response) -> str:
    assert answer.status_code == 303, answer.text[:500]
    location = answer.headers["location"]
    assert location.startswith("/concerns/k-"), location
    return location.split("/")[2].split("?")[0]


def me(server: LiveServer, username: str) -> str:
    with api_as(server, username) as api:
        return str(api.get("/api/v1/me").json()["display_name"])


def concern_events(server: LiveServer) -> list[Any]:
    return [e for e in events_of(server) if e.type.startswith("concern.")]


def test_the_whole_loop_raised_answered_accepted_rated_and_counted(served: LiveServer) -> None:
    plan = filed_plan(served, approve=True)
    with client(served, "zh") as public:
        before = public.get("/api/v1/concern-counters").json()
        assert DANGSHAN not in before
        assert f"/sessions/{plan}/concerns/new" in public.get(f"/sessions/{plan}").text
    with web_as(served, "buyer1") as buyer:
        concern = concern_of(raise_on(buyer, plan))
        mine = buyer.get(f"/concerns/{concern}").text
        assert QUOTA in mine  # the author reads their own text
    with client(served, "en") as public:
        page = public.get(f"/concerns/{concern}").text
        assert "Forced purchase or quota" in page and "Waiting for an answer" in page
        assert QUOTA not in page and "buyer1" not in page
        body = public.get(f"/api/v1/concerns/{concern}").json()
        assert body["private"] is None and body["public"]["status"] == "waiting"
        assert QUOTA not in str(body) and "buyer1" not in str(body)
        session_page = public.get(f"/sessions/{plan}").text
        assert f"/concerns/{concern}" in session_page and QUOTA not in session_page
        assert f"/sessions/{plan}/concerns/new" in session_page
    # the host official's office answers with a correction (整改)
    with web_as(served, "official.dangshan") as official:
        assert f"/concerns/{concern}" in official.get("/concerns/mine").text
        seen = official.get(f"/concerns/{concern}").text
        assert QUOTA in seen and me(served, "buyer1") in seen  # the named party reads it all
        done = act(
            official,
            concern,
            "answer",
            kind="correction",
            text="已责令相关单位停止摊派，退还职工已购款项，并在全县通报。",
        )
        assert done.status_code == 303, done.text[:500]
    with web_as(served, "supervisor1") as supervisor:
        queue = supervisor.get("/supervisor/concerns").text
        assert f"/concerns/{concern}" in queue
        assert (
            act(supervisor, concern, "decision", step="accept", note="整改到位").status_code == 303
        )
    with web_as(served, "buyer1", "en") as buyer:
        assert act(buyer, concern, "rating", stars="4").status_code == 303
        again = act(buyer, concern, "rating", stars="5")
        assert again.status_code == 409 and "already rated" in again.text
    with client(served, "zh") as public:
        body = public.get(f"/api/v1/concerns/{concern}").json()["public"]
        assert body["status"] == "accepted" and body["rating"] == 4
        [answer] = body["answers"]
        assert answer["kind"] == "correction" and answer["in_time"] is True
        assert answer["outcome"] == "accepted" and "停止摊派" in answer["text"]
        counters = public.get("/api/v1/concern-counters").json()
        assert counters[DANGSHAN] == {
            "raised": 1,
            "answered_in_time": 1,
            "upheld": 1,
            "corrections": 1,
        }
        assert "已责令" in public.get(f"/concerns/{concern}").text  # the answer is public
        index = public.get("/concerns").text
        assert "砀山" in index
    kinds = [e.type for e in concern_events(served)]
    assert kinds == ["concern.raised", "concern.answered", "concern.accepted", "concern.rated"]
    raised = concern_events(served)[0]
    assert raised.session == plan and raised.data["category"] == "forced_purchase"
    assert raised.data["region"] == DANGSHAN and raised.data["party"] == "office"
    assert all(QUOTA not in str(e.data) for e in concern_events(served))


def test_an_anonymous_concern_never_shows_its_author(served: LiveServer) -> None:
    plan = filed_plan(served, approve=True)
    with web_as(served, "buyer2") as buyer:
        concern = concern_of(raise_on(buyer, plan, anonymous="yes", category="price"))
        assert buyer.get(f"/api/v1/concerns/{concern}", headers={}).status_code == 200
    with client(served, "zh") as public:
        page = public.get(f"/concerns/{concern}").text + public.get(f"/sessions/{plan}").text
        body = str(public.get(f"/api/v1/concerns/{concern}").json())
        listed = str(public.get("/api/v1/concerns", params={"session": plan}).json())
    for shown in (page, body, listed):
        assert "buyer2" not in shown and QUOTA not in shown
    [raised] = concern_events(served)
    assert raised.actor is None and raised.data["anonymous"] is True
    assert "text" not in raised.data
    with web_as(served, "official.dangshan") as official:
        seen = official.get(f"/concerns/{concern}").text
        assert QUOTA in seen and me(served, "buyer2") not in seen  # not even to the party
    # the supervisor publishes a redacted summary: now the public reads that, not the text
    with api_as(served, "supervisor1") as supervisor:
        published = supervisor.post(
            f"/api/v1/concerns/{concern}/summary", json={"summary": "反映直播商品价格高于市场价。"}
        )
        assert published.status_code == 200, published.text
    with client(served, "en") as public:
        assert "反映直播商品价格高于市场价" in public.get(f"/concerns/{concern}").text
    assert concern_events(served)[-1].type == "concern.published"


def test_the_public_without_an_account_is_rate_limited(served: LiveServer) -> None:
    plan = filed_plan(served, approve=True)
    limit = served.settings.concerns_per_address_per_day
    body = {"subject": "session", "ref": plan, "category": "quality", "text": QUOTA}
    with client(served, "en") as public:
        for _ in range(limit):
            made = public.post("/api/v1/concerns", json=body)
            assert made.status_code == 201, made.text
            assert made.json()["private"] is None  # anonymous: nobody may read it back
        refused = public.post("/api/v1/concerns", json=body)
        assert refused.status_code == 429
        assert "Too many concerns from your address" in refused.text
        page = raise_on(public, plan)
        assert page.status_code == 429 and "Too many concerns" in page.text
        product = public.post("/api/v1/concerns", json={**body, "subject": "product"})
        assert product.status_code == 403  # a product or an order needs an account
    raised = concern_events(served)
    assert len(raised) == limit and all(e.actor is None for e in raised)


def test_bad_input_is_refused_clearly_and_changes_nothing(served: LiveServer) -> None:
    plan = filed_plan(served, approve=True)
    unknown = "s-" + "0" * 25
    with web_as(served, "buyer1", "en") as buyer:
        missing = buyer.get(f"/sessions/{unknown}/concerns/new")
        assert missing.status_code == 404 and "No such session" in missing.text
        token = csrf_of(buyer.get(f"/sessions/{plan}/concerns/new").text)
        posted = buyer.post(
            f"/sessions/{unknown}/concerns",
            data={"csrf_token": token, "category": "quality", "text": QUOTA},
        )
        assert posted.status_code == 404 and "No such session" in posted.text
        bad = raise_on(buyer, plan, category="bribery")
        assert bad.status_code == 422 and "Choose from the list" in bad.text
        empty = raise_on(buyer, plan, text="   ")
        assert empty.status_code == 422 and "at least 10 characters" in empty.text
        assert QUOTA in raise_on(buyer, plan, text=QUOTA + "x" * 3000).text  # kept in the form
    with api_as(served, "buyer1") as api:
        answer = api.post(
            "/api/v1/concerns",
            json={"subject": "session", "ref": unknown, "category": "quality", "text": QUOTA},
        )
        assert answer.status_code == 404
    assert concern_events(served) == []
    with client(served, "en") as public:
        assert public.get("/api/v1/concerns").json() == []


def test_only_the_named_party_answers_and_only_the_author_rates(served: LiveServer) -> None:
    plan = filed_plan(served, approve=True)
    with web_as(served, "buyer1", "en") as buyer:
        concern = concern_of(raise_on(buyer, plan, category="quality"))
        early = act(buyer, concern, "rating", stars="3")
        assert early.status_code == 409 and "no answer to rate yet" in early.text
    text = "已安排第三方复检，并对问题批次全部退款。"
    with web_as(served, "official.chenggu", "en") as other:
        refused = act(other, concern, "answer", kind="explanation", text=text)
        assert refused.status_code == 403 and "Only the named party" in refused.text
        assert QUOTA not in refused.text  # nor may they read it
    with api_as(served, "farmer.dangshan") as farmer:
        refused = farmer.post(
            f"/api/v1/concerns/{concern}/answer", json={"kind": "explanation", "text": text}
        )
        assert refused.status_code == 403
    with api_as(served, "official.dangshan") as official:
        answered = official.post(
            f"/api/v1/concerns/{concern}/answer", json={"kind": "explanation", "text": text}
        )
        assert answered.status_code == 200, answered.text
        assert answered.json()["private"]["text"] == QUOTA
    with web_as(served, "buyer2", "en") as stranger:
        refused = act(stranger, concern, "rating", stars="4")
        assert refused.status_code == 403 and "Only the person who raised" in refused.text
    with api_as(served, "buyer1") as buyer:
        for stars in (0, 6):
            out = buyer.post(f"/api/v1/concerns/{concern}/rating", json={"stars": stars})
            assert out.status_code == 422, out.text
        assert (
            buyer.post(f"/api/v1/concerns/{concern}/rating", json={"stars": 2}).status_code == 200
        )
        twice = buyer.post(f"/api/v1/concerns/{concern}/rating", json={"stars": 5})
        assert twice.status_code == 409
    rated = [e for e in concern_events(served) if e.type == "concern.rated"]
    assert [e.data["stars"] for e in rated] == [2]


def test_overdue_is_flagged_asked_again_and_escalated_to_a_case(served: LiveServer) -> None:
    plan = filed_plan(served, approve=True)
    with web_as(served, "buyer1") as buyer:
        first = concern_of(raise_on(buyer, plan))
        second = concern_of(raise_on(buyer, plan, category="quality"))
    with client(served, "en") as public:
        assert public.get(f"/api/v1/concerns/{first}").json()["public"]["overdue"] is False
    served.clock.advance(timedelta(days=10))  # past five working days
    with api_as(served, "supervisor1") as supervisor:
        queue = supervisor.get("/api/v1/concern-queue").json()
        assert {c["id"] for c in queue} == {first, second} and all(c["overdue"] for c in queue)
    with api_as(served, "official.dangshan") as official:
        late = official.post(
            f"/api/v1/concerns/{first}/answer",
            json={"kind": "explanation", "text": "经核查，系个别单位自发组织，已提醒纠正。"},
        )
        assert late.json()["public"]["answers"][0]["in_time"] is False
    with client(served, "en") as public:
        page = public.get(f"/sessions/{plan}").text
        assert "Overdue" in page  # the second one, still waiting
    with api_as(served, "supervisor1") as supervisor:
        queue = supervisor.get("/api/v1/concern-queue").json()
        assert [c["id"] for c in queue] == [second, first]  # overdue first
        again = supervisor.post(
            f"/api/v1/concerns/{first}/decision", json={"step": "reopen", "note": "请说明退款情况"}
        )
        assert again.status_code == 200
        reopened = again.json()["public"]
        assert reopened["status"] == "waiting" and reopened["round"] == 2
        assert reopened["overdue"] is False
        escalated = supervisor.post(
            f"/api/v1/concerns/{second}/decision", json={"step": "escalate"}
        ).json()["public"]
        assert escalated["status"] == "escalated" and escalated["case"].startswith("c-")
        case = supervisor.get(f"/api/v1/cases/{escalated['case']}").json()
        assert case["rule"] == "quality_complaints" and case["source"] == "concern"
    kinds = [e.type for e in concern_events(served)]
    assert kinds.count("concern.reopened") == 1 and kinds.count("concern.escalated") == 1
    opened = [e for e in events_of(served) if e.type == "case.opened"]
    assert opened[-1].data["source"] == "concern" and opened[-1].actor is not None


def test_a_product_concern_names_the_producer_and_photos_stay_private(served: LiveServer) -> None:
    with api_as(served, "buyer1") as api:
        pears = api.get("/api/v1/products", params={"q": "砀山"}).json()[0]["id"]
    with web_as(served, "buyer1", "en") as buyer:
        token = csrf_of(buyer.get(f"/products/{pears}/concerns/new").text)
        made = buyer.post(
            f"/products/{pears}/concerns",
            data={"csrf_token": token, "category": "quality", "text": "收到的梨一半以上已经腐烂。"},
            files={"photos": ("rotten.png", png(), "image/png")},
        )
        concern = concern_of(made)
        assert "/files/" in buyer.get(f"/concerns/{concern}").text
    with client(served, "en") as public:
        assert "/files/" not in public.get(f"/concerns/{concern}").text
    with web_as(served, "farmer.dangshan", "en") as farmer:
        assert f"/concerns/{concern}" in farmer.get("/concerns/mine").text
        assert (
            act(
                farmer, concern, "answer", kind="correction", text="已为该订单补发新果并全额退款。"
            ).status_code
            == 303
        )
    [raised] = [e for e in concern_events(served) if e.type == "concern.raised"]
    assert raised.data["party"] == "producer" and raised.data["product"] == pears
    assert raised.data["photos"] == 1


def test_the_pages_render_in_both_languages(served: LiveServer) -> None:
    plan = filed_plan(served, approve=True)
    with web_as(served, "buyer1") as buyer:
        concern = concern_of(raise_on(buyer, plan))
    for language in ("zh", "en"):
        with web_as(served, "supervisor1", language) as supervisor:
            for path in (
                "/concerns",
                f"/concerns/{concern}",
                f"/sessions/{plan}",
                f"/sessions/{plan}/concerns/new",
                "/concerns/mine",
                "/supervisor/concerns",
            ):
                page = supervisor.get(path)
                assert page.status_code == 200, (language, path)
        with web_as(served, "buyer3", language) as consumer:
            nav = consumer.get("/").text
            assert "/concerns/mine" in nav
            refused = consumer.get("/reports/new")
            assert refused.status_code == 403 and 'href="/concerns/mine"' in refused.text


def test_the_deadline_counts_working_days_of_the_loaded_calendar(served: LiveServer) -> None:
    plan = filed_plan(served, approve=True)  # the clock: Monday 2 March 2026, 20:00 in Shanghai
    with web_as(served, "buyer1") as buyer:
        weekends_only = concern_of(raise_on(buyer, plan))

    async def load() -> None:
        database = Database(served.settings)
        async with database.transaction() as db:
            days = {date(2026, 3, 4): DayKind.HOLIDAY}  # a made-up Wednesday off
            await do_load_calendar(db, days, actor=None, now=served.clock.now())
        await database.dispose()

    run_async(load())
    with web_as(served, "buyer1") as buyer:
        with_holiday = concern_of(raise_on(buyer, plan))
    with client(served, "en") as public:
        first = public.get(f"/api/v1/concerns/{weekends_only}").json()["public"]["deadline"]
        second = public.get(f"/api/v1/concerns/{with_holiday}").json()["public"]["deadline"]
    # Tue 3 … Mon 9 is five working days; a Wednesday off moves it to Tuesday 10 (local ends)
    assert datetime.fromisoformat(first) == datetime(2026, 3, 9, 16, 0, tzinfo=UTC)
    assert datetime.fromisoformat(second) == datetime(2026, 3, 10, 16, 0, tzinfo=UTC)
    assert [e.data["year"] for e in events_of(served) if e.type == "calendar.loaded"] == [2026]


#: Every field a visitor's JSON of a concern may carry (lists by their items' fields).
PUBLIC_CONCERN_FIELDS = {
    "public", "private", "is_author", "is_party",
    "public.id", "public.subject", "public.session", "public.product", "public.category",
    "public.raised_at", "public.status", "public.deadline", "public.overdue", "public.party",
    "public.round", "public.summary", "public.answers", "public.rating", "public.case",
    "public.answers.round", "public.answers.kind", "public.answers.text",
    "public.answers.answered_at", "public.answers.in_time", "public.answers.outcome",
    "public.answers.note",
}  # fmt: skip


def test_a_visitor_gets_no_field_beyond_the_allowlist(served: LiveServer) -> None:
    plan = filed_plan(served, approve=True)
    with web_as(served, "buyer1") as buyer:
        concern = concern_of(raise_on(buyer, plan))
    with api_as(served, "official.dangshan") as official:
        official.post(
            f"/api/v1/concerns/{concern}/answer",
            json={"kind": "correction", "text": "已责令停止摊派，退还已购款项。"},
        )
    with client(served, "en") as public:
        body = public.get(f"/api/v1/concerns/{concern}").json()
        listed = public.get("/api/v1/concerns", params={"session": plan}).json()
    assert fields_of(body) <= PUBLIC_CONCERN_FIELDS, sorted(fields_of(body) - PUBLIC_CONCERN_FIELDS)
    assert body["private"] is None and body["is_author"] is False
    listed_fields = {f"public.{f}" for f in fields_of(listed[0])}
    assert listed_fields <= PUBLIC_CONCERN_FIELDS
    assert not PHONE.search(str(body)) and QUOTA not in str(body) + str(listed)
