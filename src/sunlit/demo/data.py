"""Demo facts. Places and produce are real (the counties the seeds name and what each is known
for); prices, costs and bands are plausible figures, not quotations; every person is invented
by Faker and claims to be nobody real."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DemoProduce:
    name_zh: str
    name_en: str
    kind: str
    category: str
    unit: str  # jin, kg or box
    price_fen: int  # per unit
    cost_fen: int  # the producer's declared cost per unit
    stock: int
    band_low_fen: int  # the county reference band, per jin
    band_high_fen: int
    box_grams: int | None = None
    story_zh: str = ""
    story_en: str = ""
    #: an open call for help: (quantity, reason, days to the deadline, note)
    unsalable: tuple[int, str, int, str] | None = None
    #: the certificate's validity, in days from today (negative: already expired)
    certificate_days: tuple[int, int] = (-30, 335)


@dataclass(frozen=True, slots=True)
class DemoCounty:
    code: str
    slug: str
    government_zh: str
    cooperative_zh: str
    village_zh: str
    produce: tuple[DemoProduce, ...]


COUNTIES: tuple[DemoCounty, ...] = (
    DemoCounty(
        "341321",
        "dangshan",
        "砀山县人民政府",
        "砀山县酥梨种植专业合作社",
        "良梨镇",
        (
            DemoProduce(
                "砀山酥梨",
                "Dangshan crisp pears",
                "crisp_pear",
                "fruit",
                "jin",
                398,
                260,
                8000,
                300,
                500,
                story_zh="黄河故道的沙土与连片梨园，孕育了皮薄、汁多、酥脆的砀山酥梨。",
                story_en="The sandy soil of the old Yellow River course and its wide pear orchards "
                "give Dangshan pears their thin skin and crisp, juicy flesh.",
            ),
        ),
    ),
    DemoCounty(
        "610722",
        "chenggu",
        "城固县人民政府",
        "城固县柑橘专业合作社",
        "上元观镇",
        (
            DemoProduce(
                "城固蜜桔",
                "Chenggu mandarin oranges",
                "mandarin",
                "fruit",
                "jin",
                350,
                220,
                6000,
                250,
                450,
                story_zh="汉江之畔的城固是秦岭以南的柑橘产区，蜜桔酸甜适口。",
                story_en="Chenggu, on the Han River south of the Qinling mountains, grows sweet "
                "and tangy mandarins.",
            ),
        ),
    ),
    DemoCounty(
        "422801",
        "enshi",
        "恩施市人民政府",
        "恩施市富硒茶叶专业合作社",
        "芭蕉侗族乡",
        (
            DemoProduce(
                "恩施玉露",
                "Enshi Yulu tea",
                "green_tea",
                "tea",
                "jin",
                36000,
                21000,
                300,
                24000,
                48000,
                story_zh="恩施玉露沿用蒸汽杀青的传统工艺，产自富硒山区的茶园。",
                story_en="Enshi Yulu keeps the old craft of steaming fresh leaves; it grows on "
                "the selenium-rich hills of western Hubei.",
            ),
        ),
    ),
    DemoCounty(
        "440825",
        "xuwen",
        "徐闻县人民政府",
        "徐闻县菠萝产销专业合作社",
        "曲界镇",
        (
            DemoProduce(
                "徐闻菠萝",
                "Xuwen pineapples",
                "pineapple",
                "fruit",
                "jin",
                280,
                160,
                20000,
                200,
                380,
                story_zh="徐闻的“菠萝的海”连绵起伏，红土地上的菠萝香甜多汁。",
                story_en="Xuwen's rolling 'sea of pineapples' grows on red volcanic soil at the "
                "southern tip of mainland China.",
                unsalable=(20000, "glut", 14, "今年丰产，收购商压价，约两万斤菠萝需在两周内售出。"),
            ),
        ),
    ),
    DemoCounty(
        "330802",
        "quzhou",
        "衢州市柯城区人民政府",
        "柯城区椪柑专业合作社",
        "九华乡",
        (
            DemoProduce(
                "衢州椪柑",
                "Quzhou ponkan oranges",
                "ponkan",
                "fruit",
                "jin",
                330,
                200,
                7000,
                250,
                420,
                story_zh="衢州种植柑橘已有上千年，椪柑果大皮松、易剥化渣。",
                story_en="Quzhou has grown citrus for a thousand years; its ponkan are large, "
                "easy to peel and melt in the mouth.",
            ),
        ),
    ),
    DemoCounty(
        "522635",
        "majiang",
        "麻江县人民政府",
        "麻江县蓝莓种植专业合作社",
        "宣威镇",
        (
            DemoProduce(
                "麻江蓝莓",
                "Majiang blueberries",
                "blueberry",
                "fruit",
                "box",
                3980,
                2600,
                1500,
                3000,
                5000,
                box_grams=500,
                story_zh="麻江的山地气候凉爽湿润，蓝莓果粉厚、口感清甜（每盒四小盒，共500克）。",
                story_en="Majiang's cool, moist uplands grow blueberries with a thick bloom and "
                "a clean sweetness (a box holds four 125 g punnets, 500 g).",
                certificate_days=(-400, -3),
            ),
        ),
    ),
)

#: Supervisors sit above the counties: discipline inspection and the e-commerce office.
SUPERVISOR_ORGS = ("纪委监委派驻纪检监察组", "商务局电子商务办公室")
CERTIFIER = "县农产品质量安全检测站（演示数据）"
BAND_SOURCE = "县农业农村局农产品价格监测（演示数据）"


# --- the ended session (sunlit.demo.session) --------------------------------------------------

SESSION_TITLE = "砀山酥梨丰收季助农直播"
SESSION_INVITED_BY = "砀山县商务局"
#: The session's partner, an enterprise with its public-interest reason (name, reason).
SESSION_PARTNER = (
    "砀山县果品冷链物流有限公司（演示数据）",
    "产地直发、冷链运输，按县里公开的助农运价收费，不参与销售分成。",
)
#: Member households of Dangshan's cooperative and their share of each payout (basis points;
#: the rest stays with the cooperative). Households are people: a count in public.
HOUSEHOLDS = (("周家梨园", 3000), ("陈家梨园", 3000), ("刘家梨园", 2000))
#: The buyers' delivery regions (county-level districts: where a parcel can be sent).
DELIVERY = {"buyer1": "110105", "buyer2": "310104", "buyer3": "440106"}


@dataclass(frozen=True, slots=True)
class DemoOrder:
    minute: int  # after the session starts
    buyer: str
    qty: int  # jin of pears
    fate: str  # "kept" (paid, shipped, paid out), "refunded" (paid, cancelled), "dropped"


SESSION_ORDERS = (
    DemoOrder(8, "buyer1", 5, "kept"),
    DemoOrder(15, "buyer2", 3, "kept"),
    DemoOrder(22, "buyer3", 4, "kept"),
    DemoOrder(31, "buyer2", 2, "refunded"),
    DemoOrder(40, "buyer1", 2, "kept"),
    DemoOrder(52, "buyer2", 1, "dropped"),
    DemoOrder(63, "buyer3", 5, "kept"),
    DemoOrder(77, "buyer1", 3, "kept"),
)
