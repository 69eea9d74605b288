"""What a case's session is called on a page: one of Sunlit's sessions by its plan's title, date,
county and host (the official's name and office); a session of an imported stream as such, with
the times its events span. Also the names of the products a case names, for its summary."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.services import accounts_by_id
from sunlit.catalog.products.services import products_by_id
from sunlit.core.files.store import LocalFileStore
from sunlit.core.i18n import current_language
from sunlit.filing.services import plans_by_id
from sunlit.integrity.reader import read_lines
from sunlit.integrity.stream import Session
from sunlit.integrity.tables import StreamImportRow
from sunlit.integrity.traces import moment
from sunlit.integrity.views import Case


@dataclass(frozen=True)
class SessionName:
    """A session as pages name it. ``imported``: a session of a stream from elsewhere, named
    by ``filename`` for supervisors only; ``title`` and the host are None when unknown."""

    session: str
    imported: bool
    title: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    region: str | None = None
    host: str | None = None
    office: str | None = None
    filename: str | None = None

    @property
    def link(self) -> str | None:
        return None if self.imported else f"/live/{self.session}"


@dataclass(frozen=True)
class StreamFacts:
    """What pages read of an imported stream: each session's first and last event and county,
    and each product's name."""

    spans: dict[str, tuple[datetime | None, datetime | None, str | None]]
    products: dict[str, str]


#: Imported streams already read, by SHA-256 (a file never changes under its hash).
_FACTS: OrderedDict[str, StreamFacts] = OrderedDict()
_KEEP = 8


def _span(session: Session) -> tuple[datetime | None, datetime | None, str | None]:
    times = [t for t in (session.started, session.ended) if t is not None]
    times += [t for t, *_ in session.joins] + [t for t, *_ in session.chats]
    times += [o.ts for o in session.orders]
    region = (session.filed or {}).get("official_region")
    first, last = (min(times), max(times)) if times else (None, None)
    return (
        None if first is None else moment(first),
        None if last is None else moment(last),
        str(region) if region else None,
    )


async def stream_facts(
    files: LocalFileStore, imported: StreamImportRow | None
) -> StreamFacts | None:
    if imported is None:
        return None
    if imported.sha256 in _FACTS:
        _FACTS.move_to_end(imported.sha256)
        return _FACTS[imported.sha256]
    data = await files.read(imported.sha256)
    if data is None:
        return None
    stream, _ = await asyncio.to_thread(read_lines, data.splitlines(keepends=True), skip_bad=True)
    facts = StreamFacts(
        spans={sid: _span(s) for sid, s in stream.sessions.items()},
        products={pid: p.name for pid, p in stream.products.items() if p.name},
    )
    _FACTS[imported.sha256] = facts
    while len(_FACTS) > _KEEP:
        _FACTS.popitem(last=False)
    return facts


async def _imports(db: AsyncSession, ids: set[str]) -> dict[str, StreamImportRow]:
    rows = [await db.get(StreamImportRow, i) for i in ids]
    return {r.id: r for r in rows if r is not None}


async def session_names(
    db: AsyncSession, files: LocalFileStore, rows: Sequence[Case]
) -> dict[str, SessionName]:
    """Each case's session's name, by case id."""
    plans = await plans_by_id(db, {r.session for r in rows if r.import_id is None})
    hosts = {a.id: a for a in await accounts_by_id(db, {p.official_id for p in plans.values()})}
    imports = await _imports(db, {r.import_id for r in rows if r.import_id is not None})
    names: dict[str, SessionName] = {}
    for r in rows:
        if r.import_id is None:
            plan = plans.get(r.session)
            host = hosts.get(plan.official_id) if plan is not None else None
            names[r.id] = SessionName(
                r.session,
                False,
                title=plan.title if plan is not None else None,
                starts_at=plan.starts_at if plan is not None else None,
                ends_at=plan.ends_at if plan is not None else None,
                region=host.region if host is not None else None,
                host=host.display_name if host is not None else None,
                office=host.org if host is not None else None,
            )
            continue
        imported = imports.get(r.import_id)
        facts = await stream_facts(files, imported)
        first, last, region = (facts.spans.get(r.session) if facts else None) or (None,) * 3
        names[r.id] = SessionName(
            r.session,
            True,
            starts_at=first,
            ends_at=last,
            region=region,
            filename=imported.filename if imported is not None else None,
        )
    return names


async def product_names(
    db: AsyncSession, files: LocalFileStore, case: Case, imported: StreamImportRow | None
) -> list[str]:
    """The names of the products a case names, in its order (the id when unknown)."""
    if case.import_id is not None:
        facts = await stream_facts(files, imported)
        known = facts.products if facts is not None else {}
        return [known.get(pid, pid) for pid in case.products]
    rows = await products_by_id(db, set(case.products))
    language = current_language.get()
    return [
        (getattr(rows[pid], f"name_{language}", "") or rows[pid].name_zh) if pid in rows else pid
        for pid in case.products
    ]
