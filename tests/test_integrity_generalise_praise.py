"""paid_comments on shapes the simulator does not draw (issue 19), second round: crews praising
the produce rather than the official; officials of other titles praised in a single wave; thin
waves of three to five accounts, many of them; a crew posting in lockstep without a word of
praise; and two honest rooms the old detector got wrong — a room answering the host's question
all at once, and one enthusiast praising the official thirty times. Each test fails if the
detector is narrowed: praise vocabulary cut to 县长, or the lockstep path (accounts back in
several waves, no praise needed) removed."""

from __future__ import annotations

import random

import pytest

from sunlit.integrity.model import Finding
from tests.integrity_streams import Events

SHELF = [
    {"product": "p-pear", "name": "砀山酥梨"},
    {"product": "p-honey", "name": "土蜂蜜"},
]

#: What an ordinary audience types over an evening.
ROOM = [
    "多少钱一斤",
    "包邮吗",
    "发什么快递",
    "已下单",
    "来了来了",
    "坏果包赔吗",
    "什么时候发货",
    "能放几天",
    "老家就是砀山的",
    "去年买过，确实好吃",
    "给爸妈买了两箱",
    "土蜂蜜是纯的吗",
    "有没有小一点的规格",
    "孩子爱吃梨",
    "画面有点卡",
    "晚上好",
    "主播好",
    "第一次看政府直播",
    "运费怎么算",
    "新疆能发吗",
]
FILLERS = ["", "", "啊", "呀", "！", "~", "👍", "！！", "😍😍", "哈"]


def _room(e: Events, chatters: int, seed: int, minutes: int = 60) -> None:
    """An honest audience, busier for the first quarter of an hour."""
    rng = random.Random(seed)
    for i in range(chatters):
        for _ in range(rng.randint(1, 3)):
            at = rng.uniform(0, 900) if rng.random() < 0.3 else rng.uniform(0, minutes * 60)
            e.add("chat.message", at, {"text": rng.choice(ROOM)}, actor=f"viewer-{i}")


def _reword(rng: random.Random, phrases: list[str], glue: list[str]) -> str:
    """A crew member's comment: one or two of the handed-out phrases, in either order, a filler,
    sometimes a line of its own glued on."""
    picked = rng.sample(phrases, 2) if rng.random() < 0.4 else [rng.choice(phrases)]
    text = "，".join(picked) + rng.choice(FILLERS)
    if glue and rng.random() < 0.3:
        text = rng.choice(glue) + "！" + text
    return text


def _crew(
    e: Events,
    phrases: list[str],
    *,
    size: int,
    waves: list[float],
    per_wave: tuple[int, int],
    spread_s: float,
    seed: int,
    glue: list[str] | None = None,
) -> set[str]:
    """Crew members on devices and addresses of their own, ``per_wave`` of them (a range) posting
    in each wave, each at a moment of its own within ``spread_s``. Returns who posted."""
    rng = random.Random(seed)
    crew = [f"crew-{i}" for i in range(size)]
    for i, aid in enumerate(crew):
        e.account(aid, days_old=rng.uniform(100, 2000), ip=f"58.{i}.{i * 3 % 250}.{i + 9}")
    posted = set()
    for minute in waves:
        for aid in rng.sample(crew, rng.randint(*per_wave)):
            at = minute * 60 + rng.uniform(0, spread_s)
            e.add("chat.message", at, {"text": _reword(rng, phrases, glue or [])}, actor=aid)
            posted.add(aid)
    return posted


def _paid(e: Events) -> list[Finding]:
    return e.findings("paid_comments")


def _named(findings: list[Finding]) -> set[str]:
    return {a for f in findings for a in f.accounts}


PRODUCE_PRAISE = [
    "这酥梨绝了",
    "酥梨甜到心里",
    "吃过最好的酥梨",
    "酥梨品质一流",
    "家乡的酥梨就是棒",
    "酥梨汁水太足了",
]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_praise_of_the_produce_in_waves_by_non_buyers_is_named(seed: int) -> None:
    """No official is mentioned: the crew talks up the pears, wave after wave. What names it is
    the same accounts coming back in words that only turn up when they do."""
    e = Events().session(products=SHELF)
    _room(e, 300, seed=seed)
    crew = _crew(
        e,
        PRODUCE_PRAISE,
        size=14,
        waves=[8, 22, 37, 51],
        per_wave=(9, 12),
        spread_s=150,
        seed=seed,
    )
    found = _paid(e)
    named = _named(found)
    assert len(named & crew) >= len(crew) - 1
    assert not named - crew
    (finding,) = found
    assert finding.evidence["about_the_official"] == 0.0
    assert "praising the official" not in finding.summary
    assert finding.evidence["waves"] >= 3
    assert finding.evidence["non_buyers"] == 1.0


