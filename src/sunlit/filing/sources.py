"""Where each boundary rule comes from, as citations a citizen can look up: a law and its
article, or a published piece with its author, title, publication and date. Pure: a
:class:`Reader` brings the language (``sunlit.filing.pages`` makes one for the page's reader;
the default writes English, for ``docs/boundary-rules.md``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sunlit.core.errors import N_

_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 to 99 in Chinese numerals, as article numbers are written (第十四条, 第五十九条)."""
    tens, ones = divmod(n, 10)
    if not 0 < n < 100:
        return str(n)
    if tens == 0:
        return _DIGITS[ones]
    return f"{'' if tens == 1 else _DIGITS[tens]}十{_DIGITS[ones] if ones else ''}"


def _english_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


@dataclass(frozen=True, slots=True)
class Reader:
    """Who reads a citation: their language, its translations and how it writes dates."""

    language: str = "en"
    gettext: Callable[[str], str] = str
    long_date: Callable[[date], str] = _english_date
    year: Callable[[date], str] = lambda day: str(day.year)

    def translate(self, message: str, params: dict[str, object]) -> str:
        return self.gettext(message) % params

    def number(self, n: int) -> str:
        return chinese_number(n) if self.language == "zh" else str(n)


ENGLISH = Reader()


@dataclass(frozen=True, slots=True)
class Law:
    """An article of a national law (its name is a msgid; the Chinese is the official name)."""

    name: str
    article: int
    item: int | None = None  # an item (项) of the article

    def cite(self, reader: Reader = ENGLISH) -> str:
        params: dict[str, object] = {
            "law": reader.gettext(self.name),
            "article": reader.number(self.article),
        }
        if self.item is None:
            return reader.translate(N_("%(law)s, article %(article)s"), params)
        params["item"] = reader.number(self.item)
        return reader.translate(N_("%(law)s, article %(article)s, item %(item)s"), params)


@dataclass(frozen=True, slots=True)
class Piece:
    """A published piece: its author(s) and title as published, where and when (``issued`` is
    ``YYYY``, ``YYYY-MM-DD`` or a journal issue ``YYYY(N)``)."""

    author: str  # msgid (the name in the reader's script)
    title: str  # as published, in its own language
    title_en: str  # an English rendering, shown to English readers after the title
    publication: str  # msgid
    issued: str

    def cite(self, reader: Reader = ENGLISH) -> str:
        title = f"《{self.title}》"
        if reader.language != "zh":
            title = f"“{self.title_en}” ({title})"
        return reader.translate(
            N_("%(author)s, %(title)s, %(publication)s, %(issued)s"),
            {
                "author": reader.gettext(self.author),
                "title": title,
                "publication": reader.gettext(self.publication),
                "issued": self._issued(reader),
            },
        )

    def _issued(self, reader: Reader) -> str:
        if "(" in self.issued:
            year, number = self.issued.rstrip(")").split("(")
            return reader.translate(
                N_("%(year)s, no. %(number)s"), {"year": year, "number": number}
            )
        parts = self.issued.split("-")
        if len(parts) == 3:
            return reader.long_date(date(*(int(p) for p in parts)))
        return reader.year(date(int(self.issued), 1, 1))


Citation = Law | Piece


@dataclass(frozen=True, slots=True)
class Source:
    """Why a rule exists (a msgid, one short clause) and what it rests on."""

    point: str
    cites: tuple[Citation, ...]

    def cite(self, reader: Reader = ENGLISH) -> str:
        """The whole source in the reader's language: the point, then each citation."""
        return reader.translate(
            N_("%(point)s (%(citations)s)"),
            {
                "point": reader.gettext(self.point),
                "citations": "; ".join(c.cite(reader) for c in self.cites),
            },
        )


# --- laws ----------------------------------------------------------------------------------------

PRICE_LAW = N_("Price Law of the People's Republic of China")
CIVIL_SERVANT_LAW = N_("Civil Servant Law of the People's Republic of China")
ADVERTISING_LAW = N_("Advertising Law of the People's Republic of China")

# --- published pieces (the domain articles the project started from) ---------------------------

#: An academic article on officials' live selling: its risks and the boundaries it needs.
LI_2024 = Piece(
    author=N_("Li Hanqing"),
    title="乡村振兴背景下的官员直播带货:行动逻辑、潜在风险及其应对",
    title_en="The Officials' Livestreaming Marketing Under the Background of Rural "
    "Revitalization: Action Logic, Potential Risks, and Countermeasures",
    publication=N_("Journal of Guizhou Normal University (Social Sciences)"),
    issued="2024(4)",
)
#: Legal Daily's report on officials' live selling turning into a show (2020, the epidemic).
LEGAL_DAILY_2020 = Piece(
    author=N_("Zhao Li and Qin Huamin"),
    title="官员直播带货要防“作秀”",
    title_en="Officials selling live must guard against putting on a show",
    publication=N_("Legal Daily"),
    issued="2020",
)
#: A commentary on leading cadres' live selling during the epidemic.
TCHD_2021 = Piece(
    author=N_("TCHD"),
    title="疫情背景下的直播带货景象",
    title_en="Live selling against the background of the epidemic",
    publication=N_("tchdvideo.com"),
    issued="2021-10-11",
)
