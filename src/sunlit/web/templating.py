"""Jinja2 templates with the i18n extension bound to the request's language."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader, select_autoescape

from sunlit import __version__
from sunlit.core.i18n import (
    BABEL_LOCALES,
    ENDONYMS,
    LANGUAGES,
    current_language,
    gettext_,
    ngettext_,
)
from sunlit.core.money import format_fen
from sunlit.core.regions.services import region_book

#: group -> value -> msgid: the names of each context's enumerations, given by the app.
Labels = Mapping[str, Mapping[str, str]]


#: One way to write a day and a moment, per language (CLDR patterns).
DAY = {"zh": "y年M月d日", "en": "d MMM y"}
MOMENT = {"zh": "y年M月d日 HH:mm", "en": "d MMM y, HH:mm"}


def make_environment(zone: ZoneInfo, labels: Labels, *, auto_reload: bool = False) -> Environment:
    """The pages' Jinja environment. ``auto_reload`` checks each template file's time on every
    render (for editing templates on a running server; off, templates load once)."""
    env = Environment(
        loader=PackageLoader("sunlit", "templates"),
        auto_reload=auto_reload,
        autoescape=select_autoescape(["html", "xml"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(gettext_, ngettext_, newstyle=True)  # type: ignore[attr-defined]

    def when(moment: datetime | date | None) -> str:
        """A moment or a day, written one way on every page (docs/glossary.md): 2026年3月2日
        19:30 or 2 Mar 2026, 19:30, in the installation's time zone; a day without the time."""
        if moment is None:
            return "—"
        language = current_language.get()
        if not isinstance(moment, datetime):
            return format_date(moment, DAY[language], locale=BABEL_LOCALES[language])
        return format_datetime(
            moment, MOMENT[language], tzinfo=zone, locale=BABEL_LOCALES[language]
        )

    def localized(item: object, field: str) -> str:
        """``name_zh`` or ``name_en`` by the page's language; Chinese when English is empty."""
        chosen = getattr(item, f"{field}_{current_language.get()}", "") or ""
        return str(chosen or getattr(item, f"{field}_zh", ""))

    def region_name(code: str) -> str:
        return region_book().full_name(code, current_language.get()) or code

    def place_name(code: str) -> str:
        return region_book().own_name(code, current_language.get())

    def label(group: str, value: str) -> str:
        return gettext_(labels[group].get(value, value))

    env.filters["when"] = when
    env.filters["fen"] = format_fen
    env.globals.update(
        localized=localized,
        region_name=region_name,
        place_name=place_name,
        label=label,
    )
    env.globals.update(
        version=__version__,
        languages=LANGUAGES,
        endonyms=ENDONYMS,
        current_language=current_language.get,
    )
    return env


def make_templates(zone: ZoneInfo, labels: Labels, *, auto_reload: bool = False) -> Jinja2Templates:
    return Jinja2Templates(env=make_environment(zone, labels, auto_reload=auto_reload))