@pytest.mark.parametrize("title", ["书记", "镇长", "局长", "主任", "村支书", "乡长"])
def test_one_wave_of_praise_for_an_official_of_any_title_is_named_as_praise(title: str) -> None:
    """One wave only (nobody comes back): the words must be read as praise of the official, for
    every title, or the wave is a room chatting at once."""
    e = Events().session(products=SHELF)
    _room(e, 300, seed=7)
    phrases = [
        f"{title}辛苦了",
        f"为{title}点赞",
        f"{title}太接地气了",
        f"有这样的{title}是我们的福气",
        f"{title}真是人民的好干部",
        f"跟着{title}买就对了，{title}讲得太好了",
    ]
    crew = _crew(e, phrases, size=16, waves=[33], per_wave=(16, 16), spread_s=60, seed=7)
    (finding,) = _paid(e)
    assert set(finding.accounts) == crew
    assert finding.evidence["about_the_official"] >= 0.8
    assert "praising the official" in finding.summary
    assert finding.evidence["examples"]


@pytest.mark.parametrize("seed", [4, 5])
def test_thin_waves_of_three_to_five_accounts_many_times_are_one_crew(seed: int) -> None:
    """Twelve waves of three to five members each: no wave alone is a crowd, the same fifteen
    accounts coming back in them are. (Three posts in ninety seconds is at the floor of what a
    burst can show against a room's chat: some of the thinnest waves go unseen, and with them
    members who only posted there.)"""
    e = Events().session(products=SHELF, minutes=90)
    _room(e, 200, seed=seed, minutes=90)
    phrases = ["书记辛苦了", "书记太亲民了", "为书记点赞", "有这样的书记是福气"]
    crew = _crew(
        e,
        phrases,
        size=15,
        waves=[5 + 7 * k for k in range(12)],
        per_wave=(3, 5),
        spread_s=90,
        seed=seed,
    )
    named = _named(_paid(e))
    assert len(named & crew) >= 0.6 * len(crew)
    assert not named - crew


def test_a_crew_in_lockstep_without_a_word_of_praise_is_named() -> None:
    """A crew whose lines are questions and chatter, not praise — posted together, by the same
    accounts, wave after wave, in words nobody else uses. Lockstep alone names it."""
    e = Events().session(products=SHELF)
    _room(e, 300, seed=11)
    phrases = [
        "土蜂蜜今天还有货吗",
        "土蜂蜜冲水喝还是直接吃",
        "土蜂蜜结晶了正常吗",
        "蜂蜜罐子是玻璃的吗",
        "蜂农是本地的吗",
    ]
    crew = _crew(
        e, phrases, size=12, waves=[10, 24, 39, 53], per_wave=(9, 11), spread_s=120, seed=11
    )
    found = _paid(e)
    assert _named(found) == crew
    assert all(f.evidence["about_the_official"] == 0.0 for f in found)
    assert all("praising the official" not in f.summary for f in found)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_room_answering_the_host_at_once_is_not_a_crew(seed: int) -> None:
    """The host asks whether everyone can see the price; sixty viewers type the same few
    questions within a minute — and again when the next product is pinned, many of the same
    viewers among them. Look-alike, at once, non-buyers: but no praise, and words the room uses
    all evening."""
    e = Events().session(products=SHELF)
    _room(e, 400, seed=seed)
    rng = random.Random(seed)
    askers = [f"viewer-{i}" for i in range(80)]
    for minute in (12, 31, 47):
        for aid in rng.sample(askers, 60):
            text = rng.choice(["多少钱一斤", "包邮吗", "多少钱", "包邮吗？", "发什么快递"])
            e.add("chat.message", minute * 60 + rng.uniform(0, 60), {"text": text}, actor=aid)
    assert _paid(e) == []


def test_one_enthusiast_praising_the_official_thirty_times_is_not_a_crew() -> None:
    """One fan posts the same praise thirty times in ten minutes, and a few other viewers thank
    the official now and then: one account is no organisation."""
    e = Events().session(products=SHELF)
    _room(e, 300, seed=13)
    rng = random.Random(13)
    for k in range(30):
        text = "书记辛苦了，为书记点赞，有这样的书记是我们的福气" + rng.choice(FILLERS)
        e.add("chat.message", 1200 + k * 20 + rng.uniform(0, 5), {"text": text}, actor="fan")
    for i in range(6):
        e.add("chat.message", rng.uniform(0, 3600), {"text": "书记辛苦了"}, actor=f"viewer-{i}")
    assert _paid(e) == []


def test_a_big_honest_rooms_burst_of_questions_is_not_a_crew() -> None:
    """The independent generator's honest room of 20,000 viewers, seed 0: about a hundred
    viewers ask how to keep and whether to buy the sweet-potato noodles within a few minutes
    of each other — 40 comments in a window that expects 9, a Poisson tail of 1e-14 in a
    room this size. Without praise, lockstep must also be eight times the window's usual."""
    from sunlit.independent import generate
    from sunlit.integrity.detectors import paid_comments
    from sunlit.integrity.reader import read_lines

    data, _ = generate(0, 20_000, [], honest_sessions=1)
    stream, _ = read_lines(data.splitlines(keepends=True), skip_bad=True)
    (session,) = stream.sessions.values()
    assert paid_comments.detect(stream, session, paid_comments.Settings()) == []
    loose = paid_comments.Settings(alone_ratio=0.0)
    assert paid_comments.detect(stream, session, loose) != []


