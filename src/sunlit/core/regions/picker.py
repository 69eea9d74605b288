"""Choosing a delivery county the way buyers do everywhere else: province, then city, then
county, or by typing part of a name. Pure functions of a :class:`RegionBook`.

The "city" level is a prefecture. Where a province governs counties directly there is no real
city: a municipality (北京, 上海, 天津, 重庆) offers itself as its only city, and a province
with some directly governed counties (海南's 五指山市…) offers them under one more city whose
code is the province's own. A prefecture-level city without counties (东莞市) offers itself as
its only county. So a choice always takes the same three steps."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sunlit.core.regions.model import Region, RegionBook, RegionLevel

#: Whether a parcel may go to a region at all (the shipping rules decide; see orders).
Ships = Callable[[str], bool]


@dataclass(frozen=True, slots=True)
class Place:
    """One option of a level: ``direct`` marks a province's own "city" of the counties it
    governs directly (a municipality's is named after it; others need a label of their own)."""

    code: str
    name: str
    direct: bool = False


@dataclass(frozen=True, slots=True)
class Choice:
    """Where a picker stands: the options of each level and what is chosen (``""``: nothing)."""

    provinces: list[Place]
    cities: list[Place]
    counties: list[Place]
    province: str
    city: str
    county: str


def _current(regions: list[Region]) -> list[Region]:
    return [r for r in regions if not r.retired]


def provinces(book: RegionBook, language: str, ships: Ships) -> list[Place]:
    """The provinces that have somewhere a parcel can go."""
    return [
        Place(p.code, p.name(language))
        for p, areas in book.delivery_areas()
        if areas and ships(p.code)
    ]


def is_municipality(book: RegionBook, province: str) -> bool:
    """A province whose every current child is a county: 北京, 上海, 天津, 重庆."""
    children = _current(book.children(province))
    return bool(children) and all(c.level is RegionLevel.COUNTY for c in children)


def cities(book: RegionBook, province: str, language: str) -> list[Place]:
    """The prefectures of a province, and the province itself when it governs counties."""
    region = book.get(province)
    if region is None or region.level is not RegionLevel.PROVINCE:
        return []
    children = _current(book.children(province))
    found = [
        Place(c.code, c.name(language))
        for c in children
        if c.level is RegionLevel.PREFECTURE and counties(book, c.code, language)
    ]
    if any(c.level is RegionLevel.COUNTY for c in children):
        found.append(Place(province, region.name(language), direct=True))
    return found


def counties(book: RegionBook, city: str, language: str) -> list[Place]:
    """The delivery areas of a city (``cities``): its counties, or the city itself."""
    region = book.get(city)
    if region is None or region.level is RegionLevel.COUNTY:
        return []
    if book.is_delivery_area(city):
        return [Place(city, region.name(language))]
    return [
        Place(c.code, c.name(language))
        for c in _current(book.children(city))
        if c.level is RegionLevel.COUNTY and book.is_delivery_area(c.code)
    ]


def _city_of(book: RegionBook, code: str) -> str:
    """The ``cities`` code a region lies in: its prefecture, or its province."""
    path = book.path(code)
    prefectures = [r.code for r in path if r.level is RegionLevel.PREFECTURE]
    if prefectures:
        return prefectures[0]
    return path[0].code if path else ""


def _only(places: list[Place]) -> str:
    return places[0].code if len(places) == 1 else ""


def choose(
    book: RegionBook,
    language: str,
    ships: Ships,
    *,
    province: str = "",
    city: str = "",
    county: str = "",
) -> Choice:
    """The picker after a step: what was chosen that still fits, filled in from below (a county
    picked from a search sets its province and city) and where only one option is left (a
    municipality's city). A level that no longer fits the one above is cleared."""
    listed = provinces(book, language, ships)
    codes = {p.code for p in listed}
    picked = book.get(county) if county else None
    below = county if picked is not None else city
    if province not in codes and below and book.get(below) is not None:
        province = book.path(below)[0].code
    if province not in codes:
        province = ""
    city_options = cities(book, province, language) if province else []
    city_codes = {c.code for c in city_options}
    if city not in city_codes:
        inside = picked is not None and province and county.startswith(province[:2])
        city = _city_of(book, county) if inside else ""
        city = city if city in city_codes else _only(city_options)
    county_options = counties(book, city, language) if city else []
    if county not in {c.code for c in county_options}:
        county = _only(county_options)
    return Choice(listed, city_options, county_options, province, city, county)


def _across(book: RegionBook, region: Region, needle: str) -> bool:
    """The text spans names ("北京市朝阳"), not just one above this region ("北京")."""
    above = book.path(region.code)[:-1]
    if any(needle in r.name_zh for r in above):
        return False
    return needle in "".join(r.name_zh for r in above) + region.name_zh


@dataclass(frozen=True, slots=True)
class Match:
    """A search result: the region's name, the names above it written before it ("北京市")
    or after it (", 长春市, Jilin" in English), and its whole name ("北京市朝阳区")."""

    code: str
    name: str
    before: str
    after: str
    full_name: str
    level: RegionLevel


def find_places(
    book: RegionBook, text: str, language: str, ships: Ships, *, limit: int = 12
) -> list[Match]:
    """Current regions a parcel can go to whose name (Chinese or English) or whole name
    contains ``text`` ("北京市朝阳" finds 朝阳区 too): whole-name matches first, then names
    that start with it, then the rest; counties before cities before provinces, then by code."""
    needle = text.strip().lower()
    if not needle:
        return []
    ranked: list[tuple[tuple[int, int, str], Region]] = []
    depth = {RegionLevel.COUNTY: 0, RegionLevel.PREFECTURE: 1, RegionLevel.PROVINCE: 2}
    for region in book.regions():
        if region.retired or not ships(region.code):
            continue
        names = (region.name_zh, region.name_en.lower())
        if any(n == needle for n in names):
            rank = 0
        elif any(n.startswith(needle) for n in names):
            rank = 1
        elif any(needle in n for n in names) or _across(book, region, needle):
            rank = 2
        else:
            continue
        if region.level is RegionLevel.PREFECTURE and not (
            book.is_delivery_area(region.code) or counties(book, region.code, language)
        ):
            continue
        ranked.append(((rank, depth[region.level], region.code), region))
    ranked.sort(key=lambda pair: pair[0])
    return [_match(book, r, language) for _, r in ranked[:limit]]


def _match(book: RegionBook, region: Region, language: str) -> Match:
    above = [r.name(language) for r in book.path(region.code)[:-1]]
    before = "".join(above) if language == "zh" else ""
    after = "" if language == "zh" or not above else ", " + ", ".join(reversed(above))
    whole = book.full_name(region.code, language)
    return Match(region.code, region.name(language), before, after, whole, region.level)
