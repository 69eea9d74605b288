"""Places, produce and prices: the catalogue a generated session sells from.

The places are those the seed articles name (Dangshan pears, Chenggu citrus, Enshi tea, Xuwen
pineapples, Quzhou ponkan, Majiang blueberries) plus a few more farm counties; prices are
plausible retail prices in fen for the unit named, with a market band around them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sunlit.independent.world import World

#: (name, category, unit price low, unit price high in fen, cost share of the band's middle)
Produce = tuple[str, str, int, int, float]

PLACES: dict[str, tuple[str, tuple[Produce, ...]]] = {
    "341321": (
        "砀山县",
        (
            ("砀山酥梨 5斤装", "fruit", 2590, 3290, 0.55),
            ("砀山酥梨 10斤礼盒", "fruit", 4590, 5890, 0.55),
            ("黄桃罐头 6罐", "processed_agri", 3990, 4990, 0.6),
            ("梨膏 2瓶", "processed_agri", 5800, 6900, 0.5),
            ("油桃 5斤", "fruit", 2990, 3890, 0.6),
        ),
    ),
    "610722": (
        "城固县",
        (
            ("城固蜜桔 10斤", "fruit", 2880, 3580, 0.5),
            ("城固红心柚 2个", "fruit", 2290, 2890, 0.55),
            ("元胡 500克", "processed_agri", 4500, 5600, 0.6),
            ("城固蜜桔 5斤", "fruit", 1690, 2190, 0.5),
            ("土蜂蜜 1斤", "processed_agri", 6800, 8800, 0.55),
        ),
    ),
    "422801": (
        "恩施市",
        (
            ("恩施玉露 250克", "tea", 12800, 16800, 0.45),
            ("富硒绿茶 500克", "tea", 9800, 12800, 0.45),
            ("恩施土豆 10斤", "vegetable", 2990, 3690, 0.6),
            ("腊肉 1斤", "livestock", 5800, 6800, 0.65),
            ("富硒大米 10斤", "grain", 5990, 6990, 0.6),
        ),
    ),
    "440825": (
        "徐闻县",
        (
            ("徐闻菠萝 10斤", "fruit", 3590, 4590, 0.5),
            ("菠萝 5斤带箱", "fruit", 1990, 2590, 0.5),
            ("良姜 2斤", "vegetable", 2600, 3200, 0.6),
            ("对虾 1斤", "aquatic", 4800, 5900, 0.7),
        ),
    ),
    "330803": (
        "衢江区",
        (
            ("衢州椪柑 10斤", "fruit", 3290, 3990, 0.5),
            ("胡柚 8斤", "fruit", 3580, 4380, 0.5),
            ("椪柑 5斤", "fruit", 1890, 2390, 0.5),
            ("衢州鸭头 4只", "processed_agri", 4990, 5990, 0.6),
        ),
    ),
    "522635": (
        "麻江县",
        (
            ("麻江蓝莓 4盒", "fruit", 6990, 8990, 0.55),
            ("蓝莓果酱 2瓶", "processed_agri", 4590, 5590, 0.5),
            ("锌硒米 5斤", "grain", 3990, 4990, 0.6),
            ("蓝莓 2盒尝鲜装", "fruit", 3590, 4590, 0.55),
        ),
    ),
    "360781": (
        "瑞金市",
        (
            ("赣南脐橙 10斤", "fruit", 4590, 5590, 0.5),
            ("咸鸭蛋 20枚", "livestock", 3980, 4680, 0.6),
            ("脐橙 5斤", "fruit", 2490, 2990, 0.5),
            ("红薯粉丝 2斤", "processed_agri", 2880, 3580, 0.55),
        ),
    ),
    "652801": (
        "库尔勒市",
        (
            ("库尔勒香梨 5斤", "fruit", 3990, 4990, 0.5),
            ("红枣 2斤", "processed_agri", 4590, 5590, 0.55),
            ("核桃 3斤", "processed_agri", 6990, 7990, 0.6),
            ("香梨 10斤礼盒", "fruit", 6990, 8590, 0.5),
        ),
    ),
}

FRESH_CATEGORIES = ("fruit", "vegetable", "aquatic")
TITLES = ("县长", "副县长", "书记", "市长", "局长", "主任", "镇长")
COOPERATIVE_WORDS = ("果蔬专业合作社", "种植专业合作社", "农民专业合作社", "茶叶专业合作社")
ENTERPRISE_WORDS = (
    "农业科技有限公司",
    "食品有限公司",
    "生态农业发展有限公司",
    "供应链管理有限公司",
)
BRAND_WORDS = ("金果园", "绿源", "丰禾", "乡味", "山里红", "硒望", "源生", "田园记", "禾润", "鲜达")
MCN_NAMES = ("星火传媒", "乡播文化", "云上直播基地", "青禾网络科技")
RELATIONSHIPS = {
    "none": ("官员配偶持股", "官员之子任法定代表人", "官员配偶经营"),
    "default": ("官员亲属参股", "官员妻弟任总经理", "官员曾任该公司顾问"),
    "strong": ("同学关系", "原单位下属企业", "亲属任监事"),
}


@dataclass
class Product:
    """A listed product and its price over time (ms, fen)."""

    id: str
    name: str
    category: str
    producer: str
    producer_kind: str
    price: int
    ref_low: int | None
    ref_high: int | None
    cost: int | None
    stock: int
    listed_at: int = 0
    changes: list[tuple[int, int, str | None]] = field(default_factory=list)
    weight: float = 1.0  # how much honest buyers favour it
    flagged: bool = False  # already chosen by an abuse (or a decoy) of this session

    def price_at(self, ts: int) -> int:
        current = self.price
        for at, price, _ in sorted(self.changes):
            if at <= ts:
                current = price
        return current


@dataclass
class Producer:
    id: str
    name: str
    kind: str


def region_name(code: str) -> str:
    return PLACES[code][0] if code in PLACES else "本地"


def new_producer(world: World, place: str, kind: str, brand: str | None = None) -> Producer:
    """A household, cooperative or enterprise of ``place``, with a name that says which."""
    town = place[:2]
    if kind == "household":
        name = world.pick(("张", "李", "王", "刘", "陈", "杨", "赵", "黄")) + "家果园"
    elif kind == "cooperative":
        name = (
            town
            + world.pick(("东坡", "南湾", "桃园", "青山", "河口"))
            + world.pick(COOPERATIVE_WORDS)
        )
    else:
        name = town + (brand or world.pick(BRAND_WORDS)) + world.pick(ENTERPRISE_WORDS)
    return Producer(world.new_id("pd", 7), name, kind)


def make_product(
    world: World, produce: Produce, producer: Producer, *, brand: str = "", listed_at: int = 0
) -> Product:
    """A product priced inside its market band, with a declared cost under the price."""
    name, category, low, high, cost_share = produce
    band = world.chance(0.85)
    ending = (0, 80, 90, 90, 50)[world.between(0, 4)]
    price = min(max(int(world.uniform(low, high)) // 100 * 100 + ending, low), high)
    cost = (
        int((low + high) / 2 * cost_share * world.uniform(0.85, 1.15))
        if world.chance(0.75)
        else None
    )
    stock = world.between(800, 8000)
    return Product(
        id=world.new_id("sku", 8),
        name=(brand + " " + name).strip(),
        category=category,
        producer=producer.id,
        producer_kind=producer.kind,
        price=price,
        ref_low=low if band else None,
        ref_high=high if band else None,
        cost=cost,
        stock=stock,
        listed_at=listed_at,
    )
