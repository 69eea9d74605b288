"""A case's evidence as a supervisor reads it, in the page's language: one line per evidence key
with its label and its value in words (a p-value as a likelihood, money in yuan, shares in per
cent), the detector's summary translated, and the same lines for the CSV and JSON export."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from babel.numbers import format_decimal

from sunlit.catalog.labels import LABELS as CATALOG_LABELS
from sunlit.core.errors import N_
from sunlit.core.i18n import BABEL_LOCALES, current_language, gettext_
from sunlit.core.money import format_fen
from sunlit.integrity import wording as w
from sunlit.integrity.detectors import hype
from sunlit.web import downloads

#: ``label(group, value)``: the templates' names of other contexts' values (concern kinds).
Label = Callable[[str, str], str]


@dataclass(frozen=True)
class Line:
    """One evidence key: its label, its value in words (``text``) or as a list (``items``),
    and where the value can be looked at (``link``), in the page's language."""

    key: str
    label: str
    text: str = ""
    items: tuple[str, ...] = field(default=())
    quoted: bool = False
    link: str | None = None


def tr(message: str, **params: object) -> str:
    text = gettext_(message)
    return text % params if params else text


def number(value: float | int) -> str:
    return format_decimal(value, locale=BABEL_LOCALES[current_language.get()])


def percent(value: float) -> str:
    shown = round(100 * value, 1 if 0 < abs(value) < 0.1 else 0)
    return f"{number(shown)}%"


SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")

#: A p-value in words: the likelihood that what was seen happened by chance alone.
CHANCES = (
    (1e-9, N_("Less than one in a billion that this is chance (p = %(p)s)")),
    (1e-6, N_("Less than one in a million that this is chance (p = %(p)s)")),
    (1e-3, N_("Less than one in a thousand that this is chance (p = %(p)s)")),
    (1e-2, N_("Less than one in a hundred that this is chance (p = %(p)s)")),
    (5e-2, N_("Less than one in twenty that this is chance (p = %(p)s)")),
)
COULD_BE_CHANCE = N_("About %(percent)s: this could be chance (p = %(p)s)")


def p_number(p: float) -> str:
    """3.05e-38 → "3.05×10⁻³⁸"; 0.012 → "0.012"."""
    if p == 0 or p >= 1e-3:
        return f"{p:.3g}"
    mantissa, exponent = f"{p:.2e}".split("e")
    return f"{mantissa.rstrip('0').rstrip('.')}×10{str(int(exponent)).translate(SUPERSCRIPT)}"


def likelihood(p: float) -> str:
    for bound, message in CHANCES:
        if p < bound:
            return tr(message, p=p_number(p))
    return tr(COULD_BE_CHANCE, percent=percent(p), p=p_number(p))


def _pairs(value: Mapping[str, Any], names: Mapping[str, str]) -> tuple[str, ...]:
    return tuple(
        tr(N_("%(what)s: %(value)s"), what=tr(names.get(k, k)), value=v) for k, v in value.items()
    )


def _figures(value: Mapping[str, Any]) -> tuple[str, ...]:
    shown = {
        k: (v if k == "source" else format_fen(v) if k == "gmv" else number(v))
        for k, v in value.items()
        if v is not None
    }
    return _pairs(shown, w.FIGURE_LABELS)


