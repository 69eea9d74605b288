"""The plan as its official reads it (issue 18), over real HTTP: rule sources a citizen can look
up, a history in sentences, who filed the plan, a confirmation before an approved plan goes back
to draft, rule findings that survive a failed save, and how to set up the stream."""

from __future__ import annotations

import re

from tests.support import LiveServer, csrf_of, sign_in
from tests.test_filing_pages import form
from tests.test_stream_gate import approved_plan
from tests.test_web import PASSWORD, client


def test_rule_sources_cite_laws_and_published_pieces(server: LiveServer) -> None:
    with client(server, "zh") as c:
        page = c.get("/rules").text
        assert "seed" not in page.lower() and "种子" not in page
        assert "<cite>" in page
        # Until the lead merges zh-strings.json the law's name may still be English here; the
        # article is always in Chinese numerals, as a citizen looks it up.
        assert re.search(r"第十四条|article 十四", page)
        assert "官员直播带货要防“作秀”" in page  # a published piece by its title
    with client(server, "en") as c:
        page = c.get("/rules").text
        assert "seed" not in page.lower()
        assert "Price Law of the People&#39;s Republic of China, article 14, item 2" in page
        assert "Civil Servant Law of the People&#39;s Republic of China, article 59" in page
        assert "Legal Daily, 2020" in page
        assert "Journal of Guizhou Normal University (Social Sciences), 2024, no. 4" in page
        assert "tchdvideo.com, 11 October 2021" in page


def test_the_plan_page_names_its_filer_and_tells_its_history_in_sentences(
    served: LiveServer,
) -> None:
    plan, _ = approved_plan(served)
    with client(served, "en") as official:
        sign_in(official, "official.dangshan", PASSWORD)
        page = official.get(f"/plans/{plan}").text
        me = official.get("/api/v1/me").json()
        assert "Filed by" in page and me["display_name"] in page and "砀山县人民政府" in page
        for event in ("plan.drafted", "session.filed", "plan.checked", "plan.approved"):
            assert event not in page
        history = page.split('id="h-history"')[1]
        assert f"{me['display_name']} drafted the plan." in history
        assert f"{me['display_name']} filed the plan (报备)." in history
        assert "The boundary rules found nothing that blocks the plan" in history
        assert "approved the plan. Reason: 报备齐全" in history
        # issue 21: the official asked the pears' cooperative, which agreed
        assert "asked a producer to agree to be on the plan." in history
        assert "agreed, for their produce, to be on the plan." in history
        assert len(re.findall(r"<time ", history)) == 6


def test_changing_an_approved_plan_needs_a_confirmation_the_server_enforces(
    served: LiveServer,
) -> None:
    plan, _ = approved_plan(served)
    with client(served, "en") as official:
        sign_in(official, "official.dangshan", PASSWORD)
        editor = official.get(f"/plans/{plan}/edit").text
        assert "This plan is approved. Saving a change sends it back to draft" in editor
        assert 'name="reopen"' in editor
        pears = re.findall(r'name="products" value="([^"]+)" checked', editor)
        fields = {"csrf_token": csrf_of(editor), **form(pears, title="砀山酥梨助农直播（改）")}
        refused = official.post(f"/plans/{plan}", data=fields)
        assert refused.status_code == 409
        assert "Not saved: this plan is approved or waiting for a supervisor." in refused.text
        assert "Confirm that the plan goes back to draft." in refused.text
        assert "Approved" in official.get(f"/plans/{plan}").text  # nothing changed
        saved = official.post(f"/plans/{plan}", data={**fields, "reopen": "yes"})
        assert saved.status_code == 303
        page = official.get(f"/plans/{plan}").text
        assert "砀山酥梨助农直播（改）" in page and "?key=" not in page
        assert "changed the approved plan: it went back to draft" in page
    with client(served) as anyone:  # the API asks for the same confirmation
        sign_in(anyone, "official.dangshan", PASSWORD)
        assert anyone.get(f"/api/v1/plans/{plan}").json()["status"] == "draft"


def test_a_failed_save_keeps_the_rule_findings_of_what_was_typed(served: LiveServer) -> None:
    with client(served, "en") as official:
        sign_in(official, "official.dangshan", PASSWORD)
        editor = official.get("/plans/new").text
        pears = re.search(r'name="products" value="([^"]+)"', editor)
        assert pears is not None
        fields = form(
            [pears.group(1)],
            title="",  # the save fails on the title
            partner_name_0="某电商公司",
            partner_kind_0="enterprise",
            partner_relationship_0="配偶持股",
        )
        failed = official.post("/plans", data={"csrf_token": csrf_of(editor), **fields})
        assert failed.status_code == 422
        panel = failed.text.split('id="findings"')[1]
        assert "This plan cannot be approved as it is:" in panel
        assert "某电商公司 has a declared relationship to you: 配偶持股." in panel
        assert "Change any field to check the plan" not in panel


def test_an_approved_plan_tells_its_official_how_to_stream(served: LiveServer) -> None:
    plan, key = approved_plan(served)
    server = "rtmp://127.0.0.1:1935/live"  # SUNLIT_STREAM_RTMP_URL's default
    with client(served, "en") as official, client(served, "en") as supervisor:
        sign_in(official, "official.dangshan", PASSWORD)
        page = official.get(f"/plans/{plan}").text
        assert f'id="s-server" class="copyable" readonly value="{server}"' in page
        assert key not in page and "Show the stream key" in page  # hidden until asked
        for step in ("Settings → Stream", "Custom…", "Stream Key", "720×1280", "Kbps"):
            assert step in page
        assert "Larix Broadcaster is one example, not a recommendation" in page
        shown = official.get(f"/plans/{plan}", params={"show": "key"}).text
        assert re.search(rf'id="s-key" class="copyable" readonly[^>]*>{re.escape(key)}<', shown)
        assert f">{server}/{key}</textarea>" in shown  # one URL, for apps that ask for one
        control = official.get(f"/live/{plan}/control").text
        assert f'href="/plans/{plan}#stream"' in control
        sign_in(supervisor, "supervisor1", PASSWORD)
        theirs = supervisor.get(f"/plans/{plan}", params={"show": "key"}).text
        assert key not in theirs and 'id="stream"' not in theirs
    with client(served, "zh") as official:
        sign_in(official, "official.dangshan", PASSWORD)
        assert server in official.get(f"/plans/{plan}").text
