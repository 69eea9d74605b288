"""Translations through Babel message catalogues. Source strings (msgids) are English;
``locale/zh/LC_MESSAGES/messages.po`` carries Simplified Chinese, the default language.
Catalogues are compiled in memory at start, so a checkout needs no build step."""

from __future__ import annotations

import gettext
import io
from contextvars import ContextVar
from functools import cache
from importlib import resources

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LANGUAGES = ("zh", "en")
#: Babel locale identifiers, for dates and numbers.
BABEL_LOCALES = {"zh": "zh_Hans_CN", "en": "en_GB"}
#: Names of each language in itself, for the switch.
ENDONYMS = {"zh": "中文", "en": "English"}

current_language: ContextVar[str] = ContextVar("current_language", default="zh")


@cache
def catalog(language: str) -> gettext.NullTranslations:
    path = resources.files("sunlit").joinpath(f"locale/{language}/LC_MESSAGES/messages.po")
    if not path.is_file():
        return gettext.NullTranslations()
    with path.open("rb") as handle:
        parsed = read_po(handle, locale=BABEL_LOCALES[language])
    buffer = io.BytesIO()
    write_mo(buffer, parsed)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def pick_language(*candidates: str | None, default: str) -> str:
    for candidate in candidates:
        if candidate in LANGUAGES:
            return candidate
    return default


def gettext_(message: str) -> str:
    return catalog(current_language.get()).gettext(message)


def ngettext_(singular: str, plural: str, number: int) -> str:
    return catalog(current_language.get()).ngettext(singular, plural, number)


class Msgid(str):
    """A parameter value that is itself a message (a role's name, say): translated with the
    message it fills, so that no code or English word lands in a Chinese sentence."""

    __slots__ = ()


def _filled(value: object) -> object:
    if isinstance(value, Msgid):
        return gettext_(value)
    if isinstance(value, tuple) and value and all(isinstance(v, Msgid) for v in value):
        # TRANSLATORS: what separates the items of a list inside a sentence ("a, b, c").
        return translate(", ").join(gettext_(v) for v in value)
    return value


def translate(message: str, params: dict[str, object] | None = None) -> str:
    """Translate a msgid and fill its ``%(name)s`` parameters (a :class:`Msgid` parameter, or
    a tuple of them, is translated too)."""
    text = gettext_(message)
    return text % {name: _filled(value) for name, value in params.items()} if params else text


def field_errors(fields: dict[str, str], params: dict[str, object] | None = None) -> dict[str, str]:
    """An error's field messages, translated, with the error's parameters filled in."""
    return {name: translate(text, params) for name, text in fields.items()}
