"""Translations: templates hold no hard-coded words, and every message has Chinese."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from sunlit.app.services import LABELS
from sunlit.web.templating import make_environment
from tests.support import ROOT

TEMPLATES = ROOT / "src" / "sunlit" / "templates"
WORDS = re.compile(r"[A-Za-z\u4e00-\u9fff]")
READ_ATTRS = {"alt", "title", "aria-label", "placeholder"}
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "translate": None}


class TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_data(self, data: str) -> None:
        if WORDS.search(data):
            self.found.append(data.strip())

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in READ_ATTRS and value and WORDS.search(value):
                self.found.append(f"{name}={value}")


@pytest.mark.parametrize(
    "template", sorted(p.relative_to(TEMPLATES).as_posix() for p in TEMPLATES.rglob("*.html"))
)
def test_templates_have_no_hard_coded_words(template: str) -> None:
    env = make_environment(__import__("zoneinfo").ZoneInfo("Asia/Shanghai"), LABELS)
    source = (TEMPLATES / template).read_text("utf-8")
    collector = TextCollector()
    for _, kind, value in env.lex(source):
        if kind == "data":
            collector.feed(value)
    assert collector.found == []


def _extracted() -> set[str]:
    source = ROOT / "src" / "sunlit"
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    options = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    return {
        message if isinstance(message, str) else message[0]
        for _, _, message, _, _ in extract_from_dir(
            source, method_map, options_map=options, keywords=KEYWORDS
        )
    }


def _catalog(language: str) -> dict[str, str]:
    path = ROOT / "src" / "sunlit" / "locale" / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:  # a plural message by its singular, with its first form
        return {
            m.id[0] if isinstance(m.id, tuple) else m.id: (
                m.string[0] if isinstance(m.string, tuple) else m.string
            )
            for m in read_po(handle)
            if m.id and not m.fuzzy
        }


def test_every_message_has_a_chinese_translation_with_the_same_placeholders() -> None:
    catalog = _catalog("zh")
    missing = sorted(m for m in _extracted() if not catalog.get(m))
    assert missing == [], "run `make messages` and translate these"
    placeholders = re.compile(r"%\(\w+\)s")
    broken = [
        m
        for m, text in catalog.items()
        if sorted(placeholders.findall(m)) != sorted(placeholders.findall(text))
    ]
    assert broken == []
