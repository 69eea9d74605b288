"""conflict_of_interest and company_favouritism — the official and the companies in the room.

Conflict: a partner the filing declares a relationship with, the official (named: the tie is
theirs), and the products the partner supplies — whose producer is that partner by name, or
whose name carries the partner's trade name — names compared without the place prefix (the
official's county and the places above it), the company suffix and the trade, so that
衢江绿源供应链管理有限公司 is found in 绿源 胡柚 8斤.
Favouritism: one enterprise's share of the session's sales above half; or, for a room kept
just under half, at least a third of the sales and two and a half times what any other
producer sold; or the same enterprise in several sessions of one official."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sunlit.core.errors import N_
from sunlit.core.regions.services import region_book
from sunlit.integrity.model import Finding
from sunlit.integrity.stream import Session, Stream

PLACE = re.compile(r"^.{1,6}?(省|市|县|区|州|旗)")
SUFFIX = re.compile(
    r"(股份)?(有限责任公司|有限公司|公司|集团|农民专业合作社|专业合作社|合作社|联合社|家庭农场|农场)$"
)
TRADE = re.compile(
    r"(农业科技|农业发展|农业开发|农业|茶业|果业|食品|科技|发展|开发|供应链管理|供应链|电子商务"
    r"|电商|商贸|贸易|实业|生态|网络科技|网络|文化传媒|传媒|种植|养殖|农产品|茶叶|水果)$"
)
#: A trade name shorter than this is too common to find in product names (果, 茶).
BRAND_CHARS = 2


@dataclass(frozen=True)
class Settings:
    max_share: float = 0.5  # of the session's sales, for one enterprise …
    dominant_share: float = 1 / 3  # … or this much, when it is also …
    dominance: float = 2.5  # … this many times the sales of any other producer
    max_sessions: int = 3  # sessions of one official in which one enterprise sells


def place_names(region: str | None) -> list[str]:
    """The short names of a county and the places above it (衢江区 -> 衢江, 衢州, 浙江), longest
    first: company names often begin with where they are."""
    if not region:
        return []
    names = set()
    for place in region_book().path(str(region)):
        full = place.name("zh")
        names |= {full, re.sub(r"(省|市|县|区|自治州|自治县|州|旗|盟)$", "", full)}
    return sorted((n for n in names if len(n) >= 2), key=len, reverse=True)


def core_name(name: str, places: Iterable[str] = ()) -> str:
    """The distinctive part of a company name: 砀山县鑫果农业科技有限公司 -> 鑫果; with the
    official's places, 衢江绿源供应链管理有限公司 -> 绿源."""
    core = SUFFIX.sub("", PLACE.sub("", name.strip()))
    for place in places:
        if core.startswith(place) and len(core) > len(place):
            core = core[len(place) :]
    while (shorter := TRADE.sub("", core)) != core and shorter:
        core = shorter
    return core


def partner_products(
    stream: Stream, session: Session, name: str, places: Iterable[str]
) -> list[str]:
    """The session's products the partner supplies: its producer is the partner by name, or the
    partner's trade name is in the product's name (绿源 in 绿源 胡柚 8斤) — and then every
    product of the same producer."""
    places = list(places)
    core = core_name(name, places)
    if TRADE.fullmatch(core):  # only the trade left (果业): nothing distinctive to look for
        core = ""
    producers = set()
    for pid in session.products:
        p = stream.products.get(pid)
        if p is None:
            continue
        if p.producer and same_company(p.producer, name):
            producers.add(p.producer)
        elif len(core) >= BRAND_CHARS and core in p.name and p.producer:
            producers.add(p.producer)
    return [
        pid
        for pid in session.products
        if (p := stream.products.get(pid)) is not None and p.producer in producers
    ]


def same_company(a: str, b: str) -> bool:
    x, y = core_name(a), core_name(b)
    return bool(x and y) and (x in y or y in x)


