"""paid_comments and quality_complaints on shapes the simulator does not draw (issue 19): praise
of officials other than the county head, scripts paraphrased with fillers, emoji, repeated
characters, reordered clauses and produce talk glued on, crews on devices and addresses of
their own; honest rooms full of short look-alike messages; and a product whose complaints are
spread over several sessions, some of them filed through after-sales. Streams are JSON Lines
events (docs/events.md) written here. (The det-comments branch's detector, which also named
praise of the produce, thin waves and pure lockstep, was not kept: on the independent
generator it fell from F1 0.747 / 0.224 / 0.338 to 0.065 / 0 / 0. Its tests for those went
with it; the issue 19 closing note lists them as the next detector's cases.)"""

from __future__ import annotations

import random

import pytest

from sunlit.integrity.model import Finding
from tests.integrity_streams import Events

SHELF = [
    {"product": "p-pear", "name": "砀山酥梨"},
    {"product": "p-apple", "name": "红富士苹果"},
    {"product": "p-peach", "name": "黄桃罐头"},
]

#: What an ordinary audience types, many people alike: short, generic, often identical.
GENERIC = [
    "好吃",
    "已下单",
    "发什么快递",
    "多少钱一斤",
    "包邮吗",
    "来了来了",
    "支持",
    "已拍",
    "主播发什么快递",
    "砀山酥梨多少钱一斤",
    "已下单，期待一下",
    "去年买过，确实好吃",
    "老家就是砀山的，支持家乡",
    "给爸妈买了两箱",
    "坏果包赔吗",
    "什么时候发货呀",
    "红富士苹果甜不甜",
    "黄桃罐头保质期多久",
]
FILLERS = ["啊", "呀", "哈", "吧", "呢", "啦", "哦", "嘛", "~", "！", "👍", "❤️", "🍐", "…", "!!"]
GLUED = ["酥梨很甜", "已经下单了", "苹果也不错", "买了三箱", "价格实在", "黄桃罐头也好"]


def _room(e: Events, chatters: int, seed: int, minutes: int = 60) -> None:
    """An honest audience: each chatter says one to three generic things, busier when the
    official comes in (minutes 5–15) than later."""
    rng = random.Random(seed)
    for i in range(chatters):
        for _ in range(rng.randint(1, 3)):
            at = rng.uniform(300, 900) if rng.random() < 0.3 else rng.uniform(0, minutes * 60)
            e.add("chat.message", at, {"text": rng.choice(GENERIC)}, actor=f"viewer-{i}")


def _paraphrase(rng: random.Random, script: str) -> str:
    """A lightly disguised copy: clauses reordered, a filler or emoji here and there, a
    character doubled, produce talk glued on."""
    parts = script.split("，")
    if len(parts) > 2 and rng.random() < 0.5:
        i = rng.randrange(len(parts) - 1)
        parts[i], parts[i + 1] = parts[i + 1], parts[i]
    parts = [p + rng.choice(FILLERS) if rng.random() < 0.4 else p for p in parts]
    text = "，".join(parts)
    if rng.random() < 0.3:
        k = rng.randrange(len(text))
        text = text[:k] + text[k] * 2 + text[k:]
    if rng.random() < 0.5:
        text = rng.choice(GLUED) + rng.choice(["，", " ", "！"]) + text
    elif rng.random() < 0.5:
        text = text + "，" + rng.choice(GLUED)
    return text + rng.choice(FILLERS)


def _crew(
    e: Events,
    scripts: list[str],
    *,
    size: int = 12,
    waves: tuple[float, ...] = (12, 25, 38, 50),
    spread_s: float = 240,
    share: float = 0.8,
    seed: int = 5,
) -> set[str]:
    """A paid crew on devices and addresses of their own, each member posting a paraphrase of
    the script in most waves, at a moment of its own inside each wave (``spread_s`` long).
    Returns the members who posted."""
    rng = random.Random(seed)
    crew = [f"crew-{i}" for i in range(size)]
    for i, aid in enumerate(crew):
        e.account(aid, days_old=rng.uniform(200, 1500), ip=f"36.{i * 7 % 250}.{i}.{i + 3}")
    posted = set()
    for w, minute in enumerate(waves):
        script = scripts[w % len(scripts)]
        for aid in crew:
            if rng.random() < share:
                at = minute * 60 + rng.uniform(0, spread_s)
                e.add("chat.message", at, {"text": _paraphrase(rng, script)}, actor=aid)
                posted.add(aid)
    return posted


def _paid(e: Events) -> list[Finding]:
    return e.findings("paid_comments")


def _named(findings: list[Finding]) -> set[str]:
    return {a for f in findings for a in f.accounts}


@pytest.mark.parametrize(
    "title", ["局长", "主任", "镇长", "村支书", "市长", "乡长", "书记", "领导", "干部"]
)
def test_praise_of_any_official_in_waves_is_named_as_praise(title: str) -> None:
    e = Events().session(products=SHELF)
    _room(e, 300, seed=1)
    crew = _crew(e, [f"{title}亲自来直播带货，心里装着老百姓，这样的好{title}太难得了"])
    (finding,) = _paid(e)
    assert set(finding.accounts) == crew
    assert finding.evidence["about_the_official"] == 1.0
    assert "praising the official" in finding.summary
    assert finding.evidence["examples"]  # what a supervisor reads to judge the copies