def _gaps(value: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(
        tr(hype.NONE_VERIFIED, figure=tr(w.FIGURE_LABELS.get(k, k)))
        if g is None
        else tr(hype.ABOVE, figure=tr(w.FIGURE_LABELS.get(k, k)), gap=percent(g))
        for k, g in value.items()
    )


def _scalar(kind: str, value: Any, label: Label) -> str:
    if value is None:
        return "—"
    if kind == w.COUNT:
        return number(value)
    if kind == w.SHARE:
        return percent(value)
    if kind == w.FEN:
        return format_fen(int(value))
    if kind == w.P_VALUE:
        return likelihood(float(value))
    if kind == w.Z:
        return tr(N_("%(z)s times the usual spread of the other products"), z=number(value))
    if kind == w.TIMES:
        return tr(N_("%(n)s times"), n=number(value))
    if kind == w.SECONDS:
        return tr(N_("%(n)s seconds"), n=number(value))
    if kind == w.PER_1000:
        return tr(N_("%(n)s per 1,000 orders"), n=number(value))
    if kind == w.NUMBER:
        return number(value)
    if kind == w.YES_NO:
        return tr(N_("Yes")) if value else tr(N_("No"))
    if kind == w.CATEGORY:
        return tr(CATALOG_LABELS["category"].get(value, value))
    if kind == w.PARTNER_KIND:
        return tr(w.PARTNER_KINDS.get(value, value))
    if kind == w.CONCERN_CATEGORY:
        return label("concern_category", str(value))
    return str(value)


def _line(key: str, label_kind: tuple[str, str], value: Any, own: bool, label: Label) -> Line:
    msgid, kind = label_kind
    name = tr(msgid)
    if kind == w.QUOTES:
        return Line(key, name, items=tuple(str(v) for v in value), quoted=True)
    if kind == w.SIGNALS:
        return Line(
            key, name, items=_pairs({k: number(v) for k, v in value.items()}, w.SIGNALS_LABELS)
        )
    if kind == w.FIGURES:
        return Line(key, name, items=_figures(value))
    if kind == w.GAPS:
        return Line(key, name, items=_gaps(value))
    if kind == w.WINDOW:
        burst = tr(
            N_("%(comments)s comments in one burst, where %(expected)s were expected"),
            comments=number(value["comments"]),
            expected=number(value["expected"]),
        )
        return Line(key, name, items=(burst, likelihood(float(value["p_value"]))))
    link = f"/live/{value}" if kind == w.SESSION and own else None
    return Line(key, name, _scalar(kind, value, label), link=link)


def evidence_lines(
    rule: str, source: str, evidence: Mapping[str, Any], label: Label, *, own: bool
) -> list[Line]:
    """The evidence in the detector's order; ``own`` when the session is one of Sunlit's (its
    pages can be linked). A key without a label still shows, under its name."""
    return [
        _line(key, w.label_of(rule, source, key) or (key, w.TEXT), value, own, label)
        for key, value in evidence.items()
    ]


def summary(
    rule: str,
    source: str,
    evidence: Mapping[str, Any],
    product_names: list[str],
    label: Label,
) -> str | None:
    """The detector's summary in the page's language, from the evidence; None when the evidence
    does not fit the rule's message (an older engine's case: show the stored English one)."""
    try:
        if source == "concern":
            kind = label("concern_category", str(evidence["category"]))
            return tr(w.CONCERN_SUMMARY, category=kind)
        message, params = w.SUMMARIES[rule](evidence, {"product_names": product_names}, gettext_)
        return gettext_(message) % params
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def export_rows(lines: list[Line], evidence: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per evidence key: the key, its label and value in words, and the raw value."""
    return [
        {
            "key": line.key,
            "label": line.label,
            "value": line.text or "; ".join(line.items),
            "raw": evidence.get(line.key),
        }
        for line in lines
    ]


def csv_bytes(rows: list[dict[str, Any]], named: list[tuple[str, str]]) -> bytes:
    """The export as CSV in UTF-8 with a BOM (so spreadsheet programs read the Chinese), headers
    in the page's language; ``named`` adds one row per account, order or product named."""
    import orjson

    header = [tr(N_("Key")), tr(N_("What")), tr(N_("Value")), tr(N_("Raw value"))]
    lines: list[list[object]] = []
    for row in rows:
        raw = row["raw"]
        shown = raw if isinstance(raw, str) else orjson.dumps(raw).decode()
        lines.append([row["key"], row["label"], row["value"], shown])
    lines += [[kind, tr(KIND_NAMES[kind]), ident, ident] for kind, ident in named]
    return downloads.csv_bytes(header, lines)


KIND_NAMES = {
    "accounts": N_("Account named"),
    "orders": N_("Order named"),
    "products": N_("Product named"),
}
