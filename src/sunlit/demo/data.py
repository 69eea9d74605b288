"""Demo facts. Places and produce are real (the counties the seeds name and what each is known
for); every person is invented by Faker and claims to be nobody real."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DemoProduce:
    name_zh: str
    name_en: str
    category: str
    unit: str
    price_fen: int  # a plausible retail price per unit
    reference_low_fen: int
    reference_high_fen: int


@dataclass(frozen=True, slots=True)
class DemoCounty:
    code: str
    slug: str
    government_zh: str
    cooperative_zh: str
    produce: tuple[DemoProduce, ...]


COUNTIES: tuple[DemoCounty, ...] = (
    DemoCounty(
        "341321",
        "dangshan",
        "砀山县人民政府",
        "砀山县酥梨种植专业合作社",
        (DemoProduce("砀山酥梨", "Dangshan crisp pears", "fruit", "jin", 398, 300, 500),),
    ),
    DemoCounty(
        "610722",
        "chenggu",
        "城固县人民政府",
        "城固县柑橘专业合作社",
        (DemoProduce("城固蜜桔", "Chenggu mandarin oranges", "fruit", "jin", 350, 250, 450),),
    ),
    DemoCounty(
        "422801",
        "enshi",
        "恩施市人民政府",
        "恩施市富硒茶叶专业合作社",
        (
            DemoProduce(
                "恩施玉露", "Enshi Yulu selenium-rich tea", "tea", "jin", 36000, 24000, 48000
            ),
        ),
    ),
    DemoCounty(
        "440825",
        "xuwen",
        "徐闻县人民政府",
        "徐闻县菠萝产销专业合作社",
        (DemoProduce("徐闻菠萝", "Xuwen pineapples", "fruit", "jin", 280, 200, 380),),
    ),
    DemoCounty(
        "330802",
        "quzhou",
        "衢州市柯城区人民政府",
        "柯城区椪柑专业合作社",
        (DemoProduce("衢州椪柑", "Quzhou ponkan oranges", "fruit", "jin", 330, 250, 420),),
    ),
    DemoCounty(
        "522636",
        "majiang",
        "麻江县人民政府",
        "麻江县蓝莓种植专业合作社",
        (
            DemoProduce(
                "麻江蓝莓", "Majiang blueberries", "fruit", "box of 125 g", 1980, 1500, 2600
            ),
        ),
    ),
)

#: Supervisors sit above the counties: discipline inspection and the e-commerce office.
SUPERVISOR_ORGS = ("纪委监委派驻纪检监察组", "商务局电子商务办公室")