@pytest.mark.parametrize("waves", [(10, 30, 50), (6, 18, 30, 42), (5, 15, 25, 35, 45)])
def test_a_crew_in_three_to_five_waves_of_several_minutes_is_one_cluster(
    waves: tuple[float, ...],
) -> None:
    e = Events().session(products=SHELF)
    _room(e, 400, seed=3)
    scripts = [
        "感谢书记为我们农民办实事，带着大家脱贫致富，我们永远支持您",
        "书记口才真好，人也接地气，有这样的父母官是我们县的福气",
    ]
    crew = _crew(e, scripts, waves=waves, spread_s=300, seed=len(waves))
    found = _paid(e)
    assert _named(found) == crew
    assert all(f.evidence["about_the_official"] == 1.0 for f in found)


def test_copies_differing_by_fillers_emoji_repeats_order_and_produce_talk_are_one_cluster() -> None:
    e = Events().session(products=SHELF)
    _room(e, 200, seed=4)
    rng = random.Random(9)
    script = "镇长辛苦了，为了乡亲们的酥梨跑前跑后，真是人民的好公仆"
    copies = {_paraphrase(rng, script) for _ in range(40)}
    assert len(copies) > 20  # the copies really differ
    crew = _crew(e, [script], size=10, waves=(15, 40), spread_s=120, seed=9)
    (finding,) = _paid(e)
    assert set(finding.accounts) == crew
    assert finding.evidence["comments"] >= 12


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_honest_rooms_full_of_generic_look_alike_messages_are_not_paid(seed: int) -> None:
    e = Events().session(products=SHELF)
    _room(e, 600, seed=seed)
    rng = random.Random(seed)
    # Right after each product is pinned, many viewers ask the same things at once.
    for k, minute in enumerate((10, 25, 40)):
        for i in range(25):
            text = rng.choice(["发什么快递", "多少钱一斤", "主播发什么快递", "已下单"])
            at = minute * 60 + rng.uniform(0, 90)
            e.add("chat.message", at, {"text": text}, actor=f"asker-{k}-{i}")
    # Fans thank officials of every title, each on their own, over the hour.
    titles = ["县长", "书记", "局长", "镇长", "村支书", "主任"]
    for i in range(40):
        text = f"{rng.choice(titles)}辛苦了，谢谢为我们农民办实事"
        e.add("chat.message", rng.uniform(0, 3600), {"text": text}, actor=f"fan-{i}")
    assert _paid(e) == []


def test_a_room_answering_the_host_at_once_in_its_own_words_is_not_a_crew() -> None:
    """The host asks how last year's pears were; thirty viewers answer within two minutes,
    each in their own words. Their answers look alike two by two and chain into one linked
    group, but share no script."""
    e = Events().session(products=SHELF)
    _room(e, 300, seed=9)
    rng = random.Random(9)
    openings = ["总体感觉", "整体来说", "说实话", "总的来讲", "我觉得"]
    verdicts = ["还可以", "很不错", "一般般", "挺好的", "不太行", "超出预期"]
    endings = ["值得推荐", "推荐购买", "会回购的", "不推荐", "值得一试", "性价比高"]
    for i in range(30):
        text = f"{rng.choice(openings)}{rng.choice(verdicts)}，{rng.choice(endings)}"
        e.add("chat.message", 1500 + rng.uniform(0, 120), {"text": text}, actor=f"answer-{i}")
    assert _paid(e) == []


def _evening_of_sessions(
    bad_per_session: list[int], *, orders: int = 60, renamed: bool = False
) -> Events:
    """Sessions s-1, s-2 … each selling the same pears (p-pear, or under a new id per session
    when ``renamed``: the same product of the same producer listed again) and four other
    products, ``orders`` paid orders each; the pears draw ``bad_per_session[k]`` quality
    complaints in session k, the other products one complaint in all."""
    e = Events()
    others = [{"product": f"p-other-{k}", "name": f"其他{k}号"} for k in range(4)]
    for k, bad in enumerate(bad_per_session):
        sid = f"s-{k + 1}"
        pear = f"p-pear-{k}" if renamed else "p-pear"
        shelf = [{"product": pear, "name": "砀山酥梨"}, *others]
        e.session(products=shelf, sid=sid)
        for j, product in enumerate([pear] + [o["product"] for o in others]):
            for i in range(orders):
                quality = (j == 0 and i < bad) or (k == 0 and j == 1 and i == 0)
                e.order(
                    f"o-{k}-{j}-{i}",
                    f"b-{k}-{j}-{i}",
                    product,
                    600 + i * 20,
                    sid=sid,
                    complaint="quality" if quality else None,
                )
    return e


def _bad_products(e: Events) -> set[str]:
    return {p for f in e.findings("quality_complaints") for p in f.products}


