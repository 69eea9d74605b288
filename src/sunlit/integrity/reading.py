"""One case as a supervisor reads it: the evidence in words, the summary in the page's
language, the session's name, and what the finding names, linked to the pages that show each
(an order's page, an account's doings in the session; an imported stream's orders and products
have no page and show plainly)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.services import display_names
from sunlit.core.files.store import LocalFileStore
from sunlit.integrity.evidence_view import Label, Line, evidence_lines, export_rows, summary
from sunlit.integrity.naming import SessionName, product_names, session_names
from sunlit.integrity.tables import StreamImportRow
from sunlit.integrity.views import Case


@dataclass(frozen=True)
class Named:
    """An account, order or product a finding names: its id, what to call it, its page."""

    id: str
    name: str
    link: str | None = None


@dataclass(frozen=True)
class Reading:
    lines: list[Line]
    summary: str
    summary_lang: str | None  # "en" when it is the stored English sentence
    session: SessionName
    named: dict[str, list[Named]]  # "accounts", "orders", "products"

    def rows(self, evidence: dict[str, Any]) -> list[dict[str, Any]]:
        return export_rows(self.lines, evidence)


async def read_case(
    db: AsyncSession,
    files: LocalFileStore,
    case: Case,
    imported: StreamImportRow | None,
    label: Label,
) -> Reading:
    own = case.import_id is None
    products = await product_names(db, files, case, imported)
    people = await display_names(db, set(case.accounts)) if own else {}
    named = {
        "accounts": [
            Named(a, people.get(a, a), f"/supervisor/cases/{case.id}/accounts/{quote(a, safe='')}")
            for a in case.accounts
        ],
        "orders": [Named(o, o, f"/orders/{o}" if own else None) for o in case.orders],
        "products": [
            Named(p, name, f"/products/{p}" if own else None)
            for p, name in zip(case.products, products, strict=True)
        ],
    }
    text = summary(case.rule, case.source, case.evidence, products, label)
    return Reading(
        lines=evidence_lines(case.rule, case.source, case.evidence, label, own=own),
        summary=case.summary if text is None else text,
        summary_lang="en" if text is None else None,
        session=(await session_names(db, files, [case]))[case.id],
        named=named,
    )


@dataclass(frozen=True)
class PublicReading:
    """A published finding as the public reads it: its summary and its session's name."""

    summary: str
    summary_lang: str | None
    session: SessionName


async def read_published(
    db: AsyncSession, files: LocalFileStore, rows: list[Any], label: Label
) -> dict[str, PublicReading]:
    names = await session_names(db, files, rows)
    out = {}
    for r in rows:
        imported = await db.get(StreamImportRow, r.import_id) if r.import_id else None
        products = await product_names(db, files, r, imported)
        text = summary(r.rule, r.source, r.evidence, products, label)
        out[r.id] = PublicReading(
            r.summary if text is None else text, "en" if text is None else None, names[r.id]
        )
    return out