def detect_conflict(stream: Stream, session: Session, s: Settings) -> list[Finding]:
    partners = (session.filed or {}).get("partners") or []
    out = []
    for partner in partners:
        if not isinstance(partner, dict) or not partner.get("relationship"):
            continue
        name = str(partner.get("name") or "")
        places = place_names((session.filed or {}).get("official_region"))
        products = partner_products(stream, session, name, places)
        sales = sum(o.amount for o in session.orders if o.product in products and not o.gone)
        score = 0.9 if products else 0.6
        evidence = {
            "partner": name,
            "relationship": partner["relationship"],
            "kind": partner.get("kind"),
            "products": len(products),
            "sales_fen": sales,
        }
        message, params = conflict_summary(evidence)
        summary = message % params
        official = [session.official] if session.official else []
        out.append(
            Finding.scored(
                "conflict_of_interest",
                score,
                summary,
                evidence,
                accounts=official,
                products=products,
            )
        )
    return out


def detect_favouritism(stream: Stream, session: Session, s: Settings) -> list[Finding]:
    if (session.filed or {}).get("host_kind") == "producer":
        return []  # a producer hosting its own session sells its own goods: no one is favoured
    sales: dict[str, int] = defaultdict(int)
    kinds: dict[str, str] = {}
    for o in session.orders:
        if o.gone:
            continue
        p = stream.products.get(o.product)
        producer = p.producer if p and p.producer else "?"
        sales[producer] += o.amount
        kinds[producer] = p.producer_kind if p else ""
    total = sum(sales.values())
    out = []
    official = session.official
    for producer, amount in sales.items():
        if kinds.get(producer) != "enterprise" or not total:
            continue
        share = amount / total
        runner_up = max((v for k, v in sales.items() if k != producer), default=0)
        dominant = share >= s.dominant_share and amount >= s.dominance * runner_up
        repeat = _sessions_of(stream, official, producer) if official else 1
        if share <= s.max_share and not dominant and repeat < s.max_sessions:
            continue
        products = [
            pid
            for pid in session.products
            if (p := stream.products.get(pid)) and p.producer == producer
        ]
        score = min(1.0, 0.4 + share + 0.1 * max(0, repeat - 1))
        evidence = {
            "enterprise": producer,
            "share_of_sales": round(share, 3),
            "sales_fen": amount,
            "next_producer_fen": runner_up,
            "sessions_of_this_official": repeat,
        }
        message, params = favouritism_summary(evidence)
        summary = message % params
        out.append(
            Finding.scored("company_favouritism", score, summary, evidence, products=products)
        )
    return out


def _sessions_of(stream: Stream, official: str, producer: str) -> int:
    count = 0
    for other in stream.sessions.values():
        if other.official != official:
            continue
        if any(
            (p := stream.products.get(pid)) and p.producer == producer for pid in other.products
        ):
            count += 1
    return count


#: The findings' summaries (pages translate them, filled from the evidence).
TIE_SUPPLIES = N_(
    "The official declared a tie (%(relationship)s) to %(partner)s, which supplies "
    "%(products)s product(s) in the session."
)
TIE_PARTNER = N_(
    "The official declared a tie (%(relationship)s) to %(partner)s, which is a partner of the "
    "session."
)
FAVOURED = N_("%(enterprise)s took %(share)s of the session's sales.")
FAVOURED_AGAIN = N_(
    "%(enterprise)s took %(share)s of the session's sales and sold in %(sessions)s sessions of "
    "the same official."
)


def conflict_summary(evidence: Mapping[str, Any]) -> tuple[str, dict[str, object]]:
    return TIE_SUPPLIES if evidence["products"] else TIE_PARTNER, {
        "relationship": evidence["relationship"],
        "partner": evidence["partner"],
        "products": evidence["products"],
    }


def favouritism_summary(evidence: Mapping[str, Any]) -> tuple[str, dict[str, object]]:
    repeat = evidence["sessions_of_this_official"]
    return FAVOURED_AGAIN if repeat > 1 else FAVOURED, {
        "enterprise": evidence["enterprise"],
        "share": f"{evidence['share_of_sales']:.0%}",
        "sessions": repeat,
    }