def test_complaints_below_the_threshold_in_each_session_are_found_pooled() -> None:
    # Two complaints in each of three sessions: no session alone has enough.
    for k in range(3):
        single = _evening_of_sessions([0] * k + [2])
        assert _bad_products(single) == set()
    e = _evening_of_sessions([2, 2, 2])
    (finding,) = [f for f in e.findings("quality_complaints") if f.products == ["p-pear"]][:1]
    assert finding.evidence["quality_complaints"] == 6
    assert finding.evidence["orders"] == 180


def test_the_same_product_listed_again_under_a_new_id_is_pooled() -> None:
    e = _evening_of_sessions([2, 2, 2], renamed=True)
    assert _bad_products(e) == {"p-pear-0", "p-pear-1", "p-pear-2"}
    finding = next(f for f in e.findings("quality_complaints") if f.products == ["p-pear-2"])
    assert finding.evidence["quality_complaints"] == 6


def test_a_complaint_filed_through_after_sales_counts_once_per_order() -> None:
    """After-sales writes complaint.filed for a quality request (fulfilment/aftersales): it
    counts like any complaint; a buyer who complains twice about one order is one order with
    a quality problem."""
    e = _evening_of_sessions([1, 1, 0])
    assert _bad_products(e) == set()
    for k, i in [(2, 5), (2, 6), (2, 7), (1, 8)]:
        for _ in range(3):  # the request, and the buyer complaining again
            e.add(
                "complaint.filed",
                86400 * 5,
                {"order": f"o-{k}-0-{i}", "category": "quality", "text": "收到烂了一半"},
                actor=f"b-{k}-0-{i}",
                session=f"s-{k + 1}",
            )
    (finding, *_) = [f for f in e.findings("quality_complaints") if f.products == ["p-pear"]]
    assert finding.evidence["quality_complaints"] == 6


def test_a_crew_urging_the_room_to_buy_in_one_minute_is_named_without_praise() -> None:
    """No praise of anyone: sixty accounts post paraphrases of one sales pitch within a minute,
    in a room that says about three things a minute. Copies in lockstep far beyond the room's
    rhythm are a crew by themselves (the path that needs no praise)."""
    e = Events().session(products=SHELF)
    _room(e, 100, seed=9)
    crew = _crew(
        e,
        ["这家的酥梨真的很甜，价格也实在，大家赶紧下单，错过今天就没有这个价了"],
        size=60,
        waves=(40,),
        spread_s=50,
        share=1.0,
    )
    (finding,) = _paid(e)
    assert set(finding.accounts) == crew
    assert finding.evidence["about_the_official"] == 0.0
    assert "praising the official" not in finding.summary


def _greetings(e: Events, speaker: str, *, waves: int, each: int, tag: str, seed: int) -> set[str]:
    """Each time the official speaks, ``each`` viewers greet them in the room's stock five
    characters (主任辛苦了, with or without a ！) within a minute; with ``tag`` "viewer" they
    are fresh viewers each time, otherwise the same crew every time."""
    rng = random.Random(seed)
    who = set()
    for w in range(waves):
        for k in range(each):
            aid = f"{tag}-{w * each + k}" if tag == "greeter" else f"{tag}-{k}"
            text = speaker + "辛苦了" + rng.choice(["", "！", "!"])
            e.add("chat.message", (8 + 10 * w) * 60 + rng.uniform(0, 60), {"text": text}, actor=aid)
            who.add(aid)
    return who


def test_a_room_greeting_the_official_in_five_characters_whenever_they_speak_is_not_paid() -> None:
    """A big room (as at 20,000 viewers of the independent generator): eighty viewers, new ones
    each time, type 主任辛苦了 in five bursts as the official speaks. Nobody comes back to say it
    again, and five characters are what anyone types: no crew."""
    e = Events().session(products=SHELF)
    _room(e, 600, seed=11)
    _greetings(e, "主任", waves=5, each=17, tag="greeter", seed=12)
    assert not _paid(e)


def test_a_crew_greeting_the_official_in_five_characters_wave_after_wave_is_named() -> None:
    """The same five characters from the same fifteen accounts in every burst: they come back,
    and that is a crew's, not a room's."""
    e = Events().session(products=SHELF)
    _room(e, 600, seed=11)
    crew = _greetings(e, "主任", waves=5, each=15, tag="crew", seed=12)
    assert _named(_paid(e)) >= crew


def test_a_crew_the_waves_named_is_not_named_again_by_its_copies() -> None:
    """Eight accounts, about half of them in each of two thin waves, copying one line of
    praise: the waves name them; the copies' cluster, all of whose accounts the waves named,
    adds no second finding for the same crew."""
    e = Events().session(products=SHELF)
    _room(e, 300, seed=1)
    crew = _crew(
        e,
        ["感谢书记为我们农民办实事，书记辛苦了，大家多支持家乡的酥梨"],
        size=8,
        waves=(15, 40),
        spread_s=300,
        share=0.5,
        seed=1,
    )
    (finding,) = _paid(e)
    assert set(finding.accounts) <= crew
    assert len(finding.accounts) >= 5
