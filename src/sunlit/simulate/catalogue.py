"""The produce, places and organisations simulated sessions draw on (the demo region's)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Produce:
    name: str
    category: str
    price: int  # fen
    low: int
    high: int
    cost: int


@dataclass(frozen=True, slots=True)
class County:
    code: str
    name: str
    short: str  # as viewers say it
    produce: tuple[Produce, ...]
    cooperative: str
    enterprise: str


COUNTIES: tuple[County, ...] = (
    County(
        "341321",
        "砀山县",
        "砀山",
        (
            Produce("砀山酥梨 5斤装", "fruit", 2990, 2500, 3600, 1900),
            Produce("砀山酥梨 10斤礼盒", "fruit", 5490, 4500, 6500, 3600),
            Produce("砀山梨膏 2瓶", "processed_agri", 3990, 3200, 4800, 2300),
            Produce("黄桃罐头 6罐", "processed_agri", 4590, 3800, 5500, 3000),
        ),
        "砀山县良梨镇果农专业合作社",
        "砀山县鑫果农业科技有限公司",
    ),
    County(
        "610722",
        "城固县",
        "城固",
        (
            Produce("城固蜜橘 5斤", "fruit", 2590, 2000, 3200, 1500),
            Produce("城固柑橘 10斤", "fruit", 4290, 3600, 5200, 2800),
            Produce("城固猕猴桃 3斤", "fruit", 3690, 3000, 4500, 2400),
        ),
        "城固县柑橘产销专业合作社",
        "汉中鑫橙农业发展有限公司",
    ),
    County(
        "422801",
        "恩施市",
        "恩施",
        (
            Produce("恩施富硒绿茶 250克", "tea", 8800, 7000, 11000, 5200),
            Produce("恩施玉露 100克", "tea", 12800, 10000, 16000, 7800),
            Produce("恩施土豆 5斤", "vegetable", 1990, 1500, 2600, 1100),
        ),
        "恩施市芭蕉侗族乡茶叶专业合作社",
        "恩施硒源茶业有限公司",
    ),
    County(
        "440825",
        "徐闻县",
        "徐闻",
        (
            Produce("徐闻菠萝 8斤", "fruit", 3290, 2600, 4000, 2000),
            Produce("徐闻菠萝 15斤", "fruit", 5590, 4600, 6800, 3600),
            Produce("徐闻良姜 2斤", "vegetable", 2890, 2200, 3500, 1700),
        ),
        "徐闻县曲界镇菠萝专业合作社",
        "湛江菠萝的海农业有限公司",
    ),
    County(
        "522635",
        "麻江县",
        "麻江",
        (
            Produce("麻江蓝莓 4盒", "fruit", 6990, 5800, 8500, 4300),
            Produce("蓝莓果酱 2瓶", "processed_agri", 3590, 2900, 4300, 2200),
            Produce("麻江锌硒米 10斤", "grain", 5990, 4800, 7200, 3900),
        ),
        "麻江县宣威镇蓝莓专业合作社",
        "黔东南蓝梦农业开发有限公司",
    ),
)

#: Delivery counties of ordinary buyers (GB/T 2260): city districts across China.
DELIVERY_REGIONS: tuple[str, ...] = (
    "110105",
    "310115",
    "440305",
    "330106",
    "320106",
    "510107",
    "420106",
    "340104",
    "610113",
    "370102",
    "500103",
    "430104",
    "350203",
    "210102",
    "120101",
    "130102",
)

#: Verified employers some ordinary accounts have (most have none).
ORGANISATIONS: tuple[str, ...] = tuple(
    f"{place}{unit}"
    for place in ("砀山县", "城固县", "恩施市", "徐闻县", "麻江县", "合肥市", "西安市", "杭州市")
    for unit in ("财政局", "教育局", "人民医院", "税务局", "第一中学")
)

CHANNELS: tuple[str, ...] = ("wechat", "weibo", "qq", "link")
CLIENTS: tuple[str, ...] = ("app", "web", "miniprogram")
PAYMENT_METHODS: tuple[str, ...] = ("wallet", "bank_card", "union_card", "corporate")