@pytest.mark.parametrize("seed", [4, 5])
def test_waves_of_exactly_three_accounts_are_waves(seed: int) -> None:
    """Found by mutation testing (docs/mutation-testing.md): three accounts posting at once is
    a wave (``min_accounts``); a crew of nine sending three a time, twelve times, is named."""
    e = Events().session(products=SHELF, minutes=90)
    _room(e, 200, seed=seed, minutes=90)
    phrases = ["书记辛苦了", "书记太亲民了", "为书记点赞", "有这样的书记是福气"]
    crew = _crew(
        e,
        phrases,
        size=9,
        waves=[5 + 7 * k for k in range(12)],
        per_wave=(3, 3),
        spread_s=60,
        seed=seed,
    )
    named = _named(_paid(e))
    assert named == crew


# Found by mutation testing (docs/mutation-testing.md): the wave finding's score and evidence
# could be changed unnoticed.


def test_a_wave_findings_score_and_evidence_say_how_it_was_found() -> None:
    """A crew praising the produce in four waves, none of it buying: 0.5, plus 0.1 for
    accounts that bought nothing, plus 0.2 for coming back in several waves, and nothing for
    praise of the official. Every member came back; five examples at most."""
    e = Events().session(products=SHELF)
    _room(e, 300, seed=2)
    crew = _crew(
        e, PRODUCE_PRAISE, size=14, waves=[8, 22, 37, 51], per_wave=(9, 12), spread_s=150, seed=2
    )
    (finding,) = _paid(e)
    named = set(finding.accounts)
    assert named <= crew
    assert finding.score == pytest.approx(0.8)
    assert finding.evidence["in_several_waves"] == len(named)
    assert finding.evidence["accounts"] == len(named)
    assert len(finding.evidence["examples"]) == 5


def test_one_wave_of_praise_scores_its_praise_and_not_its_waves() -> None:
    """One wave of praise of the official by sixteen accounts that bought nothing: 0.5, plus
    0.2 times its share of praise, plus 0.1 for the non-buyers; no bonus for several waves."""
    e = Events().session(products=SHELF)
    _room(e, 300, seed=7)
    phrases = ["书记辛苦了", "为书记点赞", "书记太接地气了", "有这样的书记是我们的福气"]
    _crew(e, phrases, size=16, waves=[33], per_wave=(16, 16), spread_s=60, seed=7)
    (finding,) = _paid(e)
    praise = finding.evidence["about_the_official"]
    assert praise >= 0.8
    assert finding.evidence["non_buyers"] == 1.0
    assert finding.score == pytest.approx(0.6 + 0.2 * praise, abs=0.002)


def test_a_crew_back_in_two_waves_some_of_whom_bought_scores_both() -> None:
    """Two waves are several; four members who bought something lower the non-buyers' share,
    and the score with it."""
    e = Events().session(products=SHELF)
    _room(e, 300, seed=3)
    crew = _crew(
        e, PRODUCE_PRAISE, size=14, waves=[15, 40], per_wave=(12, 14), spread_s=120, seed=3
    )
    for k, aid in enumerate(sorted(crew)[:4]):
        e.order(f"o-crew-{k}", aid, "p-pear", 3000 + k)
    (finding,) = _paid(e)
    named = set(finding.accounts)
    assert len(named & crew) >= 12
    non_buyers = sum(a not in sorted(crew)[:4] for a in named) / len(named)
    assert 0 < non_buyers < 1
    assert finding.evidence["waves"] == 2
    assert finding.score == pytest.approx(0.7 + 0.1 * non_buyers)


def test_praise_is_read_whatever_the_case_of_its_latin_letters() -> None:
    """打call is typed 打CALL as often: praise either way, of the official or of anyone."""
    from sunlit.integrity.detectors.paid_comments import laudatory, praises

    assert praises("为书记打CALL！")
    assert praises("给县长打Call")
    assert laudatory("打CALL", 1)
    assert not laudatory("打CALL")  # one character: anyone types it, no crew is made of it


def test_a_crew_back_wave_after_wave_in_short_praise_is_named() -> None:
    """Two to four characters each (书记威武, 点赞点赞): too short to be a wave of praise by
    itself, but the same accounts back in four waves in the waves' own words are a crew."""
    e = Events().session(products=SHELF)
    _room(e, 300, seed=8)
    phrases = ["书记威武", "点赞点赞", "书记辛苦", "好样的", "书记棒棒"]
    crew = _crew(e, phrases, size=12, waves=[9, 23, 38, 52], per_wave=(10, 12), spread_s=90, seed=8)
    named = _named(_paid(e))
    assert len(named & crew) >= 10
    assert not named - crew
