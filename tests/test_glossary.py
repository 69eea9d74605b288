"""The Chinese catalogue keeps to docs/glossary.md: one term per thing."""

from __future__ import annotations

from babel.messages.pofile import read_po

from tests.support import ROOT


def _glossary() -> list[tuple[str, str, list[str]]]:
    rows = []
    for line in (ROOT / "docs" / "glossary.md").read_text("utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 4 or cells[0] in ("English", "") or set(cells[0]) <= {"-"}:
            continue
        english, chinese, avoid, _ = cells
        rows.append((english, chinese, [w.strip() for w in avoid.split(",") if w.strip()]))
    return rows


def _zh() -> dict[str, str]:
    path = ROOT / "src" / "sunlit" / "locale" / "zh" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        return {m.id: m.string for m in read_po(handle) if isinstance(m.id, str) and m.id}


def test_the_glossary_is_read() -> None:
    terms = {english: chinese for english, chinese, _ in _glossary()}
    assert terms["Official"] == "干部" and len(terms) >= 20


def test_no_chinese_message_uses_a_word_the_glossary_avoids() -> None:
    catalog = _zh()
    found = [
        (word, msgid, text)
        for _, chinese, avoid in _glossary()
        for word in avoid
        for msgid, text in catalog.items()
        if word in text
    ]
    assert found == []


def test_each_glossary_term_that_is_a_message_is_translated_as_the_glossary_says() -> None:
    catalog = _zh()
    wrong = [
        (english, catalog[english], chinese)
        for english, chinese, _ in _glossary()
        if english in catalog and catalog[english] != chinese
    ]
    assert wrong == []
